"""Malformed, oversized and truncated requests get AWS's 4xx, never a traceback (issue 23)."""

from __future__ import annotations

import json
import socket
import threading
import tracemalloc
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labtui.account import Sandbox
from labtui.account.learner import LearnerAccount
from tests.account import raw_requests

pytestmark = pytest.mark.sandbox
MiB = 1024 * 1024


def _lambda(learner: LearnerAccount, method: str, path: str, body: bytes) -> raw_requests.RawResponse:
    url = learner.sandbox.endpoint_url + path
    return raw_requests.signed(url, method, body, "lambda", learner.access_key_id,
                               learner.secret_access_key)


def _no_traceback(response: raw_requests.RawResponse) -> None:
    text = response.body.decode("utf-8", "replace")
    assert "Traceback" not in text and "<html" not in text.lower() and "moto" not in text.lower()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/2015-03-31/functions", b"this is not json"),
        ("POST", "/2015-03-31/functions", b"[1, 2, 3]"),
        ("PUT", "/2015-03-31/functions/lab-hello/configuration", b"{not json"),
        ("PUT", "/2015-03-31/functions/lab-hello/configuration", b'["Timeout", 5]'),
        ("PUT", "/2019-09-25/functions/lab-hello/event-invoke-config", b"<xml/>"),
        ("PUT", "/2019-09-25/functions/lab-hello/event-invoke-config", b"[]"),
        ("PUT", "/2017-10-31/functions/lab-hello/concurrency", b"not json"),
        ("PUT", "/2017-10-31/functions/lab-hello/concurrency",
         b'{"ReservedConcurrentExecutions": 1e400}'),
        ("POST", "/2015-03-31/functions/lab-hello/invocations", b'{"value": NaN}'),
        ("POST", "/2015-03-31/functions/lab-hello/invocations", b"[" * 100_000 + b"]" * 100_000),
    ],
)
def test_malformed_lambda_requests_get_invalid_request_content(
    learner: LearnerAccount,
    make_function: Callable[..., str],
    method: str,
    path: str,
    body: bytes,
) -> None:
    make_function()
    response = _lambda(learner, method, path, body)
    assert response.status == 400
    assert response.headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert json.loads(response.body)["message"].startswith("Could not parse request body")
    _no_traceback(response)
    settings = learner.client("lambda").get_function(FunctionName="lab-hello")
    assert "Concurrency" not in settings  # nothing was half-applied


def test_bad_s3_xml_is_malformed_xml(learner: LearnerAccount) -> None:
    learner.client("s3").create_bucket(Bucket="xml-bucket")
    url = learner.sandbox.endpoint_url + "/xml-bucket?tagging"
    for body in (b"<Tagging><TagSet><Tag>", b"not xml at all", b"<Other/>"):
        response = raw_requests.signed(url, "PUT", body, "s3", learner.access_key_id,
                                       learner.secret_access_key)
        assert response.status == 400, response.body
        assert b"<Code>MalformedXML</Code>" in response.body
        _no_traceback(response)


def test_a_failure_inside_moto_reaches_the_learner_as_an_aws_error(
    learner: LearnerAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs.models import SQSBackend

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(SQSBackend, "list_queues", explode)
    url = learner.sandbox.endpoint_url + "/"
    body = b"Action=ListQueues&Version=2012-11-05"
    response = raw_requests.signed(url, "POST", body, "sqs", learner.access_key_id,
                                   learner.secret_access_key,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 500
    assert b"internal detail" not in response.body
    _no_traceback(response)


@pytest.fixture
def quick_timeout_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(work_dir=tmp_path / "box", socket_timeout_s=1.0) as box:
        yield box


def _head(box: Sandbox, learner: LearnerAccount, length: int, path: str, service: str) -> bytes:
    url = box.endpoint_url + path
    headers = raw_requests.signed_headers(url, "POST", b"", service, learner.access_key_id,
                                          learner.secret_access_key)
    headers["Content-Length"] = str(length)
    lines = [f"POST {urllib.parse.urlsplit(url).path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(60)  # a bound on the test, not a timing assertion
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def test_a_body_shorter_than_its_content_length_does_not_hold_a_thread(
    quick_timeout_sandbox: Sandbox,
) -> None:
    box = quick_timeout_sandbox
    learner = box.learner("short-body")
    with socket.create_connection(("127.0.0.1", box.port)) as sock:
        sock.sendall(_head(box, learner, 100, "/2015-03-31/functions", "lambda") + b"0123456789")
        answer = _answer(sock)  # the server gives up on the missing 90 bytes
    assert answer.startswith(b"HTTP/1.1 400")
    assert learner.client("sqs").list_queues().get("QueueUrls", []) == []  # still serving


def test_a_300_mb_body_is_refused_from_its_content_length_without_reading_it(
    learner: LearnerAccount,
) -> None:
    box = learner.sandbox
    tracemalloc.start()
    try:
        with socket.create_connection(("127.0.0.1", box.port)) as sock:
            sock.sendall(_head(box, learner, 300 * 1000 * 1000, "/2015-03-31/functions",
                               "lambda") + b"x" * MiB)
            answer = _answer(sock)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"RequestEntityTooLargeException" in answer
    assert peak < 100 * MiB


def test_a_chunked_body_is_refused_once_past_the_limit_with_memory_bounded(
    learner: LearnerAccount,
) -> None:
    box = learner.sandbox
    url = box.endpoint_url + "/big-upload-bucket/object"
    learner.client("s3").create_bucket(Bucket="big-upload-bucket")
    headers = raw_requests.signed_headers(url, "PUT", b"", "s3", learner.access_key_id,
                                          learner.secret_access_key)
    headers.pop("Content-Length", None)
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    head = "PUT /big-upload-bucket/object HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{n}: {v}\r\n" for n, v in headers.items() if n.lower() != "x-amz-content-sha256")
    head += "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n"
    chunk = b"x" * MiB
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    tracemalloc.start()
    try:
        with socket.create_connection(("127.0.0.1", box.port)) as sock:
            sock.sendall(head.encode())

            def stream() -> None:
                nonlocal sent
                try:
                    for _ in range(300):
                        sock.sendall(framed)
                        sent += 1
                except OSError:
                    pass  # the server stopped reading and closed: that is the point

            sender = threading.Thread(target=stream, daemon=True)
            sender.start()
            answer = _answer(sock)
            sock.shutdown(socket.SHUT_RDWR)
            sender.join(timeout=60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.startswith(b"HTTP/1.1 400")
    assert sent < 300  # refused before the whole 300 MB was taken
    assert peak < 100 * MiB
