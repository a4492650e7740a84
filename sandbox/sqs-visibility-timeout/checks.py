"""Checks for sqs-visibility-timeout: the queue's visibility timeout against the function's
timeout (R-4.3), the mapping's state (R-4.1), then a generated run of reports of about 40 s
each (how many, their ids and spacing from the grading seed) through lambdasim's SQS
poller with the account's queue and function settings."""

from __future__ import annotations

import json
from typing import Any

from labtui import facts
from labtui.grading import cases, state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import new_simulation, record_trace

FUNCTION = "report-builder"
QUEUE = "reports"
TIMEOUT_S = 60  # the seeded timeout; a report really takes about 40 s
GAP_S = 600.0  # one report every 10 minutes or more, so each arrives alone


def _timeout(ctx: GradingContext) -> int | None:
    config = ctx.once("config", lambda: state.function_config(ctx, FUNCTION))
    return None if config is None else int(config["Timeout"])


def _visibility(ctx: GradingContext) -> int | None:
    attributes = ctx.once("queue", lambda: state.queue_attributes(ctx, QUEUE))
    return None if attributes is None else int(attributes.get("VisibilityTimeout", 30))


def _mapping(ctx: GradingContext) -> dict[str, Any] | None:
    for mapping in state.event_source_mappings(ctx, FUNCTION):
        if str(mapping.get("EventSourceArn", "")).endswith(f":{QUEUE}"):
            return mapping
    return None


def c1(ctx: GradingContext) -> CheckResult:
    # visibility timeout >= 6 x the function timeout, plus the batching window.
    timeout = _timeout(ctx)
    visibility = _visibility(ctx)
    factor = facts.SQS_VISIBILITY_TIMEOUT_FACTOR
    base = timeout or TIMEOUT_S
    mapping = _mapping(ctx) or {}
    window = int(mapping.get("MaximumBatchingWindowInSeconds") or 0)
    needed = factor * base + window
    # The same arithmetic as the lesson: every term shown, so the sum is checkable.
    sum_text = f"{factor} x the {base} s timeout"
    if window:
        sum_text += f" + the mapping's {window} s batching window"
    expected = f"VisibilityTimeout >= {needed} s ({sum_text})"
    if visibility is None or timeout is None:
        return ctx.result("c1", False, expected=expected,
                          actual="the queue reports or the function report-builder is missing",
                          hint="Keep the seeded queue and function; change their settings.")
    actual = f"VisibilityTimeout {visibility} s, function timeout {timeout} s"
    if window:
        actual += f", batching window {window} s"
    outcome = ctx.once("sim", lambda: _run(ctx, timeout, visibility))
    reports = outcome["reports"]
    if outcome["built"] > reports:
        actual += (f"; in the simulation {outcome['built'] - reports} of {reports} reports were "
                   "built twice (the message reappeared mid-build)")
    if window and factor * timeout <= visibility < needed:
        hint = (f"{visibility} s covers {factor} x the {timeout} s timeout but not the mapping's "
                f"{window} s batching window: a message waits up to {window} s in a batch "
                f"before the function even starts. Set VisibilityTimeout to {needed}.")
    elif visibility >= timeout:
        hint = (f"{visibility} s is no shorter than the timeout, so Lambda accepts the mapping, "
                "but it leaves no room: a batch retried after a throttle, or still running, "
                f"becomes visible again and is built twice. Use {sum_text} = {needed} s.")
    else:
        hint = ("A message must stay invisible for longer than the function may work on it. "
                f"R-4.3: the queue's VisibilityTimeout should be {sum_text} = {needed} s.")
    return ctx.result("c1", visibility >= needed, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # an SQS event source mapping polls the queue and invokes the function.
    expected = "a mapping from reports to report-builder, State Enabled"
    mapping = _mapping(ctx)
    if mapping is None:
        return ctx.result("c2", False, expected=expected, actual="no mapping from reports",
                          hint="Nothing connects reports to report-builder: Lambda reads a "
                               "queue only through an event source mapping; aws lambda "
                               "list-event-source-mappings shows the ones that exist.")
    status = str(mapping.get("State", ""))
    return ctx.result("c2", status == "Enabled", expected=expected,
                      actual=f"mapping {mapping.get('UUID')}: State {status}",
                      hint="The mapping exists but is not Enabled, so nothing polls the "
                           "queue: enable it (update-event-source-mapping).")


def _run(ctx: GradingContext, timeout: int, visibility: int) -> dict[str, int]:
    from labtui.lambdasim import (
        BehaviourModel,
        Duration,
        FunctionSpec,
        SqsMappingSpec,
        SqsQueueSpec,
    )

    rng = ctx.cases("reports")
    reports = rng.randint(3, 8)
    sim = new_simulation(ctx, seed=ctx.seed)
    # A report takes 35-45 s to build (the README's measured figure), whatever the timeout.
    # report-builder's code is not the learner's: a behaviour model stands in for it.
    sim.add_function(FunctionSpec(
        FUNCTION, memory_mb=1024, timeout_s=timeout,
        behaviour=BehaviourModel(duration=Duration("uniform", 35_000.0, 45_000.0)),
    ))
    sim.add_sqs_queue(SqsQueueSpec(QUEUE, visibility_timeout_s=float(visibility)))
    sim.add_sqs_mapping(SqsMappingSpec(FUNCTION, QUEUE, batch_size=10))
    at = 0.0
    for report_id in cases.unique_ids(rng, "r-", reports):
        sim.send_sqs_messages(QUEUE, [json.dumps({"report_id": report_id})], at=at)
        at += GAP_S + rng.uniform(0.0, 300.0)
    sim.run(until=at + GAP_S)
    record_trace(ctx, sim)
    runs = [e for e in sim.trace if e.kind == "invoke"]
    return {
        "built": sum(1 for e in runs if e.outcome == "success"),
        "timeouts": sum(1 for e in runs if e.outcome == "timeout"),
        "left": len(sim.queue(QUEUE).messages),
        "reports": reports,
    }


def c3(ctx: GradingContext) -> CheckResult:
    # the timeout must cover the work: failed batches return to the queue.
    expected = f"Timeout {TIMEOUT_S} s; every simulated report of ~40 s built, none timed out"
    timeout = _timeout(ctx)
    visibility = _visibility(ctx)
    if timeout is None or visibility is None:
        return ctx.result("c3", False, expected=expected,
                          actual="the queue reports or the function report-builder is missing",
                          hint="Keep the seeded queue and function; change their settings.")
    outcome = ctx.once("sim", lambda: _run(ctx, timeout, visibility))
    reports = outcome["reports"]
    built = min(outcome["built"], reports)
    actual = (f"Timeout {timeout} s; {built} of {reports} reports built, "
              f"{outcome['timeouts']} invocations timed out")
    # Duplicate builds (visibility too short) are c1's business; this check is the timeout.
    ok = (timeout == TIMEOUT_S and outcome["timeouts"] == 0 and outcome["built"] >= reports
          and outcome["left"] == 0)
    if timeout < TIMEOUT_S:
        hint = (f"A report takes about 40 s, so a {timeout} s timeout kills every invocation and "
                "the message comes back again and again. Keep the 60 s timeout and size the "
                "queue to it instead.")
    else:
        hint = ("report-builder's timeout was 60 s for a reason: a report takes about 40 s. "
                "Put it back to 60 s and change only the queue.")
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)
