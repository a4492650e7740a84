"""Synchronous invocation (``RequestResponse``, R-2.1, R-2.2, R-2.6).

Lambda never retries a synchronous call: the caller gets 200 with the payload,
200 with ``X-Amz-Function-Error: Unhandled`` and an error body, or 429
``TooManyRequestsException`` with a ``Reason``. The response is on the
:class:`SyncInvocation` handle once the simulation has run past its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labtui.lambdasim.engine import SYSTEM_ERROR, Engine
from labtui.lambdasim.state import Invocation


@dataclass(slots=True)
class InvokeResponse:
    """What the Invoke API returns to a synchronous caller."""

    status_code: int
    payload: Any
    request_id: str
    function_error: str | None = None  # "Unhandled"
    executed_version: str | None = None
    error_code: str | None = None  # e.g. TooManyRequestsException
    reason: str | None = None
    duration_ms: float = 0.0
    billed_duration_ms: int = 0
    init_duration_ms: float = 0.0
    memory_size_mb: int = 0
    max_memory_used_mb: int = 0
    env_id: str = ""
    status: str = ""  # success / error / timeout / crash / throttled
    logs: tuple[str, ...] = ()  # what the handler printed (real code through the runner)

    @property
    def throttled(self) -> bool:
        return self.status_code == 429

    def report_line(self) -> str:
        """The REPORT log line of this invocation (R-6.5)."""
        line = (
            f"REPORT RequestId: {self.request_id}\tDuration: {self.duration_ms:.2f} ms\t"
            f"Billed Duration: {self.billed_duration_ms} ms\tMemory Size: {self.memory_size_mb} MB"
            f"\tMax Memory Used: {self.max_memory_used_mb} MB"
        )
        if self.init_duration_ms:
            line += f"\tInit Duration: {self.init_duration_ms:.2f} ms"
        if self.status == "timeout":
            line += "\tStatus: timeout"
        return line


class SyncInvocation:
    """A handle on one synchronous call; ``response`` is set when it finishes.

    The response is built on first read, so runs that never look at it stay cheap.
    """

    __slots__ = ("_invocation", "_response", "at", "event", "function", "qualifier", "request_id")

    def __init__(self, function: str, qualifier: str | None, event: Any, at: float) -> None:
        self.function = function
        self.qualifier = qualifier
        self.event = event
        self.at = at
        self.request_id = ""
        self._response: InvokeResponse | None = None
        self._invocation: Invocation | None = None

    @property
    def response(self) -> InvokeResponse | None:
        if self._response is None and self._invocation is not None:
            self._response = response_for(self._invocation)
        return self._response

    @property
    def done(self) -> bool:
        return self._response is not None or self._invocation is not None


class SyncInvoker:
    """Starts synchronous calls at their time and fills in their responses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._on_done = self._done  # one bound method for every invocation

    def submit(self, call: SyncInvocation) -> SyncInvocation:
        engine = self.engine
        if engine.running and call.at <= engine.now:
            self._start(call)  # arriving now, from inside the run: no need for the heap
        else:
            engine.schedule(call.at, self._start, call)
        return call

    def _start(self, call: SyncInvocation) -> None:
        engine = self.engine
        fn = engine.functions[call.function]  # checked when the call was made
        call.request_id = engine.new_request_id()
        reason = engine.execute(
            fn, call.qualifier, call.event, call.request_id, 1, self._on_done, call
        )
        if reason is not None:
            call._response = throttle_response(call.request_id, reason)

    def _done(self, inv: Invocation) -> None:
        inv.tag._invocation = inv


def throttle_response(request_id: str, reason: str) -> InvokeResponse:
    """R-2.6: 429 with the Reason; a service fault is a 500 ServiceException."""
    if reason == SYSTEM_ERROR:
        return InvokeResponse(
            500,
            {"Type": "Service", "message": "Service unavailable (simulated fault)"},
            request_id,
            error_code=SYSTEM_ERROR,
            status="system_error",
        )
    return InvokeResponse(
        429,
        {"Reason": reason, "Type": "User", "message": "Rate Exceeded."},
        request_id,
        error_code="TooManyRequestsException",
        reason=reason,
        status="throttled",
    )


def error_payload(inv: Invocation) -> dict[str, Any]:
    """R-2.1/R-2.2: the body of a function error."""
    result = inv.result
    assert result is not None
    if inv.status == "timeout" or inv.status == "crash" or inv.init_failed:
        return {"errorType": result.error_type, "errorMessage": result.error_message}
    return {
        "errorMessage": result.error_message or "",
        "errorType": result.error_type or "Exception",
        "requestId": inv.request_id,
        "stackTrace": [],
    }


def response_for(inv: Invocation) -> InvokeResponse:
    result = inv.result
    assert result is not None and inv.env is not None
    ok = inv.status == "ok"
    return InvokeResponse(
        200,
        result.payload if ok else error_payload(inv),
        inv.request_id,
        None if ok else "Unhandled",
        inv.version.name,
        duration_ms=result.duration_ms,
        billed_duration_ms=inv.billed_ms,
        init_duration_ms=inv.init_ms,
        memory_size_mb=inv.version.memory_mb,
        max_memory_used_mb=result.max_memory_mb,
        env_id=inv.env.env_id,
        status={"ok": "success"}.get(inv.status, inv.status),
        logs=result.logs,
    )
