"""Read the graded account's state for checks: small functions over boto3 clients.

Each helper returns ``None`` (or an empty value) when the resource does not exist, so a
check can say "lab-hello does not exist yet" instead of crashing. IAM documents are
normalised (lists everywhere) so checks can compare them without caring how the learner
wrote the JSON.
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from typing import Any

from labtui.grading.context import GradingContext


def _client_error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _missing(error: Exception) -> bool:
    code = _client_error_code(error)
    return code in (
        "ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException",
        "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
        "ProvisionedConcurrencyConfigNotFoundException", "InvalidGroup.NotFound",
    ) or "NotFound" in code


def _try(call: Any, **kwargs: Any) -> Any:
    from botocore.exceptions import ClientError

    try:
        return call(**kwargs)
    except ClientError as error:
        if _missing(error):
            return None
        raise


# --- Lambda ------------------------------------------------------------------------------


def function_config(ctx: GradingContext, name: str, qualifier: str | None = None) -> dict[str, Any] | None:
    kwargs: dict[str, Any] = {"FunctionName": name}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    result: dict[str, Any] | None = _try(ctx.aws("lambda").get_function_configuration, **kwargs)
    return result


def published_versions(ctx: GradingContext, name: str) -> list[dict[str, Any]]:
    """Published versions (not ``$LATEST``), oldest first."""
    response = _try(ctx.aws("lambda").list_versions_by_function, FunctionName=name)
    if response is None:
        return []
    versions = [v for v in response.get("Versions", []) if v.get("Version") != "$LATEST"]
    return sorted(versions, key=lambda v: int(v["Version"]))


def alias(ctx: GradingContext, function: str, name: str) -> dict[str, Any] | None:
    result: dict[str, Any] | None = _try(
        ctx.aws("lambda").get_alias, FunctionName=function, Name=name
    )
    return result


def alias_weights(alias_doc: dict[str, Any]) -> dict[str, float]:
    routing = alias_doc.get("RoutingConfig") or {}
    return {str(k): float(v) for k, v in (routing.get("AdditionalVersionWeights") or {}).items()}


def event_invoke_config(ctx: GradingContext, function: str, qualifier: str | None = None) -> dict[str, Any] | None:
    kwargs: dict[str, Any] = {"FunctionName": function}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    result: dict[str, Any] | None = _try(ctx.aws("lambda").get_function_event_invoke_config, **kwargs)
    return result


def async_settings(document: dict[str, Any] | None) -> tuple[int, int, str]:
    """(retries, event age, text) an event invoke config means: a setting left out is its
    default (R-3.2, R-3.4), and the text says so instead of showing None."""
    from labtui import facts

    document = document or {}
    raw_retries = document.get("MaximumRetryAttempts")
    raw_age = document.get("MaximumEventAgeInSeconds")
    retries = facts.ASYNC_MAX_RETRIES_DEFAULT if raw_retries is None else int(raw_retries)
    age = facts.ASYNC_MAX_EVENT_AGE_DEFAULT_S if raw_age is None else int(raw_age)
    text = (f"MaximumRetryAttempts {retries}{' (not set: the default)' if raw_retries is None else ''}, "
            f"MaximumEventAgeInSeconds {age}{' (not set: the default)' if raw_age is None else ''}")
    return retries, age, text


def reserved_concurrency(ctx: GradingContext, function: str) -> int | None:
    response = _try(ctx.aws("lambda").get_function_concurrency, FunctionName=function)
    if not response:
        return None
    value = response.get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


def provisioned_configs(ctx: GradingContext, function: str) -> dict[str, int]:
    """qualifier -> requested provisioned concurrency."""
    client = ctx.aws("lambda")
    response = _try(client.list_provisioned_concurrency_configs, FunctionName=function)
    configs: dict[str, int] = {}
    for item in (response or {}).get("ProvisionedConcurrencyConfigs", []):
        qualifier = str(item.get("FunctionArn", "")).rsplit(":", 1)[-1]
        configs[qualifier] = int(item.get("RequestedProvisionedConcurrentExecutions", 0))
    return configs


def event_source_mappings(ctx: GradingContext, function: str) -> list[dict[str, Any]]:
    response = _try(ctx.aws("lambda").list_event_source_mappings, FunctionName=function)
    return list((response or {}).get("EventSourceMappings", []))


# --- IAM -----------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = json.loads(urllib.parse.unquote(raw))
    return raw if isinstance(raw, dict) else {}


def statements(document: Any) -> list[dict[str, Any]]:
    """Policy statements with Action, Resource and Principal services as lists."""
    result = []
    for statement in _as_list(_document(document).get("Statement")):
        if not isinstance(statement, dict):
            continue
        principal = statement.get("Principal", {})
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        result.append({
            "Effect": statement.get("Effect", ""),
            "Action": [str(a) for a in _as_list(statement.get("Action"))],
            "Resource": [str(r) for r in _as_list(statement.get("Resource"))],
            "Services": [str(s) for s in services],
            "Principal": principal,
            "Condition": statement.get("Condition"),
        })
    return result


def role(ctx: GradingContext, name: str) -> dict[str, Any] | None:
    response = _try(ctx.aws("iam").get_role, RoleName=name)
    return None if response is None else dict(response["Role"])


def trusted_services(role_doc: dict[str, Any]) -> set[str]:
    """Service principals allowed ``sts:AssumeRole`` by the role's trust policy (R-8.1)."""
    services: set[str] = set()
    for statement in statements(role_doc.get("AssumeRolePolicyDocument")):
        if statement["Effect"] == "Allow" and any(
            fnmatch.fnmatchcase("sts:AssumeRole".lower(), a.lower()) for a in statement["Action"]
        ):
            services.update(statement["Services"])
    return services


def attached_policy_names(ctx: GradingContext, role_name: str) -> set[str]:
    response = _try(ctx.aws("iam").list_attached_role_policies, RoleName=role_name)
    return {p["PolicyName"] for p in (response or {}).get("AttachedPolicies", [])}


def inline_statements(ctx: GradingContext, role_name: str) -> list[dict[str, Any]]:
    client = ctx.aws("iam")
    response = _try(client.list_role_policies, RoleName=role_name)
    result: list[dict[str, Any]] = []
    for policy_name in (response or {}).get("PolicyNames", []):
        policy = client.get_role_policy(RoleName=role_name, PolicyName=policy_name)
        result.extend(statements(policy["PolicyDocument"]))
    return result


def customer_managed_statements(ctx: GradingContext, role_name: str) -> list[dict[str, Any]]:
    """Statements of customer-managed policies attached to the role (not AWS managed)."""
    client = ctx.aws("iam")
    response = _try(client.list_attached_role_policies, RoleName=role_name)
    result: list[dict[str, Any]] = []
    for attached in (response or {}).get("AttachedPolicies", []):
        arn = attached["PolicyArn"]
        if ":aws:policy/" in arn:
            continue
        policy = client.get_policy(PolicyArn=arn)["Policy"]
        version = client.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        result.extend(statements(version["PolicyVersion"]["Document"]))
    return result


def role_statements(ctx: GradingContext, role_name: str) -> list[dict[str, Any]]:
    """Inline plus customer-managed statements of a role."""
    return inline_statements(ctx, role_name) + customer_managed_statements(ctx, role_name)


def allows(statement_list: list[dict[str, Any]], action: str, resource: str) -> bool:
    """Does an Allow statement grant ``action`` on ``resource`` (wildcards honoured)?"""
    for statement in statement_list:
        if statement["Effect"] != "Allow":
            continue
        if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in statement["Action"]):
            continue
        if any(fnmatch.fnmatchcase(resource, r) for r in statement["Resource"]):
            return True
    return False


def granted_resources(statement_list: list[dict[str, Any]], action: str) -> list[str]:
    """Every resource pattern an Allow statement grants ``action`` on."""
    resources: list[str] = []
    for statement in statement_list:
        if statement["Effect"] == "Allow" and any(
            fnmatch.fnmatchcase(action.lower(), a.lower()) for a in statement["Action"]
        ):
            resources.extend(statement["Resource"])
    return resources


# --- SQS -------------------------------------------------------------------------------------


def queue_url(ctx: GradingContext, name: str) -> str | None:
    response = _try(ctx.aws("sqs").get_queue_url, QueueName=name)
    return None if response is None else str(response["QueueUrl"])


def queue_attributes(ctx: GradingContext, name: str) -> dict[str, str] | None:
    url = queue_url(ctx, name)
    if url is None:
        return None
    response = ctx.aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    return dict(response.get("Attributes", {}))


def redrive_policy(attributes: dict[str, str]) -> dict[str, Any] | None:
    raw = attributes.get("RedrivePolicy")
    if not raw:
        return None
    policy = json.loads(raw) if isinstance(raw, str) else raw
    return dict(policy) if isinstance(policy, dict) else None


# --- EC2 ---------------------------------------------------------------------------------------


def _name_tag(item: dict[str, Any]) -> str | None:
    for tag in item.get("Tags", []) or []:
        if tag.get("Key") == "Name":
            return str(tag.get("Value"))
    return None


def subnets_by_id(ctx: GradingContext) -> dict[str, dict[str, Any]]:
    response = ctx.aws("ec2").describe_subnets()
    return {s["SubnetId"]: s | {"Name": _name_tag(s)} for s in response.get("Subnets", [])}


def security_groups(ctx: GradingContext) -> dict[str, dict[str, Any]]:
    """Security groups by id, each with its ``GroupName``."""
    response = ctx.aws("ec2").describe_security_groups()
    return {g["GroupId"]: g for g in response.get("SecurityGroups", [])}


def group_id_by_name(ctx: GradingContext, name: str) -> str | None:
    for group_id, group in security_groups(ctx).items():
        if group.get("GroupName") == name or _name_tag(group) == name:
            return group_id
    return None


def route_tables(ctx: GradingContext) -> list[dict[str, Any]]:
    return list(ctx.aws("ec2").describe_route_tables().get("RouteTables", []))
