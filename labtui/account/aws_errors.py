"""Errors in the shape each AWS protocol uses, so botocore and the aws CLI read them.

Lambda speaks REST-JSON (``x-amzn-ErrorType`` + ``{"message"}``), SQS, Secrets Manager
and most newer services JSON (``{"__type", "message"}``), IAM, STS and SNS the query
protocol (``<ErrorResponse><Error><Code>``), EC2 its own XML and S3 REST-XML
(``<Error><Code>``). The gateway answers in the caller's protocol whenever it refuses
a request itself, and in place of any failure inside moto (no traceback or HTML page
ever reaches a learner).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from xml.sax.saxutils import escape

from labtui.account.wsgi import Response

REST_JSON, JSON, QUERY, EC2, REST_XML = "rest-json", "json", "query", "ec2", "rest-xml"
_REST_JSON_SERVICES = {"lambda", "apigateway", "execute-api", "scheduler", "pipes"}


def protocol_of(service: str | None, environ: dict[str, Any], body: bytes) -> str:
    """The protocol of a request, from its signing scope and its shape."""
    path = str(environ.get("PATH_INFO", ""))
    if environ.get("HTTP_X_AMZ_TARGET"):
        return JSON
    if service in _REST_JSON_SERVICES or (service is None and path.startswith("/20")):
        return REST_JSON
    if service == "s3":
        return REST_XML
    if service == "ec2":
        return EC2
    query = str(environ.get("QUERY_STRING", ""))
    if service in {"sts", "iam", "sns", "sqs"} or "Action=" in query or body.startswith(b"Action="):
        return QUERY
    if service is None:
        return REST_XML  # an unsigned request with no other mark: S3-style paths
    return JSON


def error(
    protocol: str, status: int, code: str, message: str, *, head: bool = False
) -> Response:
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == REST_JSON:
        document = {"Type": "User", "message": message}
        headers += [("x-amzn-ErrorType", code), ("Content-Type", "application/json")]
        return Response(status, json.dumps(document).encode(), headers)
    if protocol == JSON:
        # awsQueryCompatible services (SQS) take the query-style code from this header.
        headers += [
            ("x-amzn-query-error", f"{code};Sender"),
            ("Content-Type", "application/x-amz-json-1.0"),
        ]
        document = {"__type": code, "message": message}
        return Response(status, json.dumps(document).encode(), headers)
    text_code, text_message = escape(code), escape(message)
    if protocol == EC2:
        xml = (
            f"<Response><Errors><Error><Code>{text_code}</Code><Message>{text_message}"
            f"</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
    elif protocol == QUERY:
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{text_code}</Code><Message>"
            f"{text_message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    else:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{text_code}</Code><Message>{text_message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
    headers.append(("Content-Type", "application/xml" if protocol == REST_XML else "text/xml"))
    return Response(status, b"" if head else xml.encode(), headers)


# --- authentication failures, as each protocol names them -------------------------------

_SIGNATURE_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details."
)
_TOKEN_MESSAGE = "The security token included in the request is invalid."


def _uses_query_codes(protocol: str, service: str | None) -> bool:
    return protocol == QUERY or service == "sqs"  # SQS's JSON keeps its query codes


def bad_signature(protocol: str, service: str | None, head: bool = False) -> Response:
    if protocol == REST_XML:
        return error(
            protocol,
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you "
            "provided. Check your key and signing method.",
            head=head,
        )
    if protocol == EC2:
        return error(protocol, 401, "AuthFailure", "AWS was not able to validate the "
                     "provided access credentials")
    code = "SignatureDoesNotMatch" if _uses_query_codes(protocol, service) else (
        "InvalidSignatureException"
    )
    return error(protocol, 403, code, _SIGNATURE_MESSAGE)


def unknown_key(protocol: str, service: str | None, head: bool = False) -> Response:
    if protocol == REST_XML:
        return error(
            protocol,
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            head=head,
        )
    if protocol == EC2:
        return error(protocol, 401, "AuthFailure", "AWS was not able to validate the "
                     "provided access credentials")
    code = "InvalidClientTokenId" if _uses_query_codes(protocol, service) else (
        "UnrecognizedClientException"
    )
    return error(protocol, 403, code, _TOKEN_MESSAGE)


def expired_token(protocol: str, service: str | None) -> Response:
    if protocol == REST_XML:
        return error(protocol, 400, "ExpiredToken", "The provided token has expired.")
    code = "ExpiredToken" if _uses_query_codes(protocol, service) else (
        "ExpiredTokenException"
    )
    return error(protocol, 403, code, "The security token included in the request is expired")


def missing_authentication(protocol: str, head: bool = False) -> Response:
    if protocol == REST_XML:
        return error(protocol, 403, "AccessDenied", "Access Denied", head=head)
    if protocol == QUERY:
        return error(
            protocol, 403, "MissingAuthenticationToken", "Request is missing Authentication Token"
        )
    if protocol == EC2:
        return error(protocol, 401, "AuthFailure", "AWS was not able to validate the "
                     "provided access credentials")
    return error(protocol, 403, "MissingAuthenticationTokenException", "Missing Authentication Token")


def internal_failure(protocol: str) -> Response:
    if protocol == REST_XML:
        return error(protocol, 500, "InternalError", "We encountered an internal error. "
                     "Please try again.")
    if protocol == REST_JSON:
        return error(protocol, 500, "ServiceException", "An internal error occurred. "
                     "Please try again.")
    return error(protocol, 500, "InternalFailure", "The request processing has failed "
                 "because of an unknown error, exception or failure.")
