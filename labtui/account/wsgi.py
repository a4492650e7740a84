"""Small WSGI plumbing for the gateway: a parsed request, JSON responses, calling moto."""

from __future__ import annotations

import io
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


@dataclass
class Request:
    environ: Environ
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    account_id: str
    region: str
    access_key_id: str

    def header(self, name: str, default: str = "") -> str:
        return str(self.environ.get("HTTP_" + name.upper().replace("-", "_"), default))

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return strict_json(self.body) if self.body else {}


def _no_constant(token: str) -> Any:
    raise ValueError(f"Non-standard token '{token}'")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"Numeric value ({text}) out of range")
    return number


def strict_json(body: bytes | str, *, finite: bool = True) -> Any:
    """JSON as AWS's parsers read it: no NaN/Infinity tokens, no number too large for a
    double (with ``finite``), and a nesting depth beyond Python's limit is an error, not
    a crash. Raises ValueError."""
    try:
        return json.loads(
            body, parse_constant=_no_constant, parse_float=_finite if finite else float
        )
    except RecursionError as error:
        raise ValueError("the document is nested too deeply") from error


class BodyRefused(Exception):
    """The request body was not read: too large (``length`` known) or cut short."""

    def __init__(self, too_large: bool, length: int | None = None) -> None:
        super().__init__("request body too large" if too_large else "request body incomplete")
        self.too_large = too_large
        self.length = length


_CHUNK = 1 << 20


def read_body_limited(environ: Environ, limit: int) -> bytes:
    """The whole body, read in chunks and never more than ``limit`` bytes: a declared
    Content-Length over the limit is refused before anything is read, a chunked body
    is refused once it passes the limit, and a body shorter than its Content-Length
    (the socket times out, see Sandbox) is refused instead of holding the thread."""
    cached = environ.get("labtui.body")
    if cached is not None:
        return bytes(cached)
    declared = environ.get("CONTENT_LENGTH")
    environ["labtui.original_content_length"] = declared or ""
    try:
        length = int(declared) if declared else None
    except ValueError:
        length = None
    if length is not None and length > limit:
        raise BodyRefused(True, length)
    stream = environ.get("wsgi.input")
    buffer = bytearray()
    chunked = length is None and bool(environ.get("wsgi.input_terminated"))
    remaining = length if length is not None else (limit + 1 if chunked else 0)
    try:
        while stream is not None and remaining > 0:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                break
            buffer += chunk
            remaining -= len(chunk)
    except OSError as error:  # the socket timed out: the client stopped sending
        raise BodyRefused(False) from error
    if length is not None and len(buffer) < length:
        raise BodyRefused(False)
    if len(buffer) > limit:
        raise BodyRefused(True, len(buffer))
    body = bytes(buffer)
    replace_body(environ, body)
    return body


def replace_body(environ: Environ, body: bytes) -> None:
    """Make ``body`` the request's body for every reader after this point (moto included)."""
    environ["labtui.body"] = body
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] | None = None

    def __call__(self, start_response: StartResponse) -> list[bytes]:
        headers = list(self.headers or [])
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", "application/json"))
        headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
        headers.append(("Content-Length", str(len(self.body))))
        phrase = (
            HTTPStatus(self.status).phrase if self.status in HTTPStatus._value2member_map_ else ""
        )
        start_response(f"{self.status} {phrase}", headers)
        return [self.body]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def json_response(
    status: int, document: Any, headers: list[tuple[str, str]] | None = None
) -> Response:
    return Response(status, json.dumps(document).encode(), headers)


def aws_error(status: int, code: str, message: str, **extra: Any) -> Response:
    """A REST-JSON error as Lambda sends it (botocore reads the x-amzn-ErrorType header)."""
    document = {"Type": "User", "message": message, **extra}
    return json_response(status, document, [("x-amzn-ErrorType", code)])


def read_body(environ: Environ) -> bytes:
    """The body the gateway already read (read_body_limited), else read it now."""
    from labtui import facts

    return read_body_limited(environ, facts.GATEWAY_REQUEST_MAX_BYTES)


def parse_query(environ: Environ) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)


def call_app(app: WsgiApp, environ: Environ) -> Response:
    """Run a WSGI app and collect its whole response."""
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        captured["status"] = int(status.split()[0])
        captured["headers"] = list(headers)
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(captured.get("status", 500), b"".join(chunks), captured.get("headers", []))


class ReadWriteLock:
    """Many requests at once (readers), or one snapshot/restore alone (writer).

    Readers only wait for an active writer, never for a waiting one: a request that is
    itself waiting on a nested request (a trigger running a handler that calls back into
    the sandbox) must not deadlock behind a snapshot."""

    def __init__(self) -> None:
        self._readers = 0
        self._writer_active = False
        self._changed = threading.Condition()

    def acquire_read(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self._writer_active)
            self._readers += 1

    def release_read(self) -> None:
        with self._changed:
            self._readers -= 1
            self._changed.notify_all()

    def acquire_write(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self._writer_active and self._readers == 0)
            self._writer_active = True

    def release_write(self) -> None:
        with self._changed:
            self._writer_active = False
            self._changed.notify_all()
