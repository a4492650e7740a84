"""The parent's side of the pipe protocol with ``_bootstrap.py``, and the shared data types."""

from __future__ import annotations

import json
import os
import select
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from labtui import facts

_HEADER = struct.Struct(">I")
END_OF_INVOKE_MARK = "\x00labtui-end "  # must equal _bootstrap.END_OF_INVOKE_MARK


class ChildGone(Exception):
    """The environment's process closed its pipe (it exited or was killed)."""


class Deadline(Exception):
    """No answer before the deadline."""


def send(fd: int, message: Mapping[str, Any]) -> None:
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    try:
        while data:
            written = os.write(fd, data)
            data = data[written:]
    except (BrokenPipeError, OSError) as error:
        raise ChildGone from error


def receive(fd: int, deadline: float, watchdog: Any = None) -> dict[str, Any]:
    """Read one message, calling ``watchdog()`` about every 20 ms while waiting (it may kill
    the child, which then shows as ChildGone). Raises Deadline at ``deadline``
    (``time.monotonic()``)."""
    buffer = b""
    needed = _HEADER.size
    header_done = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Deadline
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.02))
        if not ready:
            if watchdog is not None:
                watchdog()
            continue
        chunk = os.read(fd, needed - len(buffer))
        if not chunk:
            raise ChildGone
        buffer += chunk
        if len(buffer) < needed:
            continue
        if not header_done:
            (size,) = _HEADER.unpack(buffer)
            header_done, needed, buffer = True, size, b""
            if size == 0:
                return {}
            continue
        message: dict[str, Any] = json.loads(buffer)
        return message


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """What an execution environment needs to know about the function version it runs."""

    function_name: str
    handler: str = "app.lambda_handler"
    runtime: str = "python3.13"
    memory_mb: int = facts.MEMORY_DEFAULT_MB
    timeout_s: float = facts.TIMEOUT_DEFAULT_S
    version: str = "$LATEST"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    architecture: str = "x86_64"
    ephemeral_storage_mb: int = facts.EPHEMERAL_DEFAULT_MB
    environment: Mapping[str, str] = field(default_factory=dict)
    code_sha256: str = ""
    layer_dirs: tuple[str, ...] = ()  # unpacked layers, in the function's order

    @property
    def function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def fingerprint(self) -> tuple[Any, ...]:
        """Environments are reused only for an identical configuration (a config update
        replaces the environments, as in AWS)."""
        return (
            self.function_name,
            self.handler,
            self.runtime,
            self.memory_mb,
            self.timeout_s,
            self.version,
            self.account_id,
            self.region,
            self.ephemeral_storage_mb,
            tuple(sorted(self.environment.items())),
            self.code_sha256,
            self.layer_dirs,
        )


Status = Literal["success", "error", "timeout"]


@dataclass(frozen=True, slots=True)
class InvokeResult:
    """One invocation as the caller and CloudWatch Logs would see it.

    ``payload`` is the response body: the handler's JSON result, or the error document
    (R-2.1, R-2.2, R-2.8). ``function_error`` is "Unhandled" on any function error.
    """

    request_id: str
    payload: bytes
    function_error: str | None
    error_type: str | None
    status: Status
    duration_ms: float
    billed_duration_ms: int
    init_duration_ms: float | None
    memory_size_mb: int
    max_memory_used_mb: int
    log: str
    environment_id: str
    executed_version: str
    recycled: bool = False  # the environment was discarded after this invocation
    log_stream_name: str = ""

    @property
    def cold_start(self) -> bool:
        return self.init_duration_ms is not None

    @property
    def ok(self) -> bool:
        return self.function_error is None

    def json(self) -> Any:
        return json.loads(self.payload) if self.payload else None

    def log_tail(self, limit: int = 4096) -> str:
        """The last ``limit`` bytes of the log, as ``--log-type Tail`` returns them."""
        return self.log.encode()[-limit:].decode(errors="ignore")
