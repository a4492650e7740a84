"""Engine invariants under random worlds (hypothesis)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui.lambdasim import (
    AsyncConfig,
    BehaviourModel,
    Duration,
    EngineOptions,
    FailureRule,
    FunctionSpec,
    LambdaApiError,
    Redrive,
    Simulation,
    SqsMappingSpec,
    SqsQueueSpec,
    StreamMappingSpec,
    StreamSpec,
    TraceEvent,
)

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _behaviour(fail_p: float, low: float, high: float) -> BehaviourModel:
    return BehaviourModel(
        duration=Duration("uniform", low, high),
        init_duration=Duration("uniform", 50, 400, minimum=0.0),
        failure=FailureRule("probability", fail_p),
    )


@st.composite
def async_worlds(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "seed": draw(st.integers(0, 10_000)),
        "fail_p": draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
        "reserved": draw(st.sampled_from([None, 0, 1, 3, 20])),
        "retries": draw(st.integers(0, 2)),
        "age": draw(st.sampled_from([60, 200, 3600, 21_600])),
        "dlq": draw(st.booleans()),
        "on_failure": draw(st.booleans()),
        "events": draw(st.integers(1, 40)),
        "jitter": draw(st.sampled_from([0.0, 5.0])),
        "duplicates": draw(st.sampled_from([0.0, 0.2])),
        "until": draw(st.sampled_from([None, 90.0])),
        "duration": draw(st.sampled_from([(10, 100), (500, 5000)])),
    }


def _async_sim(w: dict[str, Any]) -> Simulation:
    options = EngineOptions(retry_jitter_s=w["jitter"], duplicate_probability=w["duplicates"])
    sim = Simulation(seed=w["seed"], options=options)
    low, high = w["duration"]
    sim.add_function(
        FunctionSpec(
            "fn",
            timeout_s=10,
            reserved_concurrency=w["reserved"],
            behaviour=_behaviour(w["fail_p"], low, high),
        )
    )
    sim.put_event_invoke_config(
        "fn",
        AsyncConfig(w["retries"], w["age"], on_failure="failures" if w["on_failure"] else None),
    )
    if w["dlq"]:
        sim.set_dead_letter("fn", "dlq")
    for i in range(w["events"]):
        sim.invoke_async("fn", {"i": i}, at=i * 0.5)
    sim.run(w["until"])
    return sim


@FAST
@given(async_worlds())
def test_every_async_event_ends_in_exactly_one_state(w: dict[str, Any]) -> None:
    # success, DLQ/destination, dropped, or still in flight — never lost, never twice.
    sim = _async_sim(w)
    events = sim.async_events
    assert len(events) == w["events"]
    states = Counter(e.state for e in events)
    assert set(states) <= {"success", "failed", "dropped", "queued", "running"}
    if w["until"] is None:
        assert states["queued"] == states["running"] == 0
    failed = [e for e in events if e.state == "failed"]
    # each failed event reached every configured target exactly once
    per_request = Counter(d.request_id for d in sim.deliveries if d.kind in ("dlq", "destination"))
    targets = int(w["dlq"]) + int(w["on_failure"])
    for event in failed:
        assert per_request[event.request_id] == targets
    assert states["dropped"] == sim.summary().dropped
    if targets:
        assert states["dropped"] == 0
    for event in events:
        if event.state in ("failed", "dropped"):
            assert event.condition in ("RetriesExhausted", "EventAgeExceeded")


@FAST
@given(async_worlds())
def test_async_attempts_never_exceed_the_policy(w: dict[str, Any]) -> None:
    # at most 1 + MaximumRetryAttempts executions per event (duplicates aside);
    # reserved concurrency 0 never executes.
    sim = _async_sim(w)
    runs = Counter(e.request_id for e in sim.trace if e.kind == "invoke")
    duplicates = Counter(e.request_id for e in sim.trace if e.kind == "duplicate")
    for event in sim.async_events:
        assert event.attempts <= 1 + w["retries"]
        executed = runs[event.request_id] - duplicates[event.request_id]
        if w["until"] is None:
            assert executed == event.attempts
        else:  # a run still in flight at the end is counted but not yet traced
            assert executed <= event.attempts
        if w["reserved"] == 0:
            assert event.attempts == 0
        if event.state == "failed" and event.condition == "RetriesExhausted" and w["reserved"] != 0:
            assert event.attempts == 1 + w["retries"]


def _max_overlap(trace: list[TraceEvent], function: str) -> int:
    """Concurrent executions rebuilt from the trace alone (init + invoke intervals)."""
    starts: dict[tuple[str, int, str], float] = {}
    edges: list[tuple[float, int]] = []
    for e in trace:
        if e.function != function:
            continue
        key = (e.request_id, e.attempt, e.env_id)
        if e.kind == "init":
            starts[key] = e.time
        elif e.kind == "invoke":
            start = starts.pop(key, e.time)
            edges.append((start, 1))
            edges.append((e.time + e.duration_ms / 1000.0, -1))
    edges.sort(key=lambda edge: (edge[0], edge[1]))
    best = current = 0
    for _, step in edges:
        current += step
        best = max(best, current)
    return best


@FAST
@given(
    seed=st.integers(0, 10_000),
    reserved=st.integers(1, 30),
    provisioned=st.integers(0, 30),
    account=st.integers(150, 400),
    burst=st.integers(1, 200),
)
def test_concurrency_never_exceeds_the_applicable_limit(
    seed: int, reserved: int, provisioned: int, account: int, burst: int
) -> None:
    # reserved caps a function; the rest share account - reserved.
    # provisioned environments count within the reservation.
    sim = Simulation(seed=seed, account_concurrency=account)
    sim.add_function(
        FunctionSpec("capped", reserved_concurrency=reserved, behaviour=_behaviour(0.1, 100, 2000))
    )
    version = sim.publish_version("capped")
    if provisioned:
        try:
            sim.set_provisioned_concurrency("capped", version, provisioned)
        except LambdaApiError:
            assert provisioned > reserved
    sim.add_function(FunctionSpec("shared", behaviour=_behaviour(0.1, 100, 2000)))
    for i in range(burst):
        sim.invoke_sync("capped", qualifier=version if i % 2 else None, at=(i % 7) * 0.3)
        sim.invoke_async("shared", at=(i % 5) * 0.2)
        sim.invoke_sync("shared", at=(i % 3) * 0.1)
    sim.run()
    assert _max_overlap(sim.trace, "capped") <= reserved
    assert _max_overlap(sim.trace, "shared") <= account - reserved
    assert sim.summary().max_concurrency <= account


@FAST
@given(
    seed=st.integers(0, 10_000),
    messages=st.integers(1, 60),
    poison=st.sets(st.integers(0, 59), max_size=6),
    batch=st.integers(1, 10),
    partial=st.booleans(),
    max_receive=st.integers(1, 4),
    fifo=st.booleans(),
)
def test_no_sqs_message_is_lost(
    seed: int,
    messages: int,
    poison: set[int],
    batch: int,
    partial: bool,
    max_receive: int,
    fifo: bool,
) -> None:
    # every message is deleted after success, in the DLQ, or still queued.
    sim = Simulation(seed=seed)
    effect = "report" if partial else "raise"
    sim.add_function(
        FunctionSpec(
            "fn",
            timeout_s=5,
            behaviour=BehaviourModel(
                duration=Duration("uniform", 10, 500),
                failure=FailureRule("contains", needle="poison", effect=effect),
            ),
        )
    )  # type: ignore[arg-type]
    suffix = ".fifo" if fifo else ""
    sim.add_sqs_queue(SqsQueueSpec(f"dlq{suffix}", fifo=fifo))
    sim.add_sqs_queue(SqsQueueSpec(f"q{suffix}", 30, fifo, Redrive(f"dlq{suffix}", max_receive)))
    sim.add_sqs_mapping(
        SqsMappingSpec("fn", f"q{suffix}", batch_size=batch, report_batch_item_failures=partial)
    )
    queue = sim.queue(f"q{suffix}")
    for i in range(messages):
        queue.send("poison" if i in poison else f"m{i}", group_id=f"g{i % 3}")
    sim.run()
    dlq = sim.queue(f"dlq{suffix}").messages
    summary = sim.summary()
    assert summary.sqs_deleted + len(dlq) + len(queue.messages) == messages
    assert len(queue.messages) == 0
    poisoned = sum(1 for i in range(messages) if i in poison)
    assert sum(1 for m in dlq if m.body == "poison") == poisoned
    assert all(m.receive_count == max_receive for m in dlq)
    if partial:
        assert len(dlq) == poisoned  # only the failures return


@FAST
@given(
    seed=st.integers(0, 10_000),
    shards=st.integers(1, 3),
    records=st.integers(1, 120),
    poison=st.sets(st.integers(0, 119), max_size=4),
    batch=st.integers(1, 50),
    bisect=st.booleans(),
    retries=st.integers(0, 3),
    factor=st.integers(1, 3),
)
def test_stream_records_are_processed_in_order_once(
    seed: int,
    shards: int,
    records: int,
    poison: set[int],
    batch: int,
    bisect: bool,
    retries: int,
    factor: int,
) -> None:
    # order per shard (per key with ParallelizationFactor): each record
    # is checkpointed exactly once, as a success or in an on-failure record.
    sim = Simulation(seed=seed)
    sim.add_function(
        FunctionSpec(
            "fn",
            behaviour=BehaviourModel(
                duration=Duration("uniform", 5, 50),
                failure=FailureRule("contains", needle="poison"),
            ),
        )
    )
    sim.add_stream(StreamSpec("s", shards=shards))
    poller = sim.add_stream_mapping(
        StreamMappingSpec(
            "fn",
            "s",
            batch_size=batch,
            bisect_on_error=bisect,
            max_retries=retries,
            parallelization_factor=factor,
            on_failure="failures",
        )
    )
    sim.put_stream_records(
        "s", [(f"k{i % 5}", "poison" if i in poison else f"r{i}") for i in range(records)]
    )
    sim.run()
    processed = poller.processed_records()
    by_key: dict[str, list[int]] = defaultdict(list)
    for record in processed:
        by_key[record.partition_key].append(record.index)
    for indexes in by_key.values():
        assert indexes == sorted(indexes)
    assert len({r.index for r in processed}) == len(processed)
    skipped = sim.summary().stream_records_skipped
    assert len(processed) + skipped == records
    assert not any(r.data == "poison" for r in processed)


@FAST
@given(async_worlds())
def test_same_seed_same_trace(w: dict[str, Any]) -> None:
    first = [e.as_dict() for e in _async_sim(w).trace]
    again = [e.as_dict() for e in _async_sim(w).trace]
    assert first == again


@settings(max_examples=60, deadline=None)
@given(memory=st.integers(-100_000, 100_000), timeout=st.integers(-10, 10_000))
def test_validation_errors_use_aws_wording(memory: int, timeout: int) -> None:
    # the exact ValidationException text for every out-of-range value.
    sim = Simulation()
    expected = []
    if memory < 128:
        expected.append(
            f"Value '{memory}' at 'memorySize' failed to satisfy constraint: "
            "Member must have value greater than or equal to 128"
        )
    if memory > 10240:
        expected.append(
            f"Value '{memory}' at 'memorySize' failed to satisfy constraint: "
            "Member must have value less than or equal to 10240"
        )
    if timeout < 1:
        expected.append(
            f"Value '{timeout}' at 'timeout' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        )
    if timeout > 900:
        expected.append(
            f"Value '{timeout}' at 'timeout' failed to satisfy constraint: "
            "Member must have value less than or equal to 900"
        )
    spec = FunctionSpec("fn", memory_mb=memory, timeout_s=timeout)
    if not expected:
        sim.add_function(spec)
        return
    with pytest.raises(LambdaApiError) as error:
        sim.add_function(spec)
    noun = "error" if len(expected) == 1 else "errors"
    assert error.value.code == "ValidationException"
    assert error.value.message == (
        f"{len(expected)} validation {noun} detected: " + "; ".join(expected)
    )
