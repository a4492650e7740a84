"""The network a reachability question is asked about (R-7): plain frozen dataclasses.

The grader builds a :class:`VpcModel` from EC2 state; :mod:`labtui.lambdasim.vpc`
answers "can function F reach target T" over it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal

ANYWHERE = "0.0.0.0/0"
EPHEMERAL = (1024, 65535)
GATEWAY_SERVICES = ("s3", "dynamodb")  # the only gateway endpoints


@dataclass(frozen=True, slots=True)
class Vpc:
    id: str
    cidr: str


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    vpc_id: str
    cidr: str
    availability_zone: str


@dataclass(frozen=True, slots=True)
class Route:
    """``destination`` is a CIDR or a prefix list id; ``target`` local / igw-… / nat-… / vpce-…."""

    destination: str
    target: str


@dataclass(frozen=True, slots=True)
class RouteTable:
    id: str
    vpc_id: str
    routes: tuple[Route, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    main: bool = False


@dataclass(frozen=True, slots=True)
class InternetGateway:
    id: str
    vpc_id: str | None  # None = detached


@dataclass(frozen=True, slots=True)
class NatGateway:
    id: str
    subnet_id: str
    state: str = "available"


@dataclass(frozen=True, slots=True)
class VpcEndpoint:
    id: str
    vpc_id: str
    service: str  # short name: s3, dynamodb, secretsmanager, sqs, ...
    type: Literal["Gateway", "Interface"] = "Gateway"
    route_table_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    policy_allows: bool = True
    private_dns: bool = True


@dataclass(frozen=True, slots=True)
class SgRule:
    """One security group rule: protocol ``tcp`` / ``udp`` / ``-1`` (all), a port range, and
    sources (inbound) or destinations (outbound) as CIDRs and/or security group ids."""

    protocol: str = "tcp"
    from_port: int = 0
    to_port: int = 65535
    cidrs: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()

    def covers_port(self, port: int) -> bool:
        return self.protocol == "-1" or self.from_port <= port <= self.to_port


ALLOW_ALL_OUT = (SgRule("-1", 0, 65535, (ANYWHERE,)),)


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    vpc_id: str
    name: str = ""
    ingress: tuple[SgRule, ...] = ()
    egress: tuple[SgRule, ...] = ALLOW_ALL_OUT  # AWS's default outbound rule


@dataclass(frozen=True, slots=True)
class AclRule:
    number: int
    allow: bool
    cidr: str = ANYWHERE
    protocol: str = "-1"
    from_port: int = 0
    to_port: int = 65535


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    """Stateless subnet filter; rules are evaluated in number order, first match wins."""

    id: str
    subnet_ids: tuple[str, ...]
    ingress: tuple[AclRule, ...] = (AclRule(100, True),)
    egress: tuple[AclRule, ...] = (AclRule(100, True),)

    def allows(self, direction: str, port_range: tuple[int, int], cidr: str) -> bool:
        rules = self.ingress if direction == "in" else self.egress
        for rule in sorted(rules, key=lambda r: r.number):
            ports_match = rule.protocol == "-1" or (
                rule.from_port <= port_range[0] and port_range[1] <= rule.to_port
            )
            if ports_match and cidrs_overlap(rule.cidr, cidr):
                return rule.allow
        return False


@dataclass(slots=True)
class VpcModel:
    """The network: everything the reachability procedure looks at."""

    vpcs: list[Vpc] = field(default_factory=list)
    subnets: list[Subnet] = field(default_factory=list)
    route_tables: list[RouteTable] = field(default_factory=list)
    internet_gateways: list[InternetGateway] = field(default_factory=list)
    nat_gateways: list[NatGateway] = field(default_factory=list)
    endpoints: list[VpcEndpoint] = field(default_factory=list)
    security_groups: list[SecurityGroup] = field(default_factory=list)
    network_acls: list[NetworkAcl] = field(default_factory=list)

    def subnet(self, subnet_id: str) -> Subnet | None:
        return next((s for s in self.subnets if s.id == subnet_id), None)

    def group(self, group_id: str) -> SecurityGroup | None:
        return next(
            (g for g in self.security_groups if g.id == group_id or g.name == group_id), None
        )

    def route_table_for(self, subnet: Subnet) -> RouteTable | None:
        """The explicitly associated table, else the VPC's main table."""
        for table in self.route_tables:
            if subnet.id in table.subnet_ids:
                return table
        return next((t for t in self.route_tables if t.vpc_id == subnet.vpc_id and t.main), None)

    def acl_for(self, subnet_id: str) -> NetworkAcl | None:
        return next((a for a in self.network_acls if subnet_id in a.subnet_ids), None)


@dataclass(frozen=True, slots=True)
class FunctionVpcConfig:
    """A function's ``VpcConfig``: its subnets and security groups."""

    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InternetTarget:
    host: str = "example.com"
    port: int = 443


@dataclass(frozen=True, slots=True)
class AwsServiceTarget:
    """A public AWS service endpoint (``s3``, ``dynamodb``, ``sqs``, ``secretsmanager``, …)."""

    service: str
    port: int = 443


@dataclass(frozen=True, slots=True)
class VpcResourceTarget:
    """Something inside a VPC, e.g. an RDS instance: its subnet, port and security groups."""

    name: str
    subnet_id: str
    port: int
    security_group_ids: tuple[str, ...] = ()


Target = InternetTarget | AwsServiceTarget | VpcResourceTarget


@dataclass(frozen=True, slots=True)
class Reachability:
    reachable: bool
    reason: str
    rule: str


def cidrs_overlap(rule_cidr: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_network(rule_cidr, strict=False).overlaps(
            ipaddress.ip_network(cidr, strict=False)
        )
    except ValueError:
        return rule_cidr == cidr  # prefix lists and names compare literally
