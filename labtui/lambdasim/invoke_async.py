"""Asynchronous invocation (``Event``, R-2.3, R-3).

An event waits in Lambda's internal queue, then:

* function error → retried after 60 s, then 120 s (R-3.2), at most
  ``MaximumRetryAttempts`` (0–2) times;
* throttle or service error → retried with exponential backoff from 1 s up to
  300 s, for as long as the event is younger than ``MaximumEventAgeInSeconds``
  (R-3.3, R-3.4);
* reserved concurrency 0 → straight to failure handling, no attempt (R-3.5);
* success → OnSuccess destination record (condition ``Success``);
* failure → the DLQ gets the bare event with RequestID / ErrorCode /
  ErrorMessage attributes (R-3.6) *and* the OnFailure destination gets the
  invocation record (R-3.8, R-3.9); with neither it is dropped (R-3.10).

Every :class:`AsyncEvent` ends in exactly one terminal ``state``: ``success``,
``failed`` (sent to DLQ and/or destination, ``condition`` says why) or
``dropped``; until then it is ``queued`` or ``running``.

Simulator conventions (AWS documents none): a reserved-concurrency-0 record has
condition ``RetriesExhausted``, ``approximateInvokeCount`` 0 and
``responseContext.statusCode`` 429; records for events that never ran carry the
throttle's error as ``responsePayload``. Duplicates (R-3.1) are extra runs of a
successful event, traced as ``duplicate`` and counted, with no second record.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from labtui import facts
from labtui.lambdasim.engine import SYSTEM_ERROR, Engine
from labtui.lambdasim.invoke_sync import error_payload
from labtui.lambdasim.records import (
    EVENT_AGE_EXCEEDED,
    RETRIES_EXHAUSTED,
    SUCCESS,
    async_invocation_record,
    dlq_attributes,
    iso_timestamp,
)
from labtui.lambdasim.state import FunctionState, Invocation
from labtui.lambdasim.trace import TraceEvent

if TYPE_CHECKING:
    from labtui.lambdasim.destinations import Router


_FIRST_BACKOFF_S = float(facts.ASYNC_THROTTLE_BACKOFF_MIN_S)


class AsyncEvent:
    """One asynchronously invoked event and everything that happened to it."""

    __slots__ = (
        "attempts",
        "backoff_s",
        "chain",
        "condition",
        "enqueued_at",
        "finished_at",
        "function",
        "last",
        "last_reason",
        "payload",
        "qualifier",
        "request_id",
        "state",
    )

    def __init__(self, function: str, qualifier: str | None, payload: Any, enqueued_at: float):
        self.function = function
        self.qualifier = qualifier
        self.payload = payload
        self.request_id = ""
        self.enqueued_at = enqueued_at
        self.attempts = 0
        self.backoff_s = _FIRST_BACKOFF_S
        self.state = "queued"
        self.condition = ""
        self.last: Invocation | None = None
        self.last_reason = ""
        self.finished_at: float | None = None
        self.chain = 0  # destination hops that led here (R-4.15 recursion detection)

    def __repr__(self) -> str:
        return (
            f"AsyncEvent({self.function}, {self.request_id}, {self.state}, "
            f"attempts={self.attempts}, condition={self.condition!r})"
        )


class AsyncInvoker:
    """Lambda's internal event queue with its retry policy."""

    def __init__(self, engine: Engine, router: Router, keep_events: bool = True) -> None:
        self.engine = engine
        self.router = router
        self.keep_events = keep_events
        self._queue_delay_s = engine.options.async_queue_delay_s
        self._duplicate_probability = engine.options.duplicate_probability
        self._on_done = self._done  # one bound method for every invocation
        self._on_first = self._first_done
        self._lazy_first = not keep_events and not self._queue_delay_s  # see start_now
        self.events: list[AsyncEvent] = []
        # Kept whether or not ``events`` is: the summary reads these, not the list.
        self.submitted = 0
        self.succeeded = 0
        self.failed = 0  # failed or dropped

    def submit(self, event: AsyncEvent) -> AsyncEvent:
        engine = self.engine
        if event.function not in engine.functions:
            engine.function(event.function)  # raises ResourceNotFoundException now
        if not event.request_id:
            event.request_id = engine.new_request_id()
        self.submitted += 1
        if self.keep_events:
            self.events.append(event)
        at = event.enqueued_at + self._queue_delay_s
        if engine.running and at <= engine.now:
            self._attempt(event)  # arriving now, from inside the run: no need for the heap
        else:
            engine.schedule(at, self._attempt, event)
        return event

    def start_now(self, fn: FunctionState, qualifier: str | None, payload: Any) -> None:
        """A new event arriving now from a traffic generator (function and qualifier checked
        when the generator was built): submit and first attempt in one step."""
        engine = self.engine
        if self._lazy_first and fn.reserved != 0:
            # Nobody reads the event object of a call that succeeds at once, so it is only
            # made when the first attempt needs one (a failure, a throttle, a destination).
            request_id = engine.new_request_id()
            self.submitted += 1
            reason = engine.execute(fn, qualifier, payload, request_id, 1, self._on_first, None)
            if reason is not None:
                event = AsyncEvent(fn.name, qualifier, payload, engine.now)
                event.request_id = request_id
                self._throttled(event, fn, reason)
            return
        event = AsyncEvent(fn.name, qualifier, payload, engine.now)
        request_id = event.request_id = engine.new_request_id()
        self.submitted += 1
        if self.keep_events:
            self.events.append(event)
        if self._queue_delay_s or fn.reserved == 0:
            engine.schedule(engine.now + self._queue_delay_s, self._attempt, event)
            return
        event.state = "running"
        reason = engine.execute(fn, qualifier, payload, request_id, 1, self._on_done, event)
        if reason is None:
            event.attempts = 1
        else:
            self._throttled(event, fn, reason)

    # ------------------------------------------------------------------ attempts
    def _attempt(self, event: AsyncEvent) -> None:
        engine = self.engine
        fn = engine.functions[event.function]
        config = fn.async_default if event.qualifier is None else fn.async_config(event.qualifier)
        if engine.now - event.enqueued_at >= config.max_event_age_s:
            self._fail(event, fn, EVENT_AGE_EXCEEDED)
            return
        if fn.reserved == 0:  # no attempt, no retry
            engine.trace_throttle(
                fn,
                engine.resolve(fn, event.qualifier),
                event.request_id,
                event.attempts + 1,
                "ReservedFunctionConcurrentInvocationLimitExceeded",
            )
            event.last_reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
            self._fail(event, fn, RETRIES_EXHAUSTED)
            return
        event.state = "running"
        reason = engine.execute(
            fn,
            event.qualifier,
            event.payload,
            event.request_id,
            event.attempts + 1,
            self._on_done,
            event,
        )
        if reason is None:
            if event.attempts:  # a retry is counted when it runs, not when planned
                engine.counters.retries += 1
            event.attempts += 1
            return
        self._throttled(event, fn, reason)

    def _throttled(self, event: AsyncEvent, fn: FunctionState, reason: str) -> None:
        # throttles and system errors back off exponentially until the age limit.
        event.state = "queued"
        event.last_reason = reason
        delay = event.backoff_s + self._jitter()
        event.backoff_s = min(event.backoff_s * 2, float(facts.ASYNC_THROTTLE_BACKOFF_MAX_S))
        self._retry_later(event, fn, delay, "throttle backoff")

    def _first_done(self, inv: Invocation) -> None:
        """The end of a first attempt started by :meth:`start_now` without an event object:
        a plain success is only counted; anything else gets its event and goes on as usual."""
        fn = inv.function
        qualifier = inv.qualifier
        if inv.status == "ok" and not self._duplicate_probability:
            config = fn.async_default if qualifier is None else fn.async_config(qualifier)
            if not config.on_success:
                self.succeeded += 1
                return
        event = AsyncEvent(fn.name, qualifier, inv.event, inv.start)
        event.request_id = inv.request_id
        event.attempts = 1
        event.state = "running"
        inv.tag = event
        self._done(inv)

    def _done(self, inv: Invocation) -> None:
        event: AsyncEvent = inv.tag
        engine = self.engine
        fn = inv.function
        event.last = inv
        if event.last_reason:
            event.last_reason = ""
        if inv.status == "ok":
            self.succeeded += 1
            event.state = "success"
            event.condition = SUCCESS
            event.finished_at = engine.now
            if event.qualifier is None:
                on_success = fn.async_default.on_success
            else:
                on_success = fn.async_config(event.qualifier).on_success
            if on_success:
                self._send_record(event, fn, on_success, SUCCESS)
            if self._duplicate_probability and (engine.rng.random() < self._duplicate_probability):
                engine.schedule(engine.now, self._duplicate, event)
            return
        config = fn.async_default if event.qualifier is None else fn.async_config(event.qualifier)
        if event.attempts <= config.max_retries:  # about 1 min, then about 2 min
            delay = facts.ASYNC_RETRY_DELAYS_S[min(event.attempts, 2) - 1] + self._jitter()
            event.state = "queued"
            self._retry_later(event, fn, delay, "retry after function error")
        else:
            self._fail(event, fn, RETRIES_EXHAUSTED)

    def _retry_later(self, event: AsyncEvent, fn: FunctionState, delay: float, why: str) -> None:
        engine = self.engine
        config = fn.async_default if event.qualifier is None else fn.async_config(event.qualifier)
        expires_at = event.enqueued_at + config.max_event_age_s
        at = engine.now + delay
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "retry",
                    fn.name,
                    "",
                    "",
                    event.request_id,
                    event.attempts + 1,
                    "scheduled",
                    delay * 1000.0,
                    why,
                )
            )
        # an event never waits past its maximum age; it expires then.
        engine.schedule(at if at < expires_at else expires_at, self._attempt, event)

    def _duplicate(self, event: AsyncEvent) -> None:
        """R-3.1: at-least-once delivery; the handler sees the event again."""
        engine = self.engine
        fn = engine.functions[event.function]
        engine.counters.duplicates += 1
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "duplicate",
                    fn.name,
                    "",
                    "",
                    event.request_id,
                    event.attempts,
                    "",
                    0.0,
                    "at-least-once delivery",
                )
            )
        engine.execute(
            fn, event.qualifier, event.payload, event.request_id, event.attempts, _ignore, None
        )

    # ------------------------------------------------------------------ endings
    def _jitter(self) -> float:
        jitter = self.engine.options.retry_jitter_s
        return self.engine.rng.uniform(0.0, jitter) if jitter else 0.0

    def _finish(self, event: AsyncEvent, state: str, condition: str) -> None:
        self.failed += 1
        event.state = state
        event.condition = condition
        event.finished_at = self.engine.now

    def _fail(self, event: AsyncEvent, fn: FunctionState, condition: str) -> None:
        """R-3.9: DLQ and OnFailure destination both receive; neither → dropped (R-3.10)."""
        engine = self.engine
        config = fn.async_default if event.qualifier is None else fn.async_config(event.qualifier)
        targets = 0
        if fn.dead_letter is not None:
            code, message = self._error_code_and_message(event)
            self.router.deliver_dlq(
                fn.dead_letter.target,
                json.dumps(event.payload),
                dlq_attributes(event.request_id, code, message),
                event.request_id,
                fn.name,
            )
            targets += 1
        if config.on_failure:
            self._send_record(event, fn, config.on_failure, condition)
            targets += 1
        if targets:
            self._finish(event, "failed", condition)
            return
        self._finish(event, "dropped", condition)
        engine.counters.dropped += 1
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "dropped",
                    fn.name,
                    "",
                    "",
                    event.request_id,
                    event.attempts,
                    condition,
                    0.0,
                    "AsyncEventsDropped",
                )
            )

    def _error_code_and_message(self, event: AsyncEvent) -> tuple[int, str]:
        inv = event.last
        if event.last_reason or inv is None or inv.result is None:
            return (500 if event.last_reason == SYSTEM_ERROR else 429), "Rate Exceeded."
        if inv.status == "ok":
            return 200, ""
        return 200, inv.result.error_message or ""

    def _send_record(
        self, event: AsyncEvent, fn: FunctionState, target: str, condition: str
    ) -> None:
        engine = self.engine
        inv = event.last
        if inv is not None and not event.last_reason:
            assert inv.result is not None
            ok = inv.status == "ok"
            status_code, version = 200, inv.version.name
            function_error = None if ok else "Unhandled"
            response = inv.result.payload if ok else error_payload(inv)
        else:
            status_code = 500 if event.last_reason == SYSTEM_ERROR else 429
            version = engine.resolve(fn, event.qualifier).name
            function_error = None
            response = {
                "errorMessage": "Rate Exceeded.",
                "errorType": "TooManyRequestsException",
                "Reason": event.last_reason or "Throttled",
            }
        record = async_invocation_record(
            timestamp=iso_timestamp(engine.options.start_epoch_s + engine.now),
            request_id=event.request_id,
            function_arn=f"{fn.arn}:{event.qualifier or '$LATEST'}",
            condition=condition,
            approximate_invoke_count=event.attempts,
            request_payload=event.payload,
            status_code=status_code,
            executed_version=version,
            function_error=function_error,
            response_payload=response,
        )
        self.router.deliver_record(
            target, record, condition, event.request_id, fn.name, chain=event.chain
        )


def _ignore(inv: Invocation) -> None:
    return None
