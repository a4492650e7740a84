"""The narrow interface between the gateway and the asynchronous side of Lambda.

Asynchronous invocations (and later destinations and event source mappings) belong to
the lambdasim engine (design.md §5). The gateway hands each accepted ``Event``
invocation to an :class:`AsyncEngine`. The sandbox's default is
:class:`labtui.account.live_async.LiveAsyncEngine` (lambdasim on scaled wall-clock time:
retries, event age, DLQ and destinations written into the account);
:class:`RunOnceEngine` stays for tests that want one attempt per event, its outcome
recorded (no retries, no destinations).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from labtui.account.lambda_extras import AsyncOutcome, ExtrasStore
from labtui.runner.pool import EnvironmentsExhausted
from labtui.runner.protocol import InvokeResult


@dataclass(frozen=True)
class AsyncInvocation:
    """One accepted asynchronous invocation (R-2.3), with everything needed to run it."""

    account_id: str
    region: str
    function_name: str
    function_arn: str
    qualifier: str
    payload: bytes
    request_id: str
    reserved_concurrency: int | None
    event_invoke_config: dict[str, Any] | None
    dead_letter_target: str | None
    run: Callable[[], InvokeResult]  # runs the learner's code once (through the runner)
    chain: int = 0  # invocations before this one in a trigger loop


class AsyncEngine(Protocol):
    def submit(self, invocation: AsyncInvocation) -> None: ...

    def shutdown(self) -> None: ...


class RunOnceEngine:
    """One attempt per event, outcome recorded (``Sandbox(async_engine=RunOnceEngine)``)."""

    def __init__(self, extras: ExtrasStore) -> None:
        self._extras = extras
        self._threads: list[threading.Thread] = []

    def submit(self, invocation: AsyncInvocation) -> None:
        thread = threading.Thread(target=self._run, args=(invocation,), daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _run(self, invocation: AsyncInvocation) -> None:
        result: InvokeResult | None = None
        # reserved concurrency 0 throttles every async event; no attempt is made.
        if invocation.reserved_concurrency != 0:
            with contextlib.suppress(EnvironmentsExhausted):
                result = invocation.run()
        if result is None:
            outcome = AsyncOutcome(
                invocation.request_id,
                invocation.function_arn,
                invocation.qualifier,
                invocation.payload.decode(),
                "throttled",
                "",
                None,
                "",
                0,
            )
        else:
            outcome = AsyncOutcome(
                invocation.request_id,
                invocation.function_arn,
                invocation.qualifier,
                invocation.payload.decode(),
                result.status,
                result.payload.decode(),
                result.error_type,
                result.log,
                1,
            )
        with self._extras.lock:
            self._extras.account(invocation.account_id).async_outcomes.append(outcome)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait for the background invocations started so far (tests, grading)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def shutdown(self) -> None:
        self.wait_idle(5.0)
