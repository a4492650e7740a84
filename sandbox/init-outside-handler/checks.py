"""Checks for init-outside-handler: orders-lookup's deployed code runs 1 cold + 20 warm
calls in ONE execution environment; a probe around the handler counts the SDK clients the
code builds (R-12.2), the runner times each warm call (R-6.2), and every answer is
compared with the order it asked for (R-6.1). The learner's source is never read."""

from __future__ import annotations

from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import EnvironmentRun, run_in_one_environment
from labtui.grading.results import CheckResult

FUNCTION = "orders-lookup"
TABLE = "orders"
WARM_CALLS = 20
WARM_MEDIAN_LIMIT_MS = 200.0  # the seeded config load alone takes 400 ms
VAT_PERCENT = 20
ORDERS = {  # orderId -> net total in cents
    "o-1001": 1250, "o-1002": 4999, "o-1003": 100, "o-1004": 73_10,
    "o-1005": 15, "o-1006": 250_00, "o-1007": 9,
}


def _order_ids() -> list[str]:
    ids = list(ORDERS)
    return [ids[i % len(ids)] for i in range(1 + WARM_CALLS)]


def _expected(order_id: str) -> dict[str, Any]:
    net = ORDERS[order_id]
    return {"orderId": order_id, "found": True, "currency": "EUR",
            "gross_cents": net + net * VAT_PERCENT // 100}


def _run(ctx: GradingContext) -> EnvironmentRun | None:
    def compute() -> EnvironmentRun | None:
        dynamodb = ctx.aws("dynamodb")
        for order_id, net in ORDERS.items():
            dynamodb.put_item(TableName=TABLE, Item={
                "orderId": {"S": order_id}, "net_cents": {"N": str(net)}})
        return run_in_one_environment(ctx, FUNCTION, [{"orderId": i} for i in _order_ids()])

    run: EnvironmentRun | None = ctx.once("one-environment", compute)
    return run


def _broken(ctx: GradingContext, check_id: str, expected: str) -> CheckResult | None:
    """A failed result when the function is missing or its calls fail, else None."""
    run = _run(ctx)
    if run is None:
        return ctx.result(check_id, False, expected=expected,
                          actual=f"{FUNCTION} does not exist",
                          hint="Reset the exercise: orders-lookup is created for you.")
    if run.errors:
        first = run.errors[0]
        document = first.body if isinstance(first.body, dict) else {}
        return ctx.result(
            check_id, False, expected=expected,
            actual=(f"{len(run.errors)} of {len(run.calls)} calls failed: "
                    f"{document.get('errorType', 'Error')}: {document.get('errorMessage', '')}"),
            hint="Invoke it yourself and read the error: labtui aws lambda invoke "
                 "--function-name orders-lookup --payload '{\"orderId\": \"o-1001\"}' out.json")
    return None


def c1(ctx: GradingContext) -> CheckResult:
    # initialise SDK clients outside the handler: warm calls reuse them.
    expected = f"1 client built for 1 cold + {WARM_CALLS} warm calls"
    if (failed := _broken(ctx, "c1", expected)) is not None:
        return failed
    run = _run(ctx)
    assert run is not None
    total, warm = run.clients_built, run.clients_built_while_warm
    if total is None or warm is None:
        return ctx.result("c1", False, expected=expected,
                          actual="the calls could not be measured",
                          hint="Keep lambda_handler(event, context) as the handler.")
    actual = (f"{total} client(s) built: {total - warm} at Init or the cold call, "
              f"{warm} during the {WARM_CALLS} warm calls")
    if warm > 0:
        hint = ("A new client is still built during warm calls. Code inside lambda_handler runs "
                "on every call, even when it assigns a global. Create the client at module level "
                "(DYNAMODB = boto3.client('dynamodb')) and only use it in the handler.")
    else:
        hint = "Build exactly one DynamoDB client, once per environment, and reuse it."
    return ctx.result("c1", total == 1 and warm == 0, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # a warm call runs only the handler; Init work is not repeated.
    expected = f"median warm duration under {WARM_MEDIAN_LIMIT_MS:.0f} ms"
    if (failed := _broken(ctx, "c2", expected)) is not None:
        return failed
    run = _run(ctx)
    assert run is not None
    median = run.warm_median_ms()
    cold = next((c for c in run.calls if c.cold), None)
    init_ms = f"; Init took {cold.result.init_duration_ms:.0f} ms" if cold else ""
    actual = (f"median warm duration {median:.0f} ms{init_ms}" if median is not None
              else "no warm call was measured")
    ok = median is not None and median < WARM_MEDIAN_LIMIT_MS
    return ctx.result("c2", ok, expected=expected, actual=actual,
                      hint="Every warm call still pays for load_config(). Call it once at module "
                           "level (CONFIG = load_config()) so only the cold start pays.")


def c3(ctx: GradingContext) -> CheckResult:
    # Init runs once per environment, so per-request data must not be computed there.
    expected = f"each of the {1 + WARM_CALLS} calls returns the order it asked for"
    if (failed := _broken(ctx, "c3", expected)) is not None:
        return failed
    run = _run(ctx)
    assert run is not None
    wrong = [(call.event["orderId"], call.body) for call in run.calls
             if call.body != _expected(call.event["orderId"])]
    if not wrong:
        return ctx.result("c3", True, expected=expected,
                          actual=f"all {len(run.calls)} answers match their orders")
    asked, got = wrong[0]
    actual = (f"{len(wrong)} of {len(run.calls)} answers are wrong; asked for {asked}, "
              f"got {got}")
    return ctx.result("c3", False, expected=expected, actual=actual,
                      hint="Init runs once per environment, so anything computed there is shared "
                           "by every later call. Keep reading the event (orderId) and the lookup "
                           "inside the handler; move only what is the same for every request.")
