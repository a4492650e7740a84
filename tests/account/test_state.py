"""Seeding from an exercise's setup, reset, snapshot/restore, and reading state back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from labtui.account import Sandbox
from labtui.account.learner import LearnerAccount
from labtui.course.setup_spec import ExerciseSetup
from labtui.errors import LabError

RICH_SETUP = Path(__file__).with_name("rich_setup.yaml")


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pack = tmp_path_factory.mktemp("pack")
    (pack / "starter").mkdir()
    (pack / "starter" / "app.py").write_text(
        "def lambda_handler(event, context):\n"
        "    return {'records': len(event.get('Records', [])),\n"
        "            'version': context.function_version}\n"
    )
    return pack


@pytest.fixture(scope="module")
def seeded(sandbox: Sandbox, pack_dir: Path) -> LearnerAccount:
    account = sandbox.learner("seeded-learner")
    setup = ExerciseSetup.model_validate(yaml.safe_load(RICH_SETUP.read_text()))
    account.seed(setup, pack_dir)
    return account


def test_seeded_lambda_pieces(seeded: LearnerAccount) -> None:
    view = seeded.view()
    function = view.function("payments-worker")
    assert function is not None
    assert function["DeadLetterConfig"]["TargetArn"].endswith(":payments-dlq")
    assert function["Timeout"] == 30
    assert len(function["VpcConfig"]["SubnetIds"]) == 2
    assert view.reserved_concurrency("payments-worker") == 50
    assert [v["Version"] for v in view.versions("payments-worker")] == ["1", "2", "3"]
    live = view.aliases("payments-worker")["live"]
    assert live["FunctionVersion"] == "3"
    assert live["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
    assert view.provisioned_concurrency("payments-worker") == {"live": 2}
    config = view.event_invoke_config("payments-worker")
    assert config is not None and config["MaximumRetryAttempts"] == 1
    sources = sorted(m["EventSourceArn"].split(":")[2] for m in view.event_source_mappings())
    assert sources == ["dynamodb", "kinesis", "sqs"]


def test_seeded_iam_queues_and_data(seeded: LearnerAccount) -> None:
    view = seeded.view()
    role = view.role("worker-role")
    assert role is not None
    assert role["TrustPolicy"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert any(arn.endswith("/AWSLambdaSQSQueueExecutionRole") for arn in role["AttachedPolicies"])
    assert role["InlinePolicies"]["send"]["Statement"][0]["Action"] == "sqs:SendMessage"
    redrive = (view.queue_attributes("payments") or {})["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 3
    assert redrive["deadLetterTargetArn"].endswith(":payments-dlq")
    assert (view.queue_attributes("orders.fifo") or {})["FifoQueue"] == "true"
    assert view.streams() == ["clickstream"] and view.tables() == ["processed-events"]
    table = view.table("processed-events")
    assert table is not None and table["StreamSpecification"]["StreamEnabled"]
    assert view.secrets() == ["prod/billing/db"]
    notifications = view.bucket_notifications("uploads-bucket")
    assert notifications["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"].endswith(
        ":function:payments-worker"
    )


def test_seeded_vpc(seeded: LearnerAccount) -> None:
    view = seeded.view()
    names = {subnet["Name"]: subnet for subnet in view.subnets() if subnet["Name"]}
    assert set(names) == {"public-a", "private-a", "private-b"}
    assert names["private-b"]["AvailabilityZone"] == "us-east-1b"
    tables = {table["Name"]: table for table in view.route_tables() if table["Name"]}
    private_routes = tables["private-rt"]["Routes"]
    nat_id = view.nat_gateways()[0]["NatGatewayId"]
    assert any(r.get("NatGatewayId") == nat_id for r in private_routes)
    assert view.nat_gateways()[0]["SubnetId"] == names["public-a"]["SubnetId"]
    assert any(r.get("GatewayId", "").startswith("igw-") for r in tables["public-rt"]["Routes"])
    endpoint = view.vpc_endpoints()[0]
    assert endpoint["RouteTableIds"] == [tables["private-rt"]["RouteTableId"]]
    groups = {group["GroupName"]: group for group in view.security_groups()}
    rule = groups["db-sg"]["IpPermissions"][0]
    assert rule["FromPort"] == 5432
    assert rule["UserIdGroupPairs"][0]["GroupId"] == groups["lambda-sg"]["GroupId"]


def test_reset_returns_to_the_seed(sandbox: Sandbox, pack_dir: Path) -> None:
    account = sandbox.learner("resetting")
    setup = ExerciseSetup.model_validate(
        {
            "queues": [{"name": "jobs"}],
            "roles": [{"name": "r"}],
            "functions": [{"name": "f", "role": "r", "code": "starter"}],
        }
    )
    account.seed(setup, pack_dir)
    client = account.client("lambda")
    client.update_function_configuration(FunctionName="f", MemorySize=1024)
    client.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=0)
    account.client("sqs").create_queue(QueueName="extra")
    account.client("lambda").delete_function(FunctionName="f")
    account.reset()
    view = account.view()
    assert view.function_names() == ["f"]
    assert (view.function("f") or {})["MemorySize"] == 128
    assert view.event_invoke_config("f") is None
    assert view.queue_url("extra") is None and view.queue_url("jobs") is not None
    result = account.invoke("f", {"Records": [1, 2, 3]})
    assert result.json() == {"records": 3, "version": "$LATEST"}


def test_snapshot_and_restore_rewind_one_learner_only(sandbox: Sandbox) -> None:
    mine, theirs = sandbox.learner("snap-mine"), sandbox.learner("snap-theirs")
    sqs = mine.client("sqs")
    url = sqs.create_queue(QueueName="step-1")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    mine.snapshot("after-step-1")
    sqs.create_queue(QueueName="step-2")
    sqs.delete_queue(QueueUrl=url)
    theirs.client("sqs").create_queue(QueueName="unrelated")
    mine.restore("after-step-1")
    view = mine.view()
    assert view.queue_url("step-2") is None
    assert [m["Body"] for m in view.queue_messages("step-1")] == ["kept"]
    assert theirs.view().queue_url("unrelated") is not None
    mine.restore("after-step-1")  # a snapshot can be restored again
    assert mine.snapshots() == ["after-step-1"]
    with pytest.raises(LabError, match="no snapshot named 'nope'"):
        mine.restore("nope")


def test_seeding_reports_aws_errors_as_lab_errors(sandbox: Sandbox, tmp_path: Path) -> None:
    account = sandbox.learner("bad-seed")
    setup = ExerciseSetup.model_validate(
        {"roles": [{"name": "r", "managed_policies": ["NoSuchPolicyAnywhere"]}]}
    )
    with pytest.raises(LabError, match="seeding failed at AttachRolePolicy"):
        account.seed(setup, tmp_path)


def test_async_outcomes_are_part_of_snapshots(sandbox: Sandbox, pack_dir: Path) -> None:
    account = sandbox.learner("async-snap")
    setup = ExerciseSetup.model_validate(
        {"roles": [{"name": "r"}], "functions": [{"name": "f", "role": "r", "code": "starter"}]}
    )
    account.seed(setup, pack_dir)
    account.client("lambda").invoke(
        FunctionName="f", InvocationType="Event", Payload=json.dumps({"Records": []}).encode()
    )
    sandbox.wait_for_async()
    assert len(account.view().async_outcomes()) == 1
    account.reset()
    assert account.view().async_outcomes() == []


def test_a_snapshot_names_unchanged_managed_policies_and_keeps_their_attachments(
    sandbox: Sandbox,
) -> None:
    # managed_policies.py: an AWS managed policy that differs from the process's template
    # only in its attachment count is kept as its name; one changed otherwise, whole.
    from moto.iam.models import iam_backends

    from labtui.account import moto_state

    account = sandbox.learner("policy-snapshot")
    iam = account.client("iam")
    attached = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    changed = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="r", PolicyArn=attached)
    policies = iam_backends[account.account_id]["aws"].managed_policies
    policies[changed].description = "changed in this account"
    account.snapshot("policies")
    data = moto_state.capture(account.account_id).data
    # ~1,600 policies, dozens of them allow logs:CreateLogGroup: only the changed one's
    # document is in the snapshot
    assert data.count(b"sqs:ReceiveMessage") == data.count(b"logs:CreateLogGroup") == 1
    iam.detach_role_policy(RoleName="r", PolicyArn=attached)
    policies[changed].description = "changed again"
    account.restore("policies")
    assert iam.get_policy(PolicyArn=attached)["Policy"]["AttachmentCount"] == 1
    assert [p["PolicyArn"] for p in
            iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]] == [attached]
    restored = iam_backends[account.account_id]["aws"].managed_policies
    assert restored[changed].description == "changed in this account"
    assert restored[attached] is restored[attached].backend.get_policy(attached)
    document = iam.get_policy_version(PolicyArn=attached, VersionId="v1")["PolicyVersion"][
        "Document"]
    assert {a for s in document["Statement"] for a in s["Action"]} == {  # R-8.1
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_deleted_and_restored_resources_are_freed(sandbox: Sandbox) -> None:
    # moto kept every model it ever made in a list on its class (model_tracking.py): a
    # deleted queue, and each snapshot's restored copies, lived as long as the server.
    import gc
    import weakref

    from moto.sqs.models import sqs_backends

    account = sandbox.learner("freed-models")
    sqs = account.client("sqs")
    url = sqs.create_queue(QueueName="short-lived")["QueueUrl"]
    account.snapshot("with-queue")
    account.restore("with-queue")
    restored = weakref.ref(sqs_backends[account.account_id]["us-east-1"].queues["short-lived"])
    sqs.delete_queue(QueueUrl=url)
    gc.collect()
    assert restored() is None
