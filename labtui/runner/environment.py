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
import signal
import subprocess
import sys
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
from labtui.runner import errors, logs
from labtui.runner.log_collector import LogCollector
from labtui.runner.protocol import (
    ChildGone,
    Deadline,
    FunctionConfig,
    InvokeResult,
    receive,
    send,
)

BOOTSTRAP = Path(__file__).with_name("_bootstrap.py")
# Address space above the configured memory: the interpreter, boto3 and thread stacks
# reserve far more virtual memory than they touch. Resident memory is what is held to
# MemorySize (the watchdog below); this rlimit is only the backstop.
ADDRESS_SPACE_HEADROOM_MB = 1024
# Not a Lambda number (Lambda allows 1,024 processes/threads): a lab on a shared laptop
# stops fork bombs much earlier. See _bootstrap._limit_forks.
FORK_CAP = 16
OPEN_FILES_MAX = 1024  # as in Lambda
_SANDBOX_KEYS = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


@dataclass(frozen=True, slots=True)
class InitOutcome:
    duration_ms: float
    error: dict[str, Any] | None  # the runtime's error document when Init failed


class ExecutionEnvironment:
    """A child process imitating one Lambda execution environment for one function version."""

    def __init__(
        self,
        config: FunctionConfig,
        code_dir: Path,
        sandbox_env: Mapping[str, str],
        *,
        work_root: Path | None = None,
        provisioned: bool = False,
    ) -> None:
        self.config = config
        # Provisioned environments are initialised ahead of any request: their
        # first invocation shows no Init Duration.
        self.provisioned = provisioned
        self.code_dir = Path(code_dir).resolve()
        self.sandbox_env = dict(sandbox_env)
        self.id = uuid.uuid4().hex
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[{config.version}]{self.id}"
        self._work_dir = Path(tempfile.mkdtemp(prefix="labtui-env-", dir=work_root))
        self._process: subprocess.Popen[bytes] | None = None
        self._control_in = -1  # parent writes requests here
        self._control_out = -1  # parent reads answers here
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
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-u",
                str(BOOTSTRAP),
                str(control_in_child),
                str(control_out_child),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_write,
            stderr=log_write,
            pass_fds=(control_in_child, control_out_child),
            env=self._child_environment(),
            cwd=self.code_dir,
            start_new_session=True,  # its own process group: one kill ends forks too
        )
        for fd in (control_in_child, control_out_child, log_write):
            os.close(fd)
        self._log.start(log_read)
        try:
            send(self._control_in, self._setup_message())
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
            except Deadline:
                self._kill()
                document = errors.timed_out(request_id, self.config.timeout_s)
                elapsed = self.config.timeout_s * 1000
                return self._finish(request_id, cold, document, None, elapsed, {}, "timeout")
            except ChildGone:
                self._kill()
                elapsed = (time.monotonic() - started) * 1000
                reason = self._exit_reason()
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
        """End the environment (Shutdown, R-6.1) and remove its files."""
        process = self._process
        if process is not None and process.poll() is None:
            _close(self._control_in)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=1)
        self._kill()
        for fd in (self._control_in, self._control_out):
            _close(fd)
        self._control_in = self._control_out = -1
        self._log.stop()
        shutil.rmtree(self._work_dir, ignore_errors=True)

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
        used_mb = max(1, math.ceil(max_rss_kb / 1024)) if max_rss_kb else self._rss_mb()
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

    def _setup_message(self) -> dict[str, Any]:
        mb = 1024 * 1024
        return {
            "task_root": str(self.code_dir),
            "extra_paths": self._layer_paths(),
            "handler": self.config.handler,
            "fork_cap": FORK_CAP,
            "limits": {
                "RLIMIT_AS": (self.config.memory_mb + ADDRESS_SPACE_HEADROOM_MB) * mb,
                "RLIMIT_FSIZE": self.config.ephemeral_storage_mb * mb,
                "RLIMIT_NOFILE": OPEN_FILES_MAX,
                "RLIMIT_CORE": 0,
            },
        }

    def _layer_paths(self) -> list[str]:
        """Where Python finds layer code: /opt/python and its site-packages in AWS; here
        the same subdirectories of each unpacked layer, the last layer first (later
        layers override earlier ones in /opt)."""
        version = self.config.runtime.removeprefix("python")
        paths = []
        for layer in reversed(self.config.layer_dirs):
            paths += [f"{layer}/python", f"{layer}/python/lib/python{version}/site-packages"]
        return paths

    def _child_environment(self) -> dict[str, str]:
        """Built from scratch: nothing of the parent's environment leaks in (no HOME/.aws,
        no real credentials); reserved variables as in R-6.4."""
        home = self._work_dir / "home"
        tmp = self._work_dir / "tmp"
        aws_dir = home / ".aws"
        for directory in (home, tmp, aws_dir):
            directory.mkdir(parents=True, exist_ok=True)
        for name in ("config", "credentials"):
            (aws_dir / name).write_text("")
        config = self.config
        environment = dict(config.environment)
        environment.update(
            {key: self.sandbox_env[key] for key in _SANDBOX_KEYS if key in self.sandbox_env}
        )
        environment.update(
            {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": "C.UTF-8",
                "TZ": ":UTC",
                "HOME": str(home),
                "TMPDIR": str(tmp),
                "LAMBDA_TASK_ROOT": str(self.code_dir),
                "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
                "_HANDLER": config.handler,
                "AWS_REGION": config.region,
                "AWS_DEFAULT_REGION": config.region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": config.function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": config.version,
                "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group_name,
                "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream_name,
                "AWS_LAMBDA_INITIALIZATION_TYPE": (
                    "provisioned-concurrency" if self.provisioned else "on-demand"
                ),
                "AWS_CONFIG_FILE": str(aws_dir / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(aws_dir / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        environment.setdefault("AWS_ACCESS_KEY_ID", "AKIALABTUIFAKEKEY000")
        environment.setdefault("AWS_SECRET_ACCESS_KEY", "labtui-fake-secret")
        environment.setdefault("AWS_SESSION_TOKEN", "labtui-fake-session-token")
        return environment

    def _rss_mb(self) -> int:
        process = self._process
        if process is None:
            return 0
        try:
            resident_pages = int(Path(f"/proc/{process.pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return 0
        return math.ceil(resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024))

    def _watch_memory(self) -> None:
        # Lambda kills an environment whose memory exceeds MemorySize.
        if self._rss_mb() > self.config.memory_mb:
            self._killed_for_memory = True
            self._kill()

    def _kill(self) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def _exit_reason(self) -> str:
        process = self._process
        if self._killed_for_memory:
            return "signal: killed"
        if process is None:
            return "exit status 1"
        try:
            code = process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._kill()
            code = process.returncode
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
