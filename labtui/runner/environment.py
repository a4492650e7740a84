"""One Lambda execution environment: a contained child process running learner code.

``ExecutionEnvironment(config, code_dir, sandbox_env).init()`` starts the process
(Init, R-6.1); ``invoke(event)`` serves one request at a time with warm reuse (R-6.2);
``shutdown()`` ends it. A timeout, a crash or a memory kill ends the environment; the
pool then starts a new one, so the next invocation is a cold start (R-2.2).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labtui import facts
from labtui.jail import Confined
from labtui.jail import start as start_confined
from labtui.jail import support as jail_support
from labtui.runner import errors, handler_jail, logs
from labtui.runner.log_collector import LogCollector
from labtui.runner.protocol import (
    ChildGone,
    Deadline,
    FunctionConfig,
    InvokeResult,
    receive,
    send,
)


@dataclass(frozen=True, slots=True)
class InitOutcome:
    duration_ms: float
    error: dict[str, Any] | None  # the runtime's error document when Init failed


class ExecutionEnvironment:
    """A jailed child process imitating one Lambda execution environment for one function
    version (``jail=False``: a plain child process, for comparison; None: a jail where the
    machine can build one)."""

    def __init__(
        self,
        config: FunctionConfig,
        code_dir: Path,
        sandbox_env: Mapping[str, str],
        *,
        work_root: Path | None = None,
        provisioned: bool = False,
        jail: bool | None = None,
    ) -> None:
        self.config = config
        self.jail = jail
        # Provisioned environments are initialised ahead of any request: their
        # first invocation shows no Init Duration.
        self.provisioned = provisioned
        self.code_dir = Path(code_dir).resolve()
        self.sandbox_env = dict(sandbox_env)
        self.id = uuid.uuid4().hex
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[{config.version}]{self.id}"
        self._work_dir = Path(tempfile.mkdtemp(prefix="labtui-env-", dir=work_root))
        self._process: Confined | None = None
        self._control_in = -1  # parent writes requests here
        self._control_out = -1  # parent reads answers here
        self._fds_lock = threading.Lock()  # the control fds are closed exactly once
        self._peak_mb = 0.0
        self._log = LogCollector()
        self._pending_init: tuple[float, str] | None = None  # (init ms, init log) until used
        self._init_error: dict[str, Any] | None = None
        self._init_ms = 0.0
        self._killed_for_memory = False
        self._lock = threading.Lock()
        self.invocations = 0

    # --- lifecycle --------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return (
            self._process is not None and self._process.poll() is None and self._init_error is None
        )

    def init(self) -> None:
        """Start the runtime and import the handler module (the Init phase, R-6.1)."""
        if self._process is not None:
            return
        started = time.monotonic()
        control_in_child, self._control_in = os.pipe()
        self._control_out, control_out_child = os.pipe()
        log_read, log_write = os.pipe()
        jailed = self.jail is not False and jail_support().available
        environment = handler_jail.child_environment(
            self.config,
            self.code_dir,
            self.sandbox_env,
            log_stream_name=self.log_stream_name,
            provisioned=self.provisioned,
            work_dir=self._work_dir,
            jailed=jailed,
        )
        fds = (control_in_child, control_out_child)
        spec = handler_jail.jail_spec(self.config, self.code_dir, environment, fds, self.sandbox_env)
        try:
            self._process = start_confined(spec, stdout=log_write, stderr=log_write, jail=jailed)
        finally:
            for fd in (control_in_child, control_out_child, log_write):
                os.close(fd)
        self._log.start(log_read)
        try:
            send(self._control_in, handler_jail.setup_message(
                self.config, self.code_dir, jailed=self._process.jailed,
                tasks_enforced=self._process.enforces_tasks,
            ))
            # 10 s of Init, then Lambda retries Init inside the first invocation's
            # timeout; one deadline covers both.
            deadline = started + facts.INIT_LIMIT_S + self.config.timeout_s
            answer = receive(self._control_out, deadline, self._watch_memory)
        except (ChildGone, Deadline) as problem:
            self._kill()
            answer = {
                "init_ms": (time.monotonic() - started) * 1000,
                "error": errors.init_failure(problem, self._exit_reason()),
            }
        init_ms = (time.monotonic() - started) * 1000
        self._init_error = answer.get("error")
        self._init_ms = init_ms
        self._pending_init = (init_ms, self._log.take("init"))

    def init_outcome(self) -> InitOutcome:
        """Run Init if needed and say how it went (for engines that report it apart)."""
        self.init()
        return InitOutcome(self._init_ms, self._init_error)

    def invoke(
        self,
        event: Any,
        request_id: str | None = None,
        invoked_function_arn: str | None = None,
    ) -> InvokeResult:
        """Run the handler once with ``event`` (a JSON-serialisable value, or the raw JSON
        payload as bytes). Always returns an :class:`InvokeResult`; nothing the learner's
        code does raises here."""
        with self._lock:
            self.init()
            request_id = request_id or str(uuid.uuid4())
            invoked_arn = invoked_function_arn or self._qualified_arn()
            cold = None if self.provisioned else self._pending_init
            self._pending_init = None
            if self._init_error is not None:
                if self._init_error["errorType"] == "Sandbox.Timedout":
                    document = errors.timed_out(request_id, self.config.timeout_s)
                    elapsed = self.config.timeout_s * 1000
                    return self._finish(request_id, None, document, None, elapsed, {}, "timeout")
                return self._finish(request_id, cold, self._init_error, None, 0.0, {}, "error")
            # bytes are the raw JSON payload (as the Invoke API carries it); anything
            # else, a str included, is a Python value to serialise.
            event_text = event.decode() if isinstance(event, bytes) else _to_json(event)
            started = time.monotonic()
            deadline = started + self.config.timeout_s
            request = {
                "request_id": request_id,
                "event": event_text,
                "invoked_function_arn": invoked_arn,
                "deadline_ms": time.time() * 1000 + self.config.timeout_s * 1000,
            }
            self.invocations += 1
            try:
                send(self._control_in, request)
                answer = receive(self._control_out, deadline, self._watch_memory)
                # Children the handler left running count too; so does a process the
                # kernel killed for the jail's hard limit.
                self._watch_memory()
                if self._killed_for_memory:
                    raise ChildGone
            except Deadline:
                self._kill()
                document = errors.timed_out(request_id, self.config.timeout_s)
                elapsed = self.config.timeout_s * 1000
                return self._finish(request_id, cold, document, None, elapsed, {}, "timeout")
            except ChildGone:
                reason = self._exit_reason()  # before the kill, which would mask it
                self._kill()
                elapsed = (time.monotonic() - started) * 1000
                # The runtime kills itself on MemoryError (the address-space backstop was
                # hit before the watchdog saw the resident size): the same memory kill.
                self._killed_for_memory |= reason == "signal: killed"
                document = errors.runtime_exited(request_id, reason)
                return self._finish(request_id, cold, document, None, elapsed, {}, "error")
            body = answer["body"]
            status = "success" if answer["ok"] else "error"
            document_or_none = None if answer["ok"] else _json_loads(body)
            return self._finish(
                request_id,
                cold,
                document_or_none,
                body,
                float(answer["duration_ms"]),
                answer,
                status,
            )

    def shutdown(self) -> None:
        """End the environment (Shutdown, R-6.1) and remove its files.

        Safe from any thread, also while an invocation runs: each control fd is closed
        exactly once, after the invocation using it has ended. (Closing one twice closed
        whatever another thread had opened under the reused number meanwhile: under 30-50
        concurrent invokes healthy handlers failed.)"""
        process = self._process
        if process is not None and self._lock.acquire(blocking=False):
            try:  # idle: ask the runtime to end by closing its request pipe
                self._close_fds(control_in=True, control_out=False)
                if process.poll() is None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=1)
            finally:
                self._lock.release()
        self._kill()  # a busy invocation now sees its runtime gone and returns
        with self._lock:
            self._close_fds(control_in=True, control_out=True)
            if process is not None:
                process.close()
        self._log.stop()
        shutil.rmtree(self._work_dir, ignore_errors=True)

    def _close_fds(self, *, control_in: bool, control_out: bool) -> None:
        with self._fds_lock:
            if control_in:
                _close(self._control_in)
                self._control_in = -1
            if control_out:
                _close(self._control_out)
                self._control_out = -1

    # --- internals --------------------------------------------------------------------

    def _finish(
        self,
        request_id: str,
        cold: tuple[float, str] | None,
        error_document: dict[str, Any] | None,
        body: str | None,
        duration_ms: float,
        answer: Mapping[str, Any],
        status: str,
    ) -> InvokeResult:
        output = self._log.take(request_id) if self.alive else self._log.take_all()
        max_rss_kb = int(answer.get("max_rss_kb", 0))
        tree_mb = self._tree_mb() if self.alive else 0
        used_mb = max(1, math.ceil(max_rss_kb / 1024), math.ceil(self._peak_mb), tree_mb)
        if self._killed_for_memory:
            used_mb = self.config.memory_mb
        init_ms = cold[0] if cold else None
        payload = (body if body is not None else _to_json(error_document)).encode()
        error_type = error_document["errorType"] if error_document else None
        report_error = error_type if status != "success" and body is None else None
        if self._killed_for_memory:
            report_error = "Runtime.OutOfMemory"  # what the REPORT line names
        text = logs.invocation_log(
            request_id=request_id,
            version=self.config.version,
            runtime=self.config.runtime,
            init_log=cold[1] if cold else None,
            output=output,
            timeout_s=self.config.timeout_s if status == "timeout" else None,
            error_type=report_error,
            duration_ms=duration_ms,
            init_ms=init_ms,
            memory_mb=self.config.memory_mb,
            used_mb=used_mb,
        )
        return InvokeResult(
            request_id=request_id,
            payload=payload,
            function_error=None if status == "success" else "Unhandled",
            error_type=error_type,
            status=status,  # type: ignore[arg-type]
            duration_ms=duration_ms,
            billed_duration_ms=logs.billed_ms(duration_ms, init_ms),
            init_duration_ms=init_ms,
            memory_size_mb=self.config.memory_mb,
            max_memory_used_mb=used_mb,
            log=text,
            environment_id=self.id,
            executed_version=self.config.version,
            recycled=not self.alive,
            log_stream_name=self.log_stream_name,
        )

    def _qualified_arn(self) -> str:
        if self.config.version == "$LATEST":
            return self.config.function_arn
        return f"{self.config.function_arn}:{self.config.version}"

    def _tree_mb(self) -> int:
        process = self._process
        if process is None:
            return 0
        used = process.memory_mb()
        self._peak_mb = max(self._peak_mb, used)
        return math.ceil(used)

    def _watch_memory(self) -> None:
        # Lambda kills an environment whose memory exceeds MemorySize: the memory
        # of every process the handler started, not just its own.
        process = self._process
        if process is None:
            return
        if self._tree_mb() > self.config.memory_mb or process.hit_hard_limit():
            self._killed_for_memory = True
            self._kill()

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()

    def _exit_reason(self) -> str:
        process = self._process
        if self._killed_for_memory:
            return "signal: killed"
        if process is None:
            return "exit status 1"
        code: int | None
        try:
            code = process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._kill()
            code = process.poll()
        return errors.describe_exit(code)


def _close(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


def _to_json(value: Any) -> str:
    import json

    return json.dumps(value)


def _json_loads(text: str) -> dict[str, Any]:
    import json

    loaded: dict[str, Any] = json.loads(text)
    return loaded
