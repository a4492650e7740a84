"""Checks for vpc-endpoint-s3: the S3 endpoint's type and where it applies (R-7.3), that no
NAT or default route was added (R-7.2), then lambdasim's R-7.7 reachability from
report-archiver's real subnets and security groups to S3."""

from __future__ import annotations

from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.egress_checks import (
    default_route,
    function_vpc,
    name_tag,
    nat_gateways,
    reachability,
    route_table,
    route_target,
    with_names,
)
from labtui.grading.network import subnet_names
from labtui.grading.results import CheckResult
from labtui.grading.state import route_tables

FUNCTION = "report-archiver"
TABLE = "private-rt"
SERVICE = "com.amazonaws.us-east-1.s3"


def _s3_endpoints(ctx: GradingContext) -> list[dict[str, Any]]:
    def load() -> list[dict[str, Any]]:
        found = ctx.aws("ec2").describe_vpc_endpoints().get("VpcEndpoints", [])
        return [e for e in found if str(e.get("ServiceName", "")).endswith(".s3")
                and str(e.get("State", "available")).lower() not in ("deleted", "deleting")]
    return ctx.once("s3-endpoints", load)  # type: ignore[no-any-return]


def _describe(endpoint: dict[str, Any]) -> str:
    return f"{endpoint.get('VpcEndpointType', 'Gateway')} endpoint {endpoint.get('ServiceName')}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _where(ctx: GradingContext, endpoint: dict[str, Any]) -> str:
    """Where an S3 endpoint that does not serve TABLE applies, by the names the learner
    gave (route tables and subnets by Name tag; an untagged one by its id)."""
    if endpoint.get("VpcEndpointType") == "Interface":
        subnets = subnet_names(ctx)
        names = sorted(str(subnets.get(i, {}).get("Name") or i)
                       for i in endpoint.get("SubnetIds") or [])
        if not names:
            return "the S3 Interface endpoint is in no subnet"
        noun = "subnet" if len(names) == 1 else "subnets"
        return (f"the S3 Interface endpoint is in {noun} {_and(names)}, not in both "
                "private-a and private-b")
    tables = {t["RouteTableId"]: name_tag(t) or t["RouteTableId"] for t in route_tables(ctx)}
    names = sorted(tables.get(i, i) for i in endpoint.get("RouteTableIds") or [])
    if not names:
        return "the S3 endpoint is on no route table"
    noun = "route table" if len(names) == 1 else "route tables"
    return f"the S3 endpoint is on {noun} {_and(names)}, not on {TABLE}"


def c1(ctx: GradingContext) -> CheckResult:
    # gateway endpoints exist only for S3 and DynamoDB, and are free.
    expected = f"a Gateway endpoint for {SERVICE}"
    endpoints = _s3_endpoints(ctx)
    gateway = [e for e in endpoints if e.get("VpcEndpointType", "Gateway") == "Gateway"]
    actual = "; ".join(_describe(e) for e in endpoints) or "no S3 endpoint"
    if endpoints and not gateway:
        hint = ("An interface endpoint reaches S3 too, but it is billed per hour in each AZ "
                "plus per GB. S3 also has a free kind of endpoint, the gateway endpoint.")
    else:
        hint = ("report-archiver's private subnets have no path to S3. S3 has a free gateway "
                "endpoint that needs no NAT gateway; aws ec2 describe-vpc-endpoints lists the "
                "endpoints the VPC has.")
    return ctx.result("c1", bool(gateway), expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # a gateway endpoint works through the route tables it is associated with; an
    # interface endpoint through its network interfaces in the subnets.
    expected = f"the S3 endpoint applies to {TABLE} (private-a, private-b)"
    table = route_table(ctx, TABLE)
    if table is None:
        return ctx.result("c2", False, expected=expected, actual=f"no route table {TABLE}",
                          hint=f"Keep the seeded route table {TABLE}.")
    table_id = table["RouteTableId"]
    subnets = {a["SubnetId"] for a in table.get("Associations", []) if a.get("SubnetId")}
    covering = [
        e for e in _s3_endpoints(ctx)
        if table_id in (e.get("RouteTableIds") or [])
        or (e.get("VpcEndpointType") == "Interface" and subnets
            and subnets <= set(e.get("SubnetIds") or []))
    ]
    elsewhere = [e for e in _s3_endpoints(ctx) if e not in covering]
    if covering:
        actual = f"{_describe(covering[0])} serves {TABLE}"
    elif elsewhere:
        actual = _where(ctx, elsewhere[0])
    else:
        actual = "no S3 endpoint"
    return ctx.result("c2", bool(covering), expected=expected, actual=actual,
                      hint="A gateway endpoint helps only the subnets whose route table has its "
                           "route, and an endpoint's route tables can be changed later "
                           "(modify-vpc-endpoint); aws ec2 describe-route-tables shows which "
                           "table private-a and private-b use.")


def c3(ctx: GradingContext) -> CheckResult:
    # NAT + 0.0.0.0/0 is an internet path; S3 does not need one.
    expected = f"no NAT gateway; {TABLE} has no 0.0.0.0/0 route"
    nats = nat_gateways(ctx)
    route = default_route(route_table(ctx, TABLE))
    parts = []
    if nats:
        parts.append(f"NAT gateway {nats[0]['NatGatewayId']} ({nats[0].get('State')})")
    if route is not None:
        parts.append(f"{TABLE}: 0.0.0.0/0 -> {route_target(route)}")
    actual = "; ".join(parts) or "no NAT gateway, no default route"
    return ctx.result("c3", not parts, expected=expected, actual=actual,
                      hint="The gateway endpoint alone reaches S3. A NAT gateway and a default "
                           "route open a path to the whole internet and cost per hour and per "
                           "GB: delete the route and the NAT gateway.")


def c4(ctx: GradingContext) -> CheckResult:
    # step 2: every route table of the function's subnets routes S3 to a gateway
    # endpoint (or an interface endpoint admits 443), else step 3 (NAT).
    from labtui.lambdasim.vpc import AwsServiceTarget

    expected = "report-archiver (private-a, private-b, lambda-sg) reaches the s3 endpoint"
    if not function_vpc(ctx, FUNCTION).get("SubnetIds"):
        return ctx.result("c4", False, expected=expected,
                          actual="report-archiver is not attached to lab-vpc any more",
                          hint="Keep report-archiver in its private subnets; fix the routing.")
    verdict = ctx.once("verdict", lambda: reachability(ctx, FUNCTION, AwsServiceTarget("s3")))
    actual = ("reachable" if verdict.reachable else "unreachable") + ": " + with_names(
        ctx, verdict.reason)
    return ctx.result("c4", verdict.reachable, expected=expected, actual=actual,
                      hint=f"Follow the reason: it names the first condition that failed "
                           f"({verdict.rule}).")
