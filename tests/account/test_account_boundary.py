"""Two accounts on one sandbox server attack each other, as a learner would, and fail.

design.md §6.1 (account boundary): SigV4 with a per-account secret, account checks on
every ARN, AssumeRole only where IAM would allow it, private code directories.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labtui.account import Sandbox
from labtui.account.identity import access_key_for, learner_identity
from labtui.account.learner import LearnerAccount
from tests.account import raw_requests
from tests.account.conftest import HANDLERS, TRUST, zipped

pytestmark = pytest.mark.sandbox


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _client(sandbox: Sandbox, service: str, key: str, secret: str, token: str | None = None) -> Any:
    import boto3

    return boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
        region_name="us-east-1",
    ).client(service, endpoint_url=sandbox.endpoint_url)


@pytest.fixture
def victim(sandbox: Sandbox, learner: LearnerAccount) -> LearnerAccount:
    return learner


@pytest.fixture
def intruder(sandbox: Sandbox) -> LearnerAccount:
    import uuid

    return sandbox.learner(f"intruder-{uuid.uuid4().hex[:8]}")


# --- the secret key is checked ----------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "call", "wrong_secret", "unknown_key"),
    [
        ("sts", lambda c: c.get_caller_identity(), ("SignatureDoesNotMatch", 403),
         ("InvalidClientTokenId", 403)),
        ("sqs", lambda c: c.list_queues(), ("SignatureDoesNotMatch", 403),
         ("InvalidClientTokenId", 403)),
        ("lambda", lambda c: c.list_functions(), ("InvalidSignatureException", 403),
         ("UnrecognizedClientException", 403)),
        ("s3", lambda c: c.list_buckets(), ("SignatureDoesNotMatch", 403),
         ("InvalidAccessKeyId", 403)),
        ("secretsmanager", lambda c: c.list_secrets(), ("InvalidSignatureException", 403),
         ("UnrecognizedClientException", 403)),
    ],
)
def test_a_known_key_with_the_wrong_secret_and_an_unknown_key_are_refused(
    sandbox: Sandbox,
    victim: LearnerAccount,
    service: str,
    call: Callable[[Any], Any],
    wrong_secret: tuple[str, int],
    unknown_key: tuple[str, int],
) -> None:
    # The attack of issue 23: the access key is derived from the learner id, so anyone
    # can compute it; a secret made up for it must not work.
    forged = _client(sandbox, service, victim.access_key_id, "x" * 40)
    with pytest.raises(ClientError) as refused:
        call(forged)
    assert _code(refused) == wrong_secret
    stranger = _client(sandbox, service, access_key_for("never-joined"), "y" * 40)
    with pytest.raises(ClientError) as refused:
        call(stranger)
    assert _code(refused) == unknown_key
    call(victim.client(service))  # the real pair works


def test_the_secret_is_random_and_kept_private_in_the_data_directory(tmp_path: Path) -> None:
    first = learner_identity("dana", tmp_path / "keys")
    again = learner_identity("dana", tmp_path / "keys")
    elsewhere = learner_identity("dana", tmp_path / "other-home")
    assert first == again  # the same learner signs with the same secret in every process
    assert first.access_key_id == elsewhere.access_key_id
    assert first.secret_access_key != elsewhere.secret_access_key  # not derived from the id
    stored = tmp_path / "keys" / f"{first.access_key_id}.json"
    assert stored.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700


def test_an_unsigned_request_is_refused(sandbox: Sandbox, victim: LearnerAccount) -> None:
    victim.client("sqs").create_queue(QueueName="unsigned-target")
    query = raw_requests.send(sandbox.endpoint_url + "/?Action=ListQueues")
    assert query.status == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in query.body
    lam = raw_requests.send(sandbox.endpoint_url + "/2015-03-31/functions/")
    assert lam.status == 403
    assert lam.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"


def test_a_tampered_request_is_refused(sandbox: Sandbox, victim: LearnerAccount) -> None:
    url = sandbox.endpoint_url + "/"
    body = b"Action=CreateQueue&QueueName=honest&Version=2012-11-05"
    headers = raw_requests.signed_headers(
        url, "POST", body, "sqs", victim.access_key_id, victim.secret_access_key,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    swapped = raw_requests.send(url, "POST", body.replace(b"honest", b"forged"), headers)
    assert swapped.status == 403
    assert b"SignatureDoesNotMatch" in swapped.body
    assert raw_requests.send(url, "POST", body, headers).status == 200


def test_presigned_urls_work_and_cannot_be_altered(
    sandbox: Sandbox, victim: LearnerAccount
) -> None:
    s3 = victim.client("s3")
    s3.create_bucket(Bucket="presign-bucket")
    s3.put_object(Bucket="presign-bucket", Key="a.txt", Body=b"secret-a")
    s3.put_object(Bucket="presign-bucket", Key="b.txt", Body=b"secret-b")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "presign-bucket",
                                                          "Key": "a.txt"})
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == b"secret-a"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url.replace("a.txt", "b.txt"), timeout=30)
    assert refused.value.code == 403


# --- AssumeRole --------------------------------------------------------------------------


def test_assume_role_into_another_account_is_refused_unless_its_owner_trusts_you(
    victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    iam = victim.client("iam")
    iam.create_role(RoleName="victim-role", AssumeRolePolicyDocument=TRUST)
    victim.client("secretsmanager").create_secret(Name="db-password", SecretString="hunter2")
    sts = intruder.client("sts")
    for arn in (
        f"arn:aws:iam::{victim.account_id}:role/victim-role",  # exists, not trusted
        f"arn:aws:iam::{victim.account_id}:role/no-such-role",  # issue 23: need not exist
    ):
        with pytest.raises(ClientError) as refused:
            sts.assume_role(RoleArn=arn, RoleSessionName="xx")
        assert _code(refused) == ("AccessDenied", 403)
    # The owner sets up a cross-account trust naming the intruder's account: IAM allows it,
    # and the session acts in the owner's account, not the caller's.
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{intruder.account_id}:root"}}]}
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=json.dumps(trust))
    granted = sts.assume_role(
        RoleArn=f"arn:aws:iam::{victim.account_id}:role/partner", RoleSessionName="pp"
    )["Credentials"]
    session = _client(victim.sandbox, "sts", granted["AccessKeyId"],
                      granted["SecretAccessKey"], granted["SessionToken"])
    assert session.get_caller_identity()["Account"] == victim.account_id


def test_assumed_role_credentials_are_verified_and_bound_to_their_account(
    sandbox: Sandbox, victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    victim.client("s3").create_bucket(Bucket="bound-bucket")
    intruder.client("iam").create_role(RoleName="own-role", AssumeRolePolicyDocument=TRUST)
    granted = intruder.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{intruder.account_id}:role/own-role", RoleSessionName="ss"
    )["Credentials"]
    key, secret, token = (granted["AccessKeyId"], granted["SecretAccessKey"],
                          granted["SessionToken"])
    own = _client(sandbox, "sts", key, secret, token)
    assert own.get_caller_identity()["Account"] == intruder.account_id
    s3 = _client(sandbox, "s3", key, secret, token)
    with pytest.raises(ClientError) as missing:
        s3.list_objects_v2(Bucket="bound-bucket")
    assert _code(missing)[0] == "NoSuchBucket"  # the victim's bucket is not in this account
    for forged in (_client(sandbox, "sts", key, "z" * 40, token),
                   _client(sandbox, "sts", key, secret, None),
                   _client(sandbox, "sts", key, secret, "not-the-token")):
        with pytest.raises(ClientError) as refused:
            forged.get_caller_identity()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_get_session_token_returns_credentials_of_the_callers_account(
    sandbox: Sandbox, victim: LearnerAccount
) -> None:
    granted = victim.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    session = _client(sandbox, "sts", granted["AccessKeyId"], granted["SecretAccessKey"],
                      granted["SessionToken"])
    assert session.get_caller_identity()["Account"] == victim.account_id


# --- resources by name and ARN -----------------------------------------------------------


def test_sns_topics_of_another_account_cannot_be_published_to_or_deleted(
    victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    arn = victim.client("sns").create_topic(Name="alerts")["TopicArn"]
    sns = intruder.client("sns")
    for attack in (
        lambda: sns.publish(TopicArn=arn, Message="spoofed"),
        lambda: sns.delete_topic(TopicArn=arn),
        lambda: sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                                         AttributeValue="pwned"),
        lambda: sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="x@example.com"),
    ):
        with pytest.raises(ClientError) as refused:
            attack()
        assert _code(refused) == ("AuthorizationError", 403)
    topics = victim.client("sns").list_topics()["Topics"]
    assert [t["TopicArn"] for t in topics] == [arn]
    assert victim.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"].get(
        "DisplayName", "") == ""


def test_sqs_queues_of_another_account_cannot_be_reached_by_url(
    victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    url = victim.client("sqs").create_queue(QueueName="orders")["QueueUrl"]
    victim.client("sqs").send_message(QueueUrl=url, MessageBody="real order")
    intruder.client("sqs").create_queue(QueueName="orders")  # same name, own account
    sqs = intruder.client("sqs")
    for attack in (
        lambda: sqs.send_message(QueueUrl=url, MessageBody="forged"),
        lambda: sqs.receive_message(QueueUrl=url),
        lambda: sqs.purge_queue(QueueUrl=url),
        lambda: sqs.delete_queue(QueueUrl=url),
        lambda: sqs.get_queue_url(QueueName="orders",
                                  QueueOwnerAWSAccountId=victim.account_id),
    ):
        with pytest.raises(ClientError) as refused:
            attack()
        assert _code(refused) == ("AccessDenied", 403)
    attributes = victim.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"


def test_secrets_of_another_account_cannot_be_read_or_written_by_arn(
    victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    arn = victim.client("secretsmanager").create_secret(
        Name="db-password", SecretString="hunter2")["ARN"]
    secrets = intruder.client("secretsmanager")
    for attack in (
        lambda: secrets.get_secret_value(SecretId=arn),
        lambda: secrets.put_secret_value(SecretId=arn, SecretString="pwned"),
        lambda: secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True),
    ):
        with pytest.raises(ClientError) as refused:
            attack()
        assert _code(refused) == ("AccessDeniedException", 400)
    with pytest.raises(ClientError) as missing:
        secrets.get_secret_value(SecretId="db-password")
    assert _code(missing)[0] == "ResourceNotFoundException"
    value = victim.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    assert value == "hunter2"


def test_s3_objects_of_another_account_cannot_be_read_written_or_wired_to(
    victim: LearnerAccount, intruder: LearnerAccount, make_function: Callable[..., str]
) -> None:
    victim.client("s3").create_bucket(Bucket="victim-data")
    victim.client("s3").put_object(Bucket="victim-data", Key="k", Body=b"private")
    s3 = intruder.client("s3")
    for attack in (
        lambda: s3.get_object(Bucket="victim-data", Key="k"),
        lambda: s3.put_object(Bucket="victim-data", Key="k", Body=b"pwned"),
        lambda: s3.delete_object(Bucket="victim-data", Key="k"),
    ):
        with pytest.raises(ClientError) as refused:
            attack()
        assert _code(refused)[0] == "NoSuchBucket"
    make_function("victim-fn")
    function_arn = f"arn:aws:lambda:us-east-1:{victim.account_id}:function:victim-fn"
    s3.create_bucket(Bucket="intruder-bucket")
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_notification_configuration(
            Bucket="intruder-bucket",
            NotificationConfiguration={"LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}]},
        )
    assert _code(refused) == ("InvalidArgument", 400)
    body = victim.client("s3").get_object(Bucket="victim-data", Key="k")["Body"].read()
    assert body == b"private"


def test_lambda_functions_of_another_account_are_refused_by_arn(
    victim: LearnerAccount, intruder: LearnerAccount, make_function: Callable[..., str]
) -> None:
    make_function("victim-fn")
    lam = intruder.client("lambda")
    intruder.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    lam.create_function(
        FunctionName="victim-fn", Runtime="python3.13", Handler="app.lambda_handler",
        Role=f"arn:aws:iam::{intruder.account_id}:role/r",
        Code={"ZipFile": zipped({"app.py": HANDLERS})},
    )
    for account in (victim.account_id, "999999999999"):
        arn = f"arn:aws:lambda:us-east-1:{account}:function:victim-fn"
        for attack in (
            lambda arn=arn: lam.invoke(FunctionName=arn, Payload=b"{}"),
            lambda arn=arn: lam.get_function(FunctionName=arn),
            lambda arn=arn: lam.delete_function(FunctionName=arn),
            lambda arn=arn: lam.update_function_configuration(FunctionName=arn, Timeout=9),
            lambda account=account: lam.invoke(
                FunctionName=f"{account}:function:victim-fn", Payload=b"{}"),
        ):
            with pytest.raises(ClientError) as refused:
                attack()
            assert _code(refused) == ("AccessDeniedException", 403)
    layer = victim.client("lambda").publish_layer_version(
        LayerName="victim-layer", Content={"ZipFile": zipped({"python/x.py": "X = 1"})}
    )["LayerVersionArn"]
    for attack in (
        lambda: lam.get_layer_version_by_arn(Arn=layer),
        lambda: lam.update_function_configuration(FunctionName="victim-fn", Layers=[layer]),
    ):
        with pytest.raises(ClientError) as refused:
            attack()
        assert _code(refused) == ("AccessDeniedException", 403)
    # Issue 23: invoking an ARN of account 999999999999 ran the caller's own function.
    assert victim.client("lambda").get_function(FunctionName="victim-fn")
    assert lam.get_function_configuration(FunctionName="victim-fn")["Timeout"] != 9


def test_identical_zips_in_two_accounts_get_private_code_directories(
    sandbox: Sandbox, victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    assert sandbox.invoker is not None
    store = sandbox.invoker.code_store
    code = zipped({"app.py": HANDLERS})
    mine, theirs = store.directory(code, victim.account_id), store.directory(code, intruder.account_id)
    assert mine != theirs
    assert not mine.is_relative_to(theirs.parent) and not theirs.is_relative_to(mine.parent)


def test_a_handler_acts_only_in_its_own_account(
    victim: LearnerAccount, intruder: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # Handlers get temporary credentials of their own account, verified like any other.
    url = intruder.client("sqs").create_queue(QueueName="seen")["QueueUrl"]
    victim.client("sqs").create_queue(QueueName="seen")
    make_function("recorder", handler="app.record", Timeout=10)
    victim.client("lambda").invoke(FunctionName="recorder", Payload=b'{"n": 1}')
    assert "Messages" not in intruder.client("sqs").receive_message(QueueUrl=url)


# --- the real aws CLI --------------------------------------------------------------------


def _aws(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "awscli", *arguments, "--endpoint-url", env["AWS_ENDPOINT_URL"]],
        env=environment, capture_output=True, text=True, timeout=120,
    )


def test_the_aws_cli_meets_the_same_boundary(
    victim: LearnerAccount, intruder: LearnerAccount
) -> None:
    arn = victim.client("sns").create_topic(Name="cli-topic")["TopicArn"]
    forged = {**intruder.env(), "AWS_ACCESS_KEY_ID": victim.access_key_id}
    wrong = _aws(forged, "sns", "list-topics")
    assert wrong.returncode != 0 and "SignatureDoesNotMatch" in wrong.stderr
    across = _aws(intruder.env(), "sns", "delete-topic", "--topic-arn", arn)
    assert across.returncode != 0 and "AuthorizationError" in across.stderr
    assume = _aws(intruder.env(), "sts", "assume-role", "--role-arn",
                  f"arn:aws:iam::{victim.account_id}:role/anything", "--role-session-name", "xx")
    assert assume.returncode != 0 and "AccessDenied" in assume.stderr
    own = _aws(victim.env(), "sns", "list-topics")
    assert own.returncode == 0 and arn in own.stdout
