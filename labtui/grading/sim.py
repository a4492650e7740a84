"""Behaviour checks: lambdasim runs the scenario, the account supplies configuration and code.

:class:`AccountHandler` is a lambdasim ``HandlerBackend`` that runs the learner's deployed
handler through the sandbox's runner (``LearnerAccount.invoke``), so the engine decides
timing, retries and redrive while the learner's real return values decide the outcome
(e.g. sqs-partial-batch c3). :func:`trace_rows` turns the engine's trace into the rows the
TUI timeline and ``--json`` show.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.results import TraceRow

TRACE_LIMIT = 400  # rows kept per grade; the timeline shows the start of long runs


class AccountHandler:
    """Run the learner's handler (deployed in the graded account) for the engine."""

    def __init__(
        self, account: Any, function: str, qualifier: str | None = None, budget_s: float = 45.0,
        max_calls: int | None = None,
    ) -> None:
        self.account = account
        self.function = function
        self.qualifier = qualifier
        self.calls = 0
        # A mapping that retries a failing batch forever would run the learner's code
        # thousands of times; past max_calls the engine sees the same failure at no cost.
        self.max_calls = max_calls
        # Real seconds the learner's code may use in one check: a handler that sleeps or
        # loops until its timeout on every retry must not hold the grader for minutes.
        self.budget_s = budget_s
        self.spent_s = 0.0

    @property
    def exhausted(self) -> bool:
        over_calls = self.max_calls is not None and self.calls > self.max_calls
        return over_calls or self.spent_s >= self.budget_s

    def bind(self, rng: random.Random) -> None:
        return None

    def start_environment(self, env: Any) -> Any:
        from labtui.lambdasim import InitResult

        return InitResult(0.0)

    def stop_environment(self, env: Any) -> None:
        return None

    def invoke(self, env: Any, event: Any, context: Any) -> Any:
        from labtui.lambdasim import HandlerResult

        self.calls += 1
        if self.exhausted:
            if self.spent_s >= self.budget_s:
                return HandlerResult("error", 1.0, None, "Labtui.GradingTimeBudget",
                                     f"the handler used up the {self.budget_s:g} s grading budget")
            return HandlerResult("error", 1.0, None, "Labtui.GradingCallBudget",
                                 f"the handler already ran {self.max_calls} times in this check")
        started = time.perf_counter()
        result = self.account.invoke(self.function, event, self.qualifier)
        self.spent_s += time.perf_counter() - started
        if result.status == "success":
            try:
                payload = result.json()
            except ValueError:
                payload = None
            return HandlerResult("ok", float(result.duration_ms), payload,
                                 max_memory_mb=int(result.max_memory_used_mb))
        document = _error_document(result.payload)
        return HandlerResult(
            "timeout" if result.status == "timeout" else "error", float(result.duration_ms), None,
            str(document.get("errorType") or result.error_type or "Error"),
            str(document.get("errorMessage", "")),
            max_memory_mb=int(result.max_memory_used_mb),
        )


def _error_document(payload: bytes) -> dict[str, Any]:
    try:
        document = json.loads(payload) if payload else {}
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def trace_rows(sim: Any, kinds: tuple[str, ...] = ("invoke", "throttle", "dlq", "destination",
                                                   "sqs-delete", "sqs-redrive", "dropped",
                                                   "stream-checkpoint")) -> list[TraceRow]:
    rows: list[TraceRow] = []
    for event in sim.trace:
        if event.kind not in kinds:
            continue
        rows.append(TraceRow(
            t_s=round(float(event.time), 3), function=event.function, version=event.version,
            environment=event.env_id, request_id=event.request_id, attempt=int(event.attempt),
            outcome=event.outcome or event.kind, duration_ms=round(float(event.duration_ms), 1),
            detail=f"{event.kind} {event.detail}".strip(),
        ))
        if len(rows) >= TRACE_LIMIT:
            break
    return rows


def record_trace(ctx: GradingContext, sim: Any) -> None:
    ctx.trace.extend(trace_rows(sim))


def new_simulation(ctx: GradingContext, seed: int | None = None, **options: Any) -> Any:
    """A virtual-clock simulation in the graded account's id and region; ``options`` override
    :class:`~labtui.lambdasim.EngineOptions` conventions (e.g. ``stream_retry_delay_s``).
    Its randomness (retry jitter, routing) follows the grading run's seed unless a check
    pins one."""
    from labtui.lambdasim import EngineOptions, Simulation

    return Simulation(
        seed=ctx.seed if seed is None else seed,
        options=EngineOptions(region=ctx.region, account_id=ctx.account_id, **options),
    )


def async_config(document: dict[str, Any] | None) -> Any:
    """A lambdasim AsyncConfig from GetFunctionEventInvokeConfig (AWS defaults when None)."""
    from labtui.lambdasim import AsyncConfig

    if not document:
        return AsyncConfig()
    destinations = document.get("DestinationConfig") or {}
    defaults = AsyncConfig()
    retries = document.get("MaximumRetryAttempts")
    age = document.get("MaximumEventAgeInSeconds")
    return AsyncConfig(
        max_retries=defaults.max_retries if retries is None else int(retries),
        max_event_age_s=defaults.max_event_age_s if age is None else int(age),
        on_success=(destinations.get("OnSuccess") or {}).get("Destination"),
        on_failure=(destinations.get("OnFailure") or {}).get("Destination"),
    )
