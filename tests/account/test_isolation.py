"""Per-learner isolation, loopback-only serving, AWS managed policies (design.md §4)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from labtui.account import Sandbox
from labtui.account.identity import learner_identity
from labtui.account.learner import LearnerAccount


def test_learners_never_see_each_others_resources(sandbox: Sandbox) -> None:
    alice, bob = sandbox.learner("iso-alice"), sandbox.learner("iso-bob")
    assert alice.account_id != bob.account_id
    alice.client("sqs").create_queue(QueueName="private-queue")
    alice.client("s3").create_bucket(Bucket="iso-alice-bucket")
    assert bob.client("sqs").list_queues().get("QueueUrls", []) == []
    assert "iso-alice-bucket" not in [b["Name"] for b in bob.client("s3").list_buckets()["Buckets"]]
    assert alice.client("sts").get_caller_identity()["Account"] == alice.account_id


def test_account_header_from_a_caller_is_ignored(sandbox: Sandbox) -> None:
    alice, mallory = sandbox.learner("hdr-alice"), sandbox.learner("hdr-mallory")
    alice.client("sqs").create_queue(QueueName="secret-queue")
    client = mallory.client("sqs")

    def spoof(request: object, **_: object) -> None:
        request.headers["x-moto-account-id"] = alice.account_id  # type: ignore[attr-defined]

    client.meta.events.register("before-sign.sqs.*", spoof)
    assert client.list_queues().get("QueueUrls", []) == []


def test_account_ids_are_deterministic_per_learner() -> None:
    assert learner_identity("dana") == learner_identity("dana")
    assert learner_identity("dana").account_id != learner_identity("ravi").account_id
    assert len(learner_identity("dana").account_id) == 12
    assert learner_identity("dana").access_key_id.startswith("AKIA")


def test_invoking_another_learners_function_is_not_found(
    sandbox: Sandbox, make_function: Callable[..., str]
) -> None:
    make_function("owned")
    stranger = sandbox.learner("iso-stranger")
    with pytest.raises(ClientError) as caught:
        stranger.client("lambda").invoke(FunctionName="owned", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_boto3_inside_a_handler_works_in_the_learners_account(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    learner.client("sqs").create_queue(QueueName="mine")
    make_function("lister", handler="app.queues", Timeout=10)
    response = learner.client("lambda").invoke(FunctionName="lister", Payload=b"{}")
    urls = json.loads(response["Payload"].read())
    assert [url.rsplit("/", 1)[-1] for url in urls] == ["mine"]
    assert all(f"/{learner.account_id}/" in url for url in urls)


@pytest.mark.parametrize(
    "policy",
    [
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
    ],
)
def test_lambda_managed_policies_exist_as_in_aws(learner: LearnerAccount, policy: str) -> None:
    iam = learner.client("iam")
    arn = f"arn:aws:iam::aws:policy/service-role/{policy}"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]
    document = learner.view().managed_policy_document(arn)
    assert document is not None
    if policy == "AWSLambdaBasicExecutionRole":
        actions = {a for s in document["Statement"] for a in s["Action"]}
        assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_a_managed_policy_attachment_counts_in_its_own_account_only(sandbox: Sandbox) -> None:
    # Every account's managed policies are copies of one set built per process
    # (managed_policies.py): attaching in one account must not show in another, or in an
    # account made after it.
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    ana = sandbox.learner("mp-ana").client("iam")
    ana.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    ana.attach_role_policy(RoleName="r", PolicyArn=arn)
    ben = sandbox.learner("mp-ben").client("iam")
    assert ana.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert ben.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
    assert ben.list_policies(Scope="AWS", OnlyAttached=True)["Policies"] == []
    # one AWS managed policy has one id in every account, as in AWS
    assert ana.get_policy(PolicyArn=arn)["Policy"]["PolicyId"] == (
        ben.get_policy(PolicyArn=arn)["Policy"]["PolicyId"])
    listed = ben.get_paginator("list_policies").paginate(Scope="AWS").build_full_result()
    assert len(listed["Policies"]) > 1000


def test_sandbox_listens_on_loopback_only(sandbox: Sandbox) -> None:
    assert sandbox.endpoint_url.startswith("http://127.0.0.1:")
    host = sandbox._server.socket.getsockname()[0]
    assert host == "127.0.0.1"


def test_motos_control_api_is_not_exposed(sandbox: Sandbox) -> None:
    # /moto-api/reset would wipe every learner's account.
    learner = sandbox.learner("ctl-api")
    learner.client("sqs").create_queue(QueueName="survives")
    request = urllib.request.Request(sandbox.endpoint_url + "/moto-api/reset", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 404
    assert learner.view().queue_url("survives") is not None


def test_the_test_network_guard_refuses_remote_addresses(network_guard: object) -> None:
    attempts = network_guard.attempts  # type: ignore[attr-defined]
    before = len(attempts)
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("192.0.2.1", 443))
    assert attempts[before:] == ["192.0.2.1:443"]
    del attempts[before:]  # this attempt was deliberate


def test_bucket_names_are_per_learner(sandbox: Sandbox) -> None:
    # Every learner seeds the same exercise names (curriculum.md §6), and nobody may read
    # another learner's bucket: names are scoped per account in the sandbox.
    first, second, outsider = (sandbox.learner(f"s3-{n}") for n in ("one", "two", "three"))
    for number, learner in enumerate((first, second)):
        s3 = learner.client("s3")
        s3.create_bucket(Bucket="shared-name-bucket")
        s3.put_object(Bucket="shared-name-bucket", Key=f"owner-{number}", Body=b"x")
    assert first.view().object_keys("shared-name-bucket") == ["owner-0"]
    assert second.view().object_keys("shared-name-bucket") == ["owner-1"]
    with pytest.raises(ClientError) as missing:
        outsider.client("s3").get_object(Bucket="shared-name-bucket", Key="owner-0")
    assert missing.value.response["Error"]["Code"] == "NoSuchBucket"
    first.wipe()
    first.client("s3").create_bucket(Bucket="shared-name-bucket")  # free again after a wipe
    assert first.view().object_keys("shared-name-bucket") == []
    first.client("s3").put_object(Bucket="shared-name-bucket", Key="kept", Body=b"x")
    first.snapshot("one-bucket")
    first.wipe()
    first.restore("one-bucket")
    assert first.view().buckets() == ["shared-name-bucket"]
    # us-east-1 CreateBucket on your own bucket is idempotent: the restored bucket is known.
    first.client("s3").create_bucket(Bucket="shared-name-bucket")
    assert first.view().object_keys("shared-name-bucket") == ["kept"]
