"""Real learner code as a lambdasim handler backend.

lambdasim asks a :class:`labtui.lambdasim.behaviour.HandlerBackend` to start
environments and run invocations; this adapter does it with real execution
environments (child processes), so the engine's scenarios (retries, batches,
concurrency) can run the learner's own handler. The runner may import lambdasim;
lambdasim never imports the runner.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labtui.lambdasim.behaviour import (
    EnvironmentInfo,
    HandlerResult,
    HandlerStatus,
    InitResult,
    InvocationContext,
)
from labtui.runner.environment import ExecutionEnvironment
from labtui.runner.protocol import FunctionConfig, InvokeResult

# errorTypes that mean the runtime process itself went away.
_CRASH_TYPES = frozenset({"Runtime.ExitError"})


class RunnerHandlerBackend:
    """A HandlerBackend that runs ``code_dir`` with ``base_config`` in real environments.

    The engine's EnvironmentInfo supplies memory, timeout, version and architecture;
    everything else (handler, runtime, environment variables, account) comes from
    ``base_config``."""

    def __init__(
        self,
        base_config: FunctionConfig,
        code_dir: Path,
        sandbox_env: Mapping[str, str] | None = None,
    ) -> None:
        self.base_config = base_config
        self.code_dir = Path(code_dir)
        self.sandbox_env = dict(sandbox_env or {})
        self._environments: dict[str, ExecutionEnvironment] = {}

    def bind(self, rng: random.Random) -> None:
        return None  # real code has its own nondeterminism

    def start_environment(self, env: EnvironmentInfo) -> InitResult:
        config = dataclasses.replace(
            self.base_config,
            function_name=env.function_name,
            version=env.version,
            memory_mb=env.memory_mb,
            timeout_s=float(env.timeout_s),
            architecture=env.architecture,
        )
        environment = ExecutionEnvironment(
            config, self.code_dir, self.sandbox_env, provisioned=env.provisioned
        )
        self._environments[env.env_id] = environment
        init = environment.init_outcome()
        if init.error is not None:
            return InitResult(init.duration_ms, init.error["errorType"], init.error["errorMessage"])
        return InitResult(init.duration_ms)

    def invoke(self, env: EnvironmentInfo, event: Any, context: InvocationContext) -> HandlerResult:
        environment = self._environments.get(env.env_id)
        if environment is None or not environment.alive:
            # The engine reuses an environment this backend lost (e.g. killed): restart it.
            self.start_environment(env)
            environment = self._environments[env.env_id]
        result = environment.invoke(event, context.request_id, context.invoked_function_arn)
        return to_handler_result(result)

    def stop_environment(self, env: EnvironmentInfo) -> None:
        environment = self._environments.pop(env.env_id, None)
        if environment is not None:
            environment.shutdown()

    def shutdown(self) -> None:
        for environment in self._environments.values():
            environment.shutdown()
        self._environments.clear()


def to_handler_result(result: InvokeResult) -> HandlerResult:
    """The runner's outcome in lambdasim's terms (status ok/error/timeout/crash)."""
    logs = tuple(result.log.splitlines())
    if result.ok:
        return HandlerResult(
            "ok",
            result.duration_ms,
            result.json(),
            max_memory_mb=result.max_memory_used_mb,
            logs=logs,
        )
    document = json.loads(result.payload) if result.payload else {}
    error_type = str(document.get("errorType", "Unknown"))
    message = str(document.get("errorMessage", ""))
    status: HandlerStatus = "error"
    if result.status == "timeout":
        status = "timeout"
    elif error_type in _CRASH_TYPES:
        status = "crash"
    return HandlerResult(
        status, result.duration_ms, document, error_type, message, result.max_memory_used_mb, logs
    )
