"""Checks for sync-vs-async: the learner's recorded observations (answers.yaml), the event
invoke config, and one failing asynchronous event run through lambdasim with the learner's
real handler (R-2.1, R-2.3, R-3.2)."""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import AccountHandler, async_config, new_simulation, record_trace

FUNCTION = "orders-api"


def _number(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def c1(ctx: GradingContext) -> CheckResult:
    # sync: 200 + FunctionError Unhandled, no Lambda retry; async: 202.
    expected = "sync: 200, FunctionError Unhandled, Lambda retries 0; async: 202"
    sync_code = _number(ctx.answer("sync", "status_code"))
    error = str(ctx.answer("sync", "function_error") or "").strip()
    retries = _number(ctx.answer("sync", "lambda_retries"))
    async_code = _number(ctx.answer("async", "status_code"))
    actual = (f"sync: {sync_code}, FunctionError {error or '-'}, Lambda retries {retries}; "
              f"async: {async_code}")
    if not ctx.answers:
        return ctx.result("c1", False, expected=expected, actual="answers.yaml is missing or empty",
                          hint="Fill in answers.yaml in your workspace after invoking both ways.")
    if sync_code != 200 or error.lower() != "unhandled":
        hint = ("A synchronous invoke of a failing handler still succeeds as an API call: look "
                "at the StatusCode and the FunctionError field the CLI printed.")
    elif retries != 0:
        hint = ("Lambda never retries a synchronous call: the error goes back to the caller, "
                "who decides. Lambda's own retries are for asynchronous events.")
    else:
        hint = ("An asynchronous invoke returns as soon as the event is queued; it cannot know "
                "yet whether the handler will fail. Which StatusCode says 'accepted'?")
    ok = sync_code == 200 and error.lower() == "unhandled" and retries == 0 and async_code == 202
    return ctx.result("c1", ok, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # MaximumRetryAttempts, R-3.4 MaximumEventAgeInSeconds.
    expected = "MaximumRetryAttempts 1, MaximumEventAgeInSeconds 900"
    config = state.event_invoke_config(ctx, FUNCTION)
    if config is None:
        return ctx.result("c2", False, expected=expected,
                          actual="no event invoke config (defaults: 2 retries, 21600 s)",
                          hint="Retries are not a flag on the invoke call: they live in the "
                               "function's event invoke config; aws lambda "
                               "get-function-event-invoke-config shows it.")
    retries, age, actual = state.async_settings(config)
    ok = retries == 1 and age == 900
    if retries != 1:
        hint = (f"Runs = 1 + retries, so running twice means MaximumRetryAttempts 1 (it is "
                f"{retries})" + ("; 15 minutes is 900 s." if age != 900 else "."))
    else:
        hint = f"15 minutes is 900 s, but MaximumEventAgeInSeconds is {age} s."
    return ctx.result("c2", ok, expected=expected, actual=actual, hint=hint)


def _run(ctx: GradingContext) -> Any:
    from labtui.lambdasim import FunctionSpec

    config = state.function_config(ctx, FUNCTION)
    if config is None:
        return None
    sim = new_simulation(ctx)
    sim.add_function(FunctionSpec(FUNCTION, memory_mb=int(config["MemorySize"]),
                                  timeout_s=int(config["Timeout"]),
                                  behaviour=AccountHandler(ctx.account, FUNCTION)))
    sim.put_event_invoke_config(FUNCTION, async_config(state.event_invoke_config(ctx, FUNCTION)))
    rng = ctx.cases("failing event")
    event = sim.invoke_async(FUNCTION, {"order_id": f"o-{rng.randint(1_000, 99_999)}",
                                        "fail": True}, at=rng.uniform(0.0, 30.0))
    sim.run()
    record_trace(ctx, sim)
    return event


def c3(ctx: GradingContext) -> CheckResult:
    # a failing async event runs 1 + MaximumRetryAttempts times.
    expected = "2 runs (the first attempt + 1 retry about a minute later), then given up"
    event = ctx.once("async-run", lambda: _run(ctx))
    if event is None:
        return ctx.result("c3", False, expected=expected, actual="orders-api does not exist",
                          hint="Keep the seeded function orders-api.")
    actual = f"{event.attempts} run(s); event {event.state}"
    hint = ("Lambda runs a failing asynchronous event 1 + MaximumRetryAttempts times "
            "(default 2 retries = 3 runs). One retry gives exactly two runs.")
    return ctx.result("c3", event.attempts == 2, expected=expected, actual=actual, hint=hint)
