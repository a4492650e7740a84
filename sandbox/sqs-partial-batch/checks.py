"""Checks for sqs-partial-batch: queue and mapping state, then the learner's real handler
driven by lambdasim's SQS poller (R-4.2, R-4.4) over generated payments: their number,
ids, amounts and shapes, and the number and positions of poison messages change with the
grading seed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from labtui.grading import cases, state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import AccountHandler, new_simulation, record_trace

FUNCTION = "payments-worker"
QUEUE = "payments"
DLQ = "payments-dlq"



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
            hint = ("Without a RedrivePolicy a poison message comes back again and again and "
                    "never leaves payments. The source queue's own RedrivePolicy moves it to "
                    "payments-dlq; aws sqs get-queue-attributes shows the queue's settings.")
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
        hint="The mapping ignores the handler's batchItemFailures until its "
             "FunctionResponseTypes holds ReportBatchItemFailures; aws lambda "
             "get-event-source-mapping shows it.",
    )


@dataclass(frozen=True)
class Payments:
    """One run's generated payments: good ones and poison ones at drawn positions."""

    bodies: list[str]
    poison: list[str]

    @property
    def good(self) -> list[str]:
        return [b for b in self.bodies if b not in self.poison]


def _payments(ctx: GradingContext) -> Payments:
    """8-25 payments with random ids and amounts; 1-3 of them poison (an amount that is
    not a number, or none at all) at random positions."""
    rng = ctx.cases("payments")
    total = rng.randint(8, 25)
    poison_at = set(cases.positions(rng, total, rng.randint(1, 3)))
    bodies, poison = [], []
    for index, payment_id in enumerate(cases.unique_ids(rng, "p-", total)):
        payment: dict[str, Any] = {"payment_id": payment_id, "amount": cases.amount(rng)}
        if index in poison_at:
            if rng.random() < 0.25:
                del payment["amount"]
            else:
                payment["amount"] = rng.choice(cases.NOT_A_NUMBER)
        if rng.random() < 0.5:  # payload shapes vary: extra fields a handler must ignore
            payment["currency"] = rng.choice(["EUR", "USD", "GBP"])
        body = json.dumps(payment)
        bodies.append(body)
        if index in poison_at:
            poison.append(body)
    return Payments(bodies, poison)


def _label(body: str) -> str:
    payment = json.loads(body)
    amount = f"amount {payment['amount']!r}" if "amount" in payment else "no amount"
    return f"{payment.get('payment_id')} ({amount})"


class _WatchingHandler:
    """Counts how often each message body reaches the handler and keeps what the handler
    did with each batch (the evidence the hints are computed from), then delegates."""

    def __init__(self, inner: AccountHandler) -> None:
        self.inner = inner
        self.deliveries: Counter[str] = Counter()
        self.raised: list[str] = []  # "ErrorType: message" of batches that raised
        self.unknown_ids: list[str] = []  # itemIdentifiers that are no messageId of the batch
        self.reported_good: list[str] = []  # bodies of good messages reported as failed
        self.poison: set[str] = set()

    def bind(self, rng: Any) -> None:
        self.inner.bind(rng)

    def start_environment(self, env: Any) -> Any:
        return self.inner.start_environment(env)

    def stop_environment(self, env: Any) -> None:
        self.inner.stop_environment(env)

    def invoke(self, env: Any, event: Any, context: Any) -> Any:
        records = event.get("Records", []) if isinstance(event, dict) else []
        for record in records:
            self.deliveries[str(record.get("body"))] += 1
        result = self.inner.invoke(env, event, context)
        if result.status != "ok":
            self.raised.append(f"{result.error_type}: {result.error_message}".strip())
            return result
        bodies = {str(r.get("messageId")): str(r.get("body")) for r in records}
        payload = result.payload if isinstance(result.payload, dict) else {}
        for item in payload.get("batchItemFailures") or []:
            identifier = str(item.get("itemIdentifier")) if isinstance(item, dict) else str(item)
            if identifier not in bodies:
                self.unknown_ids.append(identifier)
            elif bodies[identifier] not in self.poison:
                self.reported_good.append(bodies[identifier])
        return result


def _run_scenario(ctx: GradingContext) -> dict[str, Any] | None:
    from labtui.lambdasim import FunctionSpec, Redrive, SqsMappingSpec, SqsQueueSpec

    config = state.function_config(ctx, FUNCTION)
    attributes = state.queue_attributes(ctx, QUEUE)
    mapping = _mapping(ctx)
    if config is None or attributes is None or mapping is None:
        return None
    payments = _payments(ctx)
    visibility = float(attributes.get("VisibilityTimeout", 30))
    policy = state.redrive_policy(attributes)
    sim = new_simulation(ctx, seed=ctx.seed)
    handler = _WatchingHandler(AccountHandler(ctx.account, FUNCTION))
    handler.poison = set(payments.poison)
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
    sim.send_sqs_messages(QUEUE, payments.bodies, at=0.0)
    # Long enough for five receives of anything that keeps failing, whatever the timeout.
    sim.run(until=max(600.0, 5 * visibility + 60.0))
    record_trace(ctx, sim)
    return {
        "payments": payments,
        "handler": handler,
        "mapping": mapping,
        "policy": policy,
        "dlq": [m.body for m in sim.queue(DLQ).messages],
    }


def c3(ctx: GradingContext) -> CheckResult:
    # partial batch response + R-4.2 redrive, on the learner's real return values.
    expected = ("every good payment charged once and deleted; each poison message received "
                "3 times, then only the poison messages in payments-dlq")
    outcome = ctx.once("scenario", lambda: _run_scenario(ctx))
    if outcome is None:
        return ctx.result("c3", False, expected=expected,
                          actual="payments, payments-worker or their mapping is missing",
                          hint="Keep the seeded queue, function and mapping; change their settings.")
    payments: Payments = outcome["payments"]
    handler: _WatchingHandler = outcome["handler"]
    deliveries = handler.deliveries
    good = payments.good
    good_counts = [deliveries[body] for body in good]
    poison_counts = [deliveries[body] for body in payments.poison]
    dlq = outcome["dlq"]
    once = sum(1 for n in good_counts if n == 1)
    parked = sorted(b for b in dlq if b in payments.poison)
    actual = (f"{len(payments.bodies)} payments, {len(payments.poison)} poison: "
              f"{once} of {len(good)} good ones charged exactly once (max {max(good_counts)} "
              f"times); poison received {', '.join(map(str, poison_counts))} time(s); "
              f"payments-dlq holds {len(dlq)} message(s), {len(parked)} of them poison")
    ok = (once == len(good) and all(n == 3 for n in poison_counts)
          and sorted(dlq) == sorted(payments.poison))
    return ctx.result("c3", ok, expected=expected, actual=actual,
                      hint=_c3_hint(payments, handler, outcome, good_counts, poison_counts))


_BEFORE_ANY_RECORD = ("Runtime.", "Sandbox.")  # function errors, not a record's


def _c3_hint(payments: Payments, handler: _WatchingHandler, outcome: dict[str, Any],
             good_counts: list[int], poison_counts: list[int]) -> str:
    """The hint for what THIS run showed, most basic cause first."""
    whole_batch = any(n > 1 for n in good_counts)
    if handler.raised and handler.raised[0].startswith(_BEFORE_ANY_RECORD):
        # an import error, a timeout, a crash: a try/except per record cannot help
        return ("Your handler failed before it read a record (" + handler.raised[0] + "), so "
                "every batch failed whole and the good payments came back with the poison "
                "one. Fix that first; then report failures per record.")
    if handler.raised:
        return ("Your handler raised " + handler.raised[0] + " on a batch, so Lambda treated "
                "the whole batch as failed and the good payments came back with the poison "
                "one. Catch the error per record and name the failed records in the "
                "response's batchItemFailures (R-4.4).")
    if whole_batch and not _reports_failures(outcome["mapping"]):
        return ("Your handler returned normally, but the mapping ignores its return value "
                "(see c2), so Lambda treated the whole batch as failed.")
    if handler.unknown_ids:
        return (f"Your handler reported itemIdentifier {handler.unknown_ids[0]!r}, which is not "
                "the messageId of any record in the batch, so Lambda treated the whole batch "
                'as failed. Report record["messageId"] of each failed record.')
    if handler.reported_good:
        return (f"Your handler reported the good payment {_label(handler.reported_good[0])} "
                "as failed, so it was charged again. Decide per record, from its own amount, "
                "whether it can be charged.")
    missed = [b for b, n in zip(payments.poison, poison_counts, strict=True) if n == 1]
    if missed:
        return (f"The poison payment {_label(missed[0])} was deleted after its first receive: "
                "your handler did not list its messageId in batchItemFailures. A message "
                "whose amount is not a number (or missing) must be reported as failed.")
    policy = outcome["policy"]
    if policy is None:
        return ("The poison messages were received " + ", ".join(map(str, poison_counts))
                + " time(s) and never parked: the source queue needs a RedrivePolicy "
                "(maxReceiveCount 3 to payments-dlq); a function DLQ does not apply to "
                "SQS mappings.")
    return (f"The poison messages were received {', '.join(map(str, poison_counts))} time(s): "
            "the queue's RedrivePolicy must move them to payments-dlq after 3 receives "
            "(see c1).")


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
