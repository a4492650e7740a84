"""Kinesis and DynamoDB stream mappings in the live sandbox (R-4.8–R-4.13).

A stream is read, never changed, by Lambda: :class:`MirroredStream` is lambdasim's
stream holding a copy of the moto stream's records (its real shard ids, sequence
numbers and record shapes), taken in as they arrive. :class:`LiveStreamPoller` is
lambdasim's shard poller (batch size and window, starting position, per-shard order,
ParallelizationFactor, bisect, retries, record age, partial batch responses and the
on-failure record) that can be disabled and enabled, and keeps the mapping's
``LastProcessingResult``.
"""

from __future__ import annotations

import base64
import datetime
import logging
import time
from typing import Any

from labtui.lambdasim.config import StreamKind, StreamMappingSpec, StreamSpec
from labtui.lambdasim.destinations import Router
from labtui.lambdasim.engine import Engine
from labtui.lambdasim.esm_stream import ShardSlot, StreamPoller
from labtui.lambdasim.state import FunctionState, Invocation
from labtui.lambdasim.streams import Shard, Stream, StreamRecord

_log = logging.getLogger(__name__)


def stream_source(account_id: str, region: str, arn: str) -> Any:
    """The moto Kinesis stream, or the moto table whose stream ``arn`` names (or None)."""
    parts = arn.split(":", 5)
    resource = parts[5] if len(parts) > 5 else ""
    if parts[2:3] == ["kinesis"]:
        from moto.kinesis.models import kinesis_backends

        name = resource.removeprefix("stream/")
        return kinesis_backends[account_id][region].streams.get(name)
    from moto.dynamodb.models import dynamodb_backends

    table_name = resource.removeprefix("table/").split("/stream/")[0]
    return dynamodb_backends[account_id][region].tables.get(table_name)


def shard_ids(source: Any) -> list[str]:
    if hasattr(source, "shards"):  # Kinesis
        return [str(shard_id) for shard_id in source.shards]
    shard = getattr(source, "stream_shard", None)
    return [str(shard.id)] if shard is not None else []


def _epoch(moment: Any) -> float:
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return float(moment.timestamp())
    return float(moment or time.time())


class MirroredStream(Stream):
    """lambdasim's stream with the moto stream's shards and records."""

    def __init__(
        self, arn: str, source: Any, engine: Engine, place: tuple[str, str], scale: float
    ) -> None:
        kind: StreamKind = "kinesis" if arn.split(":")[2] == "kinesis" else "dynamodb"
        account_id, region = place
        super().__init__(StreamSpec(arn, kind, 0), engine, region, account_id)
        self.arn = arn
        self.account_id = account_id
        self._scale = scale
        self.shards = [Shard(shard_id) for shard_id in shard_ids(source)]
        self._by_id = {shard.shard_id: shard for shard in self.shards}
        self._taken: dict[str, int] = {shard.shard_id: 0 for shard in self.shards}
        self._events: dict[tuple[str, str], dict[str, Any]] = {}

    def import_from_moto(self) -> int:
        """Take in the records put since the last look (a new shard after a reshard is not
        followed: the mapping keeps the shards it started with)."""
        source = stream_source(self.account_id, self.region, self.arn)
        if source is None:
            return 0
        added = 0
        if self.kind == "kinesis":
            for shard_id, moto_shard in list(source.shards.items()):
                if shard_id not in self._by_id:
                    continue
                records = list(moto_shard.records.values())[self._taken[shard_id] :]
                for record in records:
                    self._take_kinesis(str(shard_id), record)
                    added += 1
                self._taken[shard_id] += len(records)
        else:
            moto_shard = getattr(source, "stream_shard", None)
            if moto_shard is not None and str(moto_shard.id) in self._by_id:
                shard_id = str(moto_shard.id)
                items = list(moto_shard.items)[self._taken[shard_id] :]
                hash_key = str(getattr(source, "hash_key_attr", ""))
                for item in items:
                    self._take_dynamodb(shard_id, dict(item.record), hash_key)
                    added += 1
                self._taken[shard_id] += len(items)
        return added

    def event_record(self, record: StreamRecord, epoch_s: float) -> dict[str, Any]:
        return self._events[(record.shard_id, record.sequence_number)]

    # --- internals -------------------------------------------------------------------

    def _append(self, shard_id: str, key: str, sequence: str, created: float, data: str) -> None:
        # a record's age counts from when it reached the stream, on the scaled clock.
        engine = self._engine
        arrival = engine.now - max(0.0, time.time() - created) * self._scale
        record = StreamRecord(self._count, key, data, arrival, shard_id)
        record.sequence_number = sequence  # the stream's own, as the handler sees it
        self._count += 1
        shard = self._by_id[shard_id]
        shard.records.append(record)
        for listener in list(shard.listeners):
            listener(record)

    def _take_kinesis(self, shard_id: str, record: Any) -> None:
        sequence = str(record.sequence_number)
        data = bytes(record.data or b"")
        created = _epoch(record.created_at)
        self._events[(shard_id, sequence)] = {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": str(record.partition_key),
                "sequenceNumber": sequence,
                "data": base64.b64encode(data).decode(),
                "approximateArrivalTimestamp": created,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{sequence}",
            "eventName": "aws:kinesis:record",
            "awsRegion": self.region,
            "eventSourceARN": self.arn,
        }
        self._append(
            shard_id, str(record.partition_key), sequence, created, data.decode(errors="replace")
        )

    def _take_dynamodb(self, shard_id: str, record: dict[str, Any], hash_key: str) -> None:
        change = dict(record.get("dynamodb") or {})
        sequence = str(change.get("SequenceNumber", ""))
        created = _epoch(change.get("ApproximateCreationDateTime"))
        change["ApproximateCreationDateTime"] = float(int(created))
        self._events[(shard_id, sequence)] = {
            **record,
            "eventVersion": "1.1",
            "awsRegion": self.region,
            "dynamodb": change,
            "eventSourceARN": self.arn,
        }
        # with ParallelizationFactor > 1, order is kept per partition (hash) key.
        partition = str((change.get("Keys") or {}).get(hash_key, ""))
        self._append(shard_id, partition, sequence, created, str(change))


class LiveStreamPoller(StreamPoller):
    """A shard poller that a mapping can disable and enable, reporting its last result."""

    def __init__(
        self,
        engine: Engine,
        spec: StreamMappingSpec,
        function: FunctionState,
        stream: Stream,
        router: Router,
        results: tuple[dict[str, str], str],
        enabled: bool,
    ) -> None:
        self.enabled = enabled  # before the parent starts its shard slots
        self._results, self.uuid = results
        super().__init__(engine, spec, function, stream, router)

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if enabled:
            for lanes in self.slots.values():
                for slot in lanes:
                    self._wake(slot)

    def stop(self) -> None:
        """The mapping was deleted: stop reading its shards (a running batch finishes)."""
        self.enabled = False
        for shard in self.stream.shards:
            if self._on_record in shard.listeners:
                shard.listeners.remove(self._on_record)

    def _wake(self, slot: ShardSlot, at: float | None = None) -> None:
        if self.enabled:
            super()._wake(slot, at)

    def _done(self, inv: Invocation) -> None:
        super()._done(inv)
        ok = inv.status == "ok"
        self._results[self.uuid] = "OK" if ok else "PROBLEM: Function call failed"
