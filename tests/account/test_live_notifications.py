"""S3 and SNS notifications invoke asynchronously in the live sandbox (R-4.14, R-3).

moto fires them as one synchronous call; the sandbox queues them on the live async
engine instead, so a failing handler is retried (R-3.2) and the event ends in the
function's DLQ (R-3.6) or on-failure destination (R-3.8). 3600 simulated seconds per
real second; each run sends its event to the queue ``runs``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from labtui.account import Sandbox
from labtui.account.learner import LearnerAccount

from .conftest import TRUST, zipped

SCALE = 3600.0
WAIT_S = 60.0

CODE = """
import json
import boto3

def fail(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="runs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    raise ValueError("cannot make a thumbnail")
"""


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(work_dir=tmp_path_factory.mktemp("live-notify"), time_scale=SCALE) as running:
        yield running


@pytest.fixture
def account(fast_sandbox: Sandbox) -> LearnerAccount:
    learner = fast_sandbox.learner(f"notify-{uuid.uuid4().hex[:8]}")
    learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    for queue in ("runs", "failures", "dead-letters"):
        learner.client("sqs").create_queue(QueueName=queue)
    learner.client("lambda").create_function(
        FunctionName="thumbnailer",
        Runtime="python3.13",
        Handler="app.fail",
        Role=f"arn:aws:iam::{learner.account_id}:role/r",
        Code={"ZipFile": zipped({"app.py": CODE})},
        Timeout=30,  # a loaded test machine must not turn a slow run into a timeout
    )
    return learner


def _bodies(account: LearnerAccount, queue: str) -> list[Any]:
    return [json.loads(m["Body"]) for m in account.view().queue_messages(queue)]


def _wait_until(check: Any) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_s3_notification_is_retried_then_recorded_on_failure(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # S3 invokes asynchronously: two retries: the record.
    arn = f"arn:aws:lambda:us-east-1:{account.account_id}:function:thumbnailer"
    failures = f"arn:aws:sqs:us-east-1:{account.account_id}:failures"
    account.client("lambda").put_function_event_invoke_config(
        FunctionName="thumbnailer", DestinationConfig={"OnFailure": {"Destination": failures}}
    )
    s3 = account.client("s3")
    s3.create_bucket(Bucket=f"uploads-{account.account_id}")
    bucket = f"uploads-{account.account_id}"
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="in/my cat.jpg", Body=b"meow")
    _wait_until(lambda: _bodies(account, "failures"))
    fast_sandbox.wait_for_async(WAIT_S)
    runs = _bodies(account, "runs")
    assert len(runs) == 3  # the first attempt and two retries
    assert runs[0]["Records"][0]["s3"]["bucket"]["name"] == bucket
    [record] = _bodies(account, "failures")
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == runs[0]  # the S3 event exactly as it was sent


def test_sns_notification_goes_to_the_dead_letter_queue(
    fast_sandbox: Sandbox, account: LearnerAccount
) -> None:
    # SNS invokes asynchronously; MaximumRetryAttempts 0 and a DLQ: one attempt, then the
    # event itself in the DLQ with RequestID / ErrorCode / ErrorMessage.
    client = account.client("lambda")
    dead_letters = f"arn:aws:sqs:us-east-1:{account.account_id}:dead-letters"
    client.update_function_configuration(
        FunctionName="thumbnailer", DeadLetterConfig={"TargetArn": dead_letters}
    )
    client.put_function_event_invoke_config(FunctionName="thumbnailer", MaximumRetryAttempts=0)
    sns = account.client("sns")
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="lambda",
        Endpoint=f"arn:aws:lambda:us-east-1:{account.account_id}:function:thumbnailer",
    )
    sns.publish(TopicArn=topic, Message="new upload")
    _wait_until(lambda: account.view().queue_messages("dead-letters"))
    fast_sandbox.wait_for_async(WAIT_S)
    runs = _bodies(account, "runs")
    assert len(runs) == 1
    assert runs[0]["Records"][0]["Sns"]["Message"] == "new upload"
    [dead] = account.view().queue_messages("dead-letters")
    assert json.loads(dead["Body"]) == runs[0]
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "cannot make a thumbnail"
