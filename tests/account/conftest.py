from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from labtui.account import Sandbox
from labtui.account.learner import LearnerAccount

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)

HANDLERS = """
import json, os, time
import boto3

def lambda_handler(event, context):
    print("hello from", context.function_name)
    return {"message": "hello, " + str(event.get("name")),
            "memory_mb": int(context.memory_limit_in_mb),
            "remaining_ms": context.get_remaining_time_in_millis(),
            "version": context.function_version}

def boom(event, context):
    raise RuntimeError("it broke")

def slow(event, context):
    time.sleep(float(event.get("seconds", 1)))
    return "slept"

def queues(event, context):
    return boto3.client("sqs").list_queues().get("QueueUrls", [])

def big(event, context):
    return "x" * (7 * 1024 * 1024)

def copy_back(event, context):
    s3 = boto3.client("s3")
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        s3.put_object(Bucket=bucket, Key="out/" + key.replace("/", "_"), Body=b"again")
    return "copied"

def record(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="seen")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    return "ok"
"""


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(work_dir=tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture
def learner(sandbox: Sandbox) -> LearnerAccount:
    """A fresh, empty account for this test only."""
    return sandbox.learner(f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def make_function(learner: LearnerAccount) -> Callable[..., str]:
    """Create a role (once) and a function from HANDLERS; returns the function name."""
    iam = learner.client("iam")
    iam.create_role(RoleName="lab-lambda-role", AssumeRolePolicyDocument=TRUST)
    role_arn = f"arn:aws:iam::{learner.account_id}:role/lab-lambda-role"

    def create(
        name: str = "lab-hello", handler: str = "app.lambda_handler", **arguments: Any
    ) -> str:
        settings = {"Runtime": "python3.13", "Handler": handler, **arguments}
        learner.client("lambda").create_function(
            FunctionName=name,
            Role=role_arn,
            Code={"ZipFile": zipped({"app.py": HANDLERS})},
            **settings,
        )
        return name

    return create
