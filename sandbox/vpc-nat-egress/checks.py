"""Checks for vpc-nat-egress: where the NAT gateway sits (R-7.2), the private route table's
default route, that geo-lookup stays in its private subnets, then lambdasim's R-7.7
reachability from geo-lookup's real subnets and security groups to the internet on 443."""

from __future__ import annotations

from labtui.grading.context import GradingContext
from labtui.grading.egress_checks import (
    default_route,
    function_subnet_names,
    function_vpc,
    name_tag,
    nat_gateways,
    reachability,
    route_table,
    route_target,
    table_of_subnet,
    with_names,
)
from labtui.grading.network import subnet_names
from labtui.grading.results import CheckResult

FUNCTION = "geo-lookup"
PRIVATE_TABLE = "private-rt"
PRIVATE_SUBNETS = ["private-a", "private-b"]
API_HOST = "ipapi.example.com"


def _attached_igws(ctx: GradingContext) -> set[str]:
    gateways = ctx.aws("ec2").describe_internet_gateways()["InternetGateways"]
    return {g["InternetGatewayId"] for g in gateways
            if any(a.get("State") in ("available", "attached") for a in g.get("Attachments", []))}


def c1(ctx: GradingContext) -> CheckResult:
    # a NAT gateway needs a public subnet: its route table sends 0.0.0.0/0 to an IGW.
    expected = "a NAT gateway in a subnet whose route table sends 0.0.0.0/0 to the internet gateway"
    nats = nat_gateways(ctx)
    if not nats:
        return ctx.result("c1", False, expected=expected, actual="no NAT gateway",
                          hint="Nothing gives the private subnets a way out: that takes a NAT "
                               "gateway, with an Elastic IP of its own; aws ec2 "
                               "describe-nat-gateways lists them.")
    subnets = subnet_names(ctx)
    igws = _attached_igws(ctx)
    shown, good = [], False
    for nat in nats:
        table = table_of_subnet(ctx, nat["SubnetId"])
        route = default_route(table)
        where = subnets.get(nat["SubnetId"], {}).get("Name") or nat["SubnetId"]
        leads = "no default route" if route is None else f"0.0.0.0/0 -> {route_target(route)}"
        shown.append(f"NAT in {where} ({name_tag(table or {}) or 'main table'}: {leads})")
        good = good or (route is not None and route.get("GatewayId") in igws)
    return ctx.result("c1", good, expected=expected,
                      actual=with_names(ctx, "; ".join(shown)),
                      hint=("The NAT gateway forwards traffic out through its own subnet's route "
                            "table, so it must sit in a public subnet (public-a, whose public-rt "
                            "leads to the internet gateway), not next to the function."))


def c2(ctx: GradingContext) -> CheckResult:
    # the function's subnets need a default route; c4 judges where it leads.
    expected = f"{PRIVATE_TABLE} has a 0.0.0.0/0 route"
    table = route_table(ctx, PRIVATE_TABLE)
    if table is None:
        return ctx.result("c2", False, expected=expected, actual=f"no route table {PRIVATE_TABLE}",
                          hint=f"Keep the seeded route table {PRIVATE_TABLE}.")
    route = default_route(table)
    actual = (f"{PRIVATE_TABLE}: local route only" if route is None
              else f"{PRIVATE_TABLE}: 0.0.0.0/0 -> {route_target(route)}")
    return ctx.result("c2", route is not None, expected=expected,
                      actual=with_names(ctx, actual),
                      hint=f"Traffic for the internet leaves private-a and private-b only if "
                           f"{PRIVATE_TABLE} has a route for 0.0.0.0/0; aws ec2 "
                           "describe-route-tables shows its routes.")


def c3(ctx: GradingContext) -> CheckResult:
    # moving the function to a public subnet (or out of the VPC) is not the fix.
    expected = f"{FUNCTION} in {', '.join(PRIVATE_SUBNETS)}"
    names = function_subnet_names(ctx, FUNCTION)
    actual = (f"{FUNCTION} in {', '.join(names)}" if names
              else f"{FUNCTION} is no longer attached to lab-vpc")
    return ctx.result("c3", names == PRIVATE_SUBNETS, expected=expected, actual=actual,
                      hint="Leave geo-lookup where it is: it also needs private resources, and a "
                           "VPC function gets no public IP even in a public subnet. Change the "
                           "routing, not the function.")


def c4(ctx: GradingContext) -> CheckResult:
    # step 3: every subnet's table -> NAT in a subnet whose table -> attached IGW,
    # and the function's groups allow outbound 443.
    from labtui.lambdasim.vpc import InternetTarget

    expected = f"{FUNCTION} reaches {API_HOST}:443 on the internet"
    if not function_vpc(ctx, FUNCTION).get("SubnetIds"):
        return ctx.result("c4", False, expected=expected,
                          actual=f"{FUNCTION} is not in lab-vpc (see c3)",
                          hint="Put geo-lookup back in private-a and private-b; fix the routing.")
    verdict = ctx.once("verdict",
                       lambda: reachability(ctx, FUNCTION, InternetTarget(API_HOST, 443)))
    actual = ("reachable" if verdict.reachable else "unreachable") + ": " + with_names(
        ctx, verdict.reason)
    return ctx.result("c4", verdict.reachable, expected=expected, actual=actual,
                      hint=f"Follow the reason: it names the first condition that failed "
                           f"({verdict.rule}).")
