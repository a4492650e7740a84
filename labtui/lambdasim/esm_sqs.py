"""SQS event source mapping: the pollers between a queue and a function (R-4.1–R-4.7).

Pollers receive up to ``BatchSize`` messages (waiting up to the batching
window for a full batch), invoke the function synchronously and then:

* success → delete the whole batch (R-4.2);
* error, timeout or crash → delete nothing; the messages reappear after the
  queue's visibility timeout, and the queue's redrive policy moves them to its
  DLQ once ``maxReceiveCount`` is reached (R-4.2);
* ``ReportBatchItemFailures`` → delete all but the listed messages, with every
  malformed response counting as a whole-batch failure (R-4.4);
* throttled → the batch stays invisible until its visibility timeout and the
  poller backs off (R-5.6), so throttling also raises receive counts.

Scaling (R-4.6): 5 concurrent batches at first, +300 per minute of backlog, up
to 1,250, the function's reserved concurrency or ``MaximumConcurrency``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from labtui import facts
from labtui.lambdasim.config import SqsMappingSpec
from labtui.lambdasim.engine import Engine
from labtui.lambdasim.filters import any_filter_matches
from labtui.lambdasim.sqs import Message, SqsQueue
from labtui.lambdasim.state import FunctionState, Invocation
from labtui.lambdasim.trace import TraceEvent
from labtui.lambdasim.validation import check_sqs_mapping


def failed_item_ids(payload: Any, batch_ids: set[str]) -> set[str] | None:
    """R-4.4 / R-4.12: the identifiers a partial batch response reports failed.

    Returns an empty set for "all succeeded" (null or empty ``batchItemFailures``,
    an empty or null response) and ``None`` for "the whole batch failed": a
    response that is not a JSON object, ``batchItemFailures`` that is not a list,
    an entry that is not an object, or an ``itemIdentifier`` that is missing,
    empty, not a string or not in the batch.
    """
    if payload is None:
        return set()
    if not isinstance(payload, dict):
        return None
    failures = payload.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    failed: set[str] = set()
    for item in failures:
        if not isinstance(item, dict):
            return None
        identifier = item.get("itemIdentifier")
        if not isinstance(identifier, str) or not identifier or identifier not in batch_ids:
            return None
        failed.add(identifier)
    return failed


class SqsPoller:
    """The pollers of one SQS event source mapping."""

    def __init__(
        self, engine: Engine, spec: SqsMappingSpec, function: FunctionState, queue: SqsQueue
    ) -> None:
        check_sqs_mapping(spec.batch_size, spec.batching_window_s, queue.fifo, spec.max_concurrency)
        self.engine = engine
        self.spec = spec
        self.function = function
        self.queue = queue
        self.enabled = spec.enabled
        self.active = 0
        self.max_active = 0
        self.invocations = 0
        self._busy_since: float | None = None
        self._window_started: float | None = None
        self._backoff_until = 0.0
        self._backoff = engine.options.esm_throttle_backoff_s
        self._poll_pending = False
        # R-4.3 (visibility timeout >= 6 x function timeout) is advice: the engine lives
        # with a short one (messages come back while still being processed); checks grade it.
        queue.listeners.append(self.wake)

    def limit(self) -> int:
        """Concurrent batches allowed right now (R-4.6)."""
        engine = self.engine
        since = self._busy_since if self._busy_since is not None else engine.now
        scaled = facts.SQS_INITIAL_POLLERS + int(
            (engine.now - since) / 60.0 * facts.SQS_SCALE_PER_MINUTE
        )
        cap = facts.SQS_MAX_POLLERS
        if self.spec.max_concurrency is not None:
            cap = min(cap, self.spec.max_concurrency)
        if self.function.reserved is not None:
            # Scaling stops at the reserved concurrency, but the first 5 pollers run
            # regardless: a reservation below 5 gets throttled batches.
            cap = min(cap, max(self.function.reserved, facts.SQS_INITIAL_POLLERS))
        return min(scaled, cap)

    def wake(self) -> None:
        if not self._poll_pending and self.enabled:
            self._poll_pending = True
            self.engine.schedule(self.engine.now, self._poll)

    def _poll(self, _: Any) -> None:
        self._poll_pending = False
        engine = self.engine
        now = engine.now
        if now < self._backoff_until:
            self._poll_pending = True
            engine.schedule(self._backoff_until, self._poll)
            return
        spec = self.spec
        while self.active < self.limit():
            visible = self.queue.visible_count()
            if visible == 0:
                if self.active == 0:
                    self._busy_since = None
                return
            if self._busy_since is None:
                self._busy_since = now
            if spec.batching_window_s > 0 and visible < spec.batch_size:
                # wait up to the batching window for a full batch.
                if self._window_started is None:
                    self._window_started = now
                deadline = self._window_started + spec.batching_window_s
                if now < deadline:
                    self._poll_pending = True
                    engine.schedule(deadline, self._poll)
                    return
            self._window_started = None
            batch = self.queue.receive(spec.batch_size)
            if not batch:
                continue
            if not self._invoke(batch):
                return

    def _invoke(self, batch: list[Message]) -> bool:
        engine = self.engine
        records = [self._record(message) for message in batch]
        if self.spec.filter_patterns:  # messages that match no filter are deleted
            kept = [any_filter_matches(self.spec.filter_patterns, r) for r in records]
            for message, keep in zip(batch, kept, strict=True):
                if not keep:
                    self.queue.delete(message)
                    engine.counters.sqs_filtered += 1
            batch = [m for m, keep in zip(batch, kept, strict=True) if keep]
            records = [r for r, keep in zip(records, kept, strict=True) if keep]
            if not batch:
                return True
        event = {"Records": records}
        request_id = engine.new_request_id()
        # The trace's attempt for a batch is its highest receive count (1 = first delivery).
        attempt = max(message.receive_count for message in batch)
        reason = engine.execute(
            self.function, self.spec.qualifier, event, request_id, attempt, self._done, batch
        )
        if reason is None:
            self.active += 1
            self.invocations += 1
            self.max_active = max(self.max_active, self.active)
            return True
        # throttled — messages stay in flight until the visibility timeout.
        self._backoff_until = engine.now + self._backoff
        self._backoff = min(self._backoff * 2, float(facts.ASYNC_THROTTLE_BACKOFF_MAX_S))
        self._trace_return(batch, request_id, "throttled")
        self.wake()
        return False

    def _done(self, inv: Invocation) -> None:
        self.active -= 1
        self._backoff = self.engine.options.esm_throttle_backoff_s
        batch: list[Message] = inv.tag
        failed: set[str] | None
        if inv.status != "ok":
            failed = None
        elif self.spec.report_batch_item_failures:
            assert inv.result is not None
            failed = failed_item_ids(inv.result.payload, {m.message_id for m in batch})
        else:
            failed = set()
        returned = [m for m in batch if failed is None or m.message_id in failed]
        deleted = 0
        for message in batch:
            if failed is not None and message.message_id not in failed:
                # A message received twice (its visibility timeout ran out while the first
                # batch still ran) is deleted, and counted, once.
                if not message.deleted:
                    deleted += 1
                self.queue.delete(message)
        engine = self.engine
        engine.counters.sqs_deleted += deleted
        if engine.tracing and deleted:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "sqs-delete",
                    self.function.name,
                    inv.version.name,
                    "",
                    inv.request_id,
                    0,
                    "deleted",
                    0.0,
                    f"{deleted} from {self.queue.name}",
                )
            )
        if returned:
            self._trace_return(
                returned, inv.request_id, "whole batch" if failed is None else "reported failures"
            )
        self.wake()

    def _trace_return(self, messages: list[Message], request_id: str, why: str) -> None:
        engine = self.engine
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "sqs-return",
                    self.function.name,
                    "",
                    "",
                    request_id,
                    0,
                    why,
                    0.0,
                    f"{len(messages)} message(s) back after visibility timeout",
                )
            )

    def _record(self, message: Message) -> dict[str, Any]:
        """The SQS record shape Lambda passes to the handler."""
        attributes = message.attributes
        attributes["SenderId"] = self.engine.options.account_id
        return {
            "messageId": message.message_id,
            "receiptHandle": f"{message.message_id}#{message.receive_count}",
            "body": message.body,
            "attributes": attributes,
            "messageAttributes": {
                name: {
                    "stringValue": value,
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": "String",
                }
                for name, value in message.message_attributes.items()
            },
            "md5OfBody": hashlib.md5(message.body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.arn,
            "awsRegion": self.engine.options.region,
        }
