"""SQS event source mapping (R-4.1–R-4.7)."""

from __future__ import annotations

from typing import Any

import pytest

from labtui.lambdasim import (
    LambdaApiError,
    Redrive,
    Simulation,
    SqsMappingSpec,
    SqsQueueSpec,
)
from labtui.lambdasim.esm_sqs import failed_item_ids

from .helpers import function, model


def _world(
    behaviour: Any,
    *,
    partial: bool,
    fifo: bool = False,
    batch: int = 10,
    window: int = 0,
    max_receive: int = 3,
    reserved: int | None = None,
    max_concurrency: int | None = None,
) -> Simulation:
    sim = Simulation(seed=0)
    sim.add_function(function(timeout_s=5, behaviour=behaviour, reserved_concurrency=reserved))
    suffix = ".fifo" if fifo else ""
    sim.add_sqs_queue(SqsQueueSpec(f"dlq{suffix}", fifo=fifo))
    sim.add_sqs_queue(
        SqsQueueSpec(
            f"q{suffix}",
            visibility_timeout_s=30,
            fifo=fifo,
            redrive=Redrive(f"dlq{suffix}", max_receive),
        )
    )
    sim.add_sqs_mapping(
        SqsMappingSpec(
            "fn",
            f"q{suffix}",
            batch_size=batch,
            batching_window_s=window,
            report_batch_item_failures=partial,
            max_concurrency=max_concurrency,
        )
    )
    return sim


def _bodies(n: int, poison: int | None = None) -> list[str]:
    return ["poison" if i == poison else f"msg-{i}" for i in range(n)]


def test_worked_scenario_5_partial_batch_response() -> None:
    # 9 deleted after the first batch; the poison is received 3 times, then DLQ.
    sim = _world(model(fail="contains", needle="poison", effect="report"), partial=True)
    sim.send_sqs_messages("q", _bodies(10, poison=4))
    sim.run(until=1)
    assert sim.summary().sqs_deleted == 9
    assert [m.body for m in sim.queue("q").messages] == ["poison"]
    sim.run()
    [moved] = sim.queue("dlq").messages
    assert (moved.body, moved.receive_count) == ("poison", 3)
    assert sim.queue("q").messages == []
    assert sim.summary().invocations == 3


def test_worked_scenario_6_whole_batch_failure() -> None:
    # without partial responses all 10 return each time; after 3 receives all in the DLQ.
    sim = _world(model(fail="contains", needle="poison"), partial=False)
    sim.send_sqs_messages("q", _bodies(10, poison=4))
    sim.run()
    dlq = sim.queue("dlq").messages
    assert len(dlq) == 10 and {m.receive_count for m in dlq} == {3}
    assert sim.summary().invocations == 3
    assert sim.summary().sqs_deleted == 0


@pytest.mark.parametrize(
    "response",
    [
        [{"itemIdentifier": ""}],  # worked scenario 7: not an object at all
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"itemIdentifer": "typo"}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
        {"batchItemFailures": "everything"},
        {"batchItemFailures": ["just-a-string"]},
        "a plain string",
    ],
)
def test_malformed_partial_responses_fail_the_whole_batch(response: Any) -> None:
    # R-4.4 (scenario 7): every malformed response = the whole batch failed.
    sim = _world(model(response=response), partial=True)
    sim.send_sqs_messages("q", _bodies(10))
    sim.run(until=29)
    assert len(sim.queue("q").messages) == 10
    assert sim.summary().sqs_deleted == 0


@pytest.mark.parametrize(
    "response",
    [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, {"other": 1}],
)
def test_empty_or_null_partial_responses_mean_success(response: Any) -> None:
    sim = _world(model(response=response), partial=True)
    sim.send_sqs_messages("q", _bodies(10))
    sim.run()
    assert sim.summary().sqs_deleted == 10


def test_failed_item_ids_reports_listed_messages() -> None:
    ids = {"a", "b", "c"}
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": "b"}]}, ids) == {"b"}
    assert failed_item_ids({"batchItemFailures": [{"itemIdentifier": "z"}]}, ids) is None


def test_partial_response_ignored_without_report_batch_item_failures() -> None:
    # Without FunctionResponseTypes the response body means nothing: all deleted.
    sim = _world(model(fail="contains", needle="poison", effect="report"), partial=False)
    sim.send_sqs_messages("q", _bodies(10, poison=1))
    sim.run()
    assert sim.summary().sqs_deleted == 10


def test_batching_window_waits_for_a_full_batch() -> None:
    # with a 20 s window, 3 messages wait until the window closes.
    sim = _world(model(), partial=False, batch=100, window=20)
    sim.send_sqs_messages("q", _bodies(3))
    sim.run()
    [invoke] = [e for e in sim.trace if e.kind == "invoke"]
    assert invoke.time >= 20


def test_batch_over_ten_needs_a_window() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    sim.add_sqs_queue(SqsQueueSpec("q"))
    with pytest.raises(LambdaApiError) as error:
        sim.add_sqs_mapping(SqsMappingSpec("fn", "q", batch_size=11))
    assert error.value.code == "InvalidParameterValueException"


def test_fifo_batch_size_limit_uses_aws_wording() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    sim.add_sqs_queue(SqsQueueSpec("q.fifo", fifo=True))
    with pytest.raises(LambdaApiError) as error:
        sim.add_sqs_mapping(SqsMappingSpec("fn", "q.fifo", batch_size=11, batching_window_s=1))
    assert error.value.message == (
        "1 validation error detected: Value '11' at 'batchSize' failed to satisfy constraint: "
        "Member must have value less than or equal to 10"
    )


def test_fifo_failure_blocks_its_group_only() -> None:
    # order per group; a failing message blocks its group until it leaves to the DLQ.
    sim = _world(model(fail="contains", needle="poison"), partial=False, fifo=True, batch=1)
    queue = sim.queue("q.fifo")
    for body in ("a1", "poison", "a3"):
        queue.send(body, group_id="A")
    for body in ("b1", "b2"):
        queue.send(body, group_id="B")
    sim.run()
    handled = [e for e in sim.trace if e.kind == "invoke" and e.outcome == "success"]
    assert len(handled) == 4
    assert [m.body for m in sim.queue("dlq.fifo").messages] == ["poison"]
    # a3 runs only after the poison left group A (after 3 receives, 30 s apart).
    a3_time = max(e.time for e in handled)
    assert a3_time >= 90


def test_max_concurrency_caps_concurrent_batches() -> None:
    # ScalingConfig.MaximumConcurrency 2.
    sim = _world(model(1000), partial=False, batch=1, max_concurrency=2)
    sim.send_sqs_messages("q", _bodies(20))
    sim.run()
    assert sim.function("fn").max_concurrency == 2
    assert sim.summary().sqs_deleted == 20


def test_pollers_start_with_five_batches() -> None:
    # 5 concurrent batches at first.
    sim = _world(model(1000), partial=False, batch=1)
    sim.send_sqs_messages("q", _bodies(50))
    sim.run(until=1.0)
    assert sim.function("fn").max_concurrency == 5
    sim.run()
    # then +300 per minute (5 per second): more than 5 once the first batches finish
    assert sim.function("fn").max_concurrency > 5


def test_pollers_scale_up_by_300_per_minute() -> None:
    sim = _world(model(60_000, init_ms=0), partial=False, batch=1)
    sim.function("fn").latest.timeout_ms = 900_000
    sim.send_sqs_messages("q", _bodies(400))
    sim.run(until=30)
    # after 30 s of backlog, 5 + 150 batches may run.
    assert sim.function("fn").max_concurrency == 155


def test_throttled_batches_raise_receive_counts() -> None:
    # throttled batches stay in the queue; low reserved concurrency sends messages to the DLQ.
    sim = _world(model(40_000), partial=False, batch=1, reserved=1, max_receive=1)
    sim.function("fn").latest.timeout_ms = 900_000
    sim.send_sqs_messages("q", _bodies(3))
    sim.run()
    assert sim.summary().throttles >= 1
    assert len(sim.queue("dlq").messages) >= 1


def test_sqs_record_shape() -> None:
    seen: list[Any] = []

    class Recorder:
        def bind(self, rng: Any) -> None: ...
        def start_environment(self, env: Any) -> Any:
            from labtui.lambdasim import InitResult

            return InitResult(10)

        def invoke(self, env: Any, event: Any, context: Any) -> Any:
            from labtui.lambdasim import HandlerResult

            seen.append(event)
            return HandlerResult("ok", 5)

        def stop_environment(self, env: Any) -> None: ...

    sim = _world(Recorder(), partial=False)
    sim.send_sqs_messages("q", ["hello"])
    sim.run()
    [record] = seen[0]["Records"]
    assert record["body"] == "hello"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:q"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"


def test_filter_criteria_delete_messages_that_do_not_match() -> None:
    # non-matching messages are deleted without an invocation.
    sim = Simulation(seed=0)
    sim.add_function(function())
    sim.add_sqs_queue(SqsQueueSpec("q"))
    sim.add_sqs_mapping(
        SqsMappingSpec(
            "fn",
            "q",
            filter_patterns=({"body": {"type": ["order"], "total": [{"numeric": [">", 10]}]}},),
        )
    )
    sim.send_sqs_messages(
        "q",
        [
            '{"type": "order", "total": 50}',
            '{"type": "order", "total": 5}',
            '{"type": "refund", "total": 50}',
            "not json",
        ],
    )
    sim.run()
    assert sim.summary().sqs_filtered == 3
    assert sim.summary().sqs_deleted == 1
    assert sim.queue("q").messages == []


@pytest.mark.parametrize(
    ("pattern", "document", "expected"),
    [
        ({"a": ["x"]}, {"a": "x"}, True),
        ({"a": [{"prefix": "ord"}]}, {"a": "order"}, True),
        ({"a": [{"exists": False}]}, {}, True),
        ({"a": [{"anything-but": ["x"]}]}, {"a": "x"}, False),
        ({"a": {"b": [1]}}, {"a": {"b": 1}}, True),
        ({"a": ["x"]}, {"a": ["y", "x"]}, True),
    ],
)
def test_filter_pattern_matching(pattern: Any, document: Any, expected: bool) -> None:
    from labtui.lambdasim.filters import matches

    assert matches(pattern, document) is expected


def test_short_visibility_timeout_delivers_a_message_twice() -> None:
    # visibility timeout below the processing time: the message reappears while the
    # first invocation still runs, and a second invocation processes it again.
    sim = Simulation(seed=0)
    sim.add_function(function(timeout_s=30, behaviour=model(10_000, init_ms=0)))
    sim.add_sqs_queue(SqsQueueSpec("q", visibility_timeout_s=4))
    sim.add_sqs_mapping(SqsMappingSpec("fn", "q", batch_size=1))
    sim.send_sqs_messages("q", ["report-1"])
    sim.run()
    runs = [e for e in sim.trace if e.kind == "invoke"]
    assert len(runs) >= 2
    assert [e.attempt for e in runs][:2] == [1, 2]
    assert sim.queue("q").messages == []
