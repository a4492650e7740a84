"""Kinesis data streams and DynamoDB streams: shards of ordered records."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from labtui.lambdasim.config import StreamSpec

if TYPE_CHECKING:
    from labtui.lambdasim.engine import Engine


class StreamRecord:
    """One record in a shard; ``sequence_number`` orders it within the shard."""

    __slots__ = ("arrival", "data", "index", "partition_key", "sequence_number", "shard_id")

    def __init__(
        self, index: int, partition_key: str, data: str, arrival: float, shard_id: str
    ) -> None:
        self.index = index
        self.sequence_number = f"{index:021d}"
        self.partition_key = partition_key
        self.data = data
        self.arrival = arrival
        self.shard_id = shard_id

    def __repr__(self) -> str:
        return f"StreamRecord({self.index}, key={self.partition_key!r}, data={self.data!r})"


class Shard:
    """An append-only sequence of records; pollers listen for new ones."""

    def __init__(self, shard_id: str) -> None:
        self.shard_id = shard_id
        self.records: list[StreamRecord] = []
        self.listeners: list[Callable[[StreamRecord], None]] = []


class Stream:
    """A stream with ``spec.shards`` shards; a record's shard is fixed by its partition key."""

    def __init__(self, spec: StreamSpec, engine: Engine, region: str, account_id: str) -> None:
        self.spec = spec
        self.name = spec.name
        self.kind = spec.kind
        self._engine = engine
        self._count = 0
        self.shards = [Shard(f"shardId-{i:012d}") for i in range(spec.shards)]
        if spec.kind == "kinesis":
            self.arn = f"arn:aws:kinesis:{region}:{account_id}:stream/{spec.name}"
        else:
            self.arn = (
                f"arn:aws:dynamodb:{region}:{account_id}:table/{spec.name}/stream/"
                "2025-01-01T00:00:00.000"
            )
        self.region = region

    def shard_for(self, partition_key: str) -> Shard:
        # Kinesis maps the MD5 of the partition key onto the shards' hash key ranges.
        digest = int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")
        return self.shards[digest * len(self.shards) >> 128]

    def put(self, partition_key: str, data: str) -> StreamRecord:
        shard = self.shard_for(partition_key)
        record = StreamRecord(self._count, partition_key, data, self._engine.now, shard.shard_id)
        self._count += 1
        shard.records.append(record)
        for listener in shard.listeners:
            listener(record)
        return record

    def all_records(self) -> list[StreamRecord]:
        records = [record for shard in self.shards for record in shard.records]
        return sorted(records, key=lambda record: record.index)

    def event_record(self, record: StreamRecord, epoch_s: float) -> dict[str, Any]:
        """The record shape Lambda passes to the handler (Kinesis or DynamoDB Streams)."""
        if self.kind == "kinesis":
            return {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record.partition_key,
                    "sequenceNumber": record.sequence_number,
                    "data": base64.b64encode(record.data.encode()).decode(),
                    "approximateArrivalTimestamp": epoch_s + record.arrival,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{record.shard_id}:{record.sequence_number}",
                "eventName": "aws:kinesis:record",
                "awsRegion": self.region,
                "eventSourceARN": self.arn,
            }
        try:
            image = json.loads(record.data)
        except ValueError:
            image = {"data": {"S": record.data}}
        return {
            "eventID": f"{record.index:032x}",
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": {
                "ApproximateCreationDateTime": int(epoch_s + record.arrival),
                "Keys": {"pk": {"S": record.partition_key}},
                "NewImage": image,
                "SequenceNumber": record.sequence_number,
                "SizeBytes": len(record.data),
                "StreamViewType": "NEW_IMAGE",
            },
            "eventSourceARN": self.arn,
        }
