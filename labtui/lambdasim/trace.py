"""The trace: every event the engine produced, for the TUI timeline and for checks.

A :class:`TraceEvent` has the time (simulated seconds since the start), the
kind of event, the function, version, environment id, request id, attempt,
outcome and duration. Kinds:

==================  ==========================================================
``init``            a cold start's Init phase (duration = init ms, R-6.1/R-6.2)
``invoke``          one handler run; ``time`` is its start, ``outcome``
                    success / error / timeout / crash, ``detail`` the errorType
``throttle``        a 429 (``detail`` = Reason, R-2.6)
``retry``           an async retry or throttle backoff scheduled (``detail`` = delay)
``dlq``             an event sent to a dead-letter queue (R-3.6)
``destination``     an invocation record sent (``outcome`` = condition, R-3.8, R-4.13)
``dropped``         an async event discarded with nothing configured (R-3.10)
``duplicate``       an extra delivery of an async event (R-3.1)
``sqs-delete``      SQS messages deleted after success (``detail`` = count)
``sqs-return``      SQS messages left to return after the visibility timeout
``sqs-redrive``     a message moved to the queue's DLQ (R-4.2)
``stream-checkpoint``  a shard's checkpoint moved (``detail`` = last sequence number)
``reclaim``         an idle environment reclaimed
``provision``       a provisioned environment initialised ahead (R-5.4)
``delivery-failed`` a DLQ/destination target that cannot receive (FIFO)
``recursion-stopped``  a destination loop cut after 16 hops (R-4.15)
==================  ==========================================================

Events are recorded in processing order; an ``invoke`` is recorded when it
ends but carries its start time, so use :func:`timeline` to sort for display.

Sinks: :class:`ListTrace` keeps events in memory (``sim.trace``);
:class:`JsonLinesTrace` streams them to a file so memory stays flat;
``trace=None`` records nothing (fastest).
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _quote
from typing import IO, Any, Protocol

FIELDS = (
    "time",
    "kind",
    "function",
    "version",
    "env_id",
    "request_id",
    "attempt",
    "outcome",
    "duration_ms",
    "detail",
)


class TraceEvent:
    """One thing that happened in the simulation."""

    __slots__ = (
        "attempt",
        "detail",
        "duration_ms",
        "env_id",
        "function",
        "kind",
        "outcome",
        "request_id",
        "time",
        "version",
    )

    def __init__(
        self,
        time: float,
        kind: str,
        function: str = "",
        version: str = "",
        env_id: str = "",
        request_id: str = "",
        attempt: int = 0,
        outcome: str = "",
        duration_ms: float = 0.0,
        detail: str = "",
    ) -> None:
        self.time = time
        self.kind = kind
        self.function = function
        self.version = version
        self.env_id = env_id
        self.request_id = request_id
        self.attempt = attempt
        self.outcome = outcome
        self.duration_ms = duration_ms
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "kind": self.kind,
            "function": self.function,
            "version": self.version,
            "env_id": self.env_id,
            "request_id": self.request_id,
            "attempt": self.attempt,
            "outcome": self.outcome,
            "duration_ms": self.duration_ms,
            "detail": self.detail,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TraceEvent) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().values()))

    def __repr__(self) -> str:
        return f"TraceEvent({format_event(self)})"


def format_event(event: TraceEvent) -> str:
    """One compact timeline line: ``t=+60.000s fn:1 env-3 req-… attempt 2 error …``."""
    parts = [f"t=+{event.time:.3f}s", event.kind]
    if event.function:
        parts.append(f"{event.function}:{event.version}" if event.version else event.function)
    if event.env_id:
        parts.append(event.env_id)
    if event.request_id:
        parts.append(f"req-{event.request_id[:8]}")
    if event.attempt:
        parts.append(f"attempt {event.attempt}")
    if event.outcome:
        parts.append(event.outcome)
    if event.duration_ms:
        parts.append(f"{event.duration_ms:.1f}ms")
    if event.detail:
        parts.append(event.detail)
    return " ".join(parts)


class TraceSink(Protocol):
    def add(self, event: TraceEvent) -> None: ...


class ListTrace:
    """Keeps every event in memory, in the order the engine produced them."""

    def __init__(self) -> None:
        self.events: list[TraceEvent] = []

    def add(self, event: TraceEvent) -> None:
        self.events.append(event)


class BoundedTrace(ListTrace):
    """Keeps the first ``limit`` events and counts the rest (``dropped``): a trace for
    display that cannot grow with a long run."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0

    def add(self, event: TraceEvent) -> None:
        if len(self.events) < self.limit:
            self.events.append(event)
        else:
            self.dropped += 1


class JsonLinesTrace:
    """Writes each event as one JSON line; memory does not grow with history."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0

    def add(self, event: TraceEvent) -> None:
        # Hand-built JSON (strings escaped by the C encoder): several times faster than
        # json.dumps of a dict, and the same document.
        q = _quote
        self.stream.write(
            f'{{"time":{event.time!r},"kind":{q(event.kind)},"function":{q(event.function)},'
            f'"version":{q(event.version)},"env_id":{q(event.env_id)},'
            f'"request_id":{q(event.request_id)},"attempt":{event.attempt},'
            f'"outcome":{q(event.outcome)},"duration_ms":{float(event.duration_ms)!r},'
            f'"detail":{q(event.detail)}}}\n'
        )
        self.count += 1


def timeline(events: list[TraceEvent]) -> list[TraceEvent]:
    """Events in time order (stable). The engine records an ``invoke`` when it ends, with
    the time it started, so the raw trace is in processing order, not strictly by time."""
    return sorted(events, key=_event_time)


def _event_time(event: TraceEvent) -> float:
    return event.time
