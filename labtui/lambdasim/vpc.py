"""VPC reachability: can function F reach target T, and if not, why (R-7.7).

The decision procedure of lambda-spec.md R-7.7, over a plain description of
the network (:class:`VpcModel`) that the grader builds from EC2 state:

1. F not in a VPC → the internet and public AWS endpoints are reachable;
   VPC-private targets are not (R-7.1).
2. S3 / DynamoDB: every route table of F's subnets routes to a gateway
   endpoint for the service (whose policy allows), or an interface endpoint in
   the VPC admits 443 from F's security groups, or rule 3 holds (R-7.3).
3. Internet or another public AWS endpoint: every route table of F's subnets
   sends 0.0.0.0/0 to a NAT gateway that sits in a subnet whose route table
   sends 0.0.0.0/0 to an internet gateway attached to the VPC, and F's groups
   allow outbound to the port. A route straight to an IGW does not help: a
   VPC function never has a public IP (R-7.2).
4. A resource in the VPC: F's groups allow outbound to it on its port, its
   groups allow inbound on that port from F's groups (or F's subnets' CIDRs),
   and network ACLs allow both directions (R-7.4).
5. Otherwise unreachable; the reason names the first failed condition.

Every subnet of F must work, because Lambda may place an ENI in any of them.
"""

from __future__ import annotations

import ipaddress

from labtui.lambdasim.vpc_model import (
    ALLOW_ALL_OUT,
    ANYWHERE,
    EPHEMERAL,
    GATEWAY_SERVICES,
    AclRule,
    AwsServiceTarget,
    FunctionVpcConfig,
    InternetGateway,
    InternetTarget,
    NatGateway,
    NetworkAcl,
    Reachability,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
    Subnet,
    Target,
    Vpc,
    VpcEndpoint,
    VpcModel,
    VpcResourceTarget,
)

__all__ = [
    "ALLOW_ALL_OUT",
    "AclRule",
    "AwsServiceTarget",
    "FunctionVpcConfig",
    "InternetGateway",
    "InternetTarget",
    "NatGateway",
    "NetworkAcl",
    "Reachability",
    "Route",
    "RouteTable",
    "SecurityGroup",
    "SgRule",
    "Subnet",
    "Target",
    "Vpc",
    "VpcEndpoint",
    "VpcModel",
    "VpcResourceTarget",
    "can_reach",
    "describe_target",
    "vpc_warnings",
]


def describe_target(target: Target) -> str:
    if isinstance(target, InternetTarget):
        return f"{target.host}:{target.port} on the internet"
    if isinstance(target, AwsServiceTarget):
        return f"the {target.service} endpoint"
    return f"{target.name}:{target.port}"


def can_reach(model: VpcModel, function: FunctionVpcConfig | None, target: Target) -> Reachability:
    """Apply R-7.7 and say why (not)."""
    if function is None or not function.subnet_ids:  # rule 1, R-7.1
        if isinstance(target, VpcResourceTarget):
            return Reachability(
                False,
                f"the function is not attached to a VPC, so it cannot "
                f"reach {target.name}, a private resource in a VPC",
                "R-7.1",
            )
        return Reachability(
            True, "a function outside a VPC reaches the internet and public AWS endpoints", "R-7.1"
        )
    subnets: list[Subnet] = []
    for subnet_id in function.subnet_ids:
        subnet = model.subnet(subnet_id)
        if subnet is None:
            return Reachability(False, f"subnet {subnet_id} does not exist", "R-7.7")
        subnets.append(subnet)
    groups: list[SecurityGroup] = []
    for group_id in function.security_group_ids:
        group = model.group(group_id)
        if group is None:
            return Reachability(False, f"security group {group_id} does not exist", "R-7.7")
        groups.append(group)
    if isinstance(target, VpcResourceTarget):
        return _reach_vpc_resource(model, subnets, groups, target)
    if isinstance(target, AwsServiceTarget):
        found = _reach_by_endpoint(model, subnets, groups, target)
        if found is not None and found.reachable:
            return found
        via_nat = _reach_internet(model, subnets, groups, target.port, describe_target(target))
        if via_nat.reachable:
            return via_nat
        return found or via_nat
    return _reach_internet(model, subnets, groups, target.port, describe_target(target))


def _reach_by_endpoint(
    model: VpcModel, subnets: list[Subnet], groups: list[SecurityGroup], target: AwsServiceTarget
) -> Reachability | None:
    """Rule 2 (R-7.3): a gateway endpoint route in every table, or an interface endpoint."""
    vpc_id = subnets[0].vpc_id
    service = target.service
    interface = [
        e
        for e in model.endpoints
        if e.vpc_id == vpc_id and e.service == service and e.type == "Interface"
    ]
    for endpoint in interface:
        if not endpoint.private_dns and service not in GATEWAY_SERVICES:
            continue
        endpoint_groups = [g for g in (model.group(i) for i in endpoint.security_group_ids) if g]
        admitted = any(_sg_admits(g, target.port, groups, subnets) for g in endpoint_groups)
        if admitted and _egress_allows(groups, target.port, _names(endpoint_groups), ANYWHERE):
            return Reachability(
                True,
                f"interface endpoint {endpoint.id} for {service} admits "
                f"{target.port} from the function's security groups",
                "R-7.3",
            )
    if service not in GATEWAY_SERVICES:
        if interface:
            return Reachability(
                False,
                f"the interface endpoint for {service} does not allow "
                f"{target.port} from the function's security groups",
                "R-7.3",
            )
        return None
    for subnet in subnets:
        table = model.route_table_for(subnet)
        gateway = [
            e
            for e in model.endpoints
            if e.vpc_id == vpc_id
            and e.service == service
            and e.type == "Gateway"
            and table is not None
            and (table.id in e.route_table_ids or any(r.target == e.id for r in table.routes))
        ]
        if not gateway:
            table_name = table.id if table else "(no route table)"
            return Reachability(
                False,
                f"route table {table_name} of {subnet.id} has no route "
                f"to a {service} gateway endpoint",
                "R-7.3",
            )
        if not any(e.policy_allows for e in gateway):
            return Reachability(
                False, f"the {service} gateway endpoint policy denies access", "R-7.3"
            )
    if not _egress_allows(groups, target.port, [], ANYWHERE):
        return Reachability(
            False, f"the function's security groups allow no outbound {target.port}", "R-7.4"
        )
    return Reachability(
        True,
        f"every route table of the function's subnets routes {service} to a gateway endpoint",
        "R-7.3",
    )


def _reach_internet(
    model: VpcModel, subnets: list[Subnet], groups: list[SecurityGroup], port: int, what: str
) -> Reachability:
    """Rule 3 (R-7.2): 0.0.0.0/0 → NAT in a public subnet → attached IGW, in every table."""
    for subnet in subnets:
        table = model.route_table_for(subnet)
        default = _default_route(table)
        table_name = table.id if table else "(no route table)"
        if default is None:
            return Reachability(
                False,
                f"route table {table_name} of {subnet.id} has no "
                f"0.0.0.0/0 route (only local), so {what} is unreachable: "
                "add a route to a NAT gateway",
                "R-7.2",
            )
        if default.target.startswith("igw-"):
            return Reachability(
                False,
                f"route table {table_name} of {subnet.id} sends "
                "0.0.0.0/0 to an internet gateway, but a VPC function has no "
                "public IP: route to a NAT gateway in a public subnet instead",
                "R-7.2",
            )
        nat = next((n for n in model.nat_gateways if n.id == default.target), None)
        if nat is None or nat.state != "available":
            return Reachability(
                False,
                f"0.0.0.0/0 in {table_name} points to {default.target}, "
                "which is not an available NAT gateway",
                "R-7.2",
            )
        nat_subnet = model.subnet(nat.subnet_id)
        nat_table = model.route_table_for(nat_subnet) if nat_subnet else None
        nat_default = _default_route(nat_table)
        igw = next(
            (
                g
                for g in model.internet_gateways
                if nat_default is not None and g.id == nat_default.target
            ),
            None,
        )
        if igw is None or igw.vpc_id != subnet.vpc_id:
            return Reachability(
                False,
                f"NAT gateway {nat.id} sits in {nat.subnet_id}, whose "
                "route table has no 0.0.0.0/0 route to an attached internet "
                "gateway (the NAT must be in a public subnet)",
                "R-7.2",
            )
        acl = model.acl_for(subnet.id)
        if acl is not None and not (
            acl.allows("out", (port, port), ANYWHERE) and acl.allows("in", EPHEMERAL, ANYWHERE)
        ):
            return Reachability(
                False,
                f"network ACL {acl.id} of {subnet.id} blocks port {port} or the return traffic",
                "R-7.7",
            )
    if not _egress_allows(groups, port, [], ANYWHERE):
        return Reachability(
            False, f"the function's security groups allow no outbound {port} to 0.0.0.0/0", "R-7.4"
        )
    return Reachability(
        True,
        f"every subnet routes 0.0.0.0/0 through a NAT gateway in a public subnet to {what}",
        "R-7.2",
    )


def _reach_vpc_resource(
    model: VpcModel,
    subnets: list[Subnet],
    groups: list[SecurityGroup],
    target: VpcResourceTarget,
) -> Reachability:
    """Rule 4 (R-7.4): SG out from F, SG in at T (reference or CIDR), ACLs both ways."""
    target_subnet = model.subnet(target.subnet_id)
    if target_subnet is None:
        return Reachability(
            False, f"subnet {target.subnet_id} of {target.name} does not exist", "R-7.7"
        )
    if target_subnet.vpc_id != subnets[0].vpc_id:
        return Reachability(
            False, f"{target.name} is in another VPC ({target_subnet.vpc_id})", "R-7.7"
        )
    target_groups = [g for g in (model.group(i) for i in target.security_group_ids) if g]
    if not _egress_allows(groups, target.port, _names(target_groups), target_subnet.cidr):
        return Reachability(
            False,
            f"the function's security groups allow no outbound {target.port} to {target.name}",
            "R-7.4",
        )
    if not any(_sg_admits(g, target.port, groups, subnets) for g in target_groups):
        names = ", ".join(g.name or g.id for g in target_groups) or "(none)"
        return Reachability(
            False,
            f"security groups of {target.name} ({names}) allow no "
            f"inbound {target.port} from the function's security groups or "
            "subnets",
            "R-7.4",
        )
    target_acl = model.acl_for(target_subnet.id)
    for subnet in subnets:
        acl = model.acl_for(subnet.id)
        port = (target.port, target.port)
        if acl is not None and not (
            acl.allows("out", port, target_subnet.cidr)
            and acl.allows("in", EPHEMERAL, target_subnet.cidr)
        ):
            return Reachability(
                False,
                f"network ACL {acl.id} of {subnet.id} blocks traffic to {target.name}",
                "R-7.7",
            )
        if target_acl is not None and not (
            target_acl.allows("in", port, subnet.cidr)
            and target_acl.allows("out", EPHEMERAL, subnet.cidr)
        ):
            return Reachability(
                False,
                f"network ACL {target_acl.id} of {target_subnet.id} "
                f"blocks traffic from {subnet.id}",
                "R-7.7",
            )
    return Reachability(
        True, f"security groups allow {target.port} from the function to {target.name}", "R-7.4"
    )


def vpc_warnings(model: VpcModel, function: FunctionVpcConfig) -> list[str]:
    """Advice that is not about reachability (R-7.5: subnets in at least two AZs)."""
    zones = {s.availability_zone for s in (model.subnet(i) for i in function.subnet_ids) if s}
    if function.subnet_ids and len(zones) < 2:
        return ["R-7.5: attach subnets in at least two Availability Zones"]
    return []


# ------------------------------------------------------------------ helpers
def _names(groups: list[SecurityGroup]) -> list[str]:
    """Ids and names: rules may reference a group either way."""
    return [g.id for g in groups] + [g.name for g in groups if g.name]


def _default_route(table: RouteTable | None) -> Route | None:
    if table is None:
        return None
    return next((r for r in table.routes if r.destination == ANYWHERE), None)


def _covers(rule_cidr: str, cidr: str) -> bool:
    """``cidr`` lies entirely inside ``rule_cidr`` (IPv4; other strings compare literally)."""
    try:
        inner = ipaddress.IPv4Network(cidr, strict=False)
        outer = ipaddress.IPv4Network(rule_cidr, strict=False)
    except ValueError:
        return rule_cidr == cidr
    return inner.subnet_of(outer)


def _egress_allows(
    groups: list[SecurityGroup], port: int, target_groups: list[str], cidr: str
) -> bool:
    """Some group of F has an outbound rule for ``port`` to the target groups or CIDR."""
    return any(
        rule.covers_port(port)
        and (
            any(_covers(c, cidr) for c in rule.cidrs)
            or any(g in target_groups for g in rule.security_groups)
        )
        for group in groups
        for rule in group.egress
    )


def _sg_admits(
    group: SecurityGroup, port: int, sources: list[SecurityGroup], subnets: list[Subnet]
) -> bool:
    """``group`` admits ``port`` from the function's groups (by reference) or every subnet CIDR."""
    source_ids = set(_names(sources))
    for rule in group.ingress:
        if not rule.covers_port(port):
            continue
        if source_ids & set(rule.security_groups):
            return True
        if all(any(_covers(c, s.cidr) for c in rule.cidrs) for s in subnets):
            return True
    return False
