"""Kinesis and DynamoDB stream mappings in the live sandbox run on lambdasim's shard
pollers (R-4.8–R-4.13), with the learner's real handler, at 3600 simulated seconds
per real second. Each run sends the data of its batch to the queue ``runs``.
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
from labtui.account.learner import LearnerAccount
from labtui.lambdasim.report import run_scenario_file

from .conftest import TRUST, zipped

SCALE = 3600.0
WAIT_S = 90.0
SCENARIOS = Path(__file__).resolve().parents[2] / "sandbox" / "scenarios"

CODE = """
import base64
import json
import boto3

def _data(record):
    if "kinesis" in record:
        return base64.b64decode(record["kinesis"]["data"]).decode()
    return record["dynamodb"]["NewImage"]["name"]["S"]

def index(event, context):
    batch = [_data(r) for r in event["Records"]]
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="runs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(batch))
    if any("poison" in data for data in batch):
        raise ValueError("a poison record")

def report(event, context):
    batch = [_data(r) for r in event["Records"]]
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="runs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(batch))
    failed = [r["kinesis"]["sequenceNumber"] for r in event["Records"] if "poison" in _data(r)]
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}
"""


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(work_dir=tmp_path_factory.mktemp("live-streams"), time_scale=SCALE) as running:
        yield running


@pytest.fixture
def account(fast_sandbox: Sandbox) -> LearnerAccount:
    learner = fast_sandbox.learner(f"streams-{uuid.uuid4().hex[:8]}")
    learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    # Lambda checks at creation that the role may read the mapping's source.
    learner.client("iam").attach_role_policy(
        RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole")
    learner.client("iam").attach_role_policy(
        RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole")
    for queue in ("runs", "failures"):
        learner.client("sqs").create_queue(QueueName=queue)
    learner.client("lambda").create_function(
        FunctionName="index-clicks",
        Runtime="python3.13",
        Handler="app.index",
        Role=f"arn:aws:iam::{learner.account_id}:role/r",
        Code={"ZipFile": zipped({"app.py": CODE})},
        Timeout=30,  # a loaded test machine must not turn a slow run into a timeout
    )
    return learner


def _runs(account: LearnerAccount) -> list[list[str]]:
    return [json.loads(m["Body"]) for m in account.view().queue_messages("runs")]


def _failures(account: LearnerAccount) -> list[dict[str, Any]]:
    return [json.loads(m["Body"]) for m in account.view().queue_messages("failures")]


def _wait_until(check: Any) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def _shape(value: Any) -> Any:
    """The keys of a JSON document, recursively (values differ between runs)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def _enable(account: LearnerAccount, mapping: str) -> None:
    time.sleep(1.0)  # several readings of the disabled mapping: none may run
    assert _runs(account) == []
    account.client("lambda").update_event_source_mapping(UUID=mapping, Enabled=True)


def test_kinesis_poison_record_is_bisected_out_to_the_on_failure_destination(
    account: LearnerAccount,
) -> None:
    # Worked scenario 8: 100 records, record 37 always fails.
    kinesis = account.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    failures = f"arn:aws:sqs:us-east-1:{account.account_id}:failures"
    mapping = account.client("lambda").create_event_source_mapping(
        FunctionName="index-clicks",
        EventSourceArn=arn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=100,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": failures}},
        Enabled=False,
    )["UUID"]
    data = [f"click {i} poison" if i == 37 else f"click {i}" for i in range(100)]
    kinesis.put_records(
        StreamName="clicks", Records=[{"Data": d.encode(), "PartitionKey": "user"} for d in data]
    )
    _enable(account, mapping)
    _wait_until(lambda: len(_runs(account)) >= 15 and _failures(account))
    time.sleep(0.3)  # nothing more may come
    spans = [(int(b[0].split()[1]), int(b[-1].split()[1])) for b in _runs(account)]
    assert spans == [
        (0, 99), (0, 49), (0, 24), (25, 49), (25, 37), (25, 31), (32, 37),
        (32, 34), (35, 37), (35, 36), (37, 37), (37, 37), (37, 37), (38, 49), (50, 99),
    ]  # fmt: skip
    [record] = _failures(account)
    shard = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["Shards"][0]
    records = kinesis.get_records(
        ShardIterator=kinesis.get_shard_iterator(
            StreamName="clicks", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
    )["Records"]
    poison = records[37]["SequenceNumber"]
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"].endswith(":function:index-clicks")
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["KinesisBatchInfo"]
    assert (info["shardId"], info["streamArn"], info["batchSize"]) == (shard["ShardId"], arn, 1)
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == poison
    # The same settings in `labtui simulate`: the same runs and exactly this record's shape.
    report = run_scenario_file(SCENARIOS / "kinesis-bisect-poison.yaml")
    assert report.summary is not None and report.summary.invocations == len(spans)
    [simulated] = [d.payload for d in report.deliveries]
    assert _shape(record) == _shape(simulated)
    answer = account.client("lambda").get_event_source_mapping(UUID=mapping)
    assert answer["LastProcessingResult"] == "OK"  # the last batch (50-99) succeeded
    assert answer["BisectBatchOnFunctionError"] is True
    assert answer["ParallelizationFactor"] == 1


def test_dynamodb_stream_batch_retried_then_described_to_the_destination(
    account: LearnerAccount,
) -> None:
    # the whole batch is retried, the shard blocked, until MaximumRetryAttempts;
    # then a DDBStreamBatchInfo record describes it and the shard moves on.
    dynamodb = account.client("dynamodb")
    table = dynamodb.create_table(
        TableName="people",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    failures = f"arn:aws:sqs:us-east-1:{account.account_id}:failures"
    mapping = account.client("lambda").create_event_source_mapping(
        FunctionName="index-clicks",
        EventSourceArn=table["LatestStreamArn"],
        StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures}},
        Enabled=False,
    )["UUID"]
    for key, name in [("1", "ada"), ("2", "poison"), ("3", "cy")]:
        dynamodb.put_item(TableName="people", Item={"id": {"S": key}, "name": {"S": name}})
    _enable(account, mapping)
    _wait_until(lambda: _failures(account))
    dynamodb.put_item(TableName="people", Item={"id": {"S": "4"}, "name": {"S": "dee"}})
    _wait_until(lambda: len(_runs(account)) >= 3)
    assert _runs(account) == [["ada", "poison", "cy"], ["ada", "poison", "cy"], ["dee"]]
    [record] = _failures(account)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 3 and info["streamArn"] == table["LatestStreamArn"]
    assert int(info["endSequenceNumber"]) - int(info["startSequenceNumber"]) == 2


def test_kinesis_partial_batch_response_checkpoints_before_the_lowest_failure(
    account: LearnerAccount,
) -> None:
    # records 8 and 10 (sequence numbers 9 and 11: the lowest is 9, though "11"
    # sorts first as text) are reported; Lambda checkpoints 0-7 and retries from 8.
    account.client("lambda").update_function_configuration(
        FunctionName="index-clicks", Handler="app.report"
    )
    kinesis = account.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    failures = f"arn:aws:sqs:us-east-1:{account.account_id}:failures"
    mapping = account.client("lambda").create_event_source_mapping(
        FunctionName="index-clicks",
        EventSourceArn=arn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=100,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": failures}},
        Enabled=False,
    )["UUID"]
    data = [f"click {i} poison" if i in (8, 10) else f"click {i}" for i in range(12)]
    kinesis.put_records(
        StreamName="clicks", Records=[{"Data": d.encode(), "PartitionKey": "user"} for d in data]
    )
    _enable(account, mapping)
    _wait_until(lambda: _failures(account))
    spans = [(int(b[0].split()[1]), int(b[-1].split()[1])) for b in _runs(account)]
    assert spans == [(0, 11), (8, 11)]
    [record] = _failures(account)
    info = record["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == ("9", "12")
    assert info["batchSize"] == 4
