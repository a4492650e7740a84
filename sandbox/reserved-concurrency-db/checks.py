"""Checks for reserved-concurrency-db: the reservation, then a burst of 200-400 simulated
asynchronous calls through lambdasim with the account's concurrency settings (R-5.3, R-5.6)."""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import new_simulation, record_trace

FUNCTION = "report-writer"
CAP = 50


def _provisioned_note(ctx: GradingContext) -> str:
    configs = state.provisioned_configs(ctx, FUNCTION)
    if not configs:
        return ""
    shown = ", ".join(
        f"{count} on {'version ' if q.isdigit() else 'alias '}{q}" for q, count in sorted(configs.items())
    )
    return f"; provisioned concurrency {shown}"


def c1(ctx: GradingContext) -> CheckResult:
    # reserved concurrency caps and guarantees a function.
    reserved = state.reserved_concurrency(ctx, FUNCTION)
    actual = ("no reserved concurrency (the function may use the whole unreserved pool)"
              if reserved is None else f"reserved concurrency {reserved}")
    actual += _provisioned_note(ctx)
    if reserved == 0:
        hint = ("0 is not 'unlimited': reserved concurrency 0 throttles every invocation. "
                "Reserve 50 so report-writer can run but never opens more than 50 connections.")
    elif reserved is not None and reserved > CAP:
        hint = (f"Reserved concurrency {reserved} lets {reserved} environments hold a "
                "connection at once; orders-db accepts 60 and its other clients need a few. "
                f"Reserve {CAP}.")
    elif reserved is None and _provisioned_note(ctx):
        hint = ("Provisioned concurrency pre-warms environments but caps nothing. The cap is "
                "reserved concurrency, which belongs to the function itself.")
    else:
        hint = ("Nothing caps report-writer: a burst scales far past the 60 connections "
                "orders-db accepts. Cap the whole function below 60 (its other clients need a "
                "few); aws lambda get-function-concurrency shows the cap.")
    return ctx.result("c1", reserved == CAP, expected=f"reserved concurrency {CAP}",
                      actual=actual, hint=hint)


def _run(ctx: GradingContext) -> Any:
    from labtui.lambdasim import BehaviourModel, Duration, FunctionSpec

    config = state.function_config(ctx, FUNCTION)
    if config is None:
        return None
    sim = new_simulation(ctx)
    # Each report holds its database connection for about 2 s.
    sim.add_function(FunctionSpec(
        FUNCTION, memory_mb=int(config["MemorySize"]), timeout_s=int(config["Timeout"]),
        behaviour=BehaviourModel(duration=Duration("uniform", 1500.0, 2500.0)),
    ))
    reserved = state.reserved_concurrency(ctx, FUNCTION)
    if reserved is not None:
        sim.set_reserved_concurrency(FUNCTION, reserved)
    calls, window_s = _burst(ctx)
    rng = ctx.cases("burst times")
    events = [sim.invoke_async(FUNCTION, {"report_id": f"r-{rng.randint(1, 10**6)}"},
                               at=rng.uniform(0.0, window_s)) for _ in range(calls)]
    sim.run()
    record_trace(ctx, sim)
    return sim.summary(), sum(1 for e in events if e.state == "success")


def _burst(ctx: GradingContext) -> tuple[int, float]:
    """How many report requests arrive, and within how many seconds (the grading seed)."""
    rng = ctx.cases("burst")
    return rng.randint(200, 400), float(rng.randint(2, 4))


def c2(ctx: GradingContext) -> CheckResult:
    # cap; throttled async events are retried, so none is lost.
    calls, window_s = _burst(ctx)
    expected = f"{calls} calls in {window_s:g} s: at most {CAP} at once, all {calls} complete"
    outcome = ctx.once("burst", lambda: _run(ctx))
    if outcome is None:
        return ctx.result("c2", False, expected=expected, actual="report-writer does not exist",
                          hint="Keep the seeded function report-writer.")
    summary, completed = outcome
    peak = summary.per_function_max_concurrency.get(FUNCTION, summary.max_concurrency)
    actual = (f"peak {peak} at once; {completed} of {calls} completed; "
              f"{summary.throttles} throttled attempts")
    ok = peak <= CAP and completed == calls
    reserved = state.reserved_concurrency(ctx, FUNCTION)
    if peak > CAP and reserved is not None:
        hint = (f"Your reservation of {reserved} let {peak} run at once, each holding a "
                f"database connection: reserve {CAP}.")
    elif peak > CAP:
        hint = (f"Nothing capped the burst: {peak} environments would each open a database "
                "connection. Only reserved concurrency limits how many run at once.")
    else:
        hint = ("Calls are being throttled and never run: a reservation of 0 switches the "
                "function off. Reserve 50.")
    return ctx.result("c2", ok, expected=expected, actual=actual, hint=hint)
