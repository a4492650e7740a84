"""Configuration the gateway keeps where moto drops or lacks it (design.md §4)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labtui.account.learner import LearnerAccount


def test_dead_letter_config_survives_create_update_and_publish(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # : a version freezes it.
    queue = f"arn:aws:sqs:us-east-1:{learner.account_id}:dlq"
    other = f"arn:aws:sqs:us-east-1:{learner.account_id}:dlq2"
    make_function(DeadLetterConfig={"TargetArn": queue}, EphemeralStorage={"Size": 1024})
    client = learner.client("lambda")
    assert client.get_function_configuration(FunctionName="lab-hello")["DeadLetterConfig"] == {
        "TargetArn": queue
    }
    version = client.publish_version(FunctionName="lab-hello")["Version"]
    client.update_function_configuration(
        FunctionName="lab-hello", DeadLetterConfig={"TargetArn": other}
    )
    latest = client.get_function(FunctionName="lab-hello")["Configuration"]
    assert latest["DeadLetterConfig"] == {"TargetArn": other}
    assert latest["EphemeralStorage"] == {"Size": 1024}
    frozen = client.get_function_configuration(FunctionName="lab-hello", Qualifier=version)
    assert frozen["DeadLetterConfig"] == {"TargetArn": queue}
    client.update_function_configuration(
        FunctionName="lab-hello", DeadLetterConfig={"TargetArn": ""}
    )
    assert "DeadLetterConfig" not in client.get_function_configuration(FunctionName="lab-hello")


def test_update_shows_in_progress_then_successful(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # so that `aws lambda wait function-updated-v2` returns.
    make_function()
    client = learner.client("lambda")
    updated = client.update_function_configuration(FunctionName="lab-hello", MemorySize=512)
    assert updated["LastUpdateStatus"] == "InProgress"
    client.get_waiter("function_updated_v2").wait(
        FunctionName="lab-hello", WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )
    assert client.get_function_configuration(FunctionName="lab-hello")["State"] == "Active"


def test_event_invoke_config_put_replaces_update_merges(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function()
    client = learner.client("lambda")
    failures = f"arn:aws:sqs:us-east-1:{learner.account_id}:failures"
    client.put_function_event_invoke_config(
        FunctionName="lab-hello",
        MaximumRetryAttempts=1,
        MaximumEventAgeInSeconds=900,
        DestinationConfig={"OnFailure": {"Destination": failures}},
    )
    client.put_function_event_invoke_config(FunctionName="lab-hello", MaximumRetryAttempts=0)
    replaced = client.get_function_event_invoke_config(FunctionName="lab-hello")
    assert replaced["MaximumRetryAttempts"] == 0
    assert "MaximumEventAgeInSeconds" not in replaced
    assert replaced["DestinationConfig"]["OnFailure"] == {}
    client.update_function_event_invoke_config(
        FunctionName="lab-hello",
        MaximumEventAgeInSeconds=3600,
        DestinationConfig={"OnFailure": {"Destination": failures}},
    )
    merged = client.get_function_event_invoke_config(FunctionName="lab-hello")
    assert merged["MaximumRetryAttempts"] == 0 and merged["MaximumEventAgeInSeconds"] == 3600
    assert merged["DestinationConfig"]["OnFailure"] == {"Destination": failures}
    assert merged["FunctionArn"].endswith(":function:lab-hello:$LATEST")
    listed = client.list_function_event_invoke_configs(FunctionName="lab-hello")
    assert len(listed["FunctionEventInvokeConfigs"]) == 1
    unchecked = learner.client("lambda", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as invalid:
        unchecked.put_function_event_invoke_config(
            FunctionName="lab-hello", MaximumEventAgeInSeconds=30
        )
    assert invalid.value.response["Error"]["Code"] == "InvalidParameterValueException"
    client.delete_function_event_invoke_config(FunctionName="lab-hello")
    assert learner.view().event_invoke_config("lab-hello") is None


def test_provisioned_concurrency_only_on_versions_and_aliases(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function()
    client = learner.client("lambda")
    version = client.publish_version(FunctionName="lab-hello")["Version"]
    client.create_alias(FunctionName="lab-hello", Name="live", FunctionVersion=version)
    with pytest.raises(ClientError) as refused:
        client.put_provisioned_concurrency_config(
            FunctionName="lab-hello", Qualifier="$LATEST", ProvisionedConcurrentExecutions=2
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    put = client.put_provisioned_concurrency_config(
        FunctionName="lab-hello", Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    got = client.get_provisioned_concurrency_config(FunctionName="lab-hello", Qualifier="live")
    assert got["Status"] == "READY" and got["AllocatedProvisionedConcurrentExecutions"] == 2
    assert learner.view().provisioned_concurrency("lab-hello") == {"live": 2}
    warm = client.invoke(FunctionName="lab-hello", Qualifier="live", Payload=b"{}", LogType="Tail")
    assert "Init Duration" not in base64.b64decode(warm["LogResult"]).decode()
    client.delete_provisioned_concurrency_config(FunctionName="lab-hello", Qualifier="live")
    assert learner.view().provisioned_concurrency("lab-hello") == {}


def test_account_settings_and_unreserved_minimum(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    #
    make_function("a")
    make_function("b")
    client = learner.client("lambda")
    client.put_function_concurrency(FunctionName="a", ReservedConcurrentExecutions=850)
    limits = client.get_account_settings()["AccountLimit"]
    assert limits["ConcurrentExecutions"] == 1000
    assert limits["UnreservedConcurrentExecutions"] == 150
    with pytest.raises(ClientError) as refused:
        client.put_function_concurrency(FunctionName="b", ReservedConcurrentExecutions=100)
    assert "minimum value of [100]" in refused.value.response["Error"]["Message"]
    client.put_function_concurrency(FunctionName="b", ReservedConcurrentExecutions=50)
    assert learner.view().reserved_concurrency("b") == 50


def test_environment_variables_are_limited_to_4_kb_in_total(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # R-1.4 (and myth D-2: there is no separate per-variable limit)
    make_function()
    client = learner.client("lambda")
    fits = {f"K{n}": "v" * 900 for n in range(4)}  # under 4 KB together
    client.update_function_configuration(FunctionName="lab-hello", Environment={"Variables": fits})
    too_much = {f"K{n}": "v" * 900 for n in range(5)}
    with pytest.raises(ClientError) as refused:
        client.update_function_configuration(
            FunctionName="lab-hello", Environment={"Variables": too_much}
        )
    assert "exceeded the 4KB limit" in refused.value.response["Error"]["Message"]


def test_vpc_config_names_the_vpc_of_the_function_subnets(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # VpcConfig.VpcId is the VPC the subnets belong to (moto answered "vpc-123abc").
    ec2, iam = learner.client("ec2"), learner.client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn-sg", Description="fn", VpcId=vpc)["GroupId"]
    make_function()
    iam.attach_role_policy(
        RoleName="lab-lambda-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
    client = learner.client("lambda")
    updated = client.update_function_configuration(
        FunctionName="lab-hello", VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    assert updated["VpcConfig"]["VpcId"] == vpc
    assert client.get_function_configuration(FunctionName="lab-hello")["VpcConfig"]["VpcId"] == vpc
    assert client.get_function(FunctionName="lab-hello")["Configuration"]["VpcConfig"][
        "VpcId"] == vpc


def test_resource_policy_statements_read_back_as_aws_writes_them(
    learner: LearnerAccount, make_function: Callable[..., str]
) -> None:
    # get-policy showed a role as a bare string and FunctionUrlAuthType as a
    # key beside Action (moto's shape); AWS writes {"AWS": ARN} and a Condition, as the
    # permissions-security lesson does.
    import json

    make_function()
    client = learner.client("lambda")
    role = f"arn:aws:iam::{learner.account_id}:role/ops-dashboard-role"
    client.add_permission(FunctionName="lab-hello", StatementId="public-url", Principal="*",
                          Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    client.add_permission(FunctionName="lab-hello", StatementId="dashboard", Principal=role,
                          Action="lambda:InvokeFunction")
    client.add_permission(FunctionName="lab-hello", StatementId="partner",
                          Principal="111122223333", Action="lambda:InvokeFunction")
    client.add_permission(FunctionName="lab-hello", StatementId="bucket",
                          Principal="s3.amazonaws.com", Action="lambda:InvokeFunction",
                          SourceAccount=learner.account_id)
    statements = {s["Sid"]: s for s in json.loads(
        client.get_policy(FunctionName="lab-hello")["Policy"])["Statement"]}
    public = statements["public-url"]
    assert list(public) == ["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]
    assert public["Principal"] == "*"
    assert public["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert statements["dashboard"]["Principal"] == {"AWS": role}
    assert statements["partner"]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert statements["bucket"]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statements["bucket"]["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": learner.account_id}}
    client.remove_permission(FunctionName="lab-hello", StatementId="dashboard")
    remaining = json.loads(client.get_policy(FunctionName="lab-hello")["Policy"])["Statement"]
    assert "dashboard" not in {s["Sid"] for s in remaining}
