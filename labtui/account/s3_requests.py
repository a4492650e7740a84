"""S3 requests AWS accepts but moto 5.2.5 cannot: fixed before moto sees them.

PutBucketNotificationConfiguration: S3 reads a filter rule's ``Name`` without regard to
case (``Prefix``/``Suffix`` as boto3 examples and S3's own answers spell them, or
``prefix``/``suffix``), but moto asserts the lower-case spelling and answers anything else
with a 500 and a traceback. The names are lower-cased here; a name that is neither is
refused with S3's own 400, as S3 would, instead of reaching moto's assertion.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

from labtui.account.wsgi import Environ, StartResponse, WsgiApp, read_body, replace_body

_RULE_NAME = re.compile(rb"(<FilterRule\b[^>]*>\s*<Name>)\s*([^<]*?)\s*(</Name>)", re.IGNORECASE)
_ALLOWED = (b"prefix", b"suffix")
_INVALID_NAME = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>'
    b"<Message>filter rule name must be either prefix or suffix</Message>"
    b"<ArgumentName>FilterRule.Name</ArgumentName><ArgumentValue>%s</ArgumentValue></Error>"
)


def is_notification_put(environ: Environ) -> bool:
    query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    return str(environ.get("REQUEST_METHOD", "")) == "PUT" and "notification" in query


def normalise_filter_rules(body: bytes) -> tuple[bytes, bytes | None]:
    """The body with every FilterRule Name lower-cased, and the first name that is neither
    prefix nor suffix (None when all are valid)."""
    invalid: list[bytes] = []

    def lower(match: re.Match[bytes]) -> bytes:
        name = match.group(2).lower()
        if name not in _ALLOWED and not invalid:
            invalid.append(match.group(2))
        return match.group(1) + name + match.group(3)

    return _RULE_NAME.sub(lower, body), (invalid[0] if invalid else None)


class S3RequestFixes:
    """WSGI middleware in front of moto's app: rewrites the requests listed above."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if is_notification_put(environ):
            body = read_body(environ)
            fixed, invalid = normalise_filter_rules(body)
            if invalid is not None:
                shown = invalid.replace(b"&", b"&amp;").replace(b"<", b"&lt;")[:64]
                start_response("400 Bad Request", [("Content-Type", "application/xml")])
                return [_INVALID_NAME % shown]
            replace_body(environ, fixed)
            # The body changed: a checksum of the old one would no longer match it.
            for header in [k for k in environ if _is_body_checksum(k)]:
                del environ[header]
        return self.app(environ, start_response)


def _is_body_checksum(key: Any) -> bool:
    text = str(key)
    return text == "HTTP_CONTENT_MD5" or text.startswith("HTTP_X_AMZ_CHECKSUM_")

