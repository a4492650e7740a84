"""Asynchronous invocation: retries, age, DLQ, destinations (R-3)."""

from __future__ import annotations

import pytest

from labtui.lambdasim import AsyncConfig, EngineOptions, Fault, LambdaApiError, Simulation

from .helpers import function, model

FAILURES_ARN = "arn:aws:sqs:us-east-1:123456789012:failures"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:fn-dlq"


def _attempt_times(sim: Simulation) -> list[float]:
    return [round(e.time) for e in sim.trace if e.kind == "invoke"]


def test_worked_scenario_2_retries_then_one_record() -> None:
    # attempts at ~0, ~60 s, ~180 s: RetriesExhausted, approximateInvokeCount 3.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    sim.put_event_invoke_config("fn", AsyncConfig(on_failure=FAILURES_ARN))
    event = sim.invoke_async("fn", {"order": 42})
    sim.run()
    assert _attempt_times(sim) == [0, 60, 180]
    assert (event.state, event.condition, event.attempts) == ("failed", "RetriesExhausted", 3)
    [message] = sim.queue("failures").messages
    [delivery] = sim.deliveries
    record = delivery.payload
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": event.request_id,
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == {"order": 42}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "Exception"
    assert '"condition": "RetriesExhausted"' in message.body


def test_worked_scenario_3_dlq_only_no_retries() -> None:
    # one attempt; DLQ body = event, attributes RequestID / ErrorCode / ErrorMessage.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    sim.put_event_invoke_config("fn", AsyncConfig(max_retries=0))
    sim.set_dead_letter("fn", DLQ_ARN)
    event = sim.invoke_async("fn", {"order": 7})
    sim.run()
    assert _attempt_times(sim) == [0]
    [message] = sim.queue("fn-dlq").messages
    assert message.body == '{"order": 7}'
    assert message.message_attributes == {
        "RequestID": event.request_id,
        "ErrorCode": "200",
        "ErrorMessage": "simulated failure",
    }
    assert event.state == "failed"


def test_worked_scenario_4_reserved_zero_goes_straight_to_failure() -> None:
    # no execution; one record.
    sim = Simulation(seed=0)
    sim.add_function(function(reserved_concurrency=0))
    sim.put_event_invoke_config("fn", AsyncConfig(max_event_age_s=60, on_failure=FAILURES_ARN))
    event = sim.invoke_async("fn", {"x": 1})
    sim.run()
    assert sim.summary().invocations == 0
    [delivery] = sim.deliveries
    assert delivery.payload["requestContext"]["approximateInvokeCount"] == 0
    assert delivery.time == 0
    assert event.state == "failed"


def test_dlq_and_destination_both_receive() -> None:
    # the DLQ gets the bare payload, the destination the record.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    sim.put_event_invoke_config("fn", AsyncConfig(max_retries=1, on_failure=FAILURES_ARN))
    sim.set_dead_letter("fn", DLQ_ARN)
    sim.invoke_async("fn", {"a": 1})
    sim.run()
    assert sorted(d.kind for d in sim.deliveries) == ["destination", "dlq"]
    assert sim.queue("fn-dlq").messages[0].body == '{"a": 1}'
    assert len(sim.queue("failures").messages) == 1


def test_on_success_record() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(response={"ok": True})))
    sim.put_event_invoke_config("fn", AsyncConfig(on_success="arn:aws:sns:us-east-1:1:topic"))
    sim.invoke_async("fn", {"a": 1})
    sim.run()
    [delivery] = sim.deliveries
    assert delivery.payload["requestContext"]["condition"] == "Success"
    assert delivery.payload["responsePayload"] == {"ok": True}
    assert "functionError" not in delivery.payload["responseContext"]


def test_nothing_configured_drops_silently() -> None:
    #
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    event = sim.invoke_async("fn")
    sim.run()
    assert (event.state, sim.summary().dropped, sim.deliveries) == ("dropped", 1, [])


def test_retry_that_would_outlive_event_age_expires() -> None:
    # with max age 100 s the second retry (at ~180 s) never happens.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    sim.put_event_invoke_config("fn", AsyncConfig(max_event_age_s=100, on_failure=FAILURES_ARN))
    event = sim.invoke_async("fn")
    sim.run()
    assert _attempt_times(sim) == [0, 60]
    assert event.condition == "EventAgeExceeded"
    assert sim.deliveries[0].payload["requestContext"]["approximateInvokeCount"] == 2


def test_throttles_back_off_exponentially_until_age() -> None:
    # 1 s doubling up to 300 s; throttles do not use up MaximumRetryAttempts.
    sim = Simulation(seed=0)
    sim.add_function(
        function(reserved_concurrency=1, timeout_s=30, behaviour=model(10_000, init_ms=0))
    )
    sim.put_event_invoke_config("fn", AsyncConfig(max_event_age_s=3600))
    sim.invoke_sync("fn", at=0)  # holds the only environment for 10 s
    event = sim.invoke_async("fn", at=0)
    sim.run()
    delays = [e.duration_ms / 1000 for e in sim.trace if e.kind == "retry"]
    assert delays == [1, 2, 4, 8]
    assert event.state == "success" and event.attempts == 1


def test_system_errors_are_retried_like_throttles() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    sim.add_fault("fn", Fault(0, 5, "system_error"))
    event = sim.invoke_async("fn")
    sim.run()
    assert event.state == "success"
    assert sim.summary().system_errors == 3  # at 0, 1, 3; success at 7


def test_duplicates_are_extra_runs_of_successful_events() -> None:
    # at-least-once delivery.
    sim = Simulation(seed=3, options=EngineOptions(duplicate_probability=1.0))
    sim.add_function(function())
    event = sim.invoke_async("fn")
    sim.run()
    assert sim.summary().duplicates == 1
    assert sim.summary().invocations == 2
    assert event.state == "success"


def test_destination_lambda_receives_the_record() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function("worker", behaviour=model(fail="always")))
    sim.add_function(function("auditor"))
    sim.put_event_invoke_config(
        "worker",
        AsyncConfig(
            max_retries=0, on_failure="arn:aws:lambda:us-east-1:123456789012:function:auditor"
        ),
    )
    sim.invoke_async("worker", {"k": 1})
    sim.run()
    audit = [e for e in sim.async_events if e.function == "auditor"]
    assert len(audit) == 1 and audit[0].payload["requestPayload"] == {"k": 1}


@pytest.mark.parametrize(
    ("retries", "age", "message"),
    [
        (
            3,
            60,
            "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: "
            "Member must have value less than or equal to 2",
        ),
        (
            2,
            59,
            "Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to 60",
        ),
        (
            2,
            21601,
            "Value '21601' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to 21600",
        ),
    ],
)
def test_async_config_validation_wording(retries: int, age: int, message: str) -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    with pytest.raises(LambdaApiError) as error:
        sim.put_event_invoke_config("fn", AsyncConfig(max_retries=retries, max_event_age_s=age))
    assert error.value.message == f"1 validation error detected: {message}"


def test_fifo_destination_is_a_delivery_failure() -> None:
    # FIFO queues are not supported destinations: DestinationDeliveryFailures.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    sim.put_event_invoke_config("fn", AsyncConfig(max_retries=0, on_failure="failures.fifo"))
    sim.invoke_async("fn")
    sim.run()
    assert sim.summary().delivery_failures == 1
    assert sim.deliveries == []


def test_destination_loop_is_stopped_after_16_hops() -> None:
    # a function whose OnSuccess destination is itself would loop forever.
    sim = Simulation(seed=0)
    sim.add_function(function("echo"))
    sim.put_event_invoke_config(
        "echo", AsyncConfig(on_success="arn:aws:lambda:us-east-1:123456789012:function:echo")
    )
    sim.invoke_async("echo", {"n": 0})
    assert sim.run(max_events=10_000)
    assert sim.summary().recursion_stopped == 1
    assert sim.summary().invocations == 16
