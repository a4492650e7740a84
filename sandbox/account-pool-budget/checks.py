"""Checks for account-pool-budget: the account's concurrency pool (R-5.2) and the
reservations in it (R-5.3), read back from Lambda as the learner left them."""

from __future__ import annotations

from labtui import facts
from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult

NEWCOMER = "search-indexer"
OTHERS = {"ingest-api": 400, "billing-sync": 300, "report-writer": 50}
ALLOWED = (100, 150)


def _limit(ctx: GradingContext) -> int:
    settings = ctx.aws("lambda").get_account_settings()
    return int(settings["AccountLimit"]["ConcurrentExecutions"])


def _reservations(ctx: GradingContext) -> dict[str, int | None]:
    names = [*OTHERS, NEWCOMER]
    return ctx.once("reservations",  # type: ignore[no-any-return]
                    lambda: {name: state.reserved_concurrency(ctx, name) for name in names})


def c1(ctx: GradingContext) -> CheckResult:
    # total reserved <= account limit - 100 unreserved; AWS refuses anything more.
    limit = _limit(ctx)
    ceiling = limit - facts.UNRESERVED_MIN
    reserved = _reservations(ctx)
    total = sum(value or 0 for value in reserved.values())
    mine = reserved[NEWCOMER]
    expected = f"{NEWCOMER} reserved; total reserved <= {ceiling} of {limit}"
    actual = (f"{NEWCOMER} {'not reserved' if mine is None else f'reserved {mine}'}; "
              f"total reserved {total} of {limit} ({limit - total} unreserved)")
    ok = mine is not None and total <= ceiling
    if mine is None:
        hint = (f"search-indexer has no reservation. If you asked for one and it failed, read "
                f"AWS's message: a reservation may not take the unreserved pool below "
                f"{facts.UNRESERVED_MIN}. {limit} - {facts.UNRESERVED_MIN} - "
                f"{total} already reserved = {max(0, ceiling - total)} is all that is left.")
    else:
        hint = f"Bring the total reserved down to {ceiling} or less."
    return ctx.result("c1", ok, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # a reservation both guarantees and caps the function.
    low, high = ALLOWED
    mine = _reservations(ctx)[NEWCOMER]
    expected = f"{NEWCOMER} reserved concurrency {low}-{high}"
    actual = "no reservation" if mine is None else f"reserved concurrency {mine}"
    ok = mine is not None and low <= mine <= high
    if mine is not None and mine > high:
        hint = (f"{mine} does not leave 100 unreserved next to the other 750. {high} is the "
                "most that fits without taking concurrency from anyone else.")
    elif mine is not None and mine < low:
        hint = (f"{mine} is less than search-indexer needs; the team can live with {low}-{high} "
                "(250 does not fit).")
    else:
        hint = ("search-indexer has no reservation of its own. Reserve concurrency on the "
                "function (put-function-concurrency), no more than the account can spare: "
                "aws lambda get-account-settings shows the limit and what is unreserved.")
    return ctx.result("c2", ok, expected=expected, actual=actual, hint=hint)


def c3(ctx: GradingContext) -> CheckResult:
    # the other reservations are guarantees (and for report-writer, a cap) to keep.
    reserved = _reservations(ctx)
    expected = ", ".join(f"{name} {value}" for name, value in OTHERS.items())
    actual = ", ".join(
        f"{name} {'not reserved' if reserved[name] is None else reserved[name]}" for name in OTHERS
    )
    changed = [name for name, value in OTHERS.items() if reserved[name] != value]
    if "report-writer" in changed:
        hint = ("report-writer's 50 is not spare capacity: it caps how many connections it "
                "opens to orders-db. Put its reservation of 50 back (put-function-concurrency).")
    else:
        hint = (f"Restore {', '.join(changed) or 'the other reservations'}: the teams that own "
                "them count on that guaranteed concurrency. search-indexer fits without them.")
    return ctx.result("c3", not changed, expected=expected, actual=actual, hint=hint)
