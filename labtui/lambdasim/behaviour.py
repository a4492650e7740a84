"""What a function *does* when the engine runs it: the handler backend protocol.

The engine never runs code itself. It asks a :class:`HandlerBackend` to start an
execution environment (the Init phase, R-6.1) and to run one invocation in it.
Two implementations exist:

* :class:`BehaviourModel` (here): a statistical stand-in — duration
  distribution, init duration, memory use and a failure rule such as "raise on
  records whose body contains ``poison``". Used by scenarios, property tests and
  benchmarks.
* the runner (``labtui.runner``, built elsewhere) runs real learner code in a
  subprocess and reports what happened. lambdasim never imports it; anything
  with these three methods works.

The backend reports *what happened* (status, payload, measured duration); the
engine decides what that means for Lambda (timeout, memory kill, billing,
retries). Durations are milliseconds of simulated time.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

HandlerStatus = Literal["ok", "error", "timeout", "crash"]


@dataclass(frozen=True, slots=True)
class EnvironmentInfo:
    """The execution environment a backend is asked to start or use."""

    env_id: str
    function_name: str
    version: str
    memory_mb: int
    timeout_s: int
    architecture: str
    provisioned: bool


@dataclass(slots=True)
class InvocationContext:
    """The Lambda context fields of one invocation (R-6.3)."""

    request_id: str
    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_ms: int
    attempt: int
    log_group_name: str
    log_stream_name: str


@dataclass(frozen=True, slots=True)
class InitResult:
    """Outcome of the Init phase: its duration, or the error that stopped it (R-2.8)."""

    duration_ms: float
    error_type: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class HandlerResult:
    """What one handler run produced.

    ``status``: ``ok`` (returned ``payload``), ``error`` (raised: ``error_type``,
    ``error_message``), ``timeout`` (still running at the deadline), ``crash``
    (the runtime process exited, R-2.8). ``duration_ms`` is the handler time;
    the engine caps it at the function timeout (R-2.2).
    """

    status: HandlerStatus
    duration_ms: float
    payload: Any = None
    error_type: str | None = None
    error_message: str | None = None
    max_memory_mb: int = 0
    logs: tuple[str, ...] = ()


@runtime_checkable
class HandlerBackend(Protocol):
    """Runs a function's handler for the engine (real code or a behaviour model)."""

    def bind(self, rng: random.Random) -> None:
        """Receive the simulation's seeded random source (models sample from it)."""

    def start_environment(self, env: EnvironmentInfo) -> InitResult:
        """Run the Init phase of a new environment (R-6.1)."""

    def invoke(self, env: EnvironmentInfo, event: Any, context: InvocationContext) -> HandlerResult:
        """Run the handler once in ``env`` (already initialised)."""

    def stop_environment(self, env: EnvironmentInfo) -> None:
        """The environment is reclaimed or reset; release what it holds."""


# --------------------------------------------------------------------------- models


@dataclass(frozen=True, slots=True)
class Duration:
    """A duration distribution in milliseconds, sampled from the simulation's rng.

    ``fixed``: ``a``; ``uniform``: between ``a`` and ``b``; ``normal``: mean ``a``,
    standard deviation ``b``; ``exponential``: mean ``a``. Samples are never below
    ``minimum`` (default 1 ms).
    """

    kind: Literal["fixed", "uniform", "normal", "exponential"] = "fixed"
    a: float = 100.0
    b: float = 0.0
    minimum: float = 1.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            value = self.a
        elif self.kind == "uniform":
            value = rng.uniform(self.a, self.b)
        elif self.kind == "normal":
            value = rng.gauss(self.a, self.b)
        else:
            value = rng.expovariate(1.0 / self.a)
        return value if value > self.minimum else self.minimum


@dataclass(frozen=True, slots=True)
class FailureRule:
    """When a behaviour model fails, and how.

    ``when``: ``never``; ``always``; ``probability`` (each invocation fails with
    ``probability``); ``contains`` (the event — for batches, any record — contains
    ``needle``). ``effect``: ``raise`` (function error), ``timeout`` (runs past
    the timeout), ``crash`` (``Runtime.ExitError``), or ``report`` (batches only:
    return a partial batch response naming the matching records, R-4.4/R-4.12).
    """

    when: Literal["never", "always", "probability", "contains"] = "never"
    probability: float = 0.0
    needle: str = ""
    effect: Literal["raise", "timeout", "crash", "report"] = "raise"
    error_type: str = "Exception"
    error_message: str = "simulated failure"


def record_bodies(event: Any) -> list[tuple[str, str]]:
    """(identifier, text) of each record in a batch event; the whole event otherwise.

    SQS identifies records by ``messageId`` (R-4.4); Kinesis and DynamoDB by
    sequence number (R-4.12). Kinesis data is decoded from base64.
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return [("", json.dumps(event, default=str))]
    bodies: list[tuple[str, str]] = []
    for record in records:
        if "body" in record:
            bodies.append((record["messageId"], str(record["body"])))
        elif "kinesis" in record:
            data = base64.b64decode(record["kinesis"]["data"]).decode("utf-8", "replace")
            bodies.append((record["kinesis"]["sequenceNumber"], data))
        elif "dynamodb" in record:
            ddb = record["dynamodb"]
            bodies.append((ddb["SequenceNumber"], json.dumps(ddb, default=str)))
        else:
            bodies.append(("", json.dumps(record, default=str)))
    return bodies


@dataclass(slots=True)
class BehaviourModel:
    """A handler described by numbers instead of code (implements HandlerBackend).

    ``response`` is returned on success (default ``None``); ``max_memory_mb``
    above the function's memory makes the engine kill the run (R-2.8).
    """

    duration: Duration = field(default_factory=Duration)
    init_duration: Duration = field(default_factory=lambda: Duration("fixed", 200.0))
    failure: FailureRule = field(default_factory=FailureRule)
    max_memory_mb: int = 64
    response: Any = None
    init_error: tuple[str, str] | None = None
    _rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)
    _ok: HandlerResult | None = field(default=None, repr=False)

    def bind(self, rng: random.Random) -> None:
        self._rng = rng
        if self.duration.kind == "fixed":
            # A shared immutable result keeps the common path allocation-free.
            self._ok = HandlerResult(
                "ok",
                max(self.duration.a, self.duration.minimum),
                self.response,
                max_memory_mb=self.max_memory_mb,
            )

    def start_environment(self, env: EnvironmentInfo) -> InitResult:
        duration = self.init_duration.sample(self._rng)
        if self.init_error is not None:
            return InitResult(duration, self.init_error[0], self.init_error[1])
        return InitResult(duration)

    def stop_environment(self, env: EnvironmentInfo) -> None:
        return None

    def invoke(
        self, env: EnvironmentInfo, event: Any, context: InvocationContext | None
    ) -> HandlerResult:
        rule = self.failure
        when = rule.when
        if when == "never" or (when == "probability" and self._rng.random() >= rule.probability):
            if self._ok is not None:
                return self._ok
            return self._result("ok", self.response)
        if when == "contains":
            failing = [ident for ident, text in record_bodies(event) if rule.needle in text]
            if not failing:
                return self._ok or self._result("ok", self.response)
            if rule.effect == "report":
                items = [{"itemIdentifier": ident} for ident in failing]
                return self._result("ok", {"batchItemFailures": items})
        return self._fail(env)

    def _fail(self, env: EnvironmentInfo) -> HandlerResult:
        rule = self.failure
        if rule.effect == "timeout":
            return self._result("timeout", None, duration_ms=env.timeout_s * 1000.0)
        if rule.effect == "crash":
            return self._result(
                "crash", None, "Runtime.ExitError", "Runtime exited with error: exit status 1"
            )
        return self._result("error", None, rule.error_type, rule.error_message)

    def _result(
        self,
        status: HandlerStatus,
        payload: Any,
        error_type: str | None = None,
        error_message: str | None = None,
        duration_ms: float | None = None,
    ) -> HandlerResult:
        duration = self.duration.sample(self._rng) if duration_ms is None else duration_ms
        return HandlerResult(
            status, duration, payload, error_type, error_message, self.max_memory_mb
        )
