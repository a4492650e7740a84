"""The gateway's edges: bodies too large or cut short, malformed input, moto's failures.

Whatever a caller sends, the answer is an AWS-style error in the caller's protocol
with the code AWS uses: a body over the limit is refused from its Content-Length
before a byte is read, a body that stops short is refused when the socket times out,
S3 XML that does not parse is ``MalformedXML``, and a failure inside moto (an
exception, or one of its HTML error pages) becomes the service's internal error
without the traceback.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ElementTree
from typing import Any

from labtui import facts
from labtui.account import aws_errors
from labtui.account.wsgi import BodyRefused, Response

# S3 sub-resources whose request body is an XML document (``policy`` is JSON).
_S3_XML_SUBRESOURCES = frozenset(
    {
        "acl", "accelerate", "analytics", "cors", "delete", "encryption", "intelligent-tiering",
        "inventory", "lifecycle", "logging", "metrics", "notification", "object-lock",
        "ownershipControls", "publicAccessBlock", "replication", "requestPayment", "restore",
        "tagging", "versioning", "website", "uploadId",
    }
)
_CLOSE = ("Connection", "close")


def body_limit(path: str) -> int:
    return facts.GATEWAY_REQUEST_MAX_BYTES


def refused_body(protocol: str, path: str, environ: dict[str, Any], refused: BodyRefused) -> Response:
    """What AWS answers to a body it will not read; the connection is closed after it."""
    if not refused.too_large:
        response = aws_errors.error(
            protocol, 400, "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP "
            "header",
        )
    elif protocol == aws_errors.REST_XML:
        response = aws_errors.error(
            protocol, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
        )
    elif protocol == aws_errors.REST_JSON and path.rstrip("/").endswith("/invocations"):
        kind = str(environ.get("HTTP_X_AMZ_INVOCATION_TYPE") or "RequestResponse")
        response = aws_errors.error(
            protocol, 413, "RequestEntityTooLargeException",
            f"{refused.length} byte payload is too large for the {kind} invocation type "
            f"(limit {facts.SYNC_PAYLOAD_MAX_BYTES} bytes)",
        )
    else:
        operation = _lambda_operation(path, str(environ.get("REQUEST_METHOD", "")))
        code = "RequestEntityTooLargeException" if protocol == aws_errors.REST_JSON else (
            "RequestEntityTooLarge"
        )
        response = aws_errors.error(
            protocol, 413, code,
            f"Request must be smaller than {facts.GATEWAY_REQUEST_MAX_BYTES} bytes for the "
            f"{operation} operation",
        )
    response.headers = [*(response.headers or []), _CLOSE]
    return response


def _lambda_operation(path: str, method: str) -> str:
    if path.rstrip("/").endswith("/code"):
        return "UpdateFunctionCode"
    if path.rstrip("/").endswith("/functions") and method == "POST":
        return "CreateFunction"
    if "/layers/" in path:
        return "PublishLayerVersion"
    return "request"


def s3_malformed_xml(environ: dict[str, Any], body: bytes) -> Response | None:
    """MalformedXML for an S3 request whose XML body does not parse (moto answers those
    with an HTML 500 page)."""
    if not s3_xml_request(environ, body):
        return None
    try:
        ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return _malformed_xml()
    return None


def s3_xml_request(environ: dict[str, Any], body: bytes) -> bool:
    method = str(environ.get("REQUEST_METHOD", "")).upper()
    if method not in ("PUT", "POST") or not body:
        return False
    query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if "partNumber" in query:
        return False  # UploadPart: the body is the part's bytes
    if _S3_XML_SUBRESOURCES.intersection(query):
        return True
    # CreateBucket: PUT /<bucket> (no key) with a CreateBucketConfiguration.
    path = str(environ.get("PATH_INFO", "")).strip("/")
    return method == "PUT" and not query and path != "" and "/" not in path


def _malformed_xml() -> Response:
    return aws_errors.error(
        aws_errors.REST_XML, 400, "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our "
        "published schema",
    )


def normalized(
    response: Response, protocol: str, environ: dict[str, Any], body: bytes
) -> Response:
    """moto's answer, unless it is a failure page: then the error AWS would send."""
    # moto labels many good XML answers text/html: only the body tells a failure page.
    html = response.body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
    if response.status < 500 and not html:
        return response
    if response.status >= 500:
        return failed(protocol, environ, body)
    code = {
        aws_errors.QUERY: "InvalidAction",
        aws_errors.EC2: "InvalidAction",
        aws_errors.REST_XML: "InvalidRequest",
    }.get(protocol, "UnknownOperationException")
    return aws_errors.error(protocol, 400 if response.status != 404 else 404, code,
                            "The requested operation is not supported by the sandbox")


def failed(protocol: str, environ: dict[str, Any], body: bytes) -> Response:
    """The answer when moto raised or failed: for S3 XML input, the input was wrong."""
    if protocol == aws_errors.REST_XML and s3_xml_request(environ, body):
        return _malformed_xml()  # well-formed, but not a document moto (or S3) accepts
    return aws_errors.internal_failure(protocol)
