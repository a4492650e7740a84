"""Checking an AWS Signature Version 4 the way AWS does: rebuild, re-sign, compare.

The gateway knows every key's secret (credentials.py). For a request it rebuilds the
canonical request from what arrived on the wire (method, raw path and query, the
headers the client said it signed, the payload hash), signs it with the secret of the
access key named in the credential scope, and compares in constant time. A signature
made with any other secret does not match. Both the Authorization header and presigned
URLs (``X-Amz-Signature`` in the query) are understood.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=15)  # AWS refuses requests signed further off
_HEADER = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-fA-F]*)\s*$"
)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a request claims: who signed it, for which scope, which headers, when."""

    access_key_id: str
    date: str  # YYYYMMDD of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # YYYYMMDDTHHMMSSZ
    presigned: bool
    expires_s: int | None
    session_token: str | None


class Malformed(ValueError):
    """The request carries an Authorization header or query that is not valid SigV4."""


def parse(environ: dict[str, Any]) -> SignedRequest | None:
    """The signature a request carries; None when it carries none at all."""
    header = str(environ.get("HTTP_AUTHORIZATION", "")).strip()
    if header:
        match = _HEADER.match(header)
        if match is None:
            raise Malformed("Authorization header is not AWS4-HMAC-SHA256")
        amz_date = str(environ.get("HTTP_X_AMZ_DATE", ""))
        return _build(
            match["credential"],
            match["signed"],
            match["signature"],
            amz_date,
            presigned=False,
            expires=None,
            token=environ.get("HTTP_X_AMZ_SECURITY_TOKEN"),
        )
    query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if "X-Amz-Signature" not in query and "X-Amz-Credential" not in query:
        return None
    values = {name: items[0] for name, items in query.items() if items}
    if values.get("X-Amz-Algorithm") != ALGORITHM:
        raise Malformed("X-Amz-Algorithm must be AWS4-HMAC-SHA256")
    try:
        expires = int(values.get("X-Amz-Expires", "0"))
    except ValueError as error:
        raise Malformed("X-Amz-Expires is not a number") from error
    return _build(
        values.get("X-Amz-Credential", ""),
        values.get("X-Amz-SignedHeaders", ""),
        values.get("X-Amz-Signature", ""),
        values.get("X-Amz-Date", ""),
        presigned=True,
        expires=expires,
        token=values.get("X-Amz-Security-Token"),
    )


def _build(
    credential: str,
    signed: str,
    signature: str,
    amz_date: str,
    *,
    presigned: bool,
    expires: int | None,
    token: Any,
) -> SignedRequest:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not parts[0]:
        raise Malformed("the credential scope is not key/date/region/service/aws4_request")
    if not signature:
        raise Malformed("the signature is empty")
    return SignedRequest(
        access_key_id=parts[0],
        date=parts[1],
        region=parts[2],
        service=parts[3],
        signed_headers=tuple(signed.lower().split(";")),
        signature=signature.lower(),
        amz_date=amz_date,
        presigned=presigned,
        expires_s=expires,
        session_token=str(token) if token else None,
    )


def signing_time(signed: SignedRequest) -> datetime.datetime | None:
    try:
        stamp = datetime.datetime.strptime(signed.amz_date, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return stamp.replace(tzinfo=datetime.UTC)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _header_value(environ: dict[str, Any], name: str) -> str:
    if name == "content-type":
        value = environ.get("CONTENT_TYPE", "")
    elif name == "content-length":
        value = environ.get("labtui.original_content_length", environ.get("CONTENT_LENGTH", ""))
    else:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
    return " ".join(str(value).split())


def _raw_target(environ: dict[str, Any]) -> tuple[str, str]:
    """The path and query exactly as the client sent them (before URL-decoding)."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        parsed = urllib.parse.urlsplit(str(raw))
        return parsed.path or "/", parsed.query
    path = urllib.parse.quote(str(environ.get("PATH_INFO", "/")), safe="/~")
    return path or "/", str(environ.get("QUERY_STRING", ""))


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    for segment in path.split("/"):
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
        else:
            output.append(segment)
    rebuilt = "/".join(output)
    if not rebuilt.startswith("/"):
        rebuilt = "/" + rebuilt
    if path.endswith("/") and not rebuilt.endswith("/"):
        rebuilt += "/"
    return rebuilt


def _canonical_uris(service: str, raw_path: str) -> list[str]:
    if service == "s3":
        return [raw_path]  # S3 signs the path as sent, without a second encoding
    # Every other service encodes the (already encoded) path once more.
    return [urllib.parse.quote(_remove_dot_segments(raw_path), safe="/~"), raw_path]


def _canonical_queries(raw_query: str, presigned: bool) -> list[str]:
    pairs = []
    for pair in raw_query.split("&") if raw_query else []:
        key, _, value = pair.partition("=")
        if presigned and key == "X-Amz-Signature":
            continue
        pairs.append((key, value))
    as_sent = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    # The specification's form: decode, then encode each name and value the AWS way.
    encoded = sorted(
        (urllib.parse.quote(urllib.parse.unquote_plus(k), safe="-_.~"),
         urllib.parse.quote(urllib.parse.unquote_plus(v), safe="-_.~"))
        for k, v in pairs
    )
    by_spec = "&".join(f"{k}={v}" for k, v in encoded)
    return [as_sent] if as_sent == by_spec else [as_sent, by_spec]


def payload_hash(environ: dict[str, Any], signed: SignedRequest, body: bytes) -> str:
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256")
    if declared:
        return str(declared)
    if signed.presigned:
        return "UNSIGNED-PAYLOAD"
    return hashlib.sha256(body).hexdigest()


def declared_hash_mismatch(environ: dict[str, Any], body: bytes) -> bool:
    """True when x-amz-content-sha256 names a digest that is not the body's (S3 checks)."""
    declared = str(environ.get("HTTP_X_AMZ_CONTENT_SHA256", "")).lower()
    return bool(_HEX64.match(declared)) and declared != hashlib.sha256(body).hexdigest()


def verify(environ: dict[str, Any], signed: SignedRequest, body: bytes, secret: str) -> bool:
    """True when ``signed.signature`` is what ``secret`` gives for this request."""
    raw_path, raw_query = _raw_target(environ)
    headers = "".join(f"{n}:{_header_value(environ, n)}\n" for n in signed.signed_headers)
    signed_names = ";".join(signed.signed_headers)
    digest = payload_hash(environ, signed, body)
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    key = _signing_key(secret, signed.date, signed.region, signed.service)
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    for uri in _canonical_uris(signed.service, raw_path):
        for query in _canonical_queries(raw_query, signed.presigned):
            canonical = "\n".join([method, uri, query, headers, signed_names, digest])
            to_sign = "\n".join(
                [ALGORITHM, signed.amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
            )
            expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, signed.signature):
                return True
    return False
