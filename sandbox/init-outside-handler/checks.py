"""Checks for init-outside-handler: orders-lookup's deployed code answers a generated run
of requests (order ids, totals, how many warm calls, a few unknown orders: all from the
grading seed) in ONE execution environment; a probe around the handler counts the SDK
clients the code builds (R-12.2) and the configuration files it reads (R-6.1, R-6.2: Init
work is not repeated on warm calls), and every answer is compared with the order it asked
for. The learner's source is never read, and nothing is timed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from labtui.grading import cases
from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import EnvironmentRun, run_in_one_environment
from labtui.grading.results import CheckResult

FUNCTION = "orders-lookup"
TABLE = "orders"
VAT_PERCENT = 20  # config.json in the workspace
CURRENCY = "EUR"


@dataclass(frozen=True)
class Requests:
    orders: dict[str, int]  # orderId -> net total in cents (written to the table)
    asked: list[str]  # the orderId of each call, cold first; some are unknown orders

    @property
    def warm_calls(self) -> int:
        return len(self.asked) - 1


def _requests(ctx: GradingContext) -> Requests:
    rng = ctx.cases("requests")
    ids = cases.unique_ids(rng, "o-", rng.randint(4, 9))
    orders = {order_id: rng.randint(1, 500_00) for order_id in ids}
    unknown = cases.unique_ids(rng, "o-", 2, digits=6)  # never in the table
    calls = rng.randint(12, 24)
    asked = [rng.choice(ids) for _ in range(calls)]
    for index in rng.sample(range(1, calls), rng.randint(1, 2)):
        asked[index] = rng.choice(unknown)
    return Requests(orders, asked)


def _expected(requests: Requests, order_id: str) -> dict[str, Any]:
    if order_id not in requests.orders:
        return {"orderId": order_id, "found": False}
    net = requests.orders[order_id]
    return {"orderId": order_id, "found": True, "currency": CURRENCY,
            "gross_cents": net + net * VAT_PERCENT // 100}


def _run(ctx: GradingContext) -> EnvironmentRun | None:
    def compute() -> EnvironmentRun | None:
        requests = _requests(ctx)
        dynamodb = ctx.aws("dynamodb")
        for order_id, net in requests.orders.items():
            dynamodb.put_item(TableName=TABLE, Item={
                "orderId": {"S": order_id}, "net_cents": {"N": str(net)}})
        return run_in_one_environment(ctx, FUNCTION, [{"orderId": i} for i in requests.asked])

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
            hint=f"Invoke it yourself with the order it failed on and read the error: labtui aws "
                 f"lambda invoke --function-name orders-lookup --payload "
                 f"'{json.dumps(first.event)}' out.json")
    return None


def c1(ctx: GradingContext) -> CheckResult:
    # initialise SDK clients outside the handler: warm calls reuse them.
    warm_calls = _requests(ctx).warm_calls
    expected = f"1 client built for 1 cold + {warm_calls} warm calls"
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
              f"{warm} during the {warm_calls} warm calls")
    if warm > 0:
        hint = ("A new client is still built during warm calls. Code inside lambda_handler runs "
                "on every call, even when it assigns a global; only module-level code runs "
                "once, at Init.")
    else:
        hint = "Build exactly one DynamoDB client, once per environment, and reuse it."
    return ctx.result("c1", total == 1 and warm == 0, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # Init runs once per environment; a warm call runs only the handler, so a
    # configuration loaded at Init is not loaded again. Observed (files read), not timed.
    warm_calls = _requests(ctx).warm_calls
    expected = f"the configuration read at most once, and 0 times during the {warm_calls} warm calls"
    if (failed := _broken(ctx, "c2", expected)) is not None:
        return failed
    run = _run(ctx)
    assert run is not None
    total, warm = run.files_read, run.files_read_while_warm
    if total is None or warm is None:
        return ctx.result("c2", False, expected=expected,
                          actual="the calls could not be observed",
                          hint="Keep lambda_handler(event, context) as the handler.")
    actual = (f"config.json read {total} time(s): {total - warm} at Init or the cold call, "
              f"{warm} during the {warm_calls} warm calls")
    if warm > 0:
        hint = (f"load_config() still runs on warm calls ({warm} reads for {warm_calls} calls), "
                "whatever it costs. Call it once at module level (CONFIG = load_config()) so "
                "only Init pays, and use CONFIG in the handler.")
    else:
        hint = "Load the configuration once per environment, at Init."
    return ctx.result("c2", warm == 0 and total <= 1, expected=expected, actual=actual,
                      hint=hint)


def c3(ctx: GradingContext) -> CheckResult:
    # Init runs once per environment, so per-request data must not be computed there.
    requests = _requests(ctx)
    expected = f"each of the {len(requests.asked)} calls returns the order it asked for"
    if (failed := _broken(ctx, "c3", expected)) is not None:
        return failed
    run = _run(ctx)
    assert run is not None
    wrong = [(call.event["orderId"], call.body) for call in run.calls
             if call.body != _expected(requests, call.event["orderId"])]
    if not wrong:
        return ctx.result("c3", True, expected=expected,
                          actual=f"all {len(run.calls)} answers match their orders")
    asked, got = wrong[0]
    actual = (f"{len(wrong)} of {len(run.calls)} answers are wrong; asked for {asked}, "
              f"got {got}, expected {_expected(requests, asked)}")
    return ctx.result("c3", False, expected=expected, actual=actual,
                      hint=_c3_hint(requests, asked, got))


def _c3_hint(requests: Requests, asked: str, got: Any) -> str:
    answered = got.get("orderId") if isinstance(got, dict) else None
    if answered is not None and answered != asked:
        return (f"A request for {asked} was answered with order {answered}. Init runs once per "
                "environment, so anything computed there is shared by every later call. Keep "
                "reading the event (orderId) and the lookup inside the handler; move only what "
                "is the same for every request.")
    if isinstance(got, dict) and got.get("found") is False and asked in requests.orders:
        return (f"Order {asked} is in the orders table, but your answer says it was not found. "
                "Look each order up in DynamoDB when it is asked for: orders change after "
                "Init, so a copy taken there goes stale.")
    return ("Compare your answer with the expected one: the gross total is net + net x "
            "vat_percent / 100 (whole cents, rounded down) in the configuration's currency, "
            "exactly as the original code computed it.")
