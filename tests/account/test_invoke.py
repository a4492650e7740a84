"""Invoke through the gateway: the AWS response surface (R-2, R-6.5)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labtui.account import Sandbox
from labtui.account.learner import LearnerAccount

from .conftest import HANDLERS, TRUST, zipped

NO_RETRIES = Config(retries={"total_max_attempts": 1})  # botocore retries 429 by default


def test_sync_invoke_returns_the_handlers_result(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    make_function(MemorySize=128, Timeout=5)
    response = learner.client("lambda").invoke(
        FunctionName="lab-hello", Payload=b'{"name": "Vinod"}', LogType="Tail"
    )
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    body = json.loads(response["Payload"].read())
    assert body["message"] == "hello, Vinod" and body["memory_mb"] == 128
    assert 0 < body["remaining_ms"] < 5000
    log = base64.b64decode(response["LogResult"]).decode()
    assert "START RequestId: " in log and "hello from lab-hello" in log
    assert "END RequestId: " in log and "REPORT RequestId: " in log
    assert "Init Duration: " in log


def test_function_error_is_200_with_unhandled(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function("broken", handler="app.boom")
    response = learner.client("lambda").invoke(FunctionName="broken", Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "RuntimeError" and body["errorMessage"] == "it broke"
    assert body["stackTrace"] and body["requestId"]


def test_timeout_answers_task_timed_out(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function("sleepy", handler="app.slow", Timeout=1)
    response = learner.client("lambda").invoke(FunctionName="sleepy", Payload=b'{"seconds": 5}')
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]


def test_event_invoke_is_202_and_runs_once(
    sandbox: Sandbox, learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # R-2.3 (until lambdasim takes asynchronous invocations over: one attempt, recorded)
    make_function()
    response = learner.client("lambda").invoke(
        FunctionName="lab-hello", InvocationType="Event", Payload=b'{"name": "async"}'
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    sandbox.wait_for_async()
    outcomes = learner.view().async_outcomes("lab-hello")
    assert len(outcomes) == 1 and outcomes[0].status == "success"
    assert json.loads(outcomes[0].response)["message"] == "hello, async"


def test_dry_run_is_204(learner: LearnerAccount, make_function: Callable[..., str]) -> None:
    make_function()
    response = learner.client("lambda").invoke(FunctionName="lab-hello", InvocationType="DryRun")
    assert response["StatusCode"] == 204


def test_reserved_zero_throttles_with_reason(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function()
    client = learner.client("lambda", config=NO_RETRIES)
    client.put_function_concurrency(FunctionName="lab-hello", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as throttled:
        client.invoke(FunctionName="lab-hello", Payload=b"{}")
    error = throttled.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_reserved_one_throttles_the_second_concurrent_call(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    make_function("single", handler="app.slow", Timeout=10)
    client = learner.client("lambda")
    client.put_function_concurrency(FunctionName="single", ReservedConcurrentExecutions=1)
    client.invoke(FunctionName="single", Payload=b'{"seconds": 0}')  # warm it up
    first = threading.Thread(
        target=lambda: client.invoke(FunctionName="single", Payload=b'{"seconds": 4}')
    )
    other = learner.client("lambda", config=NO_RETRIES)
    arn = f"arn:aws:lambda:us-east-1:{learner.account_id}:function:single"
    first.start()
    try:
        for _ in range(200):  # wait until the first call is in flight
            if learner.sandbox.pool is not None and learner.sandbox.pool.busy_count(arn):
                break
            threading.Event().wait(0.02)
        with pytest.raises(ClientError) as throttled:
            other.invoke(FunctionName="single", Payload=b'{"seconds": 0}')
    finally:
        first.join()
    assert throttled.value.response["Error"]["Code"] == "TooManyRequestsException"


def test_payload_limits_and_bad_json(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function()
    make_function("huge", handler="app.big", MemorySize=512)
    client = learner.client("lambda")
    with pytest.raises(ClientError) as too_big:
        client.invoke(
            FunctionName="lab-hello",
            InvocationType="Event",
            Payload=json.dumps({"x": "y" * 1_100_000}).encode(),
        )
    assert too_big.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    with pytest.raises(ClientError) as not_json:
        client.invoke(FunctionName="lab-hello", Payload=b"{not json")
    assert not_json.value.response["Error"]["Code"] == "InvalidRequestContentException"
    response = client.invoke(FunctionName="huge", Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "Function.ResponseSizeTooLarge"


def test_unknown_function_is_not_found(learner: LearnerAccount) -> None:
    with pytest.raises(ClientError) as missing:
        learner.client("lambda").invoke(FunctionName="nope", Payload=b"{}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert "function:nope" in missing.value.response["Error"]["Message"]


def test_versions_aliases_and_weights(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # an alias runs its version; a weight of 1.0 sends every call to the other.
    make_function(MemorySize=128, Timeout=5)
    client = learner.client("lambda")
    first = client.publish_version(FunctionName="lab-hello")["Version"]
    client.update_function_configuration(FunctionName="lab-hello", MemorySize=512, Timeout=10)
    second = client.publish_version(FunctionName="lab-hello")["Version"]
    client.create_alias(FunctionName="lab-hello", Name="prod", FunctionVersion=second)
    client.create_alias(
        FunctionName="lab-hello",
        Name="canary",
        FunctionVersion=first,
        RoutingConfig={"AdditionalVersionWeights": {second: 1.0}},
    )
    prod = client.invoke(FunctionName="lab-hello", Qualifier="prod", Payload=b'{"name": "V"}')
    body = json.loads(prod["Payload"].read())
    assert prod["ExecutedVersion"] == second
    assert body["memory_mb"] == 512 and 5000 < body["remaining_ms"] < 10000
    assert body["version"] == second
    old = json.loads(
        client.invoke(FunctionName=f"lab-hello:{first}", Payload=b"{}")["Payload"].read()
    )
    assert old["memory_mb"] == 128
    canary = client.invoke(FunctionName="lab-hello", Qualifier="canary", Payload=b"{}")
    assert canary["ExecutedVersion"] == second


def test_moto_triggers_run_the_real_handler(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # An SQS event source mapping (lambdasim's pollers, live_esm.py) runs the code.
    make_function("recorder", handler="app.record", Timeout=10)
    # Lambda checks at creation that the execution role may read the queue.
    learner.client("iam").attach_role_policy(
        RoleName="lab-lambda-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    )
    sqs = learner.client("sqs")
    source = sqs.create_queue(QueueName="work")["QueueUrl"]
    sqs.create_queue(QueueName="seen")
    arn = f"arn:aws:sqs:us-east-1:{learner.account_id}:work"
    learner.client("lambda").create_event_source_mapping(
        FunctionName="recorder", EventSourceArn=arn, BatchSize=1
    )
    sqs.send_message(QueueUrl=source, MessageBody="order-1")
    deadline = time.monotonic() + 60  # the pollers run beside the request, not inside it
    while not learner.view().queue_messages("seen") and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = learner.view().queue_messages("seen")
    assert len(seen) == 1
    assert json.loads(seen[0]["Body"])["Records"][0]["body"] == "order-1"


def test_invocation_logs_go_to_cloudwatch_logs(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # R-6.5: /aws/lambda/<name>, START/END/REPORT lines readable with the logs API.
    make_function()
    learner.client("lambda").invoke(FunctionName="lab-hello", Payload=b'{"name": "x"}')
    logs = learner.client("logs")
    events = logs.filter_log_events(logGroupName="/aws/lambda/lab-hello")["events"]
    messages = [event["message"] for event in events]
    assert any(m.startswith("START RequestId: ") for m in messages)
    assert "hello from lab-hello" in messages
    assert any(m.startswith("REPORT RequestId: ") and "Init Duration" in m for m in messages)


def test_s3_notification_runs_the_handler_and_a_loop_is_stopped(
    learner: LearnerAccount, make_function: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # output into the triggering bucket loops; stops the chain.
    from labtui import facts

    monkeypatch.setattr(facts, "RECURSION_LIMIT", 3)  # keep the test to a few processes
    make_function("looper", handler="app.copy_back", Timeout=30)
    s3 = learner.client("s3")
    s3.create_bucket(Bucket="uploads-bucket")
    arn = f"arn:aws:lambda:us-east-1:{learner.account_id}:function:looper"
    s3.put_bucket_notification_configuration(
        Bucket="uploads-bucket",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    s3.put_object(Bucket="uploads-bucket", Key="cat.jpg", Body=b"meow")
    learner.sandbox.wait_for_async(60)  # S3 invokes asynchronously
    keys = learner.view().object_keys("uploads-bucket")
    assert keys[0] == "cat.jpg"
    assert len(keys) == 1 + 3  # the upload, then three runs before the loop was cut


def test_layers_are_importable_like_opt_python(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    make_function()  # creates lab-lambda-role
    # curriculum layer-share: a layer's python/ directory is on sys.path.
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/common_utils.py", "def greet(name):\n    return 'hi ' + name\n")
    client = learner.client("lambda")
    layer = client.publish_layer_version(
        LayerName="common-utils",
        Content={"ZipFile": buffer.getvalue()},
        CompatibleRuntimes=["python3.13"],
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr(
            "app.py",
            "from common_utils import greet\n"
            "def handler(event, context):\n    return greet(event['name'])\n",
        )
    client.create_function(
        FunctionName="uses-layer",
        Runtime="python3.13",
        Handler="app.handler",
        Role=f"arn:aws:iam::{learner.account_id}:role/lab-lambda-role",
        Code={"ZipFile": code.getvalue()},
        Layers=[layer["LayerVersionArn"]],
    )
    response = client.invoke(FunctionName="uses-layer", Payload=b'{"name": "Mei"}')
    assert json.loads(response["Payload"].read()) == "hi Mei"


def test_async_invocations_go_to_a_pluggable_engine(tmp_path: Path) -> None:
    # The narrow interface lambdasim will implement (design.md §4-5).
    from labtui.account.engine_port import AsyncInvocation

    received: list[AsyncInvocation] = []

    class RecordingEngine:
        def __init__(self, extras: object) -> None:
            pass

        def submit(self, invocation: AsyncInvocation) -> None:
            received.append(invocation)

        def shutdown(self) -> None:
            pass

    with Sandbox(work_dir=tmp_path, async_engine=RecordingEngine) as own:
        learner = own.learner("engine")
        learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        client = learner.client("lambda")
        client.create_function(
            FunctionName="f",
            Runtime="python3.13",
            Handler="app.lambda_handler",
            Role=f"arn:aws:iam::{learner.account_id}:role/r",
            Code={"ZipFile": zipped({"app.py": HANDLERS})},
            DeadLetterConfig={"TargetArn": f"arn:aws:sqs:us-east-1:{learner.account_id}:dlq"},
        )
        client.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=1)
        response = client.invoke(
            FunctionName="f", InvocationType="Event", Payload=b'{"name": "later"}'
        )
        assert response["StatusCode"] == 202
        assert len(received) == 1
        invocation = received[0]
        assert invocation.payload == b'{"name": "later"}'
        assert invocation.event_invoke_config is not None
        assert invocation.event_invoke_config["MaximumRetryAttempts"] == 1
        assert invocation.dead_letter_target is not None
        assert invocation.dead_letter_target.endswith(":dlq")
        result = invocation.run()  # the engine decides when; the learner's code runs
        assert result.json()["message"] == "hello, later"


def test_non_python_runtimes_say_so(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    make_function("node", Runtime="nodejs20.x", Handler="index.handler")
    response = learner.client("lambda").invoke(FunctionName="node", Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Runtime.Unsupported"
    assert "Python handlers only" in body["errorMessage"]


def test_view_reads_code_and_log_lines(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    make_function()
    view = learner.view()
    assert "def lambda_handler" in view.code_files("lab-hello")["app.py"]
    assert view.code_files("missing") == {} and view.log_lines("missing") == []
    learner.invoke("lab-hello", {"name": "logs"})
    lines = view.log_lines("lab-hello")
    assert lines[0].startswith("INIT_START") or lines[0].startswith("START")
    assert any(line.startswith("REPORT RequestId:") for line in lines)
