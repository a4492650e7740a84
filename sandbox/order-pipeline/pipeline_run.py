"""The end-to-end machinery of order-pipeline, loaded by checks.py (the pack's own module).

* :func:`captured` swaps the sandbox's async engine and moto's SQS ``add_message`` for
  recorders while a check runs: order-worker's ``lambda.invoke(InvocationType=Event)`` to
  order-notifier is kept for the simulation instead of running in the background, and the
  bodies orders-api sends to orders-queue are counted.
* :func:`end_to_end` is curriculum §7's run: generated messages through lambdasim's SQS poller into
  the real order-worker (its batchItemFailures decide), then the captured notifications as
  asynchronous invocations of the real order-notifier with the learner's destinations.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import in_process_sandbox
from labtui.grading.sim import AccountHandler, async_config, new_simulation, record_trace

API, WORKER, NOTIFIER = "orders-api", "order-worker", "order-notifier"
QUEUE, DLQ, FAILURES, BUS = "orders-queue", "orders-dlq", "notify-failures", "orders-bus"
SECRET = "prod/orders/db"
DB_SUBNET, DB_PORT = "private-b", 5432


@dataclass(frozen=True)
class Batch:
    """curriculum §7's end-to-end messages, generated from the grading seed: a dozen or more
    valid orders, one of them sent twice, and one to three poison messages, in a random
    order. Order ids also carry a tag fresh for each grade, so a live account graded twice
    still counts only this run."""

    tag: str
    valid: list[str]  # distinct valid orders (the duplicate is one of them)
    duplicate: str
    poison: list[str]
    messages: list[str]  # what is sent, in order: valid + the duplicate again + poison

    @property
    def prefix(self) -> str:
        return f"o-{self.tag}-"


def run_tag(ctx: GradingContext) -> str:
    return ctx.once("run tag", lambda: uuid.uuid4().hex[:6])  # type: ignore[no-any-return]


def order(order_id: str, customer: str, items: list[dict[str, Any]]) -> str:
    """An order as the lesson and README describe it, as JSON text."""
    return json.dumps({"orderId": order_id, "customerId": customer, "items": items})


def batch(ctx: GradingContext) -> Batch:
    rng = ctx.cases("e2e batch")
    tag = run_tag(ctx)
    skus = [f"{word}-{rng.randint(1, 99)}" for word in ("book", "lamp", "mug", "desk", "pen")]

    def items() -> list[dict[str, Any]]:
        return [{"sku": rng.choice(skus), "qty": rng.randint(1, 9)}
                for _ in range(rng.randint(1, 3))]

    numbers = rng.sample(range(100, 1000), rng.randint(12, 20))
    valid = [order(f"o-{tag}-{n}", f"c-{rng.randint(1, 99)}", items()) for n in numbers]
    poison = [_poison(rng, f"o-{tag}-x{n}", items()) for n in range(rng.randint(1, 3))]
    duplicate = rng.choice(valid)
    messages = [*valid, duplicate, *poison]
    rng.shuffle(messages)
    return Batch(tag, valid, duplicate, poison, messages)


def _poison(rng: Any, order_id: str, items: list[dict[str, Any]]) -> str:
    """A message order-worker cannot process: the kinds of bad order the README names."""
    document: dict[str, Any] = {"orderId": order_id, "customerId": "c-0", "items": items}
    kind = rng.choice(["qty text", "qty zero", "qty negative", "qty null", "missing",
                       "items text", "not json"])
    if kind == "not json":
        return rng.choice([f"order {rng.randint(2, 999)} please", "<order/>",
                           json.dumps(document)[:-1]])
    if kind == "missing":
        del document[rng.choice(["orderId", "customerId", "items"])]
    elif kind == "items text":
        document["items"] = "lamp x2"
    else:
        document["items"][0]["qty"] = {"qty text": rng.choice(["lots", "two", ""]),
                                       "qty zero": 0, "qty negative": -rng.randint(1, 5),
                                       "qty null": None}[kind]
    return json.dumps(document)


# --- capturing what the learner's code sends through the sandbox --------------------------


class CaptureEngine:
    """Stands in for the sandbox's async engine: order-notifier events of this account are
    recorded (the simulation replays them), everything else goes on as before."""

    def __init__(self, inner: Any, account_id: str) -> None:
        self.inner, self.account_id = inner, account_id
        self.payloads: list[Any] = []

    def submit(self, invocation: Any) -> None:
        if invocation.account_id == self.account_id and invocation.function_name == NOTIFIER:
            self.payloads.append(json.loads(invocation.payload or b"{}"))
        else:
            self.inner.submit(invocation)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def captured(ctx: GradingContext) -> Iterator[tuple[CaptureEngine, list[str]]]:
    """Capture order-notifier invocations and the bodies sent to orders-queue."""
    from moto.sqs.models import Queue

    invoker = in_process_sandbox(ctx).invoker  # a clear LabError for a remote --live sandbox
    # One capture at a time per sandbox: two graders nesting swaps could restore out of order.
    # The lock lives on the invoker because this module is re-imported when the pack changes.
    lock = invoker.__dict__.setdefault("_order_pipeline_capture_lock", threading.Lock())
    with lock:
        engine = CaptureEngine(invoker.engine, ctx.account_id)
        sent: list[str] = []
        original = Queue.add_message

        def add_message(queue: Any, message: Any) -> None:
            if str(queue.account_id) == ctx.account_id and queue.name == QUEUE:
                sent.append(str(message.body))
            original(queue, message)

        invoker.engine = engine
        Queue.add_message = add_message  # type: ignore[method-assign,assignment]
        try:
            yield engine, sent
        finally:
            invoker.engine = engine.inner
            Queue.add_message = original  # type: ignore[method-assign]


def function_config(ctx: GradingContext, name: str) -> dict[str, Any]:
    return ctx.once(f"config:{name}", lambda: state.function_config(ctx, name)) or {}


def queue_mapping(ctx: GradingContext) -> dict[str, Any] | None:
    for mapping in state.event_source_mappings(ctx, WORKER):
        if str(mapping.get("EventSourceArn", "")).endswith(f":{QUEUE}"):
            return mapping
    return None


class CountingHandler:
    """Counts how often each message body reaches the worker, then runs the real one."""

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


def end_to_end(ctx: GradingContext) -> dict[str, Any]:
    """The end-to-end run: worker behind the SQS poller, then the captured notifications."""
    from labtui.lambdasim import FunctionSpec, Redrive, SqsMappingSpec, SqsQueueSpec

    worker, notifier = function_config(ctx, WORKER), function_config(ctx, NOTIFIER)
    attributes = state.queue_attributes(ctx, QUEUE) or {}
    policy = state.redrive_policy(attributes)
    mapping = queue_mapping(ctx) or {}
    visibility = float(attributes.get("VisibilityTimeout", 30))
    sim = new_simulation(ctx)
    handler = CountingHandler(AccountHandler(ctx.account, WORKER, budget_s=90.0))
    sim.add_function(FunctionSpec(WORKER, memory_mb=int(worker.get("MemorySize", 128)),
                                  timeout_s=int(worker.get("Timeout", 3)), behaviour=handler))
    sim.add_function(FunctionSpec(NOTIFIER, memory_mb=int(notifier.get("MemorySize", 128)),
                                  timeout_s=int(notifier.get("Timeout", 3)),
                                  behaviour=AccountHandler(ctx.account, NOTIFIER)))
    sim.put_event_invoke_config(NOTIFIER, async_config(state.event_invoke_config(ctx, NOTIFIER)))
    sim.add_sqs_queue(SqsQueueSpec(DLQ))
    redrive = None
    if policy is not None:
        target = str(policy.get("deadLetterTargetArn", "")).rsplit(":", 1)[-1]
        if target and target != DLQ:
            sim.add_sqs_queue(SqsQueueSpec(target))
        redrive = Redrive(target, int(policy.get("maxReceiveCount", 1)))
    sim.add_sqs_queue(SqsQueueSpec(QUEUE, visibility_timeout_s=visibility, redrive=redrive))
    sim.add_sqs_mapping(SqsMappingSpec(
        WORKER, QUEUE, batch_size=int(mapping.get("BatchSize") or 10),
        report_batch_item_failures="ReportBatchItemFailures" in (
            mapping.get("FunctionResponseTypes") or [])))
    orders = batch(ctx)
    with captured(ctx) as (engine, _sent):
        sim.send_sqs_messages(QUEUE, orders.messages, at=0.0)
        sim.run(until=max(600.0, 5 * visibility + 60.0))
    notified = [p for p in engine.payloads if orders.prefix in json.dumps(p)]
    for n, payload in enumerate(notified):
        sim.invoke_async(NOTIFIER, payload, at=sim.now + 0.05 * n)
    sim.run(until=sim.now + 1800.0)
    record_trace(ctx, sim)
    bus_arn = f"arn:aws:events:{ctx.region}:{ctx.account_id}:event-bus/{BUS}"
    successes = [d for d in sim.deliveries
                 if d.kind == "destination" and d.condition == "Success" and d.target == bus_arn]
    valid_deliveries = sum(handler.deliveries[body] for body in set(orders.valid))
    return {
        "sim": sim, "deliveries": handler.deliveries, "notified": notified,
        "rows": e2e_rows(ctx, orders.prefix), "batch": orders,
        "dlq": [m.body for m in sim.queue(DLQ).messages], "successes": len(successes),
        "failures": sum(1 for d in sim.deliveries
                        if d.kind == "destination" and d.condition != "Success"),
        "suppressed": valid_deliveries - len(notified),
    }


def failed_notification(ctx: GradingContext) -> list[Any]:
    """One notification the real order-notifier cannot handle (no orderId), invoked
    asynchronously in lambdasim with the learner's retries and destinations (R-3.2, R-3.7):
    the destination records it produced."""
    from labtui.lambdasim import FunctionSpec

    notifier = function_config(ctx, NOTIFIER)
    sim = new_simulation(ctx, seed=11)
    sim.add_function(FunctionSpec(NOTIFIER, memory_mb=int(notifier.get("MemorySize", 128)),
                                  timeout_s=int(notifier.get("Timeout", 3)),
                                  behaviour=AccountHandler(ctx.account, NOTIFIER)))
    sim.put_event_invoke_config(NOTIFIER, async_config(state.event_invoke_config(ctx, NOTIFIER)))
    sim.invoke_async(NOTIFIER, {"customerId": "c-0", "items": []}, at=0.0)
    sim.run(until=30_000.0)  # past the longest event age (6 h) and every retry
    record_trace(ctx, sim)
    return [d for d in sim.deliveries if d.kind == "destination"]


def e2e_rows(ctx: GradingContext, prefix: str) -> int:
    items = ctx.aws("dynamodb").scan(TableName="orders-db").get("Items", [])
    return sum(1 for item in items if item.get("orderId", {}).get("S", "").startswith(prefix))


def cached_run(ctx: GradingContext) -> dict[str, Any]:
    return ctx.once("e2e", lambda: end_to_end(ctx))  # type: ignore[no-any-return]


