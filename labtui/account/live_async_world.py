"""The pieces of one live lambdasim world (see :mod:`labtui.account.live_async`).

:class:`World` is one account's Region; :class:`SandboxBackend` runs an attempt with the
learner's code; :class:`DeliverySink` hears lambdasim's DLQ messages and destination
records as they are sent.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from labtui.account.engine_port import AsyncInvocation
from labtui.account.lambda_extras import ExtrasStore

if TYPE_CHECKING:
    from labtui.lambdasim import AsyncEvent, LiveSimulation, Simulation
    from labtui.lambdasim.behaviour import (
        EnvironmentInfo,
        HandlerResult,
        InitResult,
        InvocationContext,
    )
    from labtui.lambdasim.records import Delivery
    from labtui.lambdasim.trace import TraceEvent
    from labtui.runner.protocol import InvokeResult

_log = logging.getLogger(__name__)


@dataclass
class EventSourceState:
    """A world's event source mappings (:mod:`labtui.account.live_esm`): the pollers by
    mapping UUID, the qualifier each function is mapped with, and how a batch runs."""

    pollers: dict[str, Any] = field(default_factory=dict)
    qualifiers: dict[str, str | None] = field(default_factory=dict)
    run: Callable[[str, Any, str], InvokeResult] | None = None
    sync_queued: bool = False


@dataclass
class World:
    """One account's Region as lambdasim sees it, with its own worker thread and jobs
    (so one learner's slow handler never holds up another learner's events).

    A wipe, reset or restore replaces the account's gateway state (``account_state``):
    this world's events then belong to a past the learner rewound — they stop running,
    delivering and being recorded."""

    account_id: str
    region: str
    live: LiveSimulation
    extras: ExtrasStore
    account_state: object  # the account's gateway state when the world was made
    jobs: queue.Queue[Callable[[], None] | None] = field(default_factory=queue.Queue)
    worker: threading.Thread | None = None
    invocations: dict[str, AsyncInvocation] = field(default_factory=dict)
    last_results: dict[str, InvokeResult] = field(default_factory=dict)
    pending: dict[str, AsyncEvent] = field(default_factory=dict)
    esm: EventSourceState = field(default_factory=lambda: EventSourceState())
    # The chain of the asynchronous attempt running now (None: none, or a batch):
    # a notification its handler causes (an S3 write, an SNS publish) continues the chain.
    running_chain: int | None = None
    closed: bool = False  # the sandbox is stopping: no attempt runs any more

    def stale(self) -> bool:
        return self.closed or self.extras.account(self.account_id) is not self.account_state


class SandboxBackend:
    """A lambdasim HandlerBackend that runs an attempt through the sandbox's runner pool.

    The pool keeps the real execution environments (shared with synchronous invokes,
    discarded when the code changes); lambdasim keeps its own account of environments for
    concurrency and timing. Each attempt runs the invocation's captured ``run``."""

    def __init__(self, world: World) -> None:
        self.world = world

    def bind(self, rng: Any) -> None:
        return None

    def start_environment(self, env: EnvironmentInfo) -> InitResult:
        from labtui.lambdasim.behaviour import InitResult

        return InitResult(0.0)  # the pool's environment does the real Init on first use

    def stop_environment(self, env: EnvironmentInfo) -> None:
        return None

    def invoke(self, env: EnvironmentInfo, event: Any, context: InvocationContext) -> HandlerResult:
        from labtui.lambdasim.behaviour import HandlerResult
        from labtui.runner.lambdasim_backend import to_handler_result
        from labtui.runner.pool import EnvironmentsExhausted

        invocation = self.world.invocations.get(context.request_id)
        if self.world.stale():
            message = "the account was reset; this event is discarded"
            return HandlerResult("crash", 0.0, None, "Sandbox.Reset", message)
        run: Callable[[], InvokeResult]
        if invocation is not None:
            run = invocation.run
        elif self.world.esm.run is not None:
            # A batch of an event source mapping: not an accepted event, just the poller's.
            run = functools.partial(
                self.world.esm.run, env.function_name, event, context.request_id
            )
        else:
            message = "the sandbox lost this event's code"
            return HandlerResult("crash", 0.0, None, "Runtime.Unknown", message)
        self.world.running_chain = invocation.chain if invocation is not None else None
        try:
            result = run()
        except EnvironmentsExhausted:
            message = "no execution environment was free"
            return HandlerResult("crash", 0.0, None, "Runtime.Unavailable", message)
        except Exception as error:  # the sandbox must outlive any failure of one attempt
            _log.exception("an asynchronous attempt could not run")
            return HandlerResult("crash", 0.0, None, "Runtime.Unknown", str(error))
        finally:
            self.world.running_chain = None
        self.world.last_results[context.request_id] = result
        return to_handler_result(result)


class DeliverySink:
    """lambdasim's trace sink: passes every DLQ message and destination record on."""

    def __init__(self, on_delivery: Callable[[World, Delivery], None]) -> None:
        self.on_delivery = on_delivery
        self.simulation: Simulation | None = None
        self.world: World | None = None  # set once the world exists

    def add(self, event: TraceEvent) -> None:
        if event.kind == "delivery-failed":
            _log.warning("lambdasim could not deliver: %s", event.detail)
        if event.kind not in ("dlq", "destination") or self.simulation is None:
            return
        if self.world is None:
            return
        deliveries = self.simulation.deliveries
        if deliveries:
            delivery = deliveries[-1]
            deliveries.clear()  # memory stays flat: the sandbox keeps what it sent
            self.on_delivery(self.world, delivery)
