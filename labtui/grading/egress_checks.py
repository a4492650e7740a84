"""Helpers for the VPC egress packs (vpc-nat-egress, vpc-endpoint-s3): a function's
VpcConfig as lambdasim sees it, route tables and NAT gateways by Name tag, and the R-7.7
reachability verdict over the account's real EC2 state (via :mod:`labtui.grading.network`).
"""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.network import subnet_names, vpc_model

ANYWHERE = "0.0.0.0/0"
GONE = ("deleted", "deleting", "failed")


def name_tag(resource: dict[str, Any]) -> str | None:
    for tag in resource.get("Tags", []) or []:
        if tag.get("Key") == "Name":
            return str(tag.get("Value"))
    return None


def function_vpc(ctx: GradingContext, function: str) -> dict[str, Any]:
    """The function's VpcConfig (empty when it is not attached to a VPC)."""
    config = ctx.once(f"config:{function}", lambda: state.function_config(ctx, function)) or {}
    return dict(config.get("VpcConfig") or {})


def function_subnet_names(ctx: GradingContext, function: str) -> list[str]:
    subnets = ctx.once("subnet-names", lambda: subnet_names(ctx))
    ids = function_vpc(ctx, function).get("SubnetIds") or []
    return sorted(str(subnets.get(sid, {}).get("Name") or sid) for sid in ids)


def route_table(ctx: GradingContext, name: str) -> dict[str, Any] | None:
    return next((t for t in state.route_tables(ctx) if name_tag(t) == name), None)


def default_route(table: dict[str, Any] | None) -> dict[str, Any] | None:
    """The table's 0.0.0.0/0 route, if any (R-7.2)."""
    for route in (table or {}).get("Routes", []):
        if route.get("DestinationCidrBlock") == ANYWHERE:
            return dict(route)
    return None


def route_target(route: dict[str, Any]) -> str:
    return str(route.get("NatGatewayId") or route.get("GatewayId")
               or route.get("NetworkInterfaceId") or route.get("VpcEndpointId") or "?")


def nat_gateways(ctx: GradingContext) -> list[dict[str, Any]]:
    """NAT gateways that exist (not deleted or failed)."""
    response = ctx.aws("ec2").describe_nat_gateways()
    return [n for n in response.get("NatGateways", []) if n.get("State") not in GONE]


def table_of_subnet(ctx: GradingContext, subnet_id: str) -> dict[str, Any] | None:
    """The route table a subnet uses: its explicit association, else the VPC's main table."""
    tables = state.route_tables(ctx)
    for table in tables:
        if any(a.get("SubnetId") == subnet_id for a in table.get("Associations", [])):
            return table
    subnet = ctx.aws("ec2").describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    return next((t for t in tables if t.get("VpcId") == subnet["VpcId"]
                 and any(a.get("Main") for a in t.get("Associations", []))), None)


def reachability(ctx: GradingContext, function: str, target: Any) -> Any:
    """lambdasim's R-7.7 verdict for ``function`` (its real subnets and groups) to ``target``."""
    from labtui.lambdasim.vpc import FunctionVpcConfig, can_reach

    vpc = function_vpc(ctx, function)
    config = (FunctionVpcConfig(tuple(vpc.get("SubnetIds") or ()),
                                tuple(vpc.get("SecurityGroupIds") or ()))
              if vpc.get("SubnetIds") else None)
    return can_reach(vpc_model(ctx), config, target)


def with_names(ctx: GradingContext, text: str) -> str:
    """Replace EC2 ids in a reachability reason by the learner-visible names (``private-rt``)."""
    import re

    ec2 = ctx.aws("ec2")
    names: dict[str, str] = {}
    for subnet in ec2.describe_subnets()["Subnets"]:
        names[subnet["SubnetId"]] = name_tag(subnet) or subnet["SubnetId"]
    for table in ec2.describe_route_tables()["RouteTables"]:
        names[table["RouteTableId"]] = name_tag(table) or table["RouteTableId"]
    for nat in ec2.describe_nat_gateways().get("NatGateways", []):
        names[nat["NatGatewayId"]] = name_tag(nat) or nat["NatGatewayId"]
    for gateway in ec2.describe_internet_gateways()["InternetGateways"]:
        names[gateway["InternetGatewayId"]] = name_tag(gateway) or gateway["InternetGatewayId"]
    for group in ec2.describe_security_groups()["SecurityGroups"]:
        names[group["GroupId"]] = str(group.get("GroupName") or group["GroupId"])

    def named(match: re.Match[str]) -> str:
        found = match.group(0)
        return names.get(found, found)

    return re.sub(r"\b(?:subnet|rtb|nat|igw|sg)-[0-9a-f]+\b", named, text)
