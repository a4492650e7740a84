"""Kinesis and DynamoDB Streams event source mappings (R-4.8–R-4.13)."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from labtui.lambdasim import LambdaApiError, Simulation, StreamMappingSpec, StreamSpec

from .helpers import function, model

SCENARIO_8 = [
    "0-99 error",
    "0-49 error",
    "0-24 success",
    "25-49 error",
    "25-37 error",
    "25-31 success",
    "32-37 error",
    "32-34 success",
    "35-37 error",
    "35-36 success",
    "37-37 error",
    "37-37 error",
    "37-37 error",
    "38-49 success",
    "50-99 success",
]


def _stream_world(kind: str = "kinesis", shards: int = 1, **mapping: object) -> Simulation:
    sim = Simulation(seed=0)
    sim.add_function(
        function(
            behaviour=mapping.pop("behaviour", None) or model(fail="contains", needle="poison")
        )
    )
    sim.add_stream(StreamSpec("s", kind=kind, shards=shards))  # type: ignore[arg-type]
    sim.add_stream_mapping(StreamMappingSpec("fn", "s", **mapping))  # type: ignore[arg-type]
    return sim


@pytest.mark.parametrize("kind", ["kinesis", "dynamodb"])
def test_worked_scenario_8_bisect_sequence(kind: str) -> None:
    # convention: exactly these 15 invocations; one on-failure record for record 37.
    sim = _stream_world(kind, bisect_on_error=True, max_retries=2, on_failure="failures")
    sim.put_stream_records("s", [("key", "poison" if i == 37 else f"r{i}") for i in range(100)])
    sim.run()
    poller = sim.stream_pollers[0]
    sequence = [f"{idx[0]}-{idx[-1]} {status}" for _, idx, status in poller.invocations]
    assert sequence == SCENARIO_8
    [delivery] = sim.deliveries
    info_key = "KinesisBatchInfo" if kind == "kinesis" else "DDBStreamBatchInfo"
    info = delivery.payload[info_key]
    assert info["batchSize"] == 1
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == f"{37:021d}"
    assert delivery.payload["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert delivery.payload["requestContext"]["approximateInvokeCount"] == 3
    assert len(sim.queue("failures").messages) == 1
    # every other record succeeds exactly once, in shard order, delivered 2–7 times (37: 9)
    assert [r.index for r in poller.processed_records()] == [i for i in range(100) if i != 37]
    deliveries = Counter(i for _, idx, _ in poller.invocations for i in idx)
    assert deliveries[37] == 9
    others = [deliveries[i] for i in range(100) if i != 37]
    assert (min(others), max(others)) == (2, 7)


def test_without_bisect_the_whole_batch_is_retried_then_skipped() -> None:
    sim = _stream_world(max_retries=2, on_failure="failures")
    sim.put_stream_records("s", [("k", "poison" if i == 3 else f"r{i}") for i in range(10)])
    sim.run()
    poller = sim.stream_pollers[0]
    assert [s for _, _, s in poller.invocations] == ["error"] * 3
    assert sim.deliveries[0].payload["KinesisBatchInfo"]["batchSize"] == 10
    assert sim.summary().stream_records_skipped == 10


def test_infinite_retries_block_the_shard() -> None:
    # R-4.10: -1 retries forever; nothing behind the failing batch is processed.
    sim = _stream_world(batch_size=2)
    sim.put_stream_records("s", [("k", "poison"), ("k", "r1"), ("k", "r2")])
    sim.run(until=100)
    assert sim.stream_pollers[0].processed_records() == []
    assert sim.summary().invocations > 50


def test_retries_of_one_failing_batch_back_off_up_to_the_cap() -> None:
    # EngineOptions.stream_retry_backoff_max_s (the live sandbox's pacing): 1, 2, 4, 8, 8 s
    # between retries of the same batch; without the cap every retry waits 1 s.
    from labtui.lambdasim import EngineOptions

    def times(cap: float) -> list[float]:
        sim = Simulation(seed=0, options=EngineOptions(stream_retry_delay_s=1.0,
                                                       stream_retry_backoff_max_s=cap))
        sim.add_function(function(behaviour=model(fail="contains", needle="poison")))
        sim.add_stream(StreamSpec("s", kind="kinesis", shards=1))
        sim.add_stream_mapping(StreamMappingSpec("fn", "s", max_retries=5))
        sim.put_stream_records("s", [("k", "poison")])
        sim.run()
        starts = [float(event.time) for event in sim.trace if event.kind == "invoke"]
        return [round(b - a) for a, b in pairwise(starts)]

    assert times(8.0) == [1, 2, 4, 8, 8]
    assert times(0.0) == [1, 1, 1, 1, 1]


def test_record_age_limit_skips_expired_records() -> None:
    # MaximumRecordAgeInSeconds → RecordAgeExceeded record.
    sim = _stream_world(max_record_age_s=60, on_failure="arn:aws:sns:us-east-1:1:t")
    sim.put_stream_records("s", [("k", "poison")])
    sim.run(until=200)
    conditions = [d.condition for d in sim.deliveries]
    assert conditions == ["RecordAgeExceeded"]


def test_report_batch_item_failures_checkpoints_before_lowest() -> None:
    # records before the reported sequence number are done; retry from it.
    sim = _stream_world(
        behaviour=model(fail="contains", needle="poison", effect="report"),
        report_batch_item_failures=True,
        max_retries=1,
        on_failure="failures",
    )
    sim.put_stream_records("s", [("k", "poison" if i == 5 else f"r{i}") for i in range(10)])
    sim.run()
    poller = sim.stream_pollers[0]
    batches = [(idx[0], idx[-1]) for _, idx, _ in poller.invocations]
    assert batches == [(0, 9), (5, 9)]  # first run + MaximumRetryAttempts 1
    assert [r.index for r in poller.processed_records()] == [0, 1, 2, 3, 4]
    assert sim.deliveries[0].payload["KinesisBatchInfo"]["startSequenceNumber"] == f"{5:021d}"


def test_parallelization_keeps_order_per_partition_key() -> None:
    # ParallelizationFactor 4, one shard: order kept per key, more than one lane busy.
    sim = _stream_world(behaviour=model(1000), parallelization_factor=4, batch_size=2)
    records = [(f"key-{i % 8}", f"{i}") for i in range(64)]
    sim.put_stream_records("s", records)
    sim.run()
    processed = sim.stream_pollers[0].processed_records()
    assert len(processed) == 64
    for key in {k for k, _ in records}:
        indexes = [r.index for r in processed if r.partition_key == key]
        assert indexes == sorted(indexes)
    assert sim.function("fn").max_concurrency > 1


def test_latest_skips_existing_records() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    stream = sim.add_stream(StreamSpec("s"))
    stream.put("k", "old")
    sim.add_stream_mapping(StreamMappingSpec("fn", "s", starting_position="LATEST"))
    sim.put_stream_records("s", [("k", "new")])
    sim.run()
    assert [r.data for r in sim.stream_pollers[0].processed_records()] == ["new"]


def test_stream_mapping_validation_wording() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    sim.add_stream(StreamSpec("s"))
    with pytest.raises(LambdaApiError) as error:
        sim.add_stream_mapping(StreamMappingSpec("fn", "s", parallelization_factor=11))
    assert error.value.message == (
        "1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy "
        "constraint: Member must have value less than or equal to 10"
    )
