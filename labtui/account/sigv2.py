"""S3 presigned URLs in the older query form (``AWSAccessKeyId``/``Signature``/``Expires``).

boto3 and the aws CLI still presign S3 URLs with Signature Version 2 unless told
otherwise, so the gateway checks those too: HMAC-SHA1 over the string S3 signs, with
the key's secret (the same rebuild-and-compare as sigv4.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from dataclasses import dataclass
from typing import Any

# The sub-resources S3 includes in the signed resource (as botocore's HmacV1Auth).
_SIGNED_SUBRESOURCES = frozenset(
    {
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber",
        "policy", "requestPayment", "torrent", "versioning", "versionId", "versions",
        "website", "uploads", "uploadId", "response-content-type",
        "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "delete", "lifecycle",
        "tagging", "restore", "storageClass", "notification", "replication", "analytics",
        "metrics", "inventory", "select", "select-type", "object-lock",
    }
)


@dataclass(frozen=True, slots=True)
class PresignedV2:
    access_key_id: str
    signature: str
    expires: int  # seconds since the epoch
    session_token: str | None


def parse(environ: dict[str, Any]) -> PresignedV2 | None:
    query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if "AWSAccessKeyId" not in query or "Signature" not in query:
        return None
    try:
        expires = int(query.get("Expires", ["0"])[0])
    except ValueError:
        expires = 0
    token = query.get("x-amz-security-token", [None])[0]
    return PresignedV2(query["AWSAccessKeyId"][0], query["Signature"][0], expires, token)


def verify(environ: dict[str, Any], signed: PresignedV2, secret: str) -> bool:
    raw = str(environ.get("REQUEST_URI") or environ.get("RAW_URI") or "")
    parts = urllib.parse.urlsplit(raw) if raw else None
    path = parts.path if parts else urllib.parse.quote(str(environ.get("PATH_INFO", "/")))
    query = parts.query if parts else str(environ.get("QUERY_STRING", ""))
    subresources = []
    for pair in query.split("&") if query else []:
        key, equals, value = pair.partition("=")
        if key in _SIGNED_SUBRESOURCES:
            decoded = urllib.parse.unquote(value)
            subresources.append(f"{key}={decoded}" if equals and value else key)
    resource = path + ("?" + "&".join(sorted(subresources)) if subresources else "")
    amz_headers = sorted(
        (name[5:].lower().replace("_", "-"), " ".join(str(value).split()))
        for name, value in environ.items()
        if name.startswith("HTTP_X_AMZ_")
    )
    if signed.session_token:
        amz_headers.append(("x-amz-security-token", signed.session_token))
        amz_headers.sort()
    custom = "".join(f"{name}:{value}\n" for name, value in amz_headers)
    to_sign = "\n".join(
        [
            str(environ.get("REQUEST_METHOD", "GET")).upper(),
            str(environ.get("HTTP_CONTENT_MD5", "")),
            str(environ.get("CONTENT_TYPE", "")),
            str(signed.expires),
            custom + resource,
        ]
    )
    expected = base64.b64encode(
        hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    return hmac.compare_digest(expected, signed.signature)
