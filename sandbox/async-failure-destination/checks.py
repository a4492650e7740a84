"""Checks for async-failure-destination: event invoke config, the execution role's
permission, then one corrupt order through lambdasim's async retries with the learner's
real handler (R-3.2, R-3.7, R-3.8). Lambda delivers the record with the execution role, so
the record only arrives when the role may send to the queue."""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import AccountHandler, async_config, new_simulation, record_trace

FUNCTION = "order-processor"
ROLE = "order-processor-role"
QUEUE = "order-failures"
def _corrupt(ctx: GradingContext) -> dict[str, Any]:
    """A corrupt order file's S3 event, its name generated from the grading seed."""
    rng = ctx.cases("corrupt event")
    key = f"orders/2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}-{rng.randint(1, 999)}.corrupt"
    return {"Records": [{"eventSource": "aws:s3", "s3": {
        "bucket": {"name": "incoming-orders"}, "object": {"key": key}}}]}


def _config(ctx: GradingContext) -> dict[str, Any] | None:
    return ctx.once("invoke-config", lambda: state.event_invoke_config(ctx, FUNCTION))


def _on_failure(config: dict[str, Any] | None) -> str | None:
    destinations = (config or {}).get("DestinationConfig") or {}
    target = (destinations.get("OnFailure") or {}).get("Destination")
    return str(target) if target else None


def _may_send(ctx: GradingContext) -> tuple[bool, list[str]]:
    statements = ctx.once("role-statements", lambda: state.role_statements(ctx, ROLE))
    return (state.allows(statements, "sqs:SendMessage", ctx.arn("sqs", QUEUE)),
            state.granted_resources(statements, "sqs:SendMessage"))


def c1(ctx: GradingContext) -> CheckResult:
    # destinations are part of the event invoke config.
    queue_arn = ctx.arn("sqs", QUEUE)
    target = _on_failure(_config(ctx))
    dead_letter = ((state.function_config(ctx, FUNCTION) or {}).get("DeadLetterConfig") or {}
                   ).get("TargetArn")
    actual = f"OnFailure destination: {target or 'none'}"
    if dead_letter:
        actual += f"; DeadLetterConfig: {dead_letter.rsplit(':', 1)[-1]}"
    hint = ("A dead-letter queue gets only the event's payload. An on-failure destination gets "
            "an invocation record with the condition, the error and the response: it is set "
            "in the function's event invoke configuration, not in DeadLetterConfig."
            if dead_letter else
            "order-processor has no on-failure destination. Destinations live in the "
            "function's event invoke configuration (aws lambda "
            "get-function-event-invoke-config shows it), not on the invoke call.")
    return ctx.result("c1", target == queue_arn, expected=f"OnFailure destination: {queue_arn}",
                      actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # retries 0-2, R-3.4 event age 60-21600 s; a setting left out is its default.
    config = _config(ctx)
    retries, age, shown = state.async_settings(config)
    actual = shown if config else f"no event invoke config: {shown}"
    wrong = []
    if retries != 2:
        wrong.append(f"MaximumRetryAttempts to 2 (it is {retries})")
    if age != 3600:
        wrong.append(f"MaximumEventAgeInSeconds to one hour (it is {age} s)")
    return ctx.result(
        "c2", not wrong,
        expected="MaximumRetryAttempts 2, MaximumEventAgeInSeconds 3600",
        actual=actual,
        hint="Set " + " and ".join(wrong) + ": both are in the function's event invoke "
             "configuration, next to the destinations.",
    )


def _other_actions(ctx: GradingContext) -> list[str]:
    """Action patterns the role's own policies allow besides sqs:SendMessage (sqs:*, *...)."""
    statements = ctx.once("role-statements", lambda: state.role_statements(ctx, ROLE))
    return sorted({action for statement in statements if statement["Effect"] == "Allow"
                   for action in statement["Action"] if action.lower() != "sqs:sendmessage"})


def c3(ctx: GradingContext) -> CheckResult:
    # the execution role sends the record: that action, on that queue only.
    queue_arn = ctx.arn("sqs", QUEUE)
    allowed, resources = _may_send(ctx)
    only_there = all(resource == queue_arn for resource in resources)
    others = _other_actions(ctx)
    actual = ("sqs:SendMessage allowed on: " + ", ".join(resources)) if resources else \
        f"{ROLE} has no sqs:SendMessage permission"
    if others:
        actual += "; also allowed: " + ", ".join(others)
    if not allowed:
        hint = ("Lambda delivers destination records with the function's execution role. A "
                "queue policy for lambda.amazonaws.com is not enough: give order-processor-role "
                "an inline policy allowing sqs:SendMessage on the order-failures ARN.")
    elif others:
        hint = ("Least privilege: delivering the record needs only sqs:SendMessage; "
                f"{', '.join(others)} would also let the function read, purge or delete. "
                "Name the one action in the policy's Action.")
    else:
        hint = "Least privilege: allow sqs:SendMessage on the order-failures ARN only, not on *."
    return ctx.result("c3", allowed and only_there and not others,
                      expected=f"only sqs:SendMessage, allowed on {queue_arn} only",
                      actual=actual, hint=hint)


def _run(ctx: GradingContext) -> Any:
    from labtui.lambdasim import FunctionSpec

    config = state.function_config(ctx, FUNCTION)
    if config is None:
        return None
    sim = new_simulation(ctx)
    sim.add_function(FunctionSpec(FUNCTION, memory_mb=int(config["MemorySize"]),
                                  timeout_s=int(config["Timeout"]),
                                  behaviour=AccountHandler(ctx.account, FUNCTION)))
    sim.put_event_invoke_config(FUNCTION, async_config(_config(ctx)))
    dead_letter = (config.get("DeadLetterConfig") or {}).get("TargetArn")
    if dead_letter:
        sim.set_dead_letter(FUNCTION, dead_letter)
    event = sim.invoke_async(FUNCTION, _corrupt(ctx), at=0.0)
    sim.run()
    record_trace(ctx, sim)
    return event, list(sim.deliveries)


def c4(ctx: GradingContext) -> CheckResult:
    # one invocation record, condition RetriesExhausted, after 1 + retries attempts.
    expected = "one invocation record in order-failures, condition RetriesExhausted"
    outcome = ctx.once("corrupt-order", lambda: _run(ctx))
    if outcome is None:
        return ctx.result("c4", False, expected=expected, actual="order-processor does not exist",
                          hint="Keep the seeded function order-processor.")
    event, deliveries = outcome
    to_queue = [d for d in deliveries if str(d.target).rsplit(":", 1)[-1] == QUEUE]
    records = [d for d in to_queue if d.kind == "destination"]
    allowed, _ = _may_send(ctx)
    if records and not allowed:
        actual = (f"after {event.attempts} attempts Lambda tried to send the record but the "
                  "execution role may not sqs:SendMessage: delivery failed, record lost")
        return ctx.result("c4", False, expected=expected, actual=actual,
                          hint="The record is sent with the execution role; see check c3.")
    if not to_queue:
        actual = f"after {event.attempts} attempts the event was {event.state}; nothing reached {QUEUE}"
    else:
        kinds = ", ".join(d.kind + (f" ({d.condition})" if d.condition else "") for d in to_queue)
        actual = f"after {event.attempts} attempts {QUEUE} received: {kinds}"
    ok = len(records) == 1 and records[0].condition == "RetriesExhausted" and len(to_queue) == 1
    hint = ("A DLQ message is the bare event; an on-failure destination receives the invocation "
            "record (requestContext.condition, responsePayload). Configure the destination."
            if to_queue else
            "Nothing was kept: without an on-failure destination the event is dropped after "
            "its last attempt.")
    return ctx.result("c4", ok, expected=expected, actual=actual, hint=hint)
