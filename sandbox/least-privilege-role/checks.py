"""Checks for least-privilege-role: orders-reader-role's policies, evaluated as IAM would
(explicit Deny > Allow > implicit deny, wildcards expanded; moto stores policies but
enforces none), and a real run of orders-reader whose DynamoDB requests are each checked
against the role (R-8.5). AWS managed policy documents come from the sandbox's IAM."""

from __future__ import annotations

from labtui.grading import cases, iam_checks
from labtui.grading.context import GradingContext
from labtui.grading.idempotency_checks import deliver, recorded_operations
from labtui.grading.results import CheckResult

FUNCTION = "orders-reader"
ROLE = "orders-reader-role"
TABLE = "orders"
BASIC = "AWSLambdaBasicExecutionRole"
NEEDED = {"dynamodb:GetItem", "dynamodb:Query"}
WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
          "dynamodb:BatchWriteItem")
# c3's probes: table names that are not in the account (it only holds orders and customers
# unless the learner adds more); a role that may read PROBE_ANY may read every table.
PROBE_ANY = "labtui-any-other-table"
PROBE_LIKE = "orders-archive"


def _statements(ctx: GradingContext) -> list[iam_checks.Statement] | None:
    found: list[iam_checks.Statement] | None = ctx.once(
        "statements", lambda: iam_checks.role_policy_statements(ctx, ROLE))
    return found


def _no_role(ctx: GradingContext, check_id: str, expected: str) -> CheckResult:
    return ctx.result(check_id, False, expected=expected, actual=f"no role named {ROLE}",
                      hint="Reset the exercise: orders-reader-role is created for you.")


def c1(ctx: GradingContext) -> CheckResult:
    # the logs policy stays; broad AWS managed policies go.
    expected = f"AWS managed: {BASIC} only"
    if _statements(ctx) is None:
        return _no_role(ctx, "c1", expected)
    arns = {p["PolicyName"]: p["PolicyArn"] for p in ctx.aws("iam").list_attached_role_policies(
        RoleName=ROLE).get("AttachedPolicies", [])}
    managed = sorted(name for name, arn in arns.items() if ":aws:policy/" in arn)
    actual = f"AWS managed: {', '.join(managed) or 'none'}"
    if BASIC not in managed:
        hint = ("Keep AWSLambdaBasicExecutionRole attached: without it the function cannot "
                "write its logs.")
    else:
        hint = ("AmazonDynamoDBFullAccess allows every DynamoDB action on every table: it has "
                "to go. The code needs only the two actions it calls, on one table.")
    return ctx.result("c1", managed == [BASIC], expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # actions limited to what the code calls (wildcards expanded over DynamoDB's).
    expected = "DynamoDB actions granted: GetItem, Query"
    statements = _statements(ctx)
    if statements is None:
        return _no_role(ctx, "c2", expected)
    granted = iam_checks.allowed_actions(statements, iam_checks.DYNAMODB_ACTIONS)
    short = sorted(a.removeprefix("dynamodb:") for a in granted)
    if len(short) > 8:
        actual = f"{len(short)} DynamoDB actions granted, among them {', '.join(short[:6])}, ..."
    else:
        actual = f"DynamoDB actions granted: {', '.join(short) or 'none'}"
    extra, missing = granted - NEEDED, NEEDED - granted
    if extra & iam_checks.STREAM_READS:
        hint = ("A wildcard such as dynamodb:Get* also grants actions the code never calls "
                "(GetResourcePolicy, for one, and any Get action added later). Name the two "
                "actions the code calls.")
    elif extra:
        hint = ("Grant only what the code calls: dynamodb:GetItem and dynamodb:Query, by name. "
                "Check the attached managed policies too.")
    else:
        hint = (f"The code also needs {', '.join(sorted(missing))}; list each SDK call it makes "
                "(get_item -> dynamodb:GetItem, query -> dynamodb:Query).")
    return ctx.result("c2", granted == NEEDED, expected=expected, actual=actual, hint=hint)


def _other_tables(ctx: GradingContext) -> list[str]:
    """The account's tables other than orders (its seeded customers, and any the learner
    made), by name."""
    names: list[str] = []
    for page in ctx.aws("dynamodb").get_paginator("list_tables").paginate():
        names += page.get("TableNames", [])
    return sorted(set(names) - {TABLE})


def c3(ctx: GradingContext) -> CheckResult:
    # resources limited to the orders table's ARN. Only tables that exist are named;
    # two names that do not (PROBES) tell "every table" and "a name pattern" apart.
    table_arn = ctx.arn("dynamodb", f"table/{TABLE}")
    expected = f"GetItem/Query allowed on {table_arn} and on no other table"
    statements = _statements(ctx)
    if statements is None:
        return _no_role(ctx, "c3", expected)

    def readable(name: str) -> bool:
        arn = ctx.arn("dynamodb", f"table/{name}")
        return any(iam_checks.allowed(statements, a, arn) for a in NEEDED)

    on_table = sorted(a for a in NEEDED if iam_checks.allowed(statements, a, table_arn))
    leaks = [name for name in _other_tables(ctx) if readable(name)]
    hint = ("Resource \"*\" (or a pattern such as table/orders*) covers every matching "
            "table in the account, now and later. Put the exact ARN of orders.")
    if readable(PROBE_ANY):
        such_as = f", such as {_and(leaks)}" if leaks else ""
        return ctx.result("c3", False, expected=expected,
                          actual=f"the role may read every table in the account{such_as}",
                          hint=hint)
    if leaks:
        tables = "table" if len(leaks) == 1 else "tables"
        return ctx.result("c3", False, expected=expected,
                          actual=f"the role may also read the {tables} {_and(leaks)}",
                          hint=hint)
    if readable(PROBE_LIKE):
        return ctx.result("c3", False, expected=expected,
                          actual=f"the role may also read other tables its Resource "
                                 f"matches, such as {PROBE_LIKE} once one is made",
                          hint=hint)
    if len(on_table) < len(NEEDED):
        return ctx.result("c3", False, expected=expected,
                          actual="GetItem and Query are not both allowed on the orders table",
                          hint="Use the table's ARN exactly: aws dynamodb describe-table "
                               "--table-name orders --query Table.TableArn.")
    return ctx.result("c3", True, expected=expected, actual="only the orders table")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def c4(ctx: GradingContext) -> CheckResult:
    # in action: every request the code makes is allowed; writes are not.
    expected = "orders-reader's requests allowed; PutItem/UpdateItem/DeleteItem on orders denied"
    statements = _statements(ctx)
    if statements is None:
        return _no_role(ctx, "c4", expected)
    dynamodb = ctx.aws("dynamodb")
    rng = ctx.cases("orders")  # a generated customer and orders (the grading seed)
    customer = f"c-{rng.randint(100, 99_999)}"
    orders = cases.unique_ids(rng, "o-", rng.randint(1, 4))
    for order in orders:
        dynamodb.put_item(TableName=TABLE, Item={
            "customerId": {"S": customer}, "orderId": {"S": order},
            "status": {"S": rng.choice(["paid", "shipped", "delivered", "returned"])}})
    with recorded_operations(ctx, TABLE) as used:
        result = deliver(ctx, FUNCTION, {"customerId": customer, "orderId": rng.choice(orders)})
    if result.function_error:
        return ctx.result("c4", False, expected=expected,
                          actual=f"orders-reader failed: {result.payload.decode()[:200]}",
                          hint="orders-reader's code is not part of this exercise; reset it.")
    table_arn = ctx.arn("dynamodb", f"table/{TABLE}")
    denied_reads = sorted(a for a in used if not iam_checks.allowed(statements, a, table_arn))
    allowed_writes = [a for a in WRITES if iam_checks.allowed(statements, a, table_arn)]
    calls = ", ".join(sorted(a.removeprefix("dynamodb:") for a in used))
    if denied_reads:
        return ctx.result("c4", False, expected=expected,
                          actual=f"the code called {calls}; AWS would deny "
                                 f"{', '.join(denied_reads)}",
                          hint="Allow each action the code calls on the table's ARN.")
    if allowed_writes:
        return ctx.result("c4", False, expected=expected,
                          actual=f"the code called {calls} (allowed), but the role also allows "
                                 f"{', '.join(a.removeprefix('dynamodb:') for a in allowed_writes)}",
                          hint="A read-only function should not be able to change orders: "
                               "remove the broad policy that grants writes.")
    return ctx.result("c4", True, expected=expected,
                      actual=f"the code called {calls}, all allowed; every write is denied")
