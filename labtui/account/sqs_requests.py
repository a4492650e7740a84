"""SQS queue attributes checked the way SQS checks them, before moto sees them.

moto 5.2 converts the integer attributes of CreateQueue and SetQueueAttributes with a bare
``int(value)`` and never checks their range: ``VisibilityTimeout=...`` (a README's
placeholder typed as is), ``abc`` or ``360.5`` made it raise, so the learner got an HTML
500 page after the CLI's four retries, and ``VisibilityTimeout=99999`` was accepted. SQS
answers both with ``InvalidAttributeValue`` at once; so does this middleware, in the
protocol the request came in (JSON, which botocore uses for SQS, or the older query form).
A RedrivePolicy's ``maxReceiveCount`` (moto's ``int()`` again) gets SQS's
``InvalidParameterValue``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable
from typing import Any

from labtui.account.identity import credential_scope
from labtui.account.wsgi import Environ, StartResponse, WsgiApp, read_body

# SQS's ranges for the integer attributes (SQS API reference, SetQueueAttributes).
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
    "MaximumMessageSize": (1_024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
}
MAX_RECEIVE_COUNT = (1, 1_000)
_ACTIONS = ("CreateQueue", "SetQueueAttributes")
_JSON_TARGET = "AmazonSQS."


def attribute_problem(attributes: dict[str, Any]) -> tuple[str, str] | None:
    """(error code, message) for the first attribute SQS would refuse, or None."""
    for name, value in attributes.items():
        if name in INTEGER_RANGES and not _in_range(value, INTEGER_RANGES[name]):
            return "InvalidAttributeValue", f"Invalid value for the parameter {name}."
    policy = attributes.get("RedrivePolicy")
    if isinstance(policy, str) and policy.strip():
        try:
            document = json.loads(policy)
        except ValueError:
            return None  # moto answers this one itself, with SQS's code
        count = document.get("maxReceiveCount") if isinstance(document, dict) else None
        if count is not None and not _in_range(count, MAX_RECEIVE_COUNT):
            low, high = MAX_RECEIVE_COUNT
            return "InvalidParameterValue", (
                f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value "
                f"for maxReceiveCount: {count}, valid values are from {low} to {high} both "
                "inclusive.")
    return None


def _in_range(value: Any, bounds: tuple[int, int]) -> bool:
    text = str(value).strip()
    if not text.lstrip("-").isdigit() or not text.isascii():
        return False
    return bounds[0] <= int(text) <= bounds[1]


class SqsRequestChecks:
    """WSGI middleware in front of moto's app: refuses the attribute values above."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        is_json = target.removeprefix(_JSON_TARGET) in _ACTIONS and target.startswith(
            _JSON_TARGET)
        is_form = str(environ.get("REQUEST_METHOD")) == "POST" and str(
            environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded") and (
            credential_scope(environ)[2] == "sqs")
        if not (is_json or is_form):
            return self.app(environ, start_response)
        body = read_body(environ)  # puts the body back for moto
        problem = attribute_problem(
            _json_attributes(body) if is_json else _form_attributes(body))
        if problem is None:
            return self.app(environ, start_response)
        code, message = problem
        if is_json:
            payload = json.dumps({"__type": f"com.amazonaws.sqs#{code}", "message": message})
            headers = [("Content-Type", "application/x-amz-json-1.0"),
                       ("x-amzn-query-error", f"{code};Sender")]
        else:
            payload = (
                '<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type>'
                f"<Code>{code}</Code><Message>{_xml_text(message)}</Message></Error>"
                "<RequestId>labtui</RequestId></ErrorResponse>")
            headers = [("Content-Type", "text/xml")]
        data = payload.encode()
        start_response("400 Bad Request", [*headers, ("Content-Length", str(len(data)))])
        return [data]


def _json_attributes(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return {}
    attributes = document.get("Attributes") if isinstance(document, dict) else None
    return attributes if isinstance(attributes, dict) else {}


def _form_attributes(body: bytes) -> dict[str, Any]:
    """Attribute.N.Name / Attribute.N.Value pairs of a query-protocol CreateQueue or
    SetQueueAttributes (any other action: none)."""
    fields = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"),
                                         keep_blank_values=True))
    if fields.get("Action") not in _ACTIONS:
        return {}
    attributes: dict[str, Any] = {}
    for key, name in fields.items():
        if key.startswith("Attribute.") and key.endswith(".Name"):
            attributes[name] = fields.get(key.removesuffix(".Name") + ".Value", "")
    return attributes


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
