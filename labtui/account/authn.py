"""Who sent a request: the SigV4 signature checked against the key's secret.

AWS answers an unsigned request, an unknown key, a wrong secret, a stale signature and
an expired session token each with its own error; so does the gateway, in the
caller's protocol (aws_errors.py). Only a request whose signature verifies is given
an account (design.md §6.1).
"""

from __future__ import annotations

import datetime
from typing import Any

from labtui.account import aws_errors, sigv2, sigv4
from labtui.account.credentials import CredentialRegistry, Principal
from labtui.account.wsgi import Response


def authenticate(
    environ: dict[str, Any],
    body: bytes,
    registry: CredentialRegistry,
    protocol: str,
    now: datetime.datetime | None = None,
) -> Principal | Response:
    """The verified caller, or the refusal AWS would send."""
    head = str(environ.get("REQUEST_METHOD", "")).upper() == "HEAD"
    try:
        signed = sigv4.parse(environ)
    except sigv4.Malformed:
        return aws_errors.bad_signature(protocol, None, head)
    if signed is None:
        presigned = sigv2.parse(environ) if protocol == aws_errors.REST_XML else None
        if presigned is None:
            return aws_errors.missing_authentication(protocol, head)
        return _presigned_v2(environ, presigned, registry, protocol, now, head)
    service = signed.service
    principal = registry.lookup(signed.access_key_id)
    if principal is None or principal.session_token != signed.session_token:
        # An unknown key, or temporary credentials without their (or with a wrong) token.
        return aws_errors.unknown_key(protocol, service, head)
    now = now or datetime.datetime.now(datetime.UTC)
    if principal.expires is not None and principal.expires <= now:
        return aws_errors.expired_token(protocol, service)
    signed_at = sigv4.signing_time(signed)
    if signed_at is None or "host" not in signed.signed_headers:
        return aws_errors.bad_signature(protocol, service, head)
    if signed.presigned:
        if now > signed_at + datetime.timedelta(seconds=signed.expires_s or 0):
            return aws_errors.error(protocol, 403, "AccessDenied", "Request has expired", head=head)
    elif abs(now - signed_at) > sigv4.MAX_SKEW:
        if protocol == aws_errors.REST_XML:
            return aws_errors.error(
                protocol, 403, "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
                head=head,
            )
        return aws_errors.bad_signature(protocol, service, head)
    if not sigv4.verify(environ, signed, body, principal.secret_access_key):
        return aws_errors.bad_signature(protocol, service, head)
    if sigv4.declared_hash_mismatch(environ, body):
        return aws_errors.error(
            protocol, 400, "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            head=head,
        )
    environ["labtui.region"] = signed.region
    return principal


def _presigned_v2(
    environ: dict[str, Any],
    presigned: sigv2.PresignedV2,
    registry: CredentialRegistry,
    protocol: str,
    now: datetime.datetime | None,
    head: bool,
) -> Principal | Response:
    principal = registry.lookup(presigned.access_key_id)
    if principal is None or principal.session_token != presigned.session_token:
        return aws_errors.unknown_key(protocol, "s3", head)
    now = now or datetime.datetime.now(datetime.UTC)
    if now.timestamp() > presigned.expires:
        return aws_errors.error(protocol, 403, "AccessDenied", "Request has expired", head=head)
    if not sigv2.verify(environ, presigned, principal.secret_access_key):
        return aws_errors.bad_signature(protocol, "s3", head)
    return principal


def signing_service(environ: dict[str, Any]) -> str | None:
    """The service a request was signed for (None when unsigned or malformed)."""
    try:
        signed = sigv4.parse(environ)
    except sigv4.Malformed:
        return None
    if signed is None and sigv2.parse(environ) is not None:
        return "s3"  # only S3 accepts Signature Version 2 presigned URLs
    return signed.service if signed is not None else None
