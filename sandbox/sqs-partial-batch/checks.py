"""Checks for sqs-partial-batch: queue and mapping state, then the learner's real handler
driven by lambdasim's SQS poller (R-4.2, R-4.4): ten payments, one of them poison."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import AccountHandler, new_simulation, record_trace

FUNCTION = "payments-worker"
QUEUE = "payments"
DLQ = "payments-dlq"
POISON = json.dumps({"payment_id": "p-7", "amount": "twelve"})
GOOD = [json.dumps({"payment_id": f"p-{n}", "amount": f"{n * 10}.50"})
        for n in (1, 2, 3, 4, 5, 6, 8, 9, 10)]
MESSAGES = [*GOOD[:6], POISON, *GOOD[6:]]  # the poison message is the 7th of 10


def _mapping(ctx: GradingContext) -> dict[str, Any] | None:
    for mapping in state.event_source_mappings(ctx, FUNCTION):
        if str(mapping.get("EventSourceArn", "")).endswith(f":{QUEUE}"):
            return mapping
    return None


def _reports_failures(mapping: dict[str, Any] | None) -> bool:
    return bool(mapping) and "ReportBatchItemFailures" in (
        mapping.get("FunctionResponseTypes") or []  # type: ignore[union-attr]
    )


def c1(ctx: GradingContext) -> CheckResult:
    # the DLQ of an SQS source is the queue's redrive policy.
    expected = f"RedrivePolicy: deadLetterTargetArn {DLQ}, maxReceiveCount 3"
    attributes = state.queue_attributes(ctx, QUEUE) or {}
    policy = state.redrive_policy(attributes)
    dlq_arn = ctx.arn("sqs", DLQ)
    if policy is None:
        config = state.function_config(ctx, FUNCTION) or {}
        on_function = (config.get("DeadLetterConfig") or {}).get("TargetArn")
        actual = "payments has no redrive policy"
        if on_function:
            actual += f" (payments-worker has a function DLQ: {on_function.rsplit(':', 1)[-1]})"
            hint = ("A function's dead-letter queue only catches failed asynchronous "
                    "invocations. Messages from an SQS mapping stay in the source queue, so "
                    "the queue's own RedrivePolicy decides when they move to payments-dlq.")
        else:
            hint = ("Give the queue payments a RedrivePolicy with deadLetterTargetArn = the "
                    "ARN of payments-dlq and maxReceiveCount 3 (aws sqs set-queue-attributes).")
        return ctx.result("c1", False, expected=expected, actual=actual, hint=hint)
    target = str(policy.get("deadLetterTargetArn", ""))
    count = str(policy.get("maxReceiveCount", ""))
    actual = f"RedrivePolicy: deadLetterTargetArn {target.rsplit(':', 1)[-1]}, maxReceiveCount {count}"
    ok = target == dlq_arn and count == "3"
    hint = ("deadLetterTargetArn must be the full ARN of payments-dlq "
            f"({dlq_arn}) and maxReceiveCount 3.")
    return ctx.result("c1", ok, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # partial batch responses are read only when the mapping asks for them.
    expected = "FunctionResponseTypes: [ReportBatchItemFailures]"
    mapping = _mapping(ctx)
    if mapping is None:
        return ctx.result("c2", False, expected=expected,
                          actual="no mapping from payments to payments-worker",
                          hint="The seeded mapping is gone; recreate it with aws lambda "
                               "create-event-source-mapping.")
    types = mapping.get("FunctionResponseTypes") or []
    return ctx.result(
        "c2", _reports_failures(mapping), expected=expected,
        actual=f"FunctionResponseTypes: {json.dumps(types)}",
        hint='aws lambda update-event-source-mapping --uuid "$UUID" '
             "--function-response-types ReportBatchItemFailures",
    )


class _CountingHandler:
    """Counts how often each message body reaches the handler, then delegates."""

    def __init__(self, inner: AccountHandler) -> None:
        self.inner = inner
        self.deliveries: Counter[str] = Counter()

    def bind(self, rng: Any) -> None:
        self.inner.bind(rng)

    def start_environment(self, env: Any) -> Any:
        return self.inner.start_environment(env)

    def stop_environment(self, env: Any) -> None:
        self.inner.stop_environment(env)

    def invoke(self, env: Any, event: Any, context: Any) -> Any:
        for record in event.get("Records", []) if isinstance(event, dict) else []:
            self.deliveries[str(record.get("body"))] += 1
        return self.inner.invoke(env, event, context)


def _run_scenario(ctx: GradingContext) -> dict[str, Any] | None:
    from labtui.lambdasim import FunctionSpec, Redrive, SqsMappingSpec, SqsQueueSpec

    config = state.function_config(ctx, FUNCTION)
    attributes = state.queue_attributes(ctx, QUEUE)
    mapping = _mapping(ctx)
    if config is None or attributes is None or mapping is None:
        return None
    visibility = float(attributes.get("VisibilityTimeout", 30))
    policy = state.redrive_policy(attributes)
    sim = new_simulation(ctx)
    handler = _CountingHandler(AccountHandler(ctx.account, FUNCTION))
    sim.add_function(FunctionSpec(FUNCTION, memory_mb=int(config["MemorySize"]),
                                  timeout_s=int(config["Timeout"]), behaviour=handler))
    sim.add_sqs_queue(SqsQueueSpec(DLQ))
    redrive = None
    if policy is not None:
        target = str(policy.get("deadLetterTargetArn", "")).rsplit(":", 1)[-1]
        if target and target != DLQ:
            sim.add_sqs_queue(SqsQueueSpec(target))
        redrive = Redrive(target, int(policy.get("maxReceiveCount", 1)))
    sim.add_sqs_queue(SqsQueueSpec(QUEUE, visibility_timeout_s=visibility, redrive=redrive))
    sim.add_sqs_mapping(SqsMappingSpec(
        FUNCTION, QUEUE, batch_size=int(mapping.get("BatchSize") or 10),
        batching_window_s=int(mapping.get("MaximumBatchingWindowInSeconds") or 0),
        report_batch_item_failures=_reports_failures(mapping),
    ))
    sim.send_sqs_messages(QUEUE, MESSAGES, at=0.0)
    # Long enough for five receives of anything that keeps failing, whatever the timeout.
    sim.run(until=max(600.0, 5 * visibility + 60.0))
    record_trace(ctx, sim)
    return {
        "deliveries": handler.deliveries,
        "dlq": [m.body for m in sim.queue(DLQ).messages],
        "left": [m.body for m in sim.queue(QUEUE).messages],
    }


def c3(ctx: GradingContext) -> CheckResult:
    # partial batch response + R-4.2 redrive, on the learner's real return values.
    expected = ("9 good payments charged once and deleted; the poison message received 3 times, "
                "then only it in payments-dlq")
    outcome = ctx.once("scenario", lambda: _run_scenario(ctx))
    if outcome is None:
        return ctx.result("c3", False, expected=expected,
                          actual="payments, payments-worker or their mapping is missing",
                          hint="Keep the seeded queue, function and mapping; change their settings.")
    deliveries: Counter[str] = outcome["deliveries"]
    good_counts = [deliveries[body] for body in GOOD]
    poison_count = deliveries[POISON]
    dlq = outcome["dlq"]
    once = sum(1 for n in good_counts if n == 1)
    actual = (f"{once} of 9 good payments charged exactly once (max {max(good_counts)} times); "
              f"poison received {poison_count} times; payments-dlq holds {len(dlq)} message(s)"
              f"{' including the poison' if POISON in dlq else ''}")
    ok = once == 9 and poison_count == 3 and dlq == [POISON]
    if once < 9:
        hint = ("The good payments came back with the poison one, so the whole batch failed. "
                "That happens when the handler raises, when the mapping does not report batch "
                "item failures, or when an itemIdentifier is not a messageId of the batch. "
                "Catch the error per record and return "
                '{"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}.')
    else:
        hint = ("The poison message must leave the queue after 3 receives: that is the source "
                "queue's RedrivePolicy (maxReceiveCount 3 to payments-dlq), not a function DLQ.")
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)


def c4(ctx: GradingContext) -> CheckResult:
    # visibility timeout >= 6 x the function timeout.
    config = state.function_config(ctx, FUNCTION) or {}
    timeout = int(config.get("Timeout", 0))
    needed = 6 * timeout
    expected = f"VisibilityTimeout >= {needed} s (6 x the {timeout} s function timeout)"
    attributes = state.queue_attributes(ctx, QUEUE) or {}
    visibility = int(attributes.get("VisibilityTimeout", 0))
    return ctx.result(
        "c4", timeout > 0 and visibility >= needed, expected=expected,
        actual=f"VisibilityTimeout {visibility} s",
        hint=("If the visibility timeout is not much longer than the function timeout, a batch "
              "that is retried after a throttle can reappear while it is still being "
              f"processed. Set VisibilityTimeout to at least {needed} on payments."),
    )
