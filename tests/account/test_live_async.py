"""The live sandbox runs asynchronous invocations on lambdasim's timeline (R-3).

A sandbox at 3600 simulated seconds per real second: the ~60 s and ~120 s retries of
R-3.2 pass in well under a second. Each handler run sends one message to the queue
``runs`` of its own account, so the tests count real runs, not the engine's opinion.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtui.account import Sandbox
from labtui.account.engine_port import RunOnceEngine
from labtui.account.learner import LearnerAccount
from labtui.account.live_async import (
    DEFAULT_TIME_SCALE,
    TIME_SCALE_VARIABLE,
    LiveAsyncEngine,
    time_scale_from_environment,
)
from labtui.errors import LabError

from .conftest import TRUST, zipped

SCALE = 3600.0
WAIT_S = 60.0  # bounded waits; the runs themselves take a fraction of this

CODE = """
import time
import boto3

def _count(context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="runs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=context.aws_request_id)

def fail(event, context):
    _count(context)
    raise ValueError("order " + str(event.get("order")) + " is corrupt")

def succeed(event, context):
    _count(context)
    return {"accepted": event.get("order")}

def sleep(event, context):
    _count(context)
    time.sleep(30)

def wait_for_go(event, context):
    _count(context)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="go")["QueueUrl"]
    for _ in range(100):
        if sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages"):
            return "went"
        time.sleep(0.2)
    return "gave up"
"""


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(work_dir=tmp_path_factory.mktemp("live-async"), time_scale=SCALE) as running:
        yield running


@pytest.fixture
def account(fast_sandbox: Sandbox) -> LearnerAccount:
    learner = fast_sandbox.learner(f"live-{uuid.uuid4().hex[:8]}")
    learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    for queue in ("runs", "failures", "successes", "dlq"):
        learner.client("sqs").create_queue(QueueName=queue)
    return learner


def _function(account: LearnerAccount, name: str, handler: str, **settings: Any) -> str:
    account.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Handler=f"app.{handler}",
        Role=f"arn:aws:iam::{account.account_id}:role/r",
        Code={"ZipFile": zipped({"app.py": CODE})},
        **settings,
    )
    return name


def _queue_arn(account: LearnerAccount, name: str) -> str:
    return f"arn:aws:sqs:us-east-1:{account.account_id}:{name}"


def _messages(account: LearnerAccount, queue: str) -> list[dict[str, Any]]:
    return account.view().queue_messages(queue)


def _wait_for(account: LearnerAccount, queue: str, count: int) -> list[dict[str, Any]]:
    """Poll (bounded) until ``queue`` holds at least ``count`` messages."""
    deadline = time.monotonic() + WAIT_S
    messages = _messages(account, queue)
    while len(messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        messages = _messages(account, queue)
    return messages


def _invoke_event(account: LearnerAccount, name: str, event: dict[str, Any]) -> str:
    response = account.client("lambda").invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps(event).encode()
    )
    assert response["StatusCode"] == 202
    return str(response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"])


def _body(message: dict[str, Any]) -> str:
    return str(message.get("Body", message.get("body", "")))


def test_failing_event_is_retried_twice_then_recorded_on_failure(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # Worked scenario 2: defaults, always raises, OnFailure SQS.
    name = _function(account, "charge", "fail")
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={"OnFailure": {"Destination": _queue_arn(account, "failures")}},
    )
    request_id = _invoke_event(account, name, {"order": 7})
    records = _wait_for(account, "failures", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    assert len(_messages(account, "failures")) == 1
    record = json.loads(_body(records[0]))
    assert record["version"] == "1.0"
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"arn:aws:lambda:us-east-1:{account.account_id}:function:charge:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == {"order": 7}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "order 7 is corrupt"
    runs = _messages(account, "runs")
    assert [_body(m) for m in runs] == [request_id] * 3  # the handler really ran 3 times
    outcomes = account.view().async_outcomes(name)
    assert [(o.status, o.attempts) for o in outcomes] == [("error", 3)]


def test_no_retries_and_dlq_only_sends_the_event_with_three_attributes(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # Worked scenario 3: MaximumRetryAttempts 0, DLQ only.
    name = _function(
        account, "ship", "fail", DeadLetterConfig={"TargetArn": _queue_arn(account, "dlq")}
    )
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0
    )
    payload = {"order": 8, "items": ["a", "b"]}
    request_id = _invoke_event(account, name, payload)
    _wait_for(account, "dlq", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    sqs = account.client("sqs")
    url = sqs.get_queue_url(QueueName="dlq")["QueueUrl"]
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=0)
    messages = received["Messages"]
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"]) == payload
    attributes = {k: v["StringValue"] for k, v in messages[0]["MessageAttributes"].items()}
    assert attributes == {
        "RequestID": request_id,
        "ErrorCode": "200",
        "ErrorMessage": "order 8 is corrupt",
    }
    assert len(_messages(account, "runs")) == 1  # one run, no retry


def test_success_goes_to_on_success_and_runs_once(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # condition Success, the handler's result as responsePayload.
    name = _function(account, "accept", "succeed")
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={
            "OnSuccess": {"Destination": _queue_arn(account, "successes")},
            "OnFailure": {"Destination": _queue_arn(account, "failures")},
        },
    )
    request_id = _invoke_event(account, name, {"order": 9})
    records = _wait_for(account, "successes", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    record = json.loads(_body(records[0]))
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"accepted": 9}
    assert _messages(account, "failures") == []
    assert len(_messages(account, "runs")) == 1


def test_reserved_concurrency_zero_sends_the_record_without_running(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # Worked scenario 4 / R-3.5: no execution, one record straight to OnFailure.
    name = _function(account, "paused", "succeed")
    client = account.client("lambda")
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": _queue_arn(account, "failures")}},
    )
    request_id = _invoke_event(account, name, {"order": 10})
    records = _wait_for(account, "failures", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    assert len(records) == 1
    record = json.loads(_body(records[0]))
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestPayload"] == {"order": 10}
    assert _messages(account, "runs") == []
    outcomes = account.view().async_outcomes(name)
    assert [(o.status, o.attempts) for o in outcomes] == [("throttled", 0)]


def test_lambda_destination_invokes_the_target_with_the_record(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # a Lambda destination gets the invocation record as its event.
    target = _function(account, "audit", "succeed")
    name = _function(account, "source", "succeed")
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={
            "OnSuccess": {
                "Destination": f"arn:aws:lambda:us-east-1:{account.account_id}:function:{target}"
            }
        },
    )
    _invoke_event(account, name, {"order": 11})
    _wait_for(account, "runs", 2)
    fast_sandbox.wait_for_async(WAIT_S)
    outcomes = account.view().async_outcomes(target)
    assert len(outcomes) == 1
    event = json.loads(outcomes[0].payload)
    assert event["requestContext"]["condition"] == "Success"
    assert event["requestPayload"] == {"order": 11}


def test_an_alias_has_its_own_config_and_its_arn_in_the_record(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # per qualifier, R-9.2: the record names the alias and the version that ran.
    name = _function(account, "priced", "succeed")
    client = account.client("lambda")
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    client.put_function_event_invoke_config(
        FunctionName=name,
        Qualifier="live",
        DestinationConfig={"OnSuccess": {"Destination": _queue_arn(account, "successes")}},
    )
    response = client.invoke(
        FunctionName=f"{name}:live", InvocationType="Event", Payload=b'{"order": 17}'
    )
    assert response["StatusCode"] == 202
    records = _wait_for(account, "successes", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    record = json.loads(_body(records[0]))
    assert record["requestContext"]["functionArn"].endswith(f":function:{name}:live")
    assert record["responseContext"]["executedVersion"] == version


def test_attempt_logs_reach_cloudwatch(fast_sandbox: Sandbox, account: LearnerAccount) -> None:
    # Each attempt writes START/END/REPORT to /aws/lambda/<name>, as a sync invoke does.
    name = _function(account, "logged", "fail")
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=1
    )
    request_id = _invoke_event(account, name, {"order": 12})
    _wait_for(account, "runs", 2)
    fast_sandbox.wait_for_async(WAIT_S)
    starts = [line for line in account.view().log_lines(name) if line.startswith("START")]
    assert len(starts) == 2 and all(request_id in line for line in starts)


def test_other_accounts_see_nothing(fast_sandbox: Sandbox, account: LearnerAccount) -> None:
    # Isolation: a destination ARN of another account is refused, not written anywhere.
    other = fast_sandbox.learner(f"other-{uuid.uuid4().hex[:8]}")
    other.client("sqs").create_queue(QueueName="failures")
    name = _function(account, "nosy", "fail")
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": _queue_arn(other, "failures")}},
    )
    _invoke_event(account, name, {"order": 13})
    _wait_for(account, "runs", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    assert other.view().queue_messages("failures") == []
    assert account.view().queue_messages("failures") == []


def test_dlq_and_on_failure_both_receive(fast_sandbox: Sandbox, account: LearnerAccount) -> None:
    # the DLQ gets the bare event, the OnFailure destination the record.
    name = _function(
        account, "both", "fail", DeadLetterConfig={"TargetArn": _queue_arn(account, "dlq")}
    )
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": _queue_arn(account, "failures")}},
    )
    _invoke_event(account, name, {"order": 14})
    dead = _wait_for(account, "dlq", 1)
    records = _wait_for(account, "failures", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    assert json.loads(_body(dead[0])) == {"order": 14}
    record = json.loads(_body(records[0]))
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert len(_messages(account, "runs")) == 2


def test_sns_dead_letter_and_eventbridge_destination(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # with an SNS topic; with an EventBridge bus (a rule forwards both to SQS).
    topic = account.client("sns").create_topic(Name="dead")["TopicArn"]
    account.client("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(account, "dlq")
    )
    events = account.client("events")
    bus = events.create_event_bus(Name="results")["EventBusArn"]
    events.put_rule(
        Name="all", EventBusName="results", EventPattern=json.dumps({"source": ["lambda"]})
    )
    events.put_targets(
        Rule="all",
        EventBusName="results",
        Targets=[{"Id": "q", "Arn": _queue_arn(account, "failures")}],
    )
    name = _function(account, "fanout", "fail", DeadLetterConfig={"TargetArn": topic})
    account.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": bus}},
    )
    _invoke_event(account, name, {"order": 15})
    dead = _wait_for(account, "dlq", 1)
    routed = _wait_for(account, "failures", 1)
    fast_sandbox.wait_for_async(WAIT_S)
    assert json.loads(json.loads(_body(dead[0]))["Message"]) == {"order": 15}
    event = json.loads(_body(routed[0]))
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"


def test_a_reset_account_forgets_its_pending_retries(tmp_path: Path) -> None:
    # At scale 20 the first retry comes ~3 s after the first run: time to rewind first.
    with Sandbox(work_dir=tmp_path, time_scale=20.0) as slow:
        learner = slow.learner(f"rewind-{uuid.uuid4().hex[:8]}")

        def prepare() -> None:
            learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
            for queue in ("runs", "failures"):
                learner.client("sqs").create_queue(QueueName=queue)

        prepare()
        name = _function(learner, "retried", "fail")
        learner.client("lambda").put_function_event_invoke_config(
            FunctionName=name,
            DestinationConfig={"OnFailure": {"Destination": _queue_arn(learner, "failures")}},
        )
        _invoke_event(learner, name, {"order": 16})
        assert len(_wait_for(learner, "runs", 1)) == 1
        learner.reset()  # empty again: the event belongs to a rewound past
        prepare()
        slow.wait_for_async(WAIT_S)
        time.sleep(4.0)  # past the first retry's due time (60 simulated s = 3 real s)
        assert _messages(learner, "runs") == []
        assert _messages(learner, "failures") == []
        assert learner.view().async_outcomes() == []


def test_a_blocked_handler_never_holds_up_another_account(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # One learner's handler waits for a signal, with a second event queued behind it; a
    # second learner's event still runs to its destination meanwhile.
    account.client("sqs").create_queue(QueueName="go")
    blocked = _function(account, "blocked", "wait_for_go", Timeout=60)
    _invoke_event(account, blocked, {"order": 18})
    assert len(_wait_for(account, "runs", 1)) == 1  # the first event is now running
    _invoke_event(account, blocked, {"order": 19})
    other = fast_sandbox.learner(f"other-{uuid.uuid4().hex[:8]}")
    other.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    for queue in ("runs", "successes"):
        other.client("sqs").create_queue(QueueName=queue)
    name = _function(other, "free", "succeed")
    other.client("lambda").put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": _queue_arn(other, "successes")}},
    )
    _invoke_event(other, name, {"order": 20})
    records = _wait_for(other, "successes", 1)
    still_blocked = len(_messages(account, "runs"))
    go = account.client("sqs").get_queue_url(QueueName="go")["QueueUrl"]
    account.client("sqs").send_message(QueueUrl=go, MessageBody="go")
    account.client("sqs").send_message(QueueUrl=go, MessageBody="go")
    fast_sandbox.wait_for_async(WAIT_S)
    assert len(records) == 1 and still_blocked == 1


def test_time_scale_comes_from_the_argument_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(TIME_SCALE_VARIABLE, raising=False)
    assert time_scale_from_environment() == DEFAULT_TIME_SCALE == 60.0
    monkeypatch.setenv(TIME_SCALE_VARIABLE, "120")
    assert time_scale_from_environment() == 120.0
    assert time_scale_from_environment(5.0) == 5.0
    monkeypatch.setenv(TIME_SCALE_VARIABLE, "fast")
    with pytest.raises(LabError, match=TIME_SCALE_VARIABLE):
        time_scale_from_environment()
    with pytest.raises(LabError, match="positive"):
        time_scale_from_environment(0.0)


def test_the_default_engine_is_live_and_run_once_stays_available(tmp_path: Path) -> None:
    with Sandbox(work_dir=tmp_path / "a", time_scale=SCALE) as live:
        assert isinstance(live.engine, LiveAsyncEngine) and live.engine.time_scale == SCALE
    with Sandbox(work_dir=tmp_path / "b", async_engine=RunOnceEngine) as once:
        assert isinstance(once.engine, RunOnceEngine)


def test_a_failing_stream_batch_is_retried_at_most_once_a_real_second_once_backed_off(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # With the defaults (retry forever) a poison record re-ran the handler as fast as it
    # could, ~200 times a real second at 60x, and its logs grew the process by ~9 MB/s.
    world = fast_sandbox.engine.world(account.account_id, "us-east-1")
    options = world.live.simulation.engine.options
    assert options.stream_retry_delay_s == 1.0
    assert options.stream_retry_backoff_max_s == SCALE  # simulated seconds in one real second


def test_stopping_with_events_in_flight_runs_no_attempt_after(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Ctrl-C on `labtui sandbox serve` (or quitting the lab) while an asynchronous handler
    # runs and another event waits: the running handler is ended, and nothing more runs
    # against a sandbox that is going away. The waiting event (and the retry of the ended
    # one) used to run once the handler was killed, each logging a traceback ("the sandbox
    # is not running", or its code directory gone).
    sandbox = Sandbox(work_dir=tmp_path / "stopping", time_scale=SCALE).start()
    try:
        learner = sandbox.learner("stopping")
        learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        learner.client("sqs").create_queue(QueueName="runs")
        _function(learner, "sleeper", "sleep", Timeout=60)
        for _ in range(2):
            learner.client("lambda").invoke(FunctionName="sleeper", InvocationType="Event")
        _wait_for(learner, "runs", 1)  # the first handler runs (for 30 s), the second waits
    finally:
        sandbox.stop()
    assert sandbox.pool is not None and sandbox.pool.busy_count() == 0
    assert not [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(_messages(learner, "runs")) == 1
