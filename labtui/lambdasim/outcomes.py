"""The error results Lambda itself produces: timeout, memory kill, Init failure (R-2.2, R-2.8)."""

from __future__ import annotations

from labtui.lambdasim.behaviour import HandlerResult
from labtui.lambdasim.state import FunctionState


def timed_out(request_id: str, timeout_ms: float, result: HandlerResult) -> HandlerResult:
    """R-2.2: Sandbox.Timedout with the configured timeout in two decimals."""
    return HandlerResult(
        "timeout",
        timeout_ms,
        None,
        "Sandbox.Timedout",
        f"RequestId: {request_id} Error: Task timed out after {timeout_ms / 1000.0:.2f} seconds",
        result.max_memory_mb,
        result.logs,
    )


def killed(request_id: str, memory_mb: int, result: HandlerResult) -> HandlerResult:
    """R-2.8: a run over its memory is killed."""
    return HandlerResult(
        "crash",
        result.duration_ms,
        None,
        "Runtime.ExitError",
        f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
        memory_mb,
        result.logs,
    )


def init_failure(error_type: str, message: str | None, request_id: str) -> HandlerResult:
    """R-2.8: an Init error fails the invocation; the environment is discarded."""
    kind = error_type if error_type.startswith("Runtime.") else "Runtime.InitError"
    return HandlerResult(
        "error", 0.0, None, kind, message or f"RequestId: {request_id} Error: init failed"
    )


def system_fault_active(fn: FunctionState, now: float) -> bool:
    """A scenario fault makes the Lambda service fail (5xx) right now."""
    return any(f.kind == "system_error" and f.start_s <= now < f.end_s for f in fn.faults)


def apply_faults(fn: FunctionState, now: float, result: HandlerResult) -> HandlerResult:
    """A scenario fault window changes what the handler did (error, timeout, latency)."""
    for fault in fn.faults:
        if not fault.start_s <= now < fault.end_s:
            continue
        if fault.kind == "error":
            result = HandlerResult(
                "error",
                result.duration_ms,
                None,
                "Exception",
                "injected fault",
                result.max_memory_mb,
            )
        elif fault.kind == "timeout":
            result = HandlerResult("timeout", 1e12, None, max_memory_mb=result.max_memory_mb)
        elif fault.kind == "latency":
            result = HandlerResult(
                result.status,
                result.duration_ms + fault.extra_ms,
                result.payload,
                result.error_type,
                result.error_message,
                result.max_memory_mb,
                result.logs,
            )
    return result
