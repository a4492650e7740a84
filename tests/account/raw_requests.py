"""Hand-made HTTP requests to the sandbox, signed (or not) as an attacker chooses."""

from __future__ import annotations

import http.client
import urllib.parse
from dataclasses import dataclass


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def signed_headers(
    url: str,
    method: str,
    body: bytes,
    service: str,
    key: str,
    secret: str,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    auth = S3SigV4Auth if service == "s3" else SigV4Auth
    auth(Credentials(key, secret, token), service, "us-east-1").add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def send(
    url: str,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> RawResponse:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        connection.request(method, target or "/", body=body, headers=headers or {})
        response = connection.getresponse()
        return RawResponse(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def signed(
    url: str,
    method: str,
    body: bytes,
    service: str,
    key: str,
    secret: str,
    headers: dict[str, str] | None = None,
) -> RawResponse:
    return send(url, method, body, signed_headers(url, method, body, service, key, secret,
                                                  headers=headers))
