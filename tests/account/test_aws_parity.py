"""The sandbox refuses what AWS refuses, with AWS's code, status and message (issue 24).

One row per case: the call made with boto3 against the sandbox, the error code, HTTP
status and message pattern AWS answers with, and the lambda-spec rule (or parameter
sheet fact) the refusal comes from.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labtui.account.learner import LearnerAccount
from tests.account.conftest import HANDLERS, TRUST, zipped

pytestmark = pytest.mark.sandbox

EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


@dataclass
class Lab:
    learner: LearnerAccount
    role: str  # trusts lambda.amazonaws.com, may write logs
    ec2_role: str  # trusts ec2.amazonaws.com
    sqs_role: str  # trusts Lambda, may read SQS
    queue_arn: str  # visibility timeout 30 s
    long_queue_arn: str  # visibility timeout 360 s

    def lam(self) -> Any:
        from botocore.config import Config

        # The AWS CLI and SDKs check minimums themselves; the server must check them too
        # (other tools, or --no-validate), so these rows skip the client's check.
        return self.learner.client("lambda", config=Config(parameter_validation=False))

    def create(self, **overrides: Any) -> Any:
        arguments = {"FunctionName": "parity-fn", "Runtime": "python3.13",
                     "Handler": "app.lambda_handler", "Role": self.role,
                     "Code": {"ZipFile": zipped({"app.py": HANDLERS})}, **overrides}
        return self.lam().create_function(**arguments)


@pytest.fixture
def lab(learner: LearnerAccount) -> Lab:
    iam, sqs = learner.client("iam"), learner.client("sqs")
    account = learner.account_id
    iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(
        RoleName="lambda-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    iam.create_role(RoleName="ec2-role", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_role(RoleName="sqs-role", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(
        RoleName="sqs-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
    sqs.create_queue(QueueName="short-queue", Attributes={"VisibilityTimeout": "30"})
    sqs.create_queue(QueueName="long-queue", Attributes={"VisibilityTimeout": "360"})
    prefix = f"arn:aws:sqs:us-east-1:{account}"
    return Lab(learner, f"arn:aws:iam::{account}:role/lambda-role",
               f"arn:aws:iam::{account}:role/ec2-role", f"arn:aws:iam::{account}:role/sqs-role",
               f"{prefix}:short-queue", f"{prefix}:long-queue")


def _published(lab: Lab) -> Any:
    lab.create()
    lab.lam().publish_version(FunctionName="parity-fn")
    return lab.lam()


def _big_zip() -> bytes:
    # 260 MB of zeros compresses to a fraction of a megabyte: over 250 MB unzipped.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HANDLERS)
        with archive.open("blob.bin", "w", force_zip64=True) as blob:
            chunk = bytes(1 << 20)
            for _ in range(260):
                blob.write(chunk)
    return buffer.getvalue()


def _statement(lab: Lab) -> Any:
    lab.create()
    lam = lab.lam()
    lam.add_permission(FunctionName="parity-fn", StatementId="s3-invoke",
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
    return lam.add_permission(FunctionName="parity-fn", StatementId="s3-invoke",
                              Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")


def _vpc_role(lab: Lab) -> str:
    iam = lab.learner.client("iam")
    iam.create_role(RoleName="vpc-role", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(
        RoleName="vpc-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
    return f"arn:aws:iam::{lab.learner.account_id}:role/vpc-role"


def _vpc_without_group(lab: Lab) -> Any:
    ec2 = lab.learner.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    return lab.create(Role=_vpc_role(lab), VpcConfig={"SubnetIds": [subnet],
                                                      "SecurityGroupIds": ["sg-0abc12345"]})


def _kinesis_esm(lab: Lab) -> Any:
    kinesis = lab.learner.client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    lab.create()
    return lab.lam().create_event_source_mapping(
        FunctionName="parity-fn", EventSourceArn=arn, StartingPosition="LATEST")


def _kinesis_mapping_set(lab: Lab, name: str = "parity-fn", **settings: Any) -> Any:
    """A valid Kinesis mapping, then update-event-source-mapping with ``settings``."""
    kinesis, iam = lab.learner.client("kinesis"), lab.learner.client("iam")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    iam.create_role(RoleName="kinesis-role", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(
        RoleName="kinesis-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole")
    lab.create(FunctionName=name, Role=f"arn:aws:iam::{lab.learner.account_id}:role/kinesis-role")
    uuid = lab.lam().create_event_source_mapping(
        FunctionName=name, EventSourceArn=arn, StartingPosition="TRIM_HORIZON")["UUID"]
    return lab.lam().update_event_source_mapping(UUID=uuid, **settings)


def _sqs_mapped_twice(lab: Lab) -> Any:
    _esm(lab, lab.sqs_role, 5, lab.long_queue_arn)
    return lab.lam().create_event_source_mapping(
        FunctionName=f"arn:aws:lambda:us-east-1:{lab.learner.account_id}:function:parity-fn",
        EventSourceArn=lab.long_queue_arn)


def _kinesis_mapped_twice(lab: Lab) -> Any:
    _kinesis_mapping_set(lab, BatchSize=50)
    arn = lab.learner.client("kinesis").describe_stream(
        StreamName="clicks")["StreamDescription"]["StreamARN"]
    return lab.lam().create_event_source_mapping(
        FunctionName="parity-fn", EventSourceArn=arn, StartingPosition="LATEST")


def _url_twice(lab: Lab) -> Any:
    lab.create()
    lab.lam().create_function_url_config(FunctionName="parity-fn", AuthType="AWS_IAM")
    return lab.lam().create_function_url_config(FunctionName="parity-fn", AuthType="AWS_IAM")


def _esm(lab: Lab, role: str, timeout: int, queue: str, **settings: Any) -> Any:
    lab.create(Role=role, Timeout=timeout)
    return lab.lam().create_event_source_mapping(
        FunctionName="parity-fn", EventSourceArn=queue, **settings)


VAL = "ValidationException"
IPV = "InvalidParameterValueException"
Row = tuple[str, Callable[[Lab], Any], str, int, str, str]
ROWS: list[Row] = [
    ("role-trusts-ec2", lambda lab: lab.create(Role=lab.ec2_role), IPV, 400,
     r"^The role defined for the function cannot be assumed by Lambda\.$", "R-8.1"),
    ("role-missing", lambda lab: lab.create(Role=lab.role + "-gone"), IPV, 400,
     r"cannot be assumed by Lambda", "R-8.1"),
    ("runtime-python3.7", lambda lab: lab.create(Runtime="python3.7"), IPV, 400,
     r"^The runtime parameter of python3\.7 is no longer supported for creating or updating "
     r"AWS Lambda functions\.", "R-1 runtimes_blocked"),
    ("runtime-unknown", lambda lab: lab.create(Runtime="python9"), VAL, 400,
     r"Value 'python9' at 'runtime' failed to satisfy constraint", "R-1 runtimes"),
    ("memory-11000", lambda lab: lab.create(MemorySize=11000), VAL, 400,
     r"at 'memorySize' failed to satisfy constraint: Member must have value less than or "
     r"equal to 10240", "R-1.1"),
    ("memory-64", lambda lab: lab.create(MemorySize=64), VAL, 400,
     r"greater than or equal to 128", "R-1.1"),
    ("timeout-0", lambda lab: lab.create(Timeout=0), VAL, 400,
     r"at 'timeout' failed to satisfy constraint", "R-1.2"),
    ("timeout-901", lambda lab: lab.create(Timeout=901), IPV, 400,
     r"Timeout must be between 1 and 900", "R-1.2"),
    ("ephemeral-20000", lambda lab: lab.create(EphemeralStorage={"Size": 20000}), VAL, 400,
     r"at 'ephemeralStorage.size'.*less than or equal to 10240", "R-1.3"),
    ("ephemeral-256", lambda lab: lab.create(EphemeralStorage={"Size": 256}), VAL, 400,
     r"greater than or equal to 512", "R-1.3"),
    ("env-over-4kb", lambda lab: lab.create(Environment={"Variables": {"BIG": "x" * 5000}}),
     IPV, 400, r"exceeded the 4KB limit", "R-1.4"),
    ("six-layers", lambda lab: lab.create(
        Layers=[f"arn:aws:lambda:us-east-1:{lab.learner.account_id}:layer:l{i}:1"
                for i in range(6)]), IPV, 400, r"more than 5 layers", "R-1.5"),
    ("name-65-chars", lambda lab: lab.create(FunctionName="f" * 65), VAL, 400,
     r"at 'functionName'.*length less than or equal to 64", "R-1 function_name_chars"),
    ("name-bad-chars", lambda lab: lab.create(FunctionName="my function!"), VAL, 400,
     r"at 'functionName' failed to satisfy constraint: Member must satisfy regular "
     r"expression pattern", "R-1 function_name_chars"),
    ("architecture-x86", lambda lab: lab.create(Architectures=["x86"]), VAL, 400,
     r"at 'architectures'.*enum value set: \[x86_64, arm64\]", "R-1.6"),
    ("unzipped-over-250mb", lambda lab: lab.create(Code={"ZipFile": _big_zip()}), IPV, 400,
     r"^Unzipped size must be smaller than 262144000 bytes$", "R-1.5"),
    ("duplicate-function", lambda lab: (lab.create(), lab.create()), "ResourceConflictException",
     409, r"^Function already exist: parity-fn$", "R-1"),
    ("update-runtime-python3.6", lambda lab: (lab.create(), lab.lam().update_function_configuration(
        FunctionName="parity-fn", Runtime="python3.6")), IPV, 400,
     r"python3\.6 is no longer supported", "R-1 runtimes_blocked"),
    ("update-memory-11000", lambda lab: (lab.create(), lab.lam().update_function_configuration(
        FunctionName="parity-fn", MemorySize=11000)), VAL, 400, r"memorySize", "R-1.1"),
    ("update-role-ec2", lambda lab: (lab.create(), lab.lam().update_function_configuration(
        FunctionName="parity-fn", Role=lab.ec2_role)), IPV, 400,
     r"cannot be assumed by Lambda", "R-8.1"),
    ("vpc-role-without-eni", lambda lab: lab.create(
        VpcConfig={"SubnetIds": ["subnet-12345678"], "SecurityGroupIds": ["sg-12345678"]}),
     IPV, 400, r"^The provided execution role does not have permissions to call "
     r"CreateNetworkInterface on EC2$", "R-7"),
    ("vpc-subnet-missing", lambda lab: lab.create(
        Role=_vpc_role(lab), VpcConfig={"SubnetIds": ["subnet-0abc12345"],
                                        "SecurityGroupIds": []}),
     IPV, 400, r"^Error occurred while DescribeSubnets\. EC2 Error Code: "
     r"InvalidSubnetID\.NotFound\.", "R-7"),
    ("vpc-group-missing", _vpc_without_group, IPV, 400,
     r"^Error occurred while DescribeSecurityGroups\. EC2 Error Code: InvalidGroup\.NotFound",
     "R-7"),
    ("alias-weight-10", lambda lab: _published(lab).create_alias(
        FunctionName="parity-fn", Name="prod", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"1": 10}}), VAL, 400,
     r"routingConfig.additionalVersionWeights.*less than or equal to 1\.0", "R-9.2"),
    ("alias-two-extra-versions", lambda lab: _published(lab).create_alias(
        FunctionName="parity-fn", Name="prod", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}}), VAL, 400,
     r"length less than or equal to 1", "R-9.2"),
    ("alias-missing-version", lambda lab: _published(lab).create_alias(
        FunctionName="parity-fn", Name="prod", FunctionVersion="7"),
     "ResourceNotFoundException", 404, r"Function not found: .*:function:parity-fn:7$", "R-9.2"),
    ("alias-latest-with-weights", lambda lab: _published(lab).create_alias(
        FunctionName="parity-fn", Name="prod", FunctionVersion="$LATEST",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}), IPV, 400,
     r"^\$LATEST is not supported for an alias pointing to more than 1 version$", "R-9.2"),
    ("reserved-negative", lambda lab: (lab.create(), lab.lam().put_function_concurrency(
        FunctionName="parity-fn", ReservedConcurrentExecutions=-1)), VAL, 400,
     r"reservedConcurrentExecutions", "R-5.3"),
    ("esm-visibility-shorter", lambda lab: _esm(lab, lab.sqs_role, 60, lab.queue_arn), IPV, 400,
     r"^Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds$",
     "R-4.3"),
    ("esm-role-cannot-read-sqs", lambda lab: _esm(lab, lab.role, 5, lab.long_queue_arn), IPV,
     400, r"^The function execution role does not have permissions to call ReceiveMessage on "
     r"SQS$", "R-8.2"),
    ("esm-batch-20-no-window", lambda lab: _esm(lab, lab.sqs_role, 5, lab.long_queue_arn,
                                                BatchSize=20), IPV, 400,
     r"Maximum batch window in seconds must be greater than 0", "R-4.1"),
    ("esm-batch-over-10000", lambda lab: _esm(lab, lab.sqs_role, 5, lab.long_queue_arn,
                                              BatchSize=10001,
                                              MaximumBatchingWindowInSeconds=5), VAL, 400,
     r"at 'batchSize'.*less than or equal to 10000", "R-4.1"),
    ("esm-window-over-300", lambda lab: _esm(lab, lab.sqs_role, 5, lab.long_queue_arn,
                                             MaximumBatchingWindowInSeconds=301), VAL, 400,
     r"maximumBatchingWindowInSeconds.*less than or equal to 300", "R-4.1"),
    ("esm-role-cannot-read-kinesis", _kinesis_esm, IPV, 400,
     r"^Cannot access stream arn:aws:kinesis:.*Please ensure the role can perform the "
     r"GetRecords, GetShardIterator, DescribeStream, and ListShards Actions", "R-8.2"),
    ("esm-record-age-30", lambda lab: _kinesis_mapping_set(lab, MaximumRecordAgeInSeconds=30),
     IPV, 400, r"^MaximumRecordAgeInSeconds must be either -1 \(forever\) or between 60 and "
     r"604800 \(inclusive\)$", "R-4.10"),
    ("esm-record-age-over-7-days", lambda lab: _kinesis_mapping_set(
        lab, MaximumRecordAgeInSeconds=604801), VAL, 400,
     r"at 'maximumRecordAgeInSeconds'.*less than or equal to 604800", "R-4.10"),
    ("esm-retries-over-10000", lambda lab: _kinesis_mapping_set(
        lab, MaximumRetryAttempts=10001), VAL, 400,
     r"at 'maximumRetryAttempts'.*less than or equal to 10000", "R-4.10"),
    ("esm-sqs-twice", _sqs_mapped_twice, "ResourceConflictException", 409,
     r'^An event source mapping with SQS arn \(" arn:aws:sqs:.*:long-queue "\) and function '
     r'\(" parity-fn "\) already exists\. Please update or delete the existing mapping with '
     r"UUID [0-9a-f-]{36}$", "R-4.1"),
    ("esm-kinesis-twice", _kinesis_mapped_twice, "ResourceConflictException", 409,
     r'^The event source arn \(" arn:aws:kinesis:.*stream/clicks "\) and function '
     r'\(" parity-fn "\) provided mapping already exists\. Please update or delete the '
     r"existing mapping with UUID [0-9a-f-]{36}$", "R-4.9"),
    ("function-url-twice", _url_twice, "ResourceConflictException", 409, r"exists", "R-8.4"),
    ("permission-duplicate-sid", _statement, "ResourceConflictException", 409,
     r"The statement id \(sid\) provided already exists", "R-8.3"),
]


@pytest.mark.parametrize(("case", "call", "code", "status", "message", "rule"), ROWS,
                         ids=[row[0] for row in ROWS])
def test_the_sandbox_refuses_as_aws_does(
    lab: Lab, case: str, call: Callable[[Lab], Any], code: str, status: int, message: str,
    rule: str,
) -> None:
    assert rule.startswith("R-")
    with pytest.raises(ClientError) as refused:
        call(lab)
    error = refused.value.response
    assert error["Error"]["Code"] == code, (case, error["Error"])
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status, case
    assert re.search(message, error["Error"]["Message"]), (case, error["Error"]["Message"])


def test_what_aws_accepts_is_still_accepted(lab: Lab) -> None:
    """The other side of every row: the same calls within AWS's limits go through."""
    lam = lab.lam()
    lab.create(MemorySize=10240, Timeout=900, EphemeralStorage={"Size": 10240},
               Architectures=["arm64"])
    lam.publish_version(FunctionName="parity-fn")
    lam.update_function_configuration(FunctionName="parity-fn", Description="second")
    assert lam.publish_version(FunctionName="parity-fn")["Version"] == "2"
    lam.create_alias(FunctionName="parity-fn", Name="prod", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    lam.update_alias(FunctionName="parity-fn", Name="prod",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    lam.update_function_configuration(FunctionName="parity-fn", Timeout=60, Role=lab.sqs_role)
    lam.create_event_source_mapping(FunctionName="parity-fn", EventSourceArn=lab.long_queue_arn,
                                    BatchSize=100, MaximumBatchingWindowInSeconds=5)
    limits = _kinesis_mapping_set(lab, "stream-fn", MaximumRecordAgeInSeconds=60,
                                  MaximumRetryAttempts=10000)
    assert (limits["MaximumRecordAgeInSeconds"], limits["MaximumRetryAttempts"]) == (60, 10000)
    lam.put_function_concurrency(FunctionName="parity-fn", ReservedConcurrentExecutions=0)
    lam.update_function_code(FunctionName="parity-fn", ZipFile=zipped({"app.py": HANDLERS}))
