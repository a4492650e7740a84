"""S3 and SNS notifications invoke the learner's function asynchronously (R-4.14).

moto fires a notification by calling the function itself, once and synchronously.
With the live async engine, :mod:`labtui.account.moto_triggers` hands each such call
to :class:`AsyncNotifications` instead, which queues it as an ``Event`` invocation —
the way S3 and SNS invoke Lambda — so it gets the function's retries (R-3.2), event
age, DLQ (R-3.6) and destinations (R-3.7) on the sandbox's scaled clock.

Recursive loops (R-4.15): one world runs one attempt at a time, so a notification
fired while an attempt runs in that account came from that attempt's handler (an S3
write, an SNS publish): it continues the attempt's chain. After
``facts.RECURSION_LIMIT`` invocations in one chain the next one is stopped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from labtui import facts

if TYPE_CHECKING:
    from labtui.account.lambda_invoke import InvokeService
    from labtui.account.live_async import LiveAsyncEngine

_log = logging.getLogger(__name__)


class AsyncNotifications:
    """Queues moto's S3/SNS (and EventBridge) invocations on the live async engine."""

    def __init__(self, engine: LiveAsyncEngine, invoker: InvokeService) -> None:
        self._engine = engine
        self._invoker = invoker

    def invoke(
        self, account_id: str, region: str, name: str, qualifier: str | None, payload: bytes
    ) -> str | None:
        """Queue the notification; its request id, or None when it was not queued."""
        world = self._engine.world(account_id, region)
        running = world.running_chain
        chain = 0 if running is None else running + 1
        if chain >= facts.RECURSION_LIMIT:
            # Lambda stops a recursive loop after about 16 invocations.
            _log.warning(
                "recursive loop detected: %s was invoked %d times in one chain; stopped",
                name,
                chain,
            )
            return None
        try:
            function = self._invoker.resolve(account_id, region, name, qualifier)
        except LookupError:
            _log.warning("a notification names a function that does not exist: %s", name)
            return None
        return self._invoker.submit_event(account_id, region, function, payload, chain)
