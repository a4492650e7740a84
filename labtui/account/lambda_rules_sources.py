"""AWS's refusals for aliases, event source mappings and resource policies (issue 24).

- aliases: weights 0.0–1.0, at most one additional version, both versions published
  and existing, no weights on ``$LATEST`` (R-9.2);
- event source mappings: batch size and batching window per source (R-4.1, R-4.9), the
  execution role's permissions for the source (R-8.2), an SQS queue whose
  visibility timeout is shorter than the function timeout (R-4.3), and a second mapping
  of one source to one function (R-4.1);
- AddPermission with a statement id already in use (R-8.3).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from labtui import facts
from labtui.account import lambda_rules, moto_lookup
from labtui.account.lambda_rules import invalid, validation
from labtui.account.wsgi import Request, Response, aws_error

_FN = r"(?P<name>[^/]+)"
_ROUTES = (
    ("POST", re.compile(r"^/2015-03-31/functions/?$"), "create"),
    ("PUT", re.compile(rf"^/2015-03-31/functions/{_FN}/configuration/?$"), "update"),
    ("PUT", re.compile(rf"^/2015-03-31/functions/{_FN}/code/?$"), "code"),
    ("PUT", re.compile(rf"^/2017-10-31/functions/{_FN}/concurrency/?$"), "reserved"),
    ("POST", re.compile(rf"^/2015-03-31/functions/{_FN}/aliases/?$"), "alias"),
    ("PUT", re.compile(rf"^/2015-03-31/functions/{_FN}/aliases/(?P<alias>[^/]+)/?$"), "alias"),
    ("POST", re.compile(r"^/2015-03-31/event-source-mappings/?$"), "esm-create"),
    ("PUT", re.compile(r"^/2015-03-31/event-source-mappings/[^/]+/?$"), "esm-update"),
    ("POST", re.compile(rf"^/2015-03-31/functions/{_FN}/policy/?$"), "permission"),
    ("POST", re.compile(rf"^/2021-10-31/functions/{_FN}/url/?$"), "url"),
)
_SQS_ACTIONS = ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
_STREAM_ACTIONS = {
    "kinesis": ("GetRecords", "GetShardIterator", "DescribeStream", "ListShards"),
    "dynamodb": ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"),
}


def refusal(request: Request, body: dict[str, Any]) -> Response | None:
    """AWS's error for a Lambda control-plane call it would refuse; None to go on."""
    for method, pattern, kind in _ROUTES:
        match = pattern.match(request.path)
        if request.method != method or match is None:
            continue
        groups = match.groupdict()
        name = urllib.parse.unquote(groups.get("name") or "").split(":")[0]
        if kind in ("create", "update"):
            return lambda_rules.configuration(request, body, creating=kind == "create")
        if kind == "code":
            return lambda_rules.code(request, body)
        if kind == "reserved":
            return lambda_rules.reserved_concurrency(body)
        if kind == "alias":
            return alias(request, name, groups.get("alias"), body)
        if kind == "permission":
            return add_permission(request, name, body)
        if kind == "url":
            return function_url(request, name)
        return event_source_mapping(request, body, creating=kind == "esm-create")
    return None


def alias(request: Request, name: str, alias_name: str | None, body: dict[str, Any]) -> Response | None:
    """CreateAlias / UpdateAlias (R-9.2)."""
    routing = body.get("RoutingConfig")
    weights = (routing or {}).get("AdditionalVersionWeights") if isinstance(routing, dict) else None
    version = body.get("FunctionVersion")
    if version is None and alias_name is not None:
        current = moto_lookup.alias(request.account_id, request.region, name, alias_name)
        version = getattr(current, "function_version", None)
    if isinstance(weights, dict) and weights:
        shown = "{" + ", ".join(f"{k}={v}" for k, v in weights.items()) + "}"
        field = "routingConfig.additionalVersionWeights"
        if len(weights) > 1:
            return validation(field, shown, "Member must have length less than or equal to 1")
        for weight in weights.values():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not (
                0.0 <= weight <= 1.0
            ):
                return validation(
                    field, shown,
                    "Map value must satisfy constraint: [Member must have value less than or "
                    "equal to 1.0, Member must have value greater than or equal to 0.0]",
                )
        if str(version) == "$LATEST" or "$LATEST" in weights:
            return invalid("$LATEST is not supported for an alias pointing to more than 1 version")
    for candidate in [version, *(weights or {})] if isinstance(weights, dict) else [version]:
        if candidate is None or str(candidate) == "$LATEST":
            continue
        if not moto_lookup.function_version_exists(
            request.account_id, request.region, name, str(candidate)
        ):
            arn = f"arn:aws:lambda:{request.region}:{request.account_id}:function:{name}"
            return aws_error(404, "ResourceNotFoundException", f"Function not found: {arn}:{candidate}")
    return None


def _source(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def event_source_mapping(request: Request, body: dict[str, Any], creating: bool) -> Response | None:
    """CreateEventSourceMapping / UpdateEventSourceMapping."""
    source_arn = str(body.get("EventSourceArn") or "")
    source = _source(source_arn) if creating else ""
    fifo = source_arn.endswith(".fifo")
    batch, window = body.get("BatchSize"), body.get("MaximumBatchingWindowInSeconds")
    high = facts.SQS_BATCH_SIZE_MAX_FIFO if fifo else (
        facts.SQS_BATCH_SIZE_MAX_STANDARD if source == "sqs" else facts.STREAM_BATCH_SIZE_MAX
    )
    for field, value, low, top in (
        ("batchSize", batch, 1, high),
        ("maximumBatchingWindowInSeconds", window, 0, facts.BATCHING_WINDOW_MAX_S),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            return validation(field, value, "Member must be an integer")
        if value < low:
            return validation(field, value, f"Member must have value greater than or equal to {low}")
        if value > top:
            if fifo and field == "batchSize":
                return invalid(f"BatchSize must be less than or equal to {top} for FIFO queues")
            return validation(field, value, f"Member must have value less than or equal to {top}")
    refused = _stream_failure_limits(body)
    if refused is not None:
        return refused
    if (
        source == "sqs" and not fifo and isinstance(batch, int)
        and batch > facts.SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX and not window
    ):
        return invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10"
        )
    if not creating or source not in ("sqs", "kinesis", "dynamodb"):
        return None
    name, qualifier = function_reference(str(body.get("FunctionName") or ""))
    function = moto_lookup.function(request.account_id, request.region, name)
    if function is None:
        return None  # moto answers ResourceNotFoundException for the function
    return (
        _already_mapped(request, source, source_arn, name, qualifier)
        or _role_reads_source(request, function, source, source_arn)
        or _visibility(request, function, source, source_arn)
    )


def function_reference(value: str) -> tuple[str, str | None]:
    """(name, qualifier) of a FunctionName: a name, ``name:qualifier``, a full or partial
    ARN with or without a qualifier. ``$LATEST`` is no qualifier."""
    if ":function:" in value:
        value = value.split(":function:", 1)[1]
    name, _, qualifier = value.partition(":")
    return name, (qualifier if qualifier and qualifier != "$LATEST" else None)


def _already_mapped(
    request: Request, source: str, arn: str, name: str, qualifier: str | None
) -> Response | None:
    """A source is mapped to a function (and qualifier) once; AWS refuses a second mapping
    with 409 and names the existing one (moto created any number)."""
    for esm in moto_lookup.event_source_mappings(request.account_id, request.region):
        if esm.event_source_arn != arn:
            continue
        if function_reference(str(esm.function_name or "")) != (name, qualifier):
            continue
        shown = f"{name}:{qualifier}" if qualifier else name
        if source == "sqs":
            message = (f'An event source mapping with SQS arn (" {arn} ") and function '
                       f'(" {shown} ") already exists.')
        else:
            message = (f'The event source arn (" {arn} ") and function (" {shown} ") '
                       "provided mapping already exists.")
        return aws_error(409, "ResourceConflictException",
                         f"{message} Please update or delete the existing mapping with UUID "
                         f"{esm.uuid}")
    return None


def _stream_failure_limits(body: dict[str, Any]) -> Response | None:
    """R-4.10: MaximumRetryAttempts -1 (infinite) to 10,000; MaximumRecordAgeInSeconds -1
    (infinite) or 60 to 604,800. The API's range is -1 to 604,800; Lambda itself refuses
    0 to 59 (moto stored any number, so a mapping with a 30 s age was accepted)."""
    for field, key, top in (
        ("maximumRetryAttempts", "MaximumRetryAttempts", facts.STREAM_MAX_RETRIES_MAX),
        ("maximumRecordAgeInSeconds", "MaximumRecordAgeInSeconds",
         facts.STREAM_MAX_RECORD_AGE_MAX_S),
    ):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            return validation(field, value, "Member must be an integer")
        if value < -1:
            return validation(field, value, "Member must have value greater than or equal to -1")
        if value > top:
            return validation(field, value, f"Member must have value less than or equal to {top}")
    age = body.get("MaximumRecordAgeInSeconds")
    if isinstance(age, int) and 0 <= age < facts.STREAM_MAX_RECORD_AGE_MIN_S:
        return invalid(
            f"MaximumRecordAgeInSeconds must be either -1 (forever) or between "
            f"{facts.STREAM_MAX_RECORD_AGE_MIN_S} and {facts.STREAM_MAX_RECORD_AGE_MAX_S} "
            "(inclusive)"
        )
    return None


def _role_reads_source(request: Request, function: Any, source: str, arn: str) -> Response | None:
    """R-8.2: Lambda checks at creation that the execution role can read the source."""
    role = moto_lookup.role(request.account_id, str(function.role or ""))
    granted = moto_lookup.permission_statements(request.account_id, role) if role else []
    if source == "sqs":
        for action in _SQS_ACTIONS:
            if not moto_lookup.allows(granted, f"sqs:{action}", arn):
                return invalid(
                    f"The function execution role does not have permissions to call {action} on SQS"
                )
        return None
    actions = _STREAM_ACTIONS[source]
    if all(moto_lookup.allows(granted, f"{source}:{a}", arn) for a in actions):
        return None
    return invalid(
        f"Cannot access stream {arn}. Please ensure the role can perform the "
        f"{', '.join(actions[:-1])}, and {actions[-1]} Actions on your stream in IAM."
    )


def _visibility(request: Request, function: Any, source: str, arn: str) -> Response | None:
    """R-4.3: AWS refuses a queue whose visibility timeout is shorter than the timeout."""
    if source != "sqs":
        return None
    visibility = moto_lookup.queue_visibility_timeout(
        request.account_id, request.region, arn.split(":")[-1]
    )
    timeout = int(getattr(function, "timeout", 0) or 0)
    if visibility is not None and visibility < timeout:
        return invalid(
            f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
            f"{timeout} seconds"
        )
    return None


def add_permission(request: Request, name: str, body: dict[str, Any]) -> Response | None:
    """R-8.3: a statement id names one statement of the function's policy."""
    function = moto_lookup.function(request.account_id, request.region, name)
    if function is None or not body.get("StatementId"):
        return None
    statements = getattr(getattr(function, "policy", None), "statements", None) or []
    sids = {s.get("Sid") for s in statements if isinstance(s, dict)}
    if body["StatementId"] in sids:
        return aws_error(
            409, "ResourceConflictException",
            "The statement id (sid) provided already exists. Please provide a new statement "
            "id, or remove the existing statement.",
        )
    return None


def function_url(request: Request, name: str) -> Response | None:
    """R-8.4: a function (or alias) has at most one URL; a second create is a conflict."""
    if request.query_value("Qualifier"):
        return None  # an alias's URL is its own
    function = moto_lookup.function(request.account_id, request.region, name)
    if function is None or getattr(function, "url_config", None) is None:
        return None
    return aws_error(
        409, "ResourceConflictException",
        f"Failed to create function url config for [functionArn = {function.function_arn}]. "
        "Error message:  FunctionUrlConfig exists for this Lambda function",
    )
