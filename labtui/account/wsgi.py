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
        return json.loads(self.body) if self.body else {}


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
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    body = stream.read(length) if stream is not None and length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return bytes(body)


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
