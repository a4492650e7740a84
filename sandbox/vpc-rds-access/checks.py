"""Checks for vpc-rds-access: the function's VpcConfig, db-sg's inbound rules, the role's
ENI permissions, then lambdasim's R-7.7 reachability over the account's EC2 state."""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.network import group_names, subnet_names, vpc_model
from labtui.grading.results import CheckResult

FUNCTION = "orders-db-writer"
ROLE = "orders-db-writer-role"
DB_SUBNET = "private-b"  # where orders-db runs (README)
DB_PORT = 5432
ENI_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
               "ec2:DeleteNetworkInterface")


def _vpc_config(ctx: GradingContext) -> dict[str, Any]:
    config = ctx.once("config", lambda: state.function_config(ctx, FUNCTION)) or {}
    return dict(config.get("VpcConfig") or {})


def _subnets(ctx: GradingContext) -> dict[str, dict[str, Any]]:
    return ctx.once("subnets", lambda: subnet_names(ctx))  # type: ignore[no-any-return]


def _groups(ctx: GradingContext) -> dict[str, str]:
    return ctx.once("groups", lambda: group_names(ctx))  # type: ignore[no-any-return]


def _group_id(ctx: GradingContext, name: str) -> str | None:
    return next((gid for gid, gname in _groups(ctx).items() if gname == name), None)


def c1(ctx: GradingContext) -> CheckResult:
    # at least two subnets in different AZs: public subnets give no public IP.
    expected = "subnets private-a, private-b (us-east-1a, us-east-1b)"
    subnet_ids = _vpc_config(ctx).get("SubnetIds") or []
    if not subnet_ids:
        return ctx.result("c1", False, expected=expected, actual="not attached to a VPC",
                          hint="A function outside your VPC can reach the internet but none of "
                               "your private resources: its VpcConfig must name subnets and "
                               "security groups.")
    subnets = _subnets(ctx)
    chosen = [subnets.get(sid, {"Name": sid, "AvailabilityZone": "?"}) for sid in subnet_ids]
    names = sorted(str(s.get("Name") or "?") for s in chosen)
    zones = sorted({str(s.get("AvailabilityZone")) for s in chosen})
    actual = f"subnets {', '.join(names)} ({', '.join(zones)})"
    ok = names == ["private-a", "private-b"] and len(zones) == 2
    hint = ("A VPC function never gets a public IP, even in a public subnet, so public-a buys "
            "nothing. Use the two private subnets, one per AZ."
            if "public-a" in names else
            "Use both private subnets so Lambda can place ENIs in two AZs.")
    return ctx.result("c1", ok, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # the function carries its own group, which db-sg can reference.
    group_ids = _vpc_config(ctx).get("SecurityGroupIds") or []
    names = sorted(_groups(ctx).get(gid, gid) for gid in group_ids)
    return ctx.result(
        "c2", names == ["lambda-sg"], expected="security groups: lambda-sg",
        actual=f"security groups: {', '.join(names) or 'none'}",
        hint="Give the function lambda-sg (and only it): db-sg will admit members of lambda-sg.",
    )


def c3(ctx: GradingContext) -> CheckResult:
    # inbound 5432 by security group reference, no CIDR.
    expected = "db-sg inbound tcp 5432 from lambda-sg; no CIDR rule covering 5432"
    db_sg, lambda_sg = _group_id(ctx, "db-sg"), _group_id(ctx, "lambda-sg")
    if db_sg is None:
        return ctx.result("c3", False, expected=expected, actual="no security group db-sg",
                          hint="Keep the seeded group db-sg; add an inbound rule to it.")
    group = ctx.aws("ec2").describe_security_groups(GroupIds=[db_sg])["SecurityGroups"][0]
    by_reference, cidrs = False, []
    for permission in group.get("IpPermissions", []):
        protocol = str(permission.get("IpProtocol"))
        low, high = permission.get("FromPort", 0), permission.get("ToPort", 65535)
        covers = protocol in ("-1", "all") or (
            protocol in ("tcp", "6") and int(low) <= DB_PORT <= int(high))
        if not covers:
            continue
        if any(p.get("GroupId") == lambda_sg for p in permission.get("UserIdGroupPairs", [])):
            by_reference = True
        cidrs += [r["CidrIp"] for r in permission.get("IpRanges", []) if r.get("CidrIp")]
    parts = []
    if by_reference:
        parts.append("5432 from lambda-sg")
    parts += [f"5432 from {cidr}" for cidr in cidrs]
    actual = "db-sg inbound: " + (", ".join(parts) or "nothing on 5432")
    if cidrs:
        hint = (f"A CIDR rule ({cidrs[0]}) admits every address in that range, not just the "
                "function. Revoke it: the rule's source should be the security group "
                "lambda-sg, not an address range.")
    else:
        hint = ("db-sg must admit TCP 5432 from members of lambda-sg (an inbound rule whose "
                "source is that group); aws ec2 describe-security-groups shows db-sg's rules.")
    return ctx.result("c3", by_reference and not cidrs, expected=expected, actual=actual,
                      hint=hint)


def c4(ctx: GradingContext) -> CheckResult:
    # Lambda creates and deletes Hyperplane ENIs with the execution role.
    attached = state.attached_policy_names(ctx, ROLE)
    statements = state.role_statements(ctx, ROLE)
    has_actions = all(state.allows(statements, action, "*") for action in ENI_ACTIONS)
    ok = "AWSLambdaVPCAccessExecutionRole" in attached or has_actions
    return ctx.result(
        "c4", ok, expected="AWSLambdaVPCAccessExecutionRole (or the ec2 ENI actions) on the role",
        actual=f"attached: {', '.join(sorted(attached)) or 'nothing'}",
        hint="Lambda creates the function's network interfaces with its execution role, "
             "which lacks the ENI permissions; aws iam list-attached-role-policies shows what "
             "the role has.",
    )


def c5(ctx: GradingContext) -> CheckResult:
    # step 4: SG out from the function's groups, SG in on the DB, NACLs both ways.
    from labtui.lambdasim.vpc import FunctionVpcConfig, VpcResourceTarget, can_reach

    expected = f"orders-db ({DB_SUBNET}, db-sg) reachable on {DB_PORT}"
    db_subnet = next((sid for sid, s in _subnets(ctx).items() if s.get("Name") == DB_SUBNET), "")
    db_sg = _group_id(ctx, "db-sg")
    vpc = _vpc_config(ctx)
    function = (FunctionVpcConfig(tuple(vpc.get("SubnetIds") or ()),
                                  tuple(vpc.get("SecurityGroupIds") or ()))
                if vpc.get("SubnetIds") else None)
    target = VpcResourceTarget("orders-db", db_subnet, DB_PORT, (db_sg,) if db_sg else ())
    verdict = can_reach(vpc_model(ctx), function, target)
    actual = ("reachable" if verdict.reachable else "unreachable") + f": {verdict.reason}"
    return ctx.result("c5", verdict.reachable, expected=expected, actual=actual,
                      hint="Follow the reason: the first condition that failed is named "
                           f"({verdict.rule}).")
