"""CloudWatch-style log text for one invocation (R-6.5)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from labtui import facts


def billed_ms(duration_ms: float, init_ms: float | None) -> int:
    """Billing is per 1 ms (R-6.5); the Init phase is billed too since August 2025."""
    step = facts.BILLING_GRANULARITY_MS
    total = duration_ms + (init_ms or 0.0)
    return max(step, math.ceil(total / step) * step)


def report_line(
    request_id: str,
    duration_ms: float,
    init_ms: float | None,
    memory_mb: int,
    used_mb: int,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_ms(duration_ms, init_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {used_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")  # cold starts only
    if status is not None:
        parts.append(f"Status: {status}")
    if error_type is not None:
        parts.append(f"Error Type: {error_type}")
    return "\t".join(parts) + "\t"


def invocation_log(
    *,
    request_id: str,
    version: str,
    runtime: str,
    init_log: str | None,
    output: str,
    timeout_s: float | None,
    error_type: str | None,
    duration_ms: float,
    init_ms: float | None,
    memory_mb: int,
    used_mb: int,
) -> str:
    """INIT_START (cold only), START, the handler's output, END, REPORT."""
    lines: list[str] = []
    if init_log is not None:
        lines.append(f"INIT_START Runtime Version: {runtime.replace('python', 'python:')}.v1")
        lines.extend(init_log.splitlines())
    lines.append(f"START RequestId: {request_id} Version: {version}")
    lines.extend(output.splitlines())
    status = None
    if timeout_s is not None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        lines.append(f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds")
        status = "timeout"  # the REPORT line ends Status: timeout
    elif error_type is not None:
        status = "error"
    lines.append(f"END RequestId: {request_id}")
    lines.append(
        report_line(
            request_id,
            duration_ms,
            init_ms,
            memory_mb,
            used_mb,
            status,
            error_type if status == "error" else None,
        )
    )
    return "\n".join(lines) + "\n"
