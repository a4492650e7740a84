"""Read-only access to one learner account's state, for checks and the TUI.

Everything is read through the AWS API (so it includes what the gateway keeps and moto
drops), except queue contents, which are peeked in-process so that reading them never
changes receive counts or visibility. Missing resources read as ``None`` or empty, never
as an exception, so a check can report "expected X, found nothing".
"""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtui.account.lambda_extras import AsyncOutcome
    from labtui.account.learner import LearnerAccount
    from labtui.runner.protocol import InvokeResult


def _clean(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "ResponseMetadata"}


def _tag_name(resource: dict[str, Any]) -> str | None:
    for tag in resource.get("Tags", []) or []:
        if tag.get("Key") == "Name":
            return str(tag.get("Value"))
    return None


class AccountView:
    """What exists in a learner's account now. Construct with ``LearnerAccount.view()``."""

    def __init__(self, account: LearnerAccount) -> None:
        self.account = account
        self.account_id = account.account_id
        self.region = account.region
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.account.client(service)
        return self._clients[service]

    def _call(self, service: str, operation: str, **arguments: Any) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            result: dict[str, Any] = getattr(self._client(service), operation)(**arguments)
        except ClientError:
            return None
        return _clean(result)

    # --- Lambda --------------------------------------------------------------------------

    def function_names(self) -> list[str]:
        paginator = self._client("lambda").get_paginator("list_functions")
        return sorted(f["FunctionName"] for page in paginator.paginate() for f in page["Functions"])

    def function(self, name: str, qualifier: str | None = None) -> dict[str, Any] | None:
        """get-function-configuration, including DeadLetterConfig and EphemeralStorage."""
        arguments: dict[str, Any] = {"FunctionName": name}
        if qualifier:
            arguments["Qualifier"] = qualifier
        return self._call("lambda", "get_function_configuration", **arguments)

    def reserved_concurrency(self, name: str) -> int | None:
        found = self._call("lambda", "get_function_concurrency", FunctionName=name)
        value = (found or {}).get("ReservedConcurrentExecutions")
        return None if value is None else int(value)

    def versions(self, name: str) -> list[dict[str, Any]]:
        """Published versions (not $LATEST), oldest first, each with its configuration."""
        found = self._call("lambda", "list_versions_by_function", FunctionName=name)
        versions = [v for v in (found or {}).get("Versions", []) if v["Version"] != "$LATEST"]
        return sorted(versions, key=lambda version: int(version["Version"]))

    def aliases(self, name: str) -> dict[str, dict[str, Any]]:
        found = self._call("lambda", "list_aliases", FunctionName=name)
        return {alias["Name"]: alias for alias in (found or {}).get("Aliases", [])}

    def event_invoke_config(self, name: str, qualifier: str | None = None) -> dict[str, Any] | None:
        arguments: dict[str, Any] = {"FunctionName": name}
        if qualifier:
            arguments["Qualifier"] = qualifier
        return self._call("lambda", "get_function_event_invoke_config", **arguments)

    def provisioned_concurrency(self, name: str) -> dict[str, int]:
        """Qualifier -> requested provisioned concurrency."""
        found = self._call("lambda", "list_provisioned_concurrency_configs", FunctionName=name)
        result = {}
        for config in (found or {}).get("ProvisionedConcurrencyConfigs", []):
            qualifier = config["FunctionArn"].rsplit(":", 1)[-1]
            result[qualifier] = int(config["RequestedProvisionedConcurrentExecutions"])
        return result

    def account_settings(self) -> dict[str, Any]:
        return self._call("lambda", "get_account_settings") or {}

    def resource_policy(self, name: str) -> dict[str, Any] | None:
        found = self._call("lambda", "get_policy", FunctionName=name)
        return json.loads(found["Policy"]) if found and found.get("Policy") else None

    def function_url(self, name: str) -> dict[str, Any] | None:
        return self._call("lambda", "get_function_url_config", FunctionName=name)

    def event_source_mappings(self, function: str | None = None) -> list[dict[str, Any]]:
        arguments = {"FunctionName": function} if function else {}
        found = self._call("lambda", "list_event_source_mappings", **arguments)
        return list((found or {}).get("EventSourceMappings", []))

    def async_outcomes(self, function: str | None = None) -> list[AsyncOutcome]:
        """Asynchronous invocations run so far (oldest first)."""
        extras = self.account.sandbox.extras
        if extras is None:
            return []
        with extras.lock:
            outcomes = list(extras.account(self.account_id).async_outcomes)
        if function is None:
            return outcomes
        return [o for o in outcomes if o.function_arn.split(":")[6] == function]

    def code_files(self, name: str, qualifier: str | None = None) -> dict[str, str]:
        """The function version's code: path -> text (binary files are skipped)."""
        import io
        import zipfile

        from moto.awslambda.models import lambda_backends
        from moto.core.exceptions import ServiceException, _RESTError

        try:
            function = lambda_backends[self.account_id][self.region].get_function(name, qualifier)
        except (_RESTError, ServiceException):
            return {}
        files = {}
        with zipfile.ZipFile(io.BytesIO(bytes(function.code_bytes or b""))) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                try:
                    files[info.filename] = archive.read(info).decode()
                except UnicodeDecodeError:
                    continue
        return files

    def log_lines(self, name: str) -> list[str]:
        """Every line the function logged to /aws/lambda/<name>, oldest first (R-6.5)."""
        client = self._client("logs")
        lines: list[str] = []
        arguments: dict[str, Any] = {"logGroupName": f"/aws/lambda/{name}"}
        from botocore.exceptions import ClientError

        try:
            while True:
                page = client.filter_log_events(**arguments)
                lines += [event["message"] for event in page.get("events", [])]
                if not page.get("nextToken"):
                    return lines
                arguments["nextToken"] = page["nextToken"]
        except ClientError:
            return lines

    def invoke(self, name: str, event: Any, qualifier: str | None = None) -> InvokeResult:
        result: InvokeResult = self.account.invoke(name, event, qualifier)
        return result

    # --- IAM -----------------------------------------------------------------------------

    def role(self, name: str) -> dict[str, Any] | None:
        """The role with ``TrustPolicy`` (decoded), ``AttachedPolicies`` (ARNs) and
        ``InlinePolicies`` (name -> document)."""
        found = self._call("iam", "get_role", RoleName=name)
        if found is None:
            return None
        role = dict(found["Role"])
        trust = role.get("AssumeRolePolicyDocument")
        if isinstance(trust, str):
            trust = json.loads(urllib.parse.unquote(trust))
        role["TrustPolicy"] = trust
        attached = self._call("iam", "list_attached_role_policies", RoleName=name) or {}
        role["AttachedPolicies"] = [p["PolicyArn"] for p in attached.get("AttachedPolicies", [])]
        inline: dict[str, Any] = {}
        names = self._call("iam", "list_role_policies", RoleName=name) or {}
        for policy_name in names.get("PolicyNames", []):
            document = (
                self._call("iam", "get_role_policy", RoleName=name, PolicyName=policy_name) or {}
            ).get("PolicyDocument")
            if isinstance(document, str):
                document = json.loads(urllib.parse.unquote(document))
            inline[policy_name] = document
        role["InlinePolicies"] = inline
        return role

    def managed_policy_document(self, arn: str) -> dict[str, Any] | None:
        policy = self._call("iam", "get_policy", PolicyArn=arn)
        if policy is None:
            return None
        version = policy["Policy"]["DefaultVersionId"]
        found = self._call("iam", "get_policy_version", PolicyArn=arn, VersionId=version)
        document = (found or {}).get("PolicyVersion", {}).get("Document")
        if isinstance(document, str):
            document = json.loads(urllib.parse.unquote(document))
        return document if isinstance(document, dict) else None

    # --- SQS -----------------------------------------------------------------------------

    def queue_url(self, name: str) -> str | None:
        found = self._call("sqs", "get_queue_url", QueueName=name)
        return None if found is None else str(found["QueueUrl"])

    def queue_attributes(self, name: str) -> dict[str, Any] | None:
        """All attributes; RedrivePolicy decoded to a dict when present."""
        url = self.queue_url(name)
        if url is None:
            return None
        found = self._call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
        attributes = dict((found or {}).get("Attributes", {}))
        if "RedrivePolicy" in attributes:
            attributes["RedrivePolicy"] = json.loads(attributes["RedrivePolicy"])
        return attributes

    def queue_messages(self, name: str) -> list[dict[str, Any]]:
        """Every message in the queue (visible or in flight), without receiving it."""
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[self.account_id][self.region]
        queue = backend.queues.get(name)
        if queue is None:
            return []
        return [
            {
                "MessageId": message.id,
                "Body": message.body,
                "ReceiveCount": int(message.approximate_receive_count),
                "MessageAttributes": dict(message.message_attributes or {}),
            }
            for message in list(queue._messages)
        ]

    # --- VPC -----------------------------------------------------------------------------

    def _described(self, operation: str, key: str, **arguments: Any) -> list[dict[str, Any]]:
        found = self._call("ec2", operation, **arguments) or {}
        items = list(found.get(key, []))
        for item in items:
            item["Name"] = _tag_name(item)
        return items

    def vpcs(self) -> list[dict[str, Any]]:
        return self._described("describe_vpcs", "Vpcs")

    def subnets(self) -> list[dict[str, Any]]:
        return self._described("describe_subnets", "Subnets")

    def route_tables(self) -> list[dict[str, Any]]:
        return self._described("describe_route_tables", "RouteTables")

    def internet_gateways(self) -> list[dict[str, Any]]:
        return self._described("describe_internet_gateways", "InternetGateways")

    def nat_gateways(self) -> list[dict[str, Any]]:
        return self._described("describe_nat_gateways", "NatGateways")

    def vpc_endpoints(self) -> list[dict[str, Any]]:
        return self._described("describe_vpc_endpoints", "VpcEndpoints")

    def security_groups(self) -> list[dict[str, Any]]:
        return self._described("describe_security_groups", "SecurityGroups")

    def resource_names(self) -> dict[str, str]:
        """EC2 resource id -> Name tag, for turning ids back into learner-visible names."""
        found = self._call("ec2", "describe_tags") or {}
        return {
            tag["ResourceId"]: tag["Value"]
            for tag in found.get("Tags", [])
            if tag.get("Key") == "Name"
        }

    # --- S3, Kinesis, DynamoDB, Secrets Manager ------------------------------------------

    def buckets(self) -> list[str]:
        found = self._call("s3", "list_buckets") or {}
        return sorted(bucket["Name"] for bucket in found.get("Buckets", []))

    def bucket_notifications(self, bucket: str) -> dict[str, Any]:
        return self._call("s3", "get_bucket_notification_configuration", Bucket=bucket) or {}

    def object_keys(self, bucket: str) -> list[str]:
        found = self._call("s3", "list_objects_v2", Bucket=bucket) or {}
        return sorted(item["Key"] for item in found.get("Contents", []))

    def streams(self) -> list[str]:
        found = self._call("kinesis", "list_streams") or {}
        return sorted(found.get("StreamNames", []))

    def tables(self) -> list[str]:
        found = self._call("dynamodb", "list_tables") or {}
        return sorted(found.get("TableNames", []))

    def table(self, name: str) -> dict[str, Any] | None:
        found = self._call("dynamodb", "describe_table", TableName=name)
        return None if found is None else dict(found["Table"])

    def secrets(self) -> list[str]:
        found = self._call("secretsmanager", "list_secrets") or {}
        return sorted(secret["Name"] for secret in found.get("SecretList", []))
