"""Kinesis / DynamoDB Streams event source mapping (R-4.8–R-4.13).

Each shard is split into ``ParallelizationFactor`` slots by partition key
(order is kept per key, R-4.8); a slot runs one batch at a time, in order.

A failing batch blocks its slot (R-4.10) until it succeeds, its records reach
``MaximumRecordAgeInSeconds`` (→ ``RecordAgeExceeded``) or its retries reach
``MaximumRetryAttempts`` (→ ``RetryAttemptsExhausted``); the on-failure
destination then gets a record describing the skipped records (R-4.13) and the
slot moves past them.

``BisectBatchOnFunctionError`` (R-4.11, simulator convention from the spec): a
failing batch of n > 1 records is replaced by its halves — the first holds
⌈n/2⌉ records — which run in shard order; splits do not count as retries. A
single-record batch is retried until ``MaximumRetryAttempts``.

``ReportBatchItemFailures`` (R-4.12): the slot checkpoints before the lowest
reported sequence number and retries from there (one retry counted).
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from zlib import crc32

from labtui import facts
from labtui.lambdasim.config import StreamMappingSpec
from labtui.lambdasim.destinations import Router
from labtui.lambdasim.engine import Engine
from labtui.lambdasim.esm_sqs import failed_item_ids
from labtui.lambdasim.records import (
    STREAM_RECORD_AGE_EXCEEDED,
    STREAM_RETRIES_EXHAUSTED,
    iso_timestamp,
    stream_failure_record,
)
from labtui.lambdasim.state import FunctionState, Invocation
from labtui.lambdasim.streams import Shard, Stream, StreamRecord
from labtui.lambdasim.trace import TraceEvent
from labtui.lambdasim.validation import check_stream_mapping


class ShardSlot:
    """One in-order lane of a shard (a shard has ParallelizationFactor of them)."""

    __slots__ = (
        "backoff",
        "busy",
        "invokes",
        "lane",
        "pending",
        "processed",
        "retries",
        "scheduled",
        "shard",
        "window_started",
        "work",
    )

    def __init__(self, shard: Shard, lane: int, backoff: float) -> None:
        self.shard = shard
        self.lane = lane
        self.pending: deque[StreamRecord] = deque()  # not yet checkpointed, in order
        self.work: list[list[StreamRecord]] = []  # work[0] = current batch (bisect halves)
        self.retries = 0
        self.invokes = 0
        self.busy = False
        self.scheduled = False
        self.window_started: float | None = None
        self.backoff = backoff
        self.processed: list[StreamRecord] = []  # checkpointed as succeeded, in order


class StreamPoller:
    """The shard pollers of one stream event source mapping."""

    def __init__(
        self,
        engine: Engine,
        spec: StreamMappingSpec,
        function: FunctionState,
        stream: Stream,
        router: Router,
    ) -> None:
        check_stream_mapping(
            spec.batch_size,
            spec.batching_window_s,
            spec.parallelization_factor,
            spec.max_retries,
            spec.max_record_age_s,
        )
        self.engine = engine
        self.spec = spec
        self.function = function
        self.stream = stream
        self.router = router
        self.invocations: list[tuple[str, list[int], str]] = []  # (shard, record indexes, status)
        self.slots: dict[str, list[ShardSlot]] = {}
        for shard in stream.shards:
            lanes = [
                ShardSlot(shard, lane, engine.options.esm_throttle_backoff_s)
                for lane in range(spec.parallelization_factor)
            ]
            self.slots[shard.shard_id] = lanes
            if spec.starting_position == "TRIM_HORIZON":
                for record in shard.records:
                    self._slot_for(record).pending.append(record)
            shard.listeners.append(self._on_record)
        for lanes in self.slots.values():
            for slot in lanes:
                self._wake(slot)

    def _slot_for(self, record: StreamRecord) -> ShardSlot:
        lanes = self.slots[record.shard_id]
        if len(lanes) == 1:
            return lanes[0]
        return lanes[crc32(record.partition_key.encode()) % len(lanes)]  # per key

    def _on_record(self, record: StreamRecord) -> None:
        slot = self._slot_for(record)
        slot.pending.append(record)
        self._wake(slot)

    def _wake(self, slot: ShardSlot, at: float | None = None) -> None:
        if slot.busy or slot.scheduled or not slot.pending:
            return
        slot.scheduled = True
        self.engine.schedule(self.engine.now if at is None else at, self._pump, slot)

    # ------------------------------------------------------------------ batches
    def _pump(self, slot: ShardSlot) -> None:
        slot.scheduled = False
        if slot.busy or not slot.pending:
            return
        engine = self.engine
        spec = self.spec
        if not slot.work:
            if spec.batching_window_s > 0 and len(slot.pending) < spec.batch_size:
                if slot.window_started is None:
                    slot.window_started = engine.now
                deadline = slot.window_started + spec.batching_window_s
                if engine.now < deadline:
                    slot.scheduled = True
                    engine.schedule(deadline, self._pump, slot)
                    return
            slot.window_started = None
            slot.work.append(list(islice(slot.pending, spec.batch_size)))
            slot.retries = 0
            slot.invokes = 0
        batch = slot.work[0]
        if spec.max_record_age_s != -1:  # expired records leave without a run
            expired = [r for r in batch if engine.now - r.arrival >= spec.max_record_age_s]
            if expired:
                self._give_up(slot, expired, STREAM_RECORD_AGE_EXCEEDED, None)
                self._wake(slot)
                return
        event = {
            "Records": [self.stream.event_record(r, engine.options.start_epoch_s) for r in batch]
        }
        request_id = engine.new_request_id()
        reason = engine.execute(
            self.function, spec.qualifier, event, request_id, slot.invokes + 1, self._done, slot
        )
        if reason is not None:  # the poller backs off; records stay in the shard
            delay = slot.backoff
            slot.backoff = min(slot.backoff * 2, float(facts.ASYNC_THROTTLE_BACKOFF_MAX_S))
            self._wake(slot, engine.now + delay)
            return
        slot.busy = True
        if slot.invokes:  # a retry is counted when it runs, not when planned
            engine.counters.retries += 1
        slot.invokes += 1
        slot.backoff = engine.options.esm_throttle_backoff_s

    def _done(self, inv: Invocation) -> None:
        slot: ShardSlot = inv.tag
        slot.busy = False
        batch = slot.work[0]
        self.invocations.append(
            (
                slot.shard.shard_id,
                [r.index for r in batch],
                "success" if inv.status == "ok" else inv.status,
            )
        )
        failed_from: int | None = None  # index in batch of the first failed record
        if inv.status == "ok":
            if self.spec.report_batch_item_failures:
                assert inv.result is not None
                failed = failed_item_ids(inv.result.payload, {r.sequence_number for r in batch})
                if failed is None:
                    failed_from = 0
                elif failed:
                    # Sequence numbers are decimal strings, of any length in Kinesis.
                    lowest = min(failed, key=lambda number: (len(number), number))
                    failed_from = next(
                        i for i, r in enumerate(batch) if r.sequence_number == lowest
                    )
        else:
            failed_from = 0
        if failed_from is None:
            self._checkpoint(slot, batch)
            slot.work.pop(0)
            slot.retries = 0
            slot.invokes = 0
        elif failed_from > 0:  # partial: checkpoint before the lowest failure, retry the rest
            self._checkpoint(slot, batch[:failed_from])
            slot.work[0] = batch[failed_from:]
            self._after_failure(slot, inv, split=False)
        else:
            self._after_failure(slot, inv, split=self.spec.bisect_on_error and len(batch) > 1)
        self._wake(slot, self.engine.now + (0.0 if failed_from is None else self._retry_delay(slot)))

    def _retry_delay(self, slot: ShardSlot) -> float:
        """The pause before a failed batch runs again (EngineOptions: doubling per retry of
        the same batch, up to ``stream_retry_backoff_max_s``, when that is set)."""
        options = self.engine.options
        delay = options.stream_retry_delay_s
        cap = options.stream_retry_backoff_max_s
        if cap > delay > 0 and slot.retries > 1:
            delay = min(cap, delay * 2.0 ** min(slot.retries - 1, 60))
        return delay

    def _after_failure(self, slot: ShardSlot, inv: Invocation, split: bool) -> None:
        batch = slot.work[0]
        if split:  # halves in shard order, the first holds ⌈n/2⌉; not a retry
            half = (len(batch) + 1) // 2
            slot.work[0:1] = [batch[:half], batch[half:]]
            slot.retries = 0
            slot.invokes = 0
            return
        slot.retries += 1
        max_retries = self.spec.max_retries
        if max_retries != -1 and slot.retries > max_retries:
            self._give_up(slot, batch, STREAM_RETRIES_EXHAUSTED, inv)

    def _give_up(
        self,
        slot: ShardSlot,
        records: list[StreamRecord],
        condition: str,
        inv: Invocation | None,
    ) -> None:
        """R-4.13: skip the records, send a batch record to the on-failure destination."""
        engine = self.engine
        engine.counters.stream_records_skipped += len(records)
        done = set(id(r) for r in records)
        slot.work[0] = [r for r in slot.work[0] if id(r) not in done]
        if not slot.work[0]:
            slot.work.pop(0)
        while slot.pending and id(slot.pending[0]) in done:
            slot.pending.popleft()
        if self.spec.on_failure:
            epoch = engine.options.start_epoch_s
            version = inv.version.name if inv is not None else "$LATEST"
            record = stream_failure_record(
                timestamp=iso_timestamp(epoch + engine.now),
                request_id=inv.request_id if inv is not None else engine.new_request_id(),
                function_arn=self.function.qualified_arn(self.spec.qualifier),
                condition=condition,
                approximate_invoke_count=slot.invokes,
                status_code=200,
                executed_version=version,
                function_error=("Unhandled" if inv is not None and inv.status != "ok" else None),
                kind=self.stream.kind,
                shard_id=slot.shard.shard_id,
                stream_arn=self.stream.arn,
                start_sequence=records[0].sequence_number,
                end_sequence=records[-1].sequence_number,
                first_arrival=iso_timestamp(epoch + records[0].arrival),
                last_arrival=iso_timestamp(epoch + records[-1].arrival),
                batch_size=len(records),
            )
            self.router.deliver_record(
                self.spec.on_failure,
                record,
                condition,
                record["requestContext"]["requestId"],
                self.function.name,
                kind="stream-failure",
            )
        slot.retries = 0
        slot.invokes = 0

    def _checkpoint(self, slot: ShardSlot, records: list[StreamRecord]) -> None:
        for _ in records:
            slot.processed.append(slot.pending.popleft())
        engine = self.engine
        if engine.tracing and records:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "stream-checkpoint",
                    self.function.name,
                    "",
                    "",
                    "",
                    0,
                    slot.shard.shard_id,
                    0.0,
                    f"after {records[-1].sequence_number}",
                )
            )

    def processed_records(self) -> list[StreamRecord]:
        """Records that succeeded, per slot in checkpoint order (all shards)."""
        return [r for lanes in self.slots.values() for slot in lanes for r in slot.processed]
