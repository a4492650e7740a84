"""Build lambdasim's VPC model (R-7.7) from the graded account's EC2 state.

lambdasim decides reachability over a plain description of the network; this module reads
that description from moto through the EC2 API (describe_* calls), so a check can ask
"can orders-db-writer reach orders-db on 5432?" of exactly what the learner built.
"""

from __future__ import annotations

from typing import Any

from labtui.grading.context import GradingContext

_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "-1": "-1", "tcp": "tcp", "udp": "udp",
              "icmp": "icmp", "all": "-1"}


def _protocol(value: Any) -> str:
    return _PROTOCOLS.get(str(value).lower(), str(value).lower())


def _name(resource: dict[str, Any]) -> str | None:
    for tag in resource.get("Tags", []) or []:
        if tag.get("Key") == "Name":
            return str(tag.get("Value"))
    return None


def _sg_rules(permissions: list[dict[str, Any]]) -> tuple[Any, ...]:
    from labtui.lambdasim.vpc import SgRule

    rules = []
    for permission in permissions:
        protocol = _protocol(permission.get("IpProtocol", "-1"))
        low = int(permission.get("FromPort", 0) if protocol != "-1" else 0)
        high = int(permission.get("ToPort", 65535) if protocol != "-1" else 65535)
        cidrs = tuple(r["CidrIp"] for r in permission.get("IpRanges", []) if r.get("CidrIp"))
        groups = tuple(p["GroupId"] for p in permission.get("UserIdGroupPairs", [])
                       if p.get("GroupId"))
        rules.append(SgRule(protocol, max(low, 0), high if high >= 0 else 65535, cidrs, groups))
    return tuple(rules)


def vpc_model(ctx: GradingContext) -> Any:
    """The account's VPCs, subnets, routes, gateways, endpoints, groups and ACLs."""
    from labtui.lambdasim.vpc import (
        AclRule,
        InternetGateway,
        NatGateway,
        NetworkAcl,
        Route,
        RouteTable,
        SecurityGroup,
        Subnet,
        Vpc,
        VpcEndpoint,
        VpcModel,
    )

    ec2 = ctx.aws("ec2")
    model = VpcModel()
    model.vpcs = [Vpc(v["VpcId"], v["CidrBlock"]) for v in ec2.describe_vpcs()["Vpcs"]]
    model.subnets = [Subnet(s["SubnetId"], s["VpcId"], s["CidrBlock"], s["AvailabilityZone"])
                     for s in ec2.describe_subnets()["Subnets"]]
    for table in ec2.describe_route_tables()["RouteTables"]:
        routes = []
        for route in table.get("Routes", []):
            destination = route.get("DestinationCidrBlock") or route.get("DestinationPrefixListId")
            target = (route.get("NatGatewayId") or route.get("GatewayId")
                      or route.get("VpcEndpointId") or route.get("NetworkInterfaceId") or "")
            if destination and target:
                routes.append(Route(str(destination), str(target)))
        associations = table.get("Associations", [])
        model.route_tables.append(RouteTable(
            table["RouteTableId"], table["VpcId"], tuple(routes),
            tuple(a["SubnetId"] for a in associations if a.get("SubnetId")),
            any(a.get("Main") for a in associations),
        ))
    for gateway in ec2.describe_internet_gateways()["InternetGateways"]:
        attached = [a["VpcId"] for a in gateway.get("Attachments", [])
                    if a.get("State", "available") in ("available", "attached")]
        model.internet_gateways.append(
            InternetGateway(gateway["InternetGatewayId"], attached[0] if attached else None)
        )
    model.nat_gateways = [
        NatGateway(n["NatGatewayId"], n["SubnetId"], str(n.get("State", "available")))
        for n in ec2.describe_nat_gateways().get("NatGateways", [])
    ]
    for endpoint in ec2.describe_vpc_endpoints().get("VpcEndpoints", []):
        model.endpoints.append(VpcEndpoint(
            endpoint["VpcEndpointId"], endpoint["VpcId"],
            str(endpoint.get("ServiceName", "")).rsplit(".", 1)[-1],
            "Interface" if endpoint.get("VpcEndpointType") == "Interface" else "Gateway",
            tuple(endpoint.get("RouteTableIds", [])), tuple(endpoint.get("SubnetIds", [])),
            tuple(g["GroupId"] for g in endpoint.get("Groups", [])),
        ))
    for group in ec2.describe_security_groups()["SecurityGroups"]:
        model.security_groups.append(SecurityGroup(
            group["GroupId"], group.get("VpcId", ""), str(group.get("GroupName", "")),
            _sg_rules(group.get("IpPermissions", [])),
            _sg_rules(group.get("IpPermissionsEgress", [])),
        ))
    for acl in ec2.describe_network_acls().get("NetworkAcls", []):
        entries = acl.get("Entries", [])

        def rules(egress: bool, entries: list[dict[str, Any]] = entries) -> tuple[Any, ...]:
            return tuple(
                AclRule(int(e["RuleNumber"]), e.get("RuleAction") == "allow",
                        str(e.get("CidrBlock", "0.0.0.0/0")), _protocol(e.get("Protocol", "-1")),
                        int((e.get("PortRange") or {}).get("From", 0)),
                        int((e.get("PortRange") or {}).get("To", 65535)))
                for e in entries if bool(e.get("Egress")) == egress
            )

        subnets = tuple(a["SubnetId"] for a in acl.get("Associations", []) if a.get("SubnetId"))
        if subnets:
            model.network_acls.append(NetworkAcl(acl["NetworkAclId"], subnets, rules(False),
                                                 rules(True)))
    return model


def subnet_names(ctx: GradingContext) -> dict[str, dict[str, Any]]:
    """Subnets by id, each with its Name tag under ``Name``."""
    return {s["SubnetId"]: {**s, "Name": _name(s)} for s in ctx.aws("ec2").describe_subnets()["Subnets"]}


def group_names(ctx: GradingContext) -> dict[str, str]:
    """Security group id -> name (GroupName, or the Name tag)."""
    return {g["GroupId"]: str(_name(g) or g.get("GroupName", ""))
            for g in ctx.aws("ec2").describe_security_groups()["SecurityGroups"]}
