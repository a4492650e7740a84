"""What a verified caller may reach: its own account's resources, as IAM would decide.

moto resolves some identifiers across accounts (an SNS topic ARN, an S3 notification
target, an ``AssumeRole`` into any role ARN, even one that does not exist) and ignores
the account in others (a Lambda ARN or SQS queue URL of another account acts on the
caller's resource of the same name). The gateway therefore looks at the identifying
parameters of each request before moto does: one naming another account is refused
with the error AWS gives a caller that no resource policy lets in. ``AssumeRole`` is
allowed into an existing role of the caller's own account, or into another account's
role whose trust policy names the caller (a cross-account trust its owner set up).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from labtui.account import aws_errors
from labtui.account.credentials import Principal
from labtui.account.wsgi import Response

_ACCOUNT_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):"
                          r"(?P<account>\d{12}):(?P<resource>.+)$")
_ANY_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):[^\s<\"']+")
_PARTIAL_LAMBDA = re.compile(r"^(?P<account>\d{12}):function:")
# Parameters that name the resource a request acts on (never policy documents: a
# trust policy may rightly name another account).
_IDENTIFIERS = (
    "TopicArn", "TargetArn", "SubscriptionArn", "ResourceArn", "SecretId", "TableName",
    "StreamARN", "StreamArn", "EventBusName", "LogGroupArn", "logGroupIdentifier",
    "StateMachineArn", "FunctionName", "EventSourceArn", "PolicyArn", "Arn", "ResourceARN",
)
# S3 sub-resources whose body is XML naming other resources.
_S3_NOTIFICATION = "notification"


@dataclass(frozen=True, slots=True)
class Call:
    """One request as the guards see it."""

    service: str
    protocol: str
    action: str
    params: dict[str, str]  # flat: query/form parameters or top-level JSON strings
    path: str
    caller: Principal
    layers: tuple[str, ...] = ()  # Lambda layer ARNs a function would load


def parameters(protocol: str, environ: dict[str, Any], body: bytes) -> tuple[str, dict[str, str]]:
    """(action, flat parameters) of a query or JSON request."""
    params: dict[str, str] = {}
    query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    params.update({k: v[0] for k, v in query.items() if v})
    action = ""
    if protocol == aws_errors.QUERY:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[0] for k, v in form.items() if v})
        action = params.get("Action", "")
    elif protocol in (aws_errors.JSON, aws_errors.REST_JSON):
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        action = target.rsplit(".", 1)[-1]
        try:
            document = json.loads(body) if body else {}
        except (ValueError, RecursionError):
            document = {}
        if isinstance(document, dict):
            params.update({k: v for k, v in document.items() if isinstance(v, str)})
    return action, params


def foreign_account(value: str, caller_account: str) -> str | None:
    """The other account a resource identifier names, if it names one."""
    match = _ACCOUNT_ARN.match(value) or _PARTIAL_LAMBDA.match(value)
    if match is not None and match["account"] != caller_account:
        return match["account"]
    if value.startswith(("http://", "https://")):  # an SQS queue URL: /<account>/<name>
        segments = urllib.parse.urlsplit(value).path.strip("/").split("/")
        if len(segments) == 2 and segments[0].isdigit() and len(segments[0]) == 12:
            return segments[0] if segments[0] != caller_account else None
    return None


def check(call: Call, environ: dict[str, Any], body: bytes) -> Response | None:
    """An AWS-style refusal when the call reaches into another account, else None."""
    account = call.caller.account_id
    for name in (*_IDENTIFIERS, "QueueUrl", "Endpoint"):
        value = call.params.get(name)
        if name == "Endpoint" and not (value or "").startswith("arn:"):
            continue  # an SNS endpoint is also an e-mail address or a web URL
        if value and foreign_account(value, account):
            return _refuse(call, name, value)
    for layer in call.layers:
        if foreign_account(layer, account):
            return _refuse(call, "Layers", layer)
    owner = call.params.get("QueueOwnerAWSAccountId")
    if owner and owner != account:
        return _refuse(call, "QueueUrl", f"https://sqs.amazonaws.com/{owner}/"
                       f"{call.params.get('QueueName', '')}")
    if call.service == "sqs":  # query-protocol SQS carries the queue in the path
        segments = call.path.strip("/").split("/")
        if len(segments) == 2 and segments[0].isdigit() and segments[0] != account:
            return _refuse(call, "QueueUrl", f"https://sqs.amazonaws.com{call.path}")
    if call.service == "s3" and _S3_NOTIFICATION in urllib.parse.parse_qs(
        str(environ.get("QUERY_STRING", "")), keep_blank_values=True
    ):
        for match in _ANY_ARN.finditer(body.decode("utf-8", "replace")):
            if match.group(1) != account:
                # What S3 says when a target's policy does not let the bucket in.
                return aws_errors.error(
                    call.protocol, 400, "InvalidArgument",
                    "Unable to validate the following destination configurations",
                )
    return None


def _refuse(call: Call, name: str, value: str) -> Response:
    who, service, action = call.caller.arn, call.service, call.action or "Access"
    if service == "sns":
        return aws_errors.error(
            call.protocol, 403, "AuthorizationError",
            f"User: {who} is not authorized to perform: SNS:{action} on resource: {value}",
        )
    if service == "sqs":
        return aws_errors.error(
            call.protocol, 403, "AccessDenied", f"Access to the resource {value} is denied."
        )
    if service == "iam" and name == "PolicyArn":
        return aws_errors.error(
            call.protocol, 404, "NoSuchEntity",
            f"Policy {value} does not exist or is not attachable.",
        )
    status = 403 if call.protocol == aws_errors.REST_JSON else 400
    code = "AccessDeniedException" if call.protocol in (
        aws_errors.JSON, aws_errors.REST_JSON) else "AccessDenied"
    return aws_errors.error(
        call.protocol, status, code,
        f"User: {who} is not authorized to perform: {service}:{action} on resource: {value} "
        f"because no resource-based policy allows the {service}:{action} action",
    )


# --- sts:AssumeRole ---------------------------------------------------------------------


def check_assume_role(call: Call) -> Response | None:
    """None when ``call`` (an STS request) may go ahead; an AccessDenied otherwise."""
    if call.action in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
        return aws_errors.error(call.protocol, 403, "AccessDenied",
                                f"Not authorized to perform sts:{call.action}")
    if call.action != "AssumeRole":
        return None
    role_arn = call.params.get("RoleArn", "")
    denied = aws_errors.error(
        call.protocol, 403, "AccessDenied",
        f"User: {call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
        f"{role_arn}",
    )
    match = _ACCOUNT_ARN.match(role_arn)
    if match is None or match["service"] != "iam" or not match["resource"].startswith("role/"):
        return denied
    role = _role(match["account"], role_arn)
    if role is None:
        return denied  # AWS: no such role is indistinguishable from no permission
    if match["account"] == call.caller.account_id:
        return None  # the learner's own role (the learner is the account's administrator)
    trust = str(getattr(role, "assume_role_policy_document", "") or "")
    external_id = call.params.get("ExternalId")
    return None if trusts(trust, call.caller, external_id) else denied


def _role(account_id: str, role_arn: str) -> Any:
    from moto.iam.models import iam_backends

    if not dict.__contains__(iam_backends, account_id):
        return None
    for backend in list(dict.__getitem__(iam_backends, account_id).values()):
        for role in list(backend.roles.values()):
            if role.arn == role_arn:
                return role
    return None


def _principal_matches(entry: str, caller: Principal) -> bool:
    if entry == "*":
        return True
    account = caller.account_id
    if entry in (account, f"arn:aws:iam::{account}:root"):
        return True  # the whole account is trusted
    arn = caller.arn
    if ":assumed-role/" in arn:  # a role session is trusted through its role
        role_name = arn.split(":assumed-role/", 1)[1].split("/")[0]
        arn = f"arn:aws:iam::{account}:role/{role_name}"
    return entry == arn


def trusts(document: str, caller: Principal, external_id: str | None) -> bool:
    """Whether a role trust policy lets ``caller`` assume the role (Deny wins)."""
    try:
        policy = json.loads(urllib.parse.unquote(document)) if document else {}
    except ValueError:
        return False
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or not _names_assume_role(statement.get("Action")):
            continue
        principal = statement.get("Principal")
        entries: Any = principal.get("AWS", []) if isinstance(principal, dict) else principal
        entries = [entries] if isinstance(entries, str) else entries
        if not isinstance(entries, list) or not any(
            _principal_matches(str(e), caller) for e in entries
        ):
            continue
        if not _conditions_hold(statement.get("Condition"), external_id):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _names_assume_role(action: Any) -> bool:
    actions = [action] if isinstance(action, str) else action
    return isinstance(actions, list) and any(
        str(a) in ("sts:AssumeRole", "sts:*", "*") for a in actions
    )


def _conditions_hold(condition: Any, external_id: str | None) -> bool:
    """Only ``sts:ExternalId`` equality is understood; any other condition is not met
    (refusing is the safe reading of a condition the sandbox cannot evaluate)."""
    if not condition:
        return True
    if not isinstance(condition, dict):
        return False
    for operator, tests in condition.items():
        if operator != "StringEquals" or not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            if key.lower() != "sts:externalid":
                return False
            values = [expected] if isinstance(expected, str) else expected
            if external_id not in values:
                return False
    return True
