"""SQS event source mappings in the live sandbox run on lambdasim's pollers (R-4.1–R-4.7).

A sandbox at 3600 simulated seconds per real second: a 30 s visibility timeout passes
in under 10 ms. Each handler run sends one message to the queue ``runs`` of its own
account naming the message ids of its batch, so the tests count real runs of the
learner's code, and read the queues with the real aws CLI and boto3.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtui.account import Sandbox
from labtui.account.aws_access import cli_command, process_environment, sandbox_environment
from labtui.account.learner import LearnerAccount
from labtui.lambdasim.report import run_scenario_file

from .conftest import TRUST, zipped

SCALE = 3600.0
WAIT_S = 60.0  # bounded waits; the runs themselves take a fraction of this
SCENARIOS = Path(__file__).resolve().parents[2] / "sandbox" / "scenarios"

CODE = """
import json
import boto3

def _count(event):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="runs")["QueueUrl"]
    ids = [record["body"] for record in event["Records"]]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(ids))

def report(event, context):
    _count(event)
    failed = [r["messageId"] for r in event["Records"] if "poison" in r["body"]]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}

def wait_for_go(event, context):
    _count(event)
    import time
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="go")["QueueUrl"]
    for _ in range(250):
        if sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages"):
            return None
        time.sleep(0.2)
    raise TimeoutError("no go")

def slow(event, context):
    _count(event)
    import time
    time.sleep(1.5)

def delete_myself(event, context):
    _count(event)
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="work")["QueueUrl"]
    for record in event["Records"]:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=record["receiptHandle"])
    raise ValueError("failed after deleting")

def whole(event, context):
    _count(event)
    if any("poison" in r["body"] for r in event["Records"]):
        raise ValueError("poison in the batch")
    return None
"""


@pytest.fixture(scope="module")
def fast_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(work_dir=tmp_path_factory.mktemp("live-esm"), time_scale=SCALE) as running:
        yield running


@pytest.fixture
def account(fast_sandbox: Sandbox) -> LearnerAccount:
    learner = fast_sandbox.learner(f"esm-{uuid.uuid4().hex[:8]}")
    learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    # Lambda checks at creation that the role may read the mapping's source.
    learner.client("iam").attach_role_policy(
        RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
    learner.client("sqs").create_queue(QueueName="runs")
    return learner


def _aws(account: LearnerAccount, tmp_path: Path, *arguments: str) -> Any:
    """The real AWS CLI against the sandbox, as the learner; its JSON answer."""
    environment = process_environment(sandbox_environment(account.target(), tmp_path / "aws"))
    done = subprocess.run(
        cli_command([*arguments, "--output", "json"], account.target()),
        env=environment,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def _function(account: LearnerAccount, name: str, handler: str, timeout: int = 30) -> None:
    """A function of CODE; the timeout is long enough for a loaded test machine."""
    account.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Handler=f"app.{handler}",
        Role=f"arn:aws:iam::{account.account_id}:role/r",
        Code={"ZipFile": zipped({"app.py": CODE})},
        Timeout=timeout,
    )


def _queues(account: LearnerAccount, name: str, max_receive_count: int = 3) -> str:
    """``name`` (visibility timeout 30 s) with ``name-dlq`` as its DLQ; returns its URL."""
    sqs = account.client("sqs")
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
    policy = {
        "deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"],
        "maxReceiveCount": str(max_receive_count),
    }
    attributes = {"VisibilityTimeout": "30", "RedrivePolicy": json.dumps(policy)}
    return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])


def _runs(account: LearnerAccount) -> list[list[str]]:
    return [json.loads(m["Body"]) for m in account.view().queue_messages("runs")]


def _wait_until(check: Any) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def _counts(account: LearnerAccount, queue: str) -> tuple[int, int]:
    """(ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible) from SQS."""
    sqs = account.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(found[names[0]]), int(found[names[1]])


def _send_ten_with_poison(account: LearnerAccount, url: str) -> None:
    # The scenario's traffic: "order 0".."order 9", message 4 is poison.
    entries = [
        {"Id": str(i), "MessageBody": f"order {i} poison" if i == 4 else f"order {i}"}
        for i in range(10)
    ]
    account.client("sqs").send_message_batch(QueueUrl=url, Entries=entries)


def _map_disabled_then_enable(
    account: LearnerAccount, tmp_path: Path, function: str, url: str, *extra: str
) -> str:
    """Map the queue disabled, send the ten messages, enable: the first batch holds all
    ten, as in the scenario where they are sent at once."""
    arn = account.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    created = _aws(
        account,
        tmp_path,
        "lambda",
        "create-event-source-mapping",
        "--function-name",
        function,
        "--event-source-arn",
        arn["Attributes"]["QueueArn"],
        "--batch-size",
        "10",
        "--no-enabled",
        *extra,
    )
    _send_ten_with_poison(account, url)
    time.sleep(5 * 0.25)  # several rounds of the pollers' reading: a disabled mapping reads none
    assert _runs(account) == []
    assert _counts(account, url.rsplit("/", 1)[-1]) == (10, 0)
    _aws(
        account,
        tmp_path,
        "lambda",
        "update-event-source-mapping",
        "--uuid",
        created["UUID"],
        "--enabled",
    )
    return str(created["UUID"])


def test_partial_batch_response_deletes_nine_and_redrives_the_poison(
    account: LearnerAccount, tmp_path: Path
) -> None:
    # Worked scenario 5: live, with the learner's real handler.
    _function(account, "process-orders", "report")
    url = _queues(account, "orders")
    uuid_ = _map_disabled_then_enable(
        account,
        tmp_path,
        "process-orders",
        url,
        "--function-response-types",
        "ReportBatchItemFailures",
    )
    _wait_until(lambda: _counts(account, "orders-dlq")[0] == 1)
    runs = _runs(account)
    assert len(runs[0]) == 10  # one batch of ten, not one message at a time
    assert runs[1:] == [["order 4 poison"], ["order 4 poison"]]
    assert _counts(account, "orders") == (0, 0)  # nine deleted, the poison moved
    received = _aws(
        account,
        tmp_path,
        "sqs",
        "receive-message",
        "--queue-url",
        url.replace("/orders", "/orders-dlq"),
        "--attribute-names",
        "All",
    )
    [dead] = received["Messages"]
    assert dead["Body"] == "order 4 poison"
    # Three receives by the pollers, the fourth is ours (the count moves with the message).
    assert dead["Attributes"]["ApproximateReceiveCount"] == "4"
    # The same settings in `labtui simulate` count the same (sandbox/scenarios/).
    summary = run_scenario_file(SCENARIOS / "sqs-partial-batch.yaml").summary
    assert summary is not None
    assert (summary.invocations, summary.sqs_deleted, summary.sqs_redriven) == (len(runs), 9, 1)
    mapping = _aws(account, tmp_path, "lambda", "get-event-source-mapping", "--uuid", uuid_)
    assert mapping["State"] == "Enabled"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_whole_batch_failure_returns_all_ten_until_the_dlq(
    account: LearnerAccount, tmp_path: Path
) -> None:
    # Worked scenario 6: no partial responses, the handler raises.
    _function(account, "process-orders", "whole")
    url = _queues(account, "orders")
    _map_disabled_then_enable(account, tmp_path, "process-orders", url)
    _wait_until(lambda: _counts(account, "orders-dlq")[0] == 10)
    runs = _runs(account)
    assert [len(batch) for batch in runs] == [10, 10, 10]
    assert _counts(account, "orders") == (0, 0)
    assert _counts(account, "orders-dlq") == (10, 0)
    summary = run_scenario_file(SCENARIOS / "sqs-whole-batch-failure.yaml").summary
    assert summary is not None
    assert (summary.invocations, summary.sqs_deleted, summary.sqs_redriven) == (len(runs), 0, 10)


def _mapping(account: LearnerAccount, function: str, queue: str, **settings: Any) -> str:
    sqs = account.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    created = account.client("lambda").create_event_source_mapping(
        FunctionName=function, EventSourceArn=arn["Attributes"]["QueueArn"], **settings
    )
    return str(created["UUID"])


def test_a_batch_in_flight_is_invisible_and_deleted_only_when_the_handler_succeeds(
    account: LearnerAccount, tmp_path: Path
) -> None:
    # Lambda deletes a batch when the function returns, not when it receives it.
    _function(account, "slow", "wait_for_go", timeout=60)
    sqs = account.client("sqs")
    go = sqs.create_queue(QueueName="go")["QueueUrl"]
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    _mapping(account, "slow", "work", BatchSize=10, MaximumBatchingWindowInSeconds=300)
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"job {i}"} for i in range(3)]
    )
    _wait_until(lambda: len(_runs(account)) == 1)
    # The handler is running: the batch is in flight, not visible, not deleted — however
    # long the handler takes in real time (its visibility timeout runs on the scaled clock).
    time.sleep(0.5)
    assert _counts(account, "work") == (0, 3)
    received = _aws(account, tmp_path, "sqs", "receive-message", "--queue-url", url)
    assert received is None or not received.get("Messages")
    sqs.send_message(QueueUrl=go, MessageBody="go")
    _wait_until(lambda: _counts(account, "work") == (0, 0))
    assert _counts(account, "work") == (0, 0)
    assert _runs(account) == [["job 0", "job 1", "job 2"]]


def test_filter_criteria_delete_what_they_do_not_match(account: LearnerAccount) -> None:
    # messages that match no filter are deleted without invoking the function.
    _function(account, "orders-only", "report")
    url = account.client("sqs").create_queue(QueueName="events")["QueueUrl"]
    pattern = json.dumps({"body": {"kind": ["order"]}})
    _mapping(
        account,
        "orders-only",
        "events",
        BatchSize=10,
        MaximumBatchingWindowInSeconds=300,
        FilterCriteria={"Filters": [{"Pattern": pattern}]},
    )
    bodies = [{"kind": "order", "n": 1}, {"kind": "refund", "n": 2}, {"kind": "order", "n": 3}]
    account.client("sqs").send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "MessageBody": json.dumps(b)} for i, b in enumerate(bodies)],
    )
    _wait_until(lambda: _counts(account, "events") == (0, 0) and _runs(account))
    delivered = [json.loads(body)["n"] for batch in _runs(account) for body in batch]
    assert delivered == [1, 3]
    assert _counts(account, "events") == (0, 0)


def test_fifo_group_waits_for_its_failing_message_until_the_dlq(account: LearnerAccount) -> None:
    # order per message group; a failure blocks its group until the message leaves
    # to the DLQ (maxReceiveCount 2, R-4.2). The other group goes on.
    _function(account, "ship", "whole")
    sqs = account.client("sqs")
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    dlq = sqs.create_queue(QueueName="ship-dlq.fifo", Attributes=fifo)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
    policy = {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": "2"}
    url = sqs.create_queue(
        QueueName="ship.fifo",
        Attributes={**fifo, "VisibilityTimeout": "30", "RedrivePolicy": json.dumps(policy)},
    )["QueueUrl"]
    _mapping(account, "ship", "ship.fifo", BatchSize=1)
    for body, group in [("a1", "A"), ("a2 poison", "A"), ("a3", "A"), ("b1", "B"), ("b2", "B")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    _wait_until(lambda: _counts(account, "ship.fifo") == (0, 0) and len(_runs(account)) == 6)
    order = [body for batch in _runs(account) for body in batch]
    group_a = [body for body in order if body.startswith("a")]
    assert group_a == ["a1", "a2 poison", "a2 poison", "a3"]
    assert [body for body in order if body.startswith("b")] == ["b1", "b2"]
    dead = [m["Body"] for m in account.view().queue_messages("ship-dlq.fifo")]
    assert dead == ["a2 poison"]


def test_a_handler_can_delete_with_the_receipt_handle_it_gets(account: LearnerAccount) -> None:
    # The record's receiptHandle is the queue's own: a handler that deletes its message
    # and then fails leaves nothing to return to the queue.
    _function(account, "cleaner", "delete_myself")
    sqs = account.client("sqs")
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    _mapping(account, "cleaner", "work", BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody="once")
    _wait_until(lambda: _runs(account) and _counts(account, "work") == (0, 0))
    time.sleep(1.0)  # 1 h of simulated time: a returned message would have run again
    assert _runs(account) == [["once"]]
    assert _counts(account, "work") == (0, 0)


def test_restoring_a_snapshot_taken_mid_batch_delivers_the_batch_again(
    account: LearnerAccount,
) -> None:
    # The pollers that held the batch belong to a rewound past: in the restored account
    # the messages are waiting, and the new pollers run them (at-least-once, R-4.2).
    _function(account, "slow", "wait_for_go", timeout=60)
    sqs = account.client("sqs")
    go = sqs.create_queue(QueueName="go")["QueueUrl"]
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    _mapping(account, "slow", "work", BatchSize=10, MaximumBatchingWindowInSeconds=300)
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"job {i}"} for i in range(2)]
    )
    _wait_until(lambda: len(_runs(account)) == 1)
    account.snapshot("mid-batch")  # the handler waits for "go": the batch is in flight
    assert _counts(account, "work") == (0, 2)
    sqs.send_message(QueueUrl=go, MessageBody="go")
    _wait_until(lambda: _counts(account, "work") == (0, 0))
    account.restore("mid-batch")  # no "go" yet, the batch in flight, one run recorded
    _wait_until(lambda: len(_runs(account)) == 2)
    sqs.send_message(QueueUrl=go, MessageBody="go")
    _wait_until(lambda: _counts(account, "work") == (0, 0))
    assert _runs(account) == [["job 0", "job 1"], ["job 0", "job 1"]]
    assert _counts(account, "work") == (0, 0)
