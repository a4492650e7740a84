"""Create an exercise's ``setup:`` resources in a learner's account, through the AWS API.

Seeding goes through the same endpoint as the learner (boto3 against the gateway), so
the seeded state is exactly what the learner's own commands would have produced.
Order matters: IAM, storage and queues, VPC pieces, functions, then event sources.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtui.account.seeding_vpc import seed_vpc
from labtui.errors import LabError

if TYPE_CHECKING:
    from labtui.account.learner import LearnerAccount
    from labtui.course.setup_spec import (
        ExerciseSetup,
        FunctionSpec,
        VpcSpec,
    )

_MANAGED_POLICY_PATHS = {
    "AWSLambdaBasicExecutionRole": "service-role/",
    "AWSLambdaVPCAccessExecutionRole": "service-role/",
    "AWSLambdaSQSQueueExecutionRole": "service-role/",
    "AWSLambdaKinesisExecutionRole": "service-role/",
    "AWSLambdaDynamoDBExecutionRole": "service-role/",
    "AWSLambdaRole": "service-role/",
}


def managed_policy_arn(name: str) -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:aws:iam::aws:policy/{_MANAGED_POLICY_PATHS.get(name, '')}{name}"


def trust_policy(services: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": services if len(services) > 1 else services[0]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def zip_directory(directory: Path) -> bytes:
    if not directory.is_dir():
        raise LabError(f"function code directory not found: {directory}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()


class _Seeder:
    def __init__(self, account: LearnerAccount, pack_dir: Path) -> None:
        self.account = account
        self.pack_dir = pack_dir
        self.arn_prefix = f"{account.region}:{account.account_id}"
        self.queue_urls: dict[str, str] = {}
        self.subnets: dict[str, str] = {}
        self.groups: dict[str, str] = {}
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.account.client(service)
        return self._clients[service]

    def queue_arn(self, name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:sqs:{self.arn_prefix}:{name}"

    def role_arn(self, name: str) -> str:
        return (
            name
            if name.startswith("arn:")
            else (f"arn:aws:iam::{self.account.account_id}:role/{name}")
        )

    def function_arn(self, name: str) -> str:
        return (
            name
            if name.startswith("arn:")
            else (f"arn:aws:lambda:{self.arn_prefix}:function:{name}")
        )

    def destination_arn(self, name: str, functions: set[str]) -> str:
        return self.function_arn(name) if name in functions else self.queue_arn(name)

    # --- resources -----------------------------------------------------------------------

    def run(self, setup: ExerciseSetup) -> None:
        if setup.account is not None:
            extras = self.account.sandbox.extras
            assert extras is not None
            extras.account(
                self.account.account_id
            ).concurrent_executions_limit = setup.account.concurrent_executions
        iam = self.client("iam")
        for role in setup.roles:
            iam.create_role(
                RoleName=role.name,
                AssumeRolePolicyDocument=trust_policy(role.trust),
                Description=role.description,
            )
            for policy in role.managed_policies:
                iam.attach_role_policy(RoleName=role.name, PolicyArn=managed_policy_arn(policy))
            for inline in role.inline_policies:
                iam.put_role_policy(
                    RoleName=role.name,
                    PolicyName=inline.name,
                    PolicyDocument=json.dumps(inline.document),
                )
        self.queues(setup)
        self.storage(setup)
        for vpc in setup.vpcs:
            self.vpc(vpc)
        functions = {function.name for function in setup.functions}
        for function in setup.functions:
            self.function(function, functions)
        for bucket in setup.buckets:
            if bucket.notifications:
                self.notifications(bucket.name, bucket.notifications)
        self.event_source_mappings(setup)

    def queues(self, setup: ExerciseSetup) -> None:
        sqs = self.client("sqs")
        # Dead-letter queues first, so that redrive policies can point at them.
        ordered = sorted(setup.queues, key=lambda queue: queue.redrive is not None)
        for queue in ordered:
            attributes = {"VisibilityTimeout": str(queue.visibility_timeout)}
            if queue.fifo:
                attributes["FifoQueue"] = "true"
            if queue.message_retention is not None:
                attributes["MessageRetentionPeriod"] = str(queue.message_retention)
            if queue.redrive is not None:
                attributes["RedrivePolicy"] = json.dumps(
                    {
                        "deadLetterTargetArn": self.queue_arn(queue.redrive.dead_letter_queue),
                        "maxReceiveCount": queue.redrive.max_receive_count,
                    }
                )
            url = sqs.create_queue(QueueName=queue.name, Attributes=attributes)["QueueUrl"]
            self.queue_urls[queue.name] = url
            for body in queue.messages:
                extra = {"MessageGroupId": "seed"} if queue.fifo else {}
                if queue.fifo:
                    extra["MessageDeduplicationId"] = str(abs(hash(body)))
                sqs.send_message(QueueUrl=url, MessageBody=body, **extra)

    def storage(self, setup: ExerciseSetup) -> None:
        s3 = self.client("s3")
        for bucket in setup.buckets:
            s3.create_bucket(Bucket=bucket.name)
            for key, body in bucket.objects.items():
                s3.put_object(Bucket=bucket.name, Key=key, Body=body.encode())
        kinesis = self.client("kinesis")
        for stream in setup.streams:
            kinesis.create_stream(StreamName=stream.name, ShardCount=stream.shards)
        dynamodb = self.client("dynamodb")
        for table in setup.tables:
            arguments: dict[str, Any] = {
                "TableName": table.name,
                "KeySchema": [{"AttributeName": k.name, "KeyType": k.key_type} for k in table.key],
                "AttributeDefinitions": [
                    {"AttributeName": k.name, "AttributeType": k.type} for k in table.key
                ],
                "BillingMode": "PAY_PER_REQUEST",
            }
            if table.stream:
                arguments["StreamSpecification"] = {
                    "StreamEnabled": True,
                    "StreamViewType": table.stream,
                }
            dynamodb.create_table(**arguments)
        secrets = self.client("secretsmanager")
        for secret in setup.secrets:
            value = secret.value if isinstance(secret.value, str) else json.dumps(secret.value)
            secrets.create_secret(
                Name=secret.name, SecretString=value, Description=secret.description
            )

    def vpc(self, spec: VpcSpec) -> None:
        subnets, groups = seed_vpc(self.client("ec2"), spec, self.account.region)
        self.subnets.update(subnets)
        self.groups.update(groups)

    def function(self, spec: FunctionSpec, functions: set[str]) -> None:
        lam = self.client("lambda")
        arguments: dict[str, Any] = {
            "FunctionName": spec.name,
            "Runtime": spec.runtime,
            "Role": self.role_arn(spec.role),
            "Handler": spec.handler,
            "Code": {"ZipFile": self._code(spec.code, spec.files)},
            "MemorySize": spec.memory,
            "Timeout": spec.timeout,
            "Architectures": [spec.architecture],
            "EphemeralStorage": {"Size": spec.ephemeral_storage},
            "Description": spec.description,
        }
        if spec.environment:
            arguments["Environment"] = {"Variables": dict(spec.environment)}
        if spec.vpc is not None:
            arguments["VpcConfig"] = {
                "SubnetIds": [self.subnets[name] for name in spec.vpc.subnets],
                "SecurityGroupIds": [self.groups[name] for name in spec.vpc.security_groups],
            }
        if spec.dead_letter_target:
            arguments["DeadLetterConfig"] = {"TargetArn": self.queue_arn(spec.dead_letter_target)}
        lam.create_function(**arguments)
        for number, version in enumerate(spec.versions, start=1):
            # Lambda publishes nothing new unless code or configuration changed since the
            # last version, so each seeded version carries its own description.
            changes: dict[str, Any] = {"Description": version.description or f"version {number}"}
            if version.memory is not None:
                changes["MemorySize"] = version.memory
            if version.timeout is not None:
                changes["Timeout"] = version.timeout
            if version.environment is not None:
                changes["Environment"] = {"Variables": dict(version.environment)}
            lam.update_function_configuration(FunctionName=spec.name, **changes)
            if version.code is not None or version.files is not None:
                lam.update_function_code(
                    FunctionName=spec.name, ZipFile=self._code(version.code, version.files)
                )
            lam.publish_version(FunctionName=spec.name, Description=version.description)
        for alias in spec.aliases:
            extra: dict[str, Any] = {}
            if alias.weights:
                extra["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.weights)}
            lam.create_alias(
                FunctionName=spec.name,
                Name=alias.name,
                FunctionVersion=alias.version,
                Description=alias.description,
                **extra,
            )
        if spec.reserved_concurrency is not None:
            lam.put_function_concurrency(
                FunctionName=spec.name, ReservedConcurrentExecutions=spec.reserved_concurrency
            )
        for qualifier, count in spec.provisioned_concurrency.items():
            lam.put_provisioned_concurrency_config(
                FunctionName=spec.name, Qualifier=qualifier, ProvisionedConcurrentExecutions=count
            )
        if spec.event_invoke_config is not None:
            config = spec.event_invoke_config
            invoke_arguments: dict[str, Any] = {"FunctionName": spec.name}
            if config.maximum_retry_attempts is not None:
                invoke_arguments["MaximumRetryAttempts"] = config.maximum_retry_attempts
            if config.maximum_event_age is not None:
                invoke_arguments["MaximumEventAgeInSeconds"] = config.maximum_event_age
            destinations: dict[str, Any] = {}
            if config.on_success:
                destinations["OnSuccess"] = {
                    "Destination": self.destination_arn(config.on_success, functions)
                }
            if config.on_failure:
                destinations["OnFailure"] = {
                    "Destination": self.destination_arn(config.on_failure, functions)
                }
            if destinations:
                invoke_arguments["DestinationConfig"] = destinations
            lam.put_function_event_invoke_config(**invoke_arguments)
        for permission in spec.permissions:
            permission_arguments: dict[str, Any] = {
                "FunctionName": spec.name,
                "StatementId": permission.statement_id,
                "Action": permission.action,
                "Principal": permission.principal,
            }
            if permission.source_arn:
                permission_arguments["SourceArn"] = permission.source_arn
            if permission.source_account:
                permission_arguments["SourceAccount"] = permission.source_account
            if permission.function_url_auth_type:
                permission_arguments["FunctionUrlAuthType"] = permission.function_url_auth_type
            lam.add_permission(**permission_arguments)
        if spec.url is not None:
            lam.create_function_url_config(FunctionName=spec.name, AuthType=spec.url.auth_type)
            if spec.url.public_statement:
                lam.add_permission(
                    FunctionName=spec.name,
                    StatementId="FunctionURLAllowPublic",
                    Action="lambda:InvokeFunctionUrl",
                    Principal="*",
                    FunctionUrlAuthType="NONE",
                )

    def _code(self, code: str | None, files: dict[str, str] | None) -> bytes:
        if files is not None:
            return zip_files(files)
        assert code is not None
        return zip_directory(self.pack_dir / code)

    def notifications(self, bucket: str, notifications: list[Any]) -> None:
        configurations = []
        for notification in notifications:
            rules = []
            if notification.prefix:
                rules.append({"Name": "prefix", "Value": notification.prefix})
            if notification.suffix:
                rules.append({"Name": "suffix", "Value": notification.suffix})
            configuration: dict[str, Any] = {
                "LambdaFunctionArn": self.function_arn(notification.function),
                "Events": list(notification.events),
            }
            if rules:
                configuration["Filter"] = {"Key": {"FilterRules": rules}}
            configurations.append(configuration)
        self.client("s3").put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={"LambdaFunctionConfigurations": configurations},
        )

    def event_source_mappings(self, setup: ExerciseSetup) -> None:
        lam = self.client("lambda")
        for mapping in setup.event_source_mappings:
            arguments: dict[str, Any] = {
                "FunctionName": mapping.function,
                "EventSourceArn": self._source_arn(mapping.source_type, mapping.source),
                "Enabled": mapping.enabled,
            }
            optional = {
                "BatchSize": mapping.batch_size,
                "MaximumBatchingWindowInSeconds": mapping.batching_window,
                "StartingPosition": mapping.starting_position,
                "BisectBatchOnFunctionError": mapping.bisect_on_error,
                "MaximumRetryAttempts": mapping.maximum_retry_attempts,
                "MaximumRecordAgeInSeconds": mapping.maximum_record_age,
                "ParallelizationFactor": mapping.parallelization_factor,
            }
            arguments.update({key: value for key, value in optional.items() if value is not None})
            if mapping.source_type != "sqs" and "StartingPosition" not in arguments:
                arguments["StartingPosition"] = "TRIM_HORIZON"
            if mapping.report_batch_item_failures:
                arguments["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if mapping.on_failure:
                arguments["DestinationConfig"] = {
                    "OnFailure": {"Destination": self.queue_arn(mapping.on_failure)}
                }
            if mapping.maximum_concurrency is not None:
                arguments["ScalingConfig"] = {"MaximumConcurrency": mapping.maximum_concurrency}
            lam.create_event_source_mapping(**arguments)

    def _source_arn(self, source_type: str, name: str) -> str:
        if name.startswith("arn:"):
            return name
        if source_type == "sqs":
            return self.queue_arn(name)
        if source_type == "kinesis":
            return f"arn:aws:kinesis:{self.arn_prefix}:stream/{name}"
        table = self.client("dynamodb").describe_table(TableName=name)["Table"]
        return str(table["LatestStreamArn"])


def apply_setup(account: LearnerAccount, setup: ExerciseSetup, pack_dir: Path) -> None:
    """Create every resource of ``setup`` in ``account`` (code paths relative to pack_dir).

    A failure is reported as a LabError naming the resource kind and AWS's message."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        _Seeder(account, pack_dir).run(setup)
    except ClientError as error:
        operation = error.operation_name
        raise LabError(
            f"seeding failed at {operation}: {error.response['Error'].get('Message')}"
        ) from error
    except BotoCoreError as error:
        raise LabError(f"seeding failed: {error}") from error
