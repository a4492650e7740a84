"""Seeding a VPC: subnets, internet and NAT gateways, route tables, endpoints, security
groups (R-7), each tagged with its learner-visible Name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtui.course.setup_spec import SecurityGroupRule, VpcSpec


def _name(ec2: Any, resource_id: str, name: str) -> None:
    ec2.create_tags(Resources=[resource_id], Tags=[{"Key": "Name", "Value": name}])


def seed_vpc(ec2: Any, spec: VpcSpec, region: str) -> tuple[dict[str, str], dict[str, str]]:
    """Create one VPC and its pieces; returns (subnet ids, security group ids) by name."""
    subnets: dict[str, str] = {}
    groups: dict[str, str] = {}
    vpc_id = ec2.create_vpc(CidrBlock=spec.cidr)["Vpc"]["VpcId"]
    _name(ec2, vpc_id, spec.name)
    for subnet in spec.subnets:
        subnet_id = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=subnet.cidr, AvailabilityZone=subnet.az
        )["Subnet"]["SubnetId"]
        _name(ec2, subnet_id, subnet.name)
        if subnet.public:
            ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
        subnets[subnet.name] = subnet_id
    igw_id = None
    if spec.internet_gateway:
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
        _name(ec2, igw_id, f"{spec.name}-igw")
    nats: dict[str, str] = {}
    for nat in spec.nat_gateways:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat_id = ec2.create_nat_gateway(SubnetId=subnets[nat.subnet], AllocationId=allocation)[
            "NatGateway"
        ]["NatGatewayId"]
        _name(ec2, nat_id, nat.name)
        nats[nat.name] = nat_id
    tables: dict[str, str] = {}
    for table in spec.route_tables:
        table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        _name(ec2, table_id, table.name)
        tables[table.name] = table_id
        for route in table.routes:
            if route.target == "local":
                continue  # every route table has the local route already
            target = (
                {"GatewayId": igw_id}
                if route.target == "igw"
                else {"NatGatewayId": nats[route.target.removeprefix("nat:")]}
            )
            ec2.create_route(
                RouteTableId=table_id, DestinationCidrBlock=route.destination, **target
            )
        for subnet_name in table.subnets:
            ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnets[subnet_name])
    for group in spec.security_groups:
        group_id = ec2.create_security_group(
            GroupName=group.name, Description=group.description or group.name, VpcId=vpc_id
        )["GroupId"]
        _name(ec2, group_id, group.name)
        groups[group.name] = group_id
    for group in spec.security_groups:
        group_id = groups[group.name]
        if group.ingress:
            ec2.authorize_security_group_ingress(
                GroupId=group_id, IpPermissions=[_permission(r, groups) for r in group.ingress]
            )
        if group.egress is not None:
            ec2.revoke_security_group_egress(
                GroupId=group_id,
                IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            )
            if group.egress:
                ec2.authorize_security_group_egress(
                    GroupId=group_id, IpPermissions=[_permission(r, groups) for r in group.egress]
                )
    for endpoint in spec.endpoints:
        arguments: dict[str, Any] = {
            "VpcId": vpc_id,
            "ServiceName": f"com.amazonaws.{region}.{endpoint.service}",
            "VpcEndpointType": endpoint.type,
        }
        if endpoint.route_tables:
            arguments["RouteTableIds"] = [tables[name] for name in endpoint.route_tables]
        if endpoint.subnets:
            arguments["SubnetIds"] = [subnets[name] for name in endpoint.subnets]
        if endpoint.security_groups:
            arguments["SecurityGroupIds"] = [groups[n] for n in endpoint.security_groups]
        ec2.create_vpc_endpoint(**arguments)
    return subnets, groups


def _permission(rule: SecurityGroupRule, groups: dict[str, str]) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": rule.protocol}
    if rule.protocol != "-1" and rule.port is not None:
        permission["FromPort"] = rule.port
        permission["ToPort"] = rule.to_port if rule.to_port is not None else rule.port
    if rule.cidr is not None:
        permission["IpRanges"] = [{"CidrIp": rule.cidr, "Description": rule.description}]
    if rule.group is not None:
        permission["UserIdGroupPairs"] = [{"GroupId": groups[rule.group]}]
    return permission
