"""Reading one account's moto state in-process, for the gateway's AWS-side validation.

The gateway answers before moto does, so it reads moto's backends directly: a role's
trust and permission policies, a function's settings, a queue's visibility timeout,
whether a subnet or security group exists. Everything is read in the account of the
request, never another.
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from typing import Any

Statement = dict[str, Any]


def _iam(account_id: str) -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[account_id]["aws"]


def role(account_id: str, role_arn: str) -> Any:
    """The moto role named by ``role_arn`` in ``account_id`` (None if absent or foreign)."""
    if f":{account_id}:role/" not in role_arn:
        return None
    for candidate in list(_iam(account_id).roles.values()):
        if candidate.arn == role_arn:
            return candidate
    return None


def _document(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    try:
        loaded = json.loads(urllib.parse.unquote(str(text or "")))
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def statements(document: Any) -> list[Statement]:
    found = _document(document).get("Statement", [])
    found = [found] if isinstance(found, dict) else found
    return [s for s in found if isinstance(s, dict)] if isinstance(found, list) else []


def trusts_lambda(found_role: Any) -> bool:
    """R-8.1: an Allow of sts:AssumeRole to the service principal lambda.amazonaws.com."""
    for statement in statements(found_role.assume_role_policy_document):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if "lambda.amazonaws.com" in services and any(
            a in ("sts:AssumeRole", "sts:*", "*") for a in actions
        ):
            return True
    return False


def permission_statements(account_id: str, found_role: Any) -> list[Statement]:
    """Every statement of the role's inline and attached managed policies."""
    collected: list[Statement] = []
    for document in list(found_role.policies.values()):
        collected += statements(document)
    for policy in list(found_role.managed_policies.values()):
        version = next(
            (v for v in policy.versions if v.version_id == policy.default_version_id), None
        )
        if version is not None:
            collected += statements(version.document)
    return collected


def _matches(patterns: Any, value: str) -> bool:
    listed = [patterns] if isinstance(patterns, str) else patterns
    if not isinstance(listed, list):
        return False
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in listed)


def allows(found: list[Statement], action: str, resource: str) -> bool:
    """IAM's reading, simplified: an Allow matching action and resource, and no Deny."""
    allowed = False
    for statement in found:
        if not _matches(statement.get("Action", []), action):
            continue
        if not _matches(statement.get("Resource", "*"), resource):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def function(account_id: str, region: str, name: str) -> Any:
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import ServiceException, _RESTError

    try:
        return lambda_backends[account_id][region].get_function(name)
    except (_RESTError, ServiceException):
        return None


def function_version_exists(account_id: str, region: str, name: str, version: str) -> bool:
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import ServiceException, _RESTError

    try:
        lambda_backends[account_id][region].get_function(name, version)
    except (_RESTError, ServiceException):
        return False
    return True


def alias(account_id: str, region: str, name: str, alias_name: str) -> Any:
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import ServiceException, _RESTError

    try:
        aliases = lambda_backends[account_id][region].list_aliases(name)
    except (_RESTError, ServiceException):
        return None
    return next((a for a in aliases if a.name == alias_name), None)


def event_source_mappings(account_id: str, region: str) -> list[Any]:
    from moto.awslambda.models import lambda_backends

    return list(lambda_backends[account_id][region]._event_source_mappings.values())


def queue_visibility_timeout(account_id: str, region: str, queue_name: str) -> int | None:
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[account_id][region].queues.get(queue_name)
    # moto sets the attribute from the queue's attributes; its type stubs do not know it.
    return None if queue is None else int(getattr(queue, "visibility_timeout", 30))


def missing_network(
    account_id: str, region: str, subnets: list[str], groups: list[str]
) -> tuple[str, str] | None:
    """The first subnet or security group that does not exist: (kind, id)."""
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account_id][region]
    for subnet in subnets:
        try:
            backend.get_subnet(subnet)
        except Exception:
            return "subnet", subnet
    for group in groups:
        if backend.get_security_group_from_id(group) is None:
            return "group", group
    return None


def subnet_vpc(account_id: str, region: str, subnet_id: str) -> str | None:
    """The VPC id of a subnet, or None when it does not exist."""
    from moto.ec2.models import ec2_backends

    try:
        return str(ec2_backends[account_id][region].get_subnet(subnet_id).vpc_id)
    except Exception:
        return None


def layer_unzipped_bytes(account_id: str, region: str, layer_arns: list[str]) -> int:
    from moto.awslambda.models import lambda_backends

    from labtui.account.zip_size import unzipped_bytes

    backend = lambda_backends[account_id][region]
    total = 0
    for arn in layer_arns:
        try:
            found = backend.layers_versions_by_arn(arn)
        except Exception:
            found = None
        if found is not None:
            total += unzipped_bytes(bytes(found.code_bytes or b""))
    return total
