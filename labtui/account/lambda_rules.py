"""The Lambda control plane refuses what AWS refuses, with AWS's code, status and words.

moto stores almost any configuration; a learner's mistake should instead meet the
error Lambda gives at the moment Lambda gives it (issue 24). Each check names its
source: a rule of lambda-spec.md or a fact of the parameter sheet (facts.py). Range
errors use the API's ``ValidationException`` form ("1 validation error detected: ...")
and semantic ones ``InvalidParameterValueException`` with Lambda's message. Aliases,
event source mappings and permissions are in lambda_rules_sources.py.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from labtui import facts
from labtui.account import moto_lookup
from labtui.account.wsgi import Request, Response, aws_error
from labtui.account.zip_size import unzipped_bytes

_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


def validation(field: str, value: Any, constraint: str) -> Response:
    """The API's input validation error (HTTP 400), worded as AWS words it."""
    return aws_error(
        400,
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}",
    )


def invalid(message: str) -> Response:
    return aws_error(400, "InvalidParameterValueException", message)


def _range(field: str, value: Any, low: float, high: float) -> Response | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return validation(field, value, "Member must be a number")
    if value < low:
        return validation(field, value, f"Member must have value greater than or equal to {low}")
    if value > high:
        return validation(field, value, f"Member must have value less than or equal to {high}")
    return None


def function_name(name: Any) -> Response | None:
    """CreateFunction's name: letters, digits, - and _, at most 64 characters (R-1)."""
    text = str(name or "")
    if not _NAME.match(text):
        return validation(
            "functionName", text, f"Member must satisfy regular expression pattern: {_NAME_PATTERN}"
        )
    if len(text) > facts.FUNCTION_NAME_MAX_CHARS:
        return validation(
            "functionName",
            text,
            f"Member must have length less than or equal to {facts.FUNCTION_NAME_MAX_CHARS}",
        )
    return None


def runtime(value: Any) -> Response | None:
    if value is None:
        return None
    text = str(value)
    replacement = facts.RUNTIMES_BLOCKED.get(text)
    if replacement is not None:
        return invalid(
            f"The runtime parameter of {text} is no longer supported for creating or updating "
            f"AWS Lambda functions. We recommend you use the new runtime ({replacement}) while "
            "creating or updating functions."
        )
    if text not in facts.RUNTIMES_SUPPORTED:
        allowed = ", ".join((*facts.RUNTIMES_SUPPORTED, *facts.RUNTIMES_BLOCKED))
        return validation("runtime", text, f"Member must satisfy enum value set: [{allowed}]")
    return None


def architectures(value: Any) -> Response | None:
    """R-1.6: exactly one of x86_64 or arm64."""
    if value is None:
        return None
    listed = value if isinstance(value, list) else [value]
    shown = "[" + ", ".join(str(v) for v in listed) + "]"
    if len(listed) != 1:
        return validation("architectures", shown, "Member must have length less than or equal to 1")
    if listed[0] not in facts.ARCHITECTURES:
        return validation(
            "architectures", shown,
            "Member must satisfy constraint: [Member must satisfy enum value set: "
            f"[{', '.join(facts.ARCHITECTURES)}]]",
        )
    return None


def execution_role(request: Request, role_arn: Any) -> Response | None:
    """R-8.1: the role exists in the caller's account and trusts lambda.amazonaws.com."""
    found = moto_lookup.role(request.account_id, str(role_arn or ""))
    if found is None or not moto_lookup.trusts_lambda(found):
        return invalid(CANNOT_ASSUME)
    return None


def vpc(request: Request, body: dict[str, Any], role_arn: str) -> Response | None:
    """R-7: the subnets and security groups exist, and the role may create the network
    interfaces Lambda puts in them (AWS names ec2:CreateNetworkInterface)."""
    config = body.get("VpcConfig")
    if not isinstance(config, dict):
        return None
    subnets = [str(s) for s in config.get("SubnetIds") or []]
    groups = [str(g) for g in config.get("SecurityGroupIds") or []]
    if not subnets and not groups:
        return None  # an empty VpcConfig detaches the function from its VPC
    found = moto_lookup.role(request.account_id, role_arn)
    granted = moto_lookup.permission_statements(request.account_id, found) if found else []
    if not moto_lookup.allows(granted, "ec2:CreateNetworkInterface", "*"):
        return invalid(
            "The provided execution role does not have permissions to call "
            "CreateNetworkInterface on EC2"
        )
    missing = moto_lookup.missing_network(request.account_id, request.region, subnets, groups)
    if missing is not None and missing[0] == "subnet":
        return invalid(
            "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
            f"EC2 Error Message: The subnet ID '{missing[1]}' does not exist"
        )
    if missing is not None:
        return invalid(
            "Error occurred while DescribeSecurityGroups. EC2 Error Code: "
            f"InvalidGroup.NotFound. EC2 Error Message: The security group '{missing[1]}' "
            "does not exist"
        )
    return None


def package_size(request: Request, zip_b64: Any, layers: list[str]) -> Response | None:
    """R-1.5: the code and its layers together at most 250 MB unzipped."""
    if not isinstance(zip_b64, str):
        return None
    try:
        code = base64.b64decode(zip_b64, validate=False)
    except (binascii.Error, ValueError):
        return None
    total = unzipped_bytes(code) + moto_lookup.layer_unzipped_bytes(
        request.account_id, request.region, layers
    )
    if total > facts.UNZIPPED_MAX_BYTES:
        return invalid(f"Unzipped size must be smaller than {facts.UNZIPPED_MAX_BYTES} bytes")
    return None


def configuration(request: Request, body: dict[str, Any], *, creating: bool) -> Response | None:
    """CreateFunction / UpdateFunctionConfiguration: everything AWS checks up front."""
    if creating and (refused := function_name(body.get("FunctionName"))):
        return refused
    layers = [str(a) for a in body.get("Layers") or []] if isinstance(
        body.get("Layers"), list) else []
    checks: tuple[Callable[[], Response | None], ...] = (
        lambda: _range("memorySize", body.get("MemorySize"),
                       facts.MEMORY_MIN_MB, facts.MEMORY_MAX_MB),
        # below 1 is input validation; above 900 is check_configuration's refusal.
        lambda: _range("timeout", body.get("Timeout"), facts.TIMEOUT_MIN_S, float("inf")),
        lambda: _range("ephemeralStorage.size", (body.get("EphemeralStorage") or {}).get("Size"),
                       facts.EPHEMERAL_MIN_MB, facts.EPHEMERAL_MAX_MB),
        lambda: architectures(body.get("Architectures")),
        lambda: runtime(body.get("Runtime")),
        lambda: invalid(f"Cannot reference more than {facts.LAYERS_MAX} layers.")
        if len(layers) > facts.LAYERS_MAX else None,
    )
    for check in checks:
        if refused := check():
            return refused
    role_arn = body.get("Role")
    if creating or role_arn is not None:
        if refused := execution_role(request, role_arn):
            return refused
    else:
        current = moto_lookup.function(request.account_id, request.region, _name_of(request))
        role_arn = str(getattr(current, "role", "") or "") if current is not None else ""
    if refused := vpc(request, body, str(role_arn or "")):
        return refused
    if creating:
        return package_size(request, (body.get("Code") or {}).get("ZipFile"), layers)
    return None


def code(request: Request, body: dict[str, Any]) -> Response | None:
    """UpdateFunctionCode: architectures and the unzipped size (R-1.5, R-1.6)."""
    if refused := architectures(body.get("Architectures")):
        return refused
    current = moto_lookup.function(request.account_id, request.region, _name_of(request))
    layers = [str(layer.get("Arn", layer) if isinstance(layer, dict) else layer)
              for layer in (getattr(current, "layers", None) or [])]
    return package_size(request, body.get("ZipFile"), layers)


def reserved_concurrency(body: dict[str, Any]) -> Response | None:
    value = body.get("ReservedConcurrentExecutions")
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        return validation("reservedConcurrentExecutions", value, "Member must not be null")
    if value < 0:
        return validation(
            "reservedConcurrentExecutions", value,
            "Member must have value greater than or equal to 0",
        )
    return None


def _name_of(request: Request) -> str:
    import urllib.parse

    from labtui.account.lambda_invoke import split_function_name

    parts = request.path.split("/")
    raw = parts[3] if len(parts) > 3 else ""
    return split_function_name(urllib.parse.unquote(raw), None)[0]
