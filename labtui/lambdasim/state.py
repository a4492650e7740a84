"""Mutable engine state: functions, versions, aliases, environments, counters.

Hot-path objects use ``__slots__``; the engine touches them for every
invocation.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labtui.lambdasim.behaviour import (
    BehaviourModel,
    EnvironmentInfo,
    HandlerBackend,
    HandlerResult,
)
from labtui.lambdasim.clock import snap
from labtui.lambdasim.config import LATEST, AsyncConfig, DeadLetter, FunctionSpec

_DEFAULT_ASYNC = AsyncConfig()


class Environment:
    """One execution environment (R-6.1): serves one request at a time (R-6.2)."""

    __slots__ = ("env_id", "info", "last_used", "pool", "provisioned", "version")

    def __init__(
        self,
        env_id: str,
        info: EnvironmentInfo,
        version: VersionState,
        pool: deque[Environment] | None,
    ) -> None:
        self.env_id = env_id
        self.info = info
        self.version = version
        self.provisioned = pool is not None
        self.last_used = 0.0
        self.pool = pool


class VersionState:
    """``$LATEST`` or a published, immutable version (R-9.1) and its idle environments."""

    __slots__ = (
        "arch",
        "arn",
        "backend",
        "billed_on_demand_ms",
        "billed_provisioned_ms",
        "fast_ok",
        "fast_seconds",
        "function",
        "gb_per_ms",
        "idle",
        "memory_mb",
        "model",
        "name",
        "spec",
        "timeout_ms",
    )

    def __init__(self, function: FunctionState, name: str, spec: FunctionSpec, arn: str) -> None:
        self.function = function
        self.name = name
        self.spec = spec
        self.backend: HandlerBackend = spec.behaviour
        # Behaviour models ignore the context, so the engine skips building one.
        self.model = spec.behaviour if isinstance(spec.behaviour, BehaviourModel) else None
        self.idle: deque[Environment] = deque()
        self.timeout_ms = spec.timeout_s * 1000.0
        self.memory_mb = spec.memory_mb
        self.arch = spec.architecture
        self.gb_per_ms = spec.memory_mb / 1024.0 / 1000.0
        self.arn = arn
        self.billed_on_demand_ms = 0
        self.billed_provisioned_ms = 0
        # The engine's fast path: a bound model that never fails and always takes the same
        # time, within the timeout and memory, gives this one result every time.
        self.fast_ok: HandlerResult | None = None
        self.fast_seconds = 0.0
        model = self.model
        if model is not None and model.failure.when == "never" and model._ok is not None:
            ok = model._ok
            if ok.duration_ms <= self.timeout_ms and ok.max_memory_mb <= self.memory_mb:
                self.fast_ok = ok
                self.fast_seconds = snap(ok.duration_ms / 1000.0)


@dataclass(slots=True)
class Alias:
    """An alias: one version plus an optional weighted additional version (R-9.2)."""

    name: str
    version: str
    additional_version: str | None = None
    weight: float = 0.0

    def pick(self, rng: random.Random) -> str:
        if self.additional_version is not None and rng.random() < self.weight:
            return self.additional_version
        return self.version


@dataclass(slots=True)
class Fault:
    """A scenario fault window: ``kind`` error / timeout / latency / system_error."""

    start_s: float
    end_s: float
    kind: str
    extra_ms: float = 0.0


class FunctionState:
    """A function with its versions, aliases, concurrency settings and counters."""

    __slots__ = (
        "aliases",
        "arn",
        "async_configs",
        "async_default",
        "busy_on_demand",
        "busy_provisioned",
        "dead_letter",
        "faults",
        "latest_version",
        "max_concurrency",
        "name",
        "next_version",
        "provisioned",
        "provisioned_total",
        "qualified_arns",
        "reserved",
        "scale_window_count",
        "scale_window_start",
        "versions",
    )

    def __init__(self, spec: FunctionSpec, arn: str) -> None:
        self.name = spec.name
        self.arn = arn
        self.versions: dict[str, VersionState] = {}
        self.latest_version = VersionState(self, LATEST, spec, f"{arn}:{LATEST}")
        self.versions[LATEST] = self.latest_version
        self.aliases: dict[str, Alias] = {}
        self.reserved: int | None = spec.reserved_concurrency
        self.busy_on_demand = 0
        self.busy_provisioned = 0
        self.provisioned_total = 0
        # qualifier -> version name -> idle provisioned environments
        self.provisioned: dict[str, dict[str, deque[Environment]]] = {}
        self.scale_window_start = -1e18
        self.scale_window_count = 0
        self.async_configs: dict[str, AsyncConfig] = {}
        self.async_default = _DEFAULT_ASYNC  # the unqualified config, read on every event
        self.dead_letter: DeadLetter | None = None
        self.max_concurrency = 0
        self.faults: list[Fault] = []
        self.next_version = 1
        self.qualified_arns: dict[str, str] = {}

    @property
    def latest(self) -> VersionState:
        return self.latest_version

    def qualified_arn(self, qualifier: str | None) -> str:
        """The invoked ARN: unqualified when no qualifier was given."""
        key = qualifier or ""
        arn = self.qualified_arns.get(key)
        if arn is None:
            arn = f"{self.arn}:{qualifier}" if qualifier else self.arn
            self.qualified_arns[key] = arn
        return arn

    def async_config(self, qualifier: str | None) -> AsyncConfig:
        """The event invoke config for a qualifier, else the function's, else defaults."""
        configs = self.async_configs
        if qualifier and qualifier in configs:
            return configs[qualifier]
        return configs.get("", _DEFAULT_ASYNC)


DoneCallback = Callable[["Invocation"], None]


class Invocation:
    """One execution attempt in flight (what the completion event carries)."""

    __slots__ = (
        "attempt",
        "billed_ms",
        "env",
        "event",
        "function",
        "init_failed",
        "init_ms",
        "on_done",
        "qualifier",
        "request_id",
        "result",
        "start",
        "status",
        "tag",
        "version",
    )

    def __init__(
        self,
        function: FunctionState,
        version: VersionState,
        qualifier: str | None,
        event: Any,
        request_id: str,
        attempt: int,
        on_done: DoneCallback,
        tag: Any,
        env: Environment,
        start: float,
        init_ms: float,
        result: HandlerResult,
        status: str,
        init_failed: bool,
    ) -> None:
        self.function = function
        self.version = version
        self.qualifier = qualifier
        self.event = event
        self.request_id = request_id
        self.attempt = attempt
        self.on_done = on_done
        self.tag = tag
        self.env = env
        self.start = start
        self.init_ms = init_ms
        self.result = result
        self.status = status
        self.init_failed = init_failed
        self.billed_ms = 0

    @property
    def cold_start(self) -> bool:
        return self.init_ms > 0.0


@dataclass(slots=True)
class Counters:
    """Summary counters the engine keeps as it runs (cheap to update)."""

    invocations: int = 0
    successes: int = 0
    errors: int = 0
    timeouts: int = 0
    crashes: int = 0
    throttles: int = 0
    system_errors: int = 0
    retries: int = 0
    cold_starts: int = 0
    warm_starts: int = 0
    provisioned_starts: int = 0
    max_concurrency: int = 0
    dlq_deliveries: int = 0
    destination_deliveries: int = 0
    dropped: int = 0
    duplicates: int = 0
    sqs_deleted: int = 0
    sqs_redriven: int = 0
    sqs_filtered: int = 0
    delivery_failures: int = 0
    recursion_stopped: int = 0
    stream_records_skipped: int = 0
