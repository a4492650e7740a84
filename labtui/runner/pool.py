"""Warm environments kept per function version and configuration (R-6.2).

An environment serves one request at a time. ``invoke`` takes an idle warm environment
for the same configuration or starts a new one (a cold start); after the invocation
the environment goes back to the idle list unless it died (timeout, crash, memory kill),
in which case it is discarded and the next invocation starts cold (R-2.2).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labtui.runner.environment import ExecutionEnvironment
from labtui.runner.protocol import FunctionConfig, InvokeResult

Key = tuple[Any, ...]
# Not a Lambda number: real environments are processes on the learner's machine, so the
# lab runs at most this many at once (idle ones are reclaimed first to make room).
MAX_ENVIRONMENTS = 32


class EnvironmentsExhausted(Exception):
    """Every allowed environment is busy and none freed up in time."""


class EnvironmentPool:
    """Execution environments keyed by function version + configuration."""

    def __init__(
        self,
        sandbox_env: Mapping[str, str],
        *,
        max_idle_per_function: int = 4,
        idle_reclaim_s: float = 600.0,
        work_root: Path | None = None,
        max_environments: int = MAX_ENVIRONMENTS,
        wait_for_room_s: float = 30.0,
    ) -> None:
        self.max_environments = max_environments
        self.wait_for_room_s = wait_for_room_s
        self.sandbox_env = dict(sandbox_env)
        self.max_idle_per_function = max_idle_per_function
        self.idle_reclaim_s = idle_reclaim_s
        self.work_root = work_root
        self._idle: dict[Key, list[tuple[float, ExecutionEnvironment]]] = {}
        self._busy: set[ExecutionEnvironment] = set()
        self._lock = threading.Condition()
        self.started = 0  # environments started so far (cold starts)

    def acquire(
        self,
        config: FunctionConfig,
        code_dir: Path,
        sandbox_env: Mapping[str, str] | None = None,
        *,
        provisioned: bool = False,
    ) -> ExecutionEnvironment:
        """A warm idle environment for this exact configuration, or a new one."""
        self._reclaim_idle()
        key = config.fingerprint()
        evicted: list[ExecutionEnvironment] = []
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                _, environment = idle.pop()
                if environment.alive:
                    self._busy.add(environment)
                    return environment
                evicted.append(environment)
            evicted += self._make_room()
            environment = ExecutionEnvironment(
                config,
                code_dir,
                sandbox_env or self.sandbox_env,
                work_root=self.work_root,
                provisioned=provisioned,
            )
            self._busy.add(environment)
            self.started += 1
        for old in evicted:
            old.shutdown()
        return environment

    def _make_room(self) -> list[ExecutionEnvironment]:
        """Called with the lock held: evict idle environments (oldest first) or wait for a
        busy one to finish until a new environment fits under ``max_environments``."""
        evicted: list[ExecutionEnvironment] = []
        deadline = time.monotonic() + self.wait_for_room_s
        while len(self._busy) + sum(len(i) for i in self._idle.values()) >= self.max_environments:
            candidates = [
                (stamp, key, env) for key, idle in self._idle.items() for stamp, env in idle
            ]
            if candidates:
                _, key, oldest = min(candidates, key=lambda item: item[0])
                self._idle[key] = [(s, e) for s, e in self._idle[key] if e is not oldest]
                evicted.append(oldest)
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EnvironmentsExhausted(
                    f"all {self.max_environments} execution environments are busy"
                )
            self._lock.wait(remaining)
        return evicted

    def release(self, environment: ExecutionEnvironment) -> None:
        """Back to the idle list if it is still healthy; otherwise shut it down."""
        key = environment.config.fingerprint()
        with self._lock:
            self._busy.discard(environment)
            self._lock.notify_all()
            idle = self._idle.setdefault(key, [])
            if environment.alive and len(idle) < self.max_idle_per_function:
                idle.append((time.monotonic(), environment))
                return
        environment.shutdown()

    def invoke(
        self,
        config: FunctionConfig,
        code_dir: Path,
        event: Any,
        request_id: str | None = None,
        *,
        invoked_function_arn: str | None = None,
        sandbox_env: Mapping[str, str] | None = None,
        provisioned: bool = False,
    ) -> InvokeResult:
        environment = self.acquire(config, code_dir, sandbox_env, provisioned=provisioned)
        try:
            return environment.invoke(event, request_id, invoked_function_arn)
        finally:
            self.release(environment)

    def busy_count(self, function_arn: str | None = None) -> int:
        """Environments serving a request now (all, or of one function)."""
        with self._lock:
            return sum(
                1
                for environment in self._busy
                if function_arn is None or environment.config.function_arn == function_arn
            )

    def idle_count(self) -> int:
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def discard(self, predicate: Any = None) -> None:
        """Shut down idle environments (all, or those whose config matches ``predicate``)."""
        with self._lock:
            doomed = []
            for key, idle in list(self._idle.items()):
                keep = []
                for stamp, environment in idle:
                    if predicate is None or predicate(environment.config):
                        doomed.append(environment)
                    else:
                        keep.append((stamp, environment))
                self._idle[key] = keep
        for environment in doomed:
            environment.shutdown()

    def shutdown(self) -> None:
        self.discard()
        with self._lock:
            busy = list(self._busy)
        for environment in busy:
            environment.shutdown()

    def _reclaim_idle(self) -> None:
        # Idle environments are reclaimed after a while (R-6.2: reuse is never guaranteed).
        cutoff = time.monotonic() - self.idle_reclaim_s
        with self._lock:
            doomed = []
            for key, idle in self._idle.items():
                doomed += [environment for stamp, environment in idle if stamp < cutoff]
                self._idle[key] = [(s, e) for s, e in idle if s >= cutoff]
        for environment in doomed:
            environment.shutdown()
