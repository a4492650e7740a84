"""Asynchronous invocation in the live sandbox, on lambdasim's timeline (design.md §5).

:class:`LiveAsyncEngine` is the sandbox's default :class:`AsyncEngine`. Each learner
account (and Region) gets its own lambdasim world, a :class:`LiveSimulation` whose
simulated time runs ``time_scale`` times faster than the wall clock (default 60: one
simulated minute per real second; ``LABTUI_SANDBOX_TIME_SCALE`` or
``Sandbox(time_scale=...)``). For every accepted ``Event`` invocation the engine:

1. copies the function's current configuration from the sandbox into the world:
   memory, timeout, architecture, reserved concurrency (0 included, R-3.5), the event
   invoke config of the invoked qualifier (MaximumRetryAttempts, MaximumEventAgeInSeconds,
   OnSuccess/OnFailure, R-3.2/R-3.4/R-3.7) and DeadLetterConfig (R-3.6) — the last two
   are kept by the gateway in :class:`~labtui.account.lambda_extras.ExtrasStore`;
2. queues the event in lambdasim, which decides attempts, retries (~60 s, ~120 s),
   throttle backoff, expiry and what is sent where (R-3.1–R-3.10);
3. runs every attempt with the learner's real handler through the sandbox's runner
   pool (the invocation's ``run``), which writes the attempt's log to CloudWatch Logs
   as a synchronous invoke does;
4. writes DLQ messages and destination records into the learner's account
   (:mod:`labtui.account.live_async_targets`) and records an
   :class:`~labtui.account.lambda_extras.AsyncOutcome` when the event is finished.

Conventions: each world has its own threads, so one learner's slow handler never holds
up another's events; within a world a running handler blocks lambdasim's event thread
(one attempt at a time per account). Simulated time stays consistent (attempts at 0,
~60 s, ~180 s whatever the machine's speed), but real run time passes on it too, so at
high scales a retry may start as soon as the previous attempt ends. A Lambda
destination is invoked through the gateway: a new asynchronous invocation with its own
request id (lambdasim's recursion count, R-4.15, does not follow it). A wipe, reset or
restore of the account drops its pending events.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from labtui import facts
from labtui.account.engine_port import AsyncInvocation
from labtui.account.lambda_extras import LATEST, AsyncOutcome, ExtrasStore
from labtui.account.live_async_targets import TargetWriter, arn_parts, lambda_token
from labtui.account.live_async_world import DeliverySink, SandboxBackend, World
from labtui.errors import LabError

if TYPE_CHECKING:
    from labtui.account.lambda_invoke import InvokeService
    from labtui.lambdasim import AsyncConfig, AsyncEvent, Simulation
    from labtui.lambdasim.records import Delivery

_log = logging.getLogger(__name__)

TIME_SCALE_VARIABLE = "LABTUI_SANDBOX_TIME_SCALE"
DEFAULT_TIME_SCALE = 60.0  # one simulated minute per real second: retries seen in a lab
_TERMINAL = frozenset({"success", "failed", "dropped"})
_SWEEP_INTERVAL_S = 0.05
LIVE_STREAM_RETRY_DELAY_S = 1.0  # simulated seconds (EngineOptions.stream_retry_delay_s)


def time_scale_from_environment(explicit: float | None = None) -> float:
    """``explicit``, else ``LABTUI_SANDBOX_TIME_SCALE``, else 60; LabError if not positive."""
    if explicit is not None:
        scale = float(explicit)
    else:
        raw = os.environ.get(TIME_SCALE_VARIABLE, "").strip()
        try:
            scale = float(raw) if raw else DEFAULT_TIME_SCALE
        except ValueError as error:
            raise LabError(f"{TIME_SCALE_VARIABLE} must be a number, not {raw!r}") from error
    if not math.isfinite(scale) or scale <= 0:
        raise LabError(f"the sandbox time scale must be a positive number, not {scale}")
    return scale


class LiveAsyncEngine:
    """Asynchronous invocations on lambdasim's scaled wall-clock timeline (see module doc)."""

    def __init__(self, extras: ExtrasStore, time_scale: float | None = None) -> None:
        self.time_scale = time_scale_from_environment(time_scale)
        self._extras = extras
        self._invoker: InvokeService | None = None
        self._writer: TargetWriter | None = None
        self._worlds: dict[tuple[str, str], World] = {}
        self._lock = threading.Lock()
        self._closed = False

    def attach(self, invoker: InvokeService) -> None:
        """The sandbox's InvokeService: function configuration and learner credentials."""
        self._invoker = invoker
        self._writer = TargetWriter(invoker.child_env_for)

    # --- the AsyncEngine interface ---------------------------------------------------------

    def submit(self, invocation: AsyncInvocation) -> None:
        """Called on the gateway's request thread: queue and return (202 at once, R-2.3)."""
        world = self._world(invocation.account_id, invocation.region)
        world.jobs.put(lambda: self._start(world, invocation))

    def close(self) -> None:
        """From now on no attempt starts (the sandbox is stopping; shutdown joins later)."""
        with self._lock:
            self._closed = True
            worlds = list(self._worlds.values())
        for world in worlds:
            world.closed = True

    def shutdown(self) -> None:
        self.close()
        with self._lock:
            worlds = list(self._worlds.values())
            self._worlds.clear()
        for world in worlds:
            world.jobs.put(None)
        for world in worlds:
            if world.worker is not None:
                world.worker.join(timeout=5)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until every event accepted so far is finished and its outcome written."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                worlds = list(self._worlds.values())
            if all(not w.pending and w.jobs.unfinished_tasks == 0 for w in worlds):
                return
            time.sleep(0.02)

    # --- worlds and their worker threads ---------------------------------------------------

    def world(self, account_id: str, region: str) -> World:
        """The account's live world (a new one after a wipe, reset or restore)."""
        return self._world(account_id, region)

    def _world(self, account_id: str, region: str) -> World:
        key = (account_id, region)
        with self._lock:
            world = self._worlds.get(key)
            if world is not None and world.stale() and not self._closed:
                del self._worlds[key]
                world.jobs.put(None)  # its worker forgets the rewound events and stops
                world = None
            if world is None:
                world = self._new_world(account_id, region)
                world.closed = self._closed  # after close: its worker ends at once
                self._worlds[key] = world
            return world

    def _new_world(self, account_id: str, region: str) -> World:
        from labtui.lambdasim import EngineOptions, LiveSimulation, Simulation

        sink = DeliverySink(self._queue_delivery)
        # A failing stream batch is retried 1 simulated second later, as the grader's
        # simulations do, doubling for each retry of the same batch up to one real second:
        # with the defaults (retry forever) a poison record re-ran the handler as fast as it
        # could, hundreds of times a second at 60x, and its logs filled memory (issue #21).
        options = EngineOptions(
            region=region, account_id=account_id, start_epoch_s=time.time(),
            stream_retry_delay_s=LIVE_STREAM_RETRY_DELAY_S,
            stream_retry_backoff_max_s=max(LIVE_STREAM_RETRY_DELAY_S, self.time_scale),
        )
        limit = self._extras.account(account_id).concurrent_executions_limit
        simulation = Simulation(
            options=options, trace=sink, keep_history=False, account_concurrency=limit
        )
        sink.simulation = simulation
        live = LiveSimulation(simulation, self.time_scale)
        world = World(account_id, region, live, self._extras, self._extras.account(account_id))
        sink.world = world
        world.worker = threading.Thread(
            target=self._work, args=(world,), name=f"labtui-async-{account_id}", daemon=True
        )
        world.worker.start()
        return world

    def _work(self, world: World) -> None:
        while not world.stale():
            try:
                job = world.jobs.get(timeout=_SWEEP_INTERVAL_S if world.pending else None)
            except queue.Empty:
                _guarded(lambda: self._sweep(world))
                continue
            if job is None:
                world.jobs.task_done()
                break
            _guarded(job)
            _guarded(lambda: self._sweep(world))
            world.jobs.task_done()  # after the sweep: wait_idle sees the outcome recorded
        self._retire(world)

    def _retire(self, world: World) -> None:
        """Stop a world (shutdown, or the learner rewound the account): its events go."""
        with self._lock:
            if self._worlds.get((world.account_id, world.region)) is world:
                del self._worlds[(world.account_id, world.region)]
        world.pending.clear()
        world.invocations.clear()
        while True:
            try:
                world.jobs.get_nowait()
            except queue.Empty:
                break
            world.jobs.task_done()
        world.live.stop()

    def _start(self, world: World, invocation: AsyncInvocation) -> None:
        configuration = self._function_configuration(invocation)
        world.invocations[invocation.request_id] = invocation

        def enqueue(simulation: Simulation) -> AsyncEvent:
            qualifier = self._mirror(simulation, world, invocation, configuration)
            event = simulation.invoke_async(invocation.function_name, _json(invocation), qualifier)
            # The gateway already answered with this request id; attempts keep it.
            event.request_id = invocation.request_id
            return event

        try:
            event = world.live.submit(enqueue)
        except Exception:
            world.invocations.pop(invocation.request_id, None)
            raise
        world.pending[invocation.request_id] = event

    def _function_configuration(self, invocation: AsyncInvocation) -> dict[str, Any]:
        """Memory, timeout, architecture and version of the invoked function, read now."""
        found: dict[str, Any] = {
            "memory_mb": facts.MEMORY_DEFAULT_MB,  # what a function gets unless told
            "timeout_s": facts.TIMEOUT_DEFAULT_S,
            "arch": "x86_64",
            "version": LATEST,
        }
        if self._invoker is not None:
            try:
                resolved = self._invoker.resolve(
                    invocation.account_id,
                    invocation.region,
                    invocation.function_name,
                    invocation.qualifier,
                )
            except LookupError:
                return found
            config = resolved.config
            found.update(
                memory_mb=config.memory_mb,
                timeout_s=max(1, math.ceil(config.timeout_s)),
                arch=config.architecture,
                version=config.version,
            )
        return found

    def _mirror(
        self,
        simulation: Simulation,
        world: World,
        invocation: AsyncInvocation,
        configuration: dict[str, Any],
    ) -> str | None:
        """Make the world's copy of the function match the sandbox; return lambdasim's
        qualifier for the invocation (None for $LATEST)."""
        from labtui.lambdasim import DeadLetter, FunctionSpec, LambdaApiError

        name = invocation.function_name
        spec = FunctionSpec(
            name,
            memory_mb=int(configuration["memory_mb"]),
            timeout_s=int(configuration["timeout_s"]),
            architecture=str(configuration["arch"]),
            behaviour=SandboxBackend(world),
        )
        if name not in simulation.engine.functions:
            simulation.add_function(spec)
        else:
            latest = simulation.function(name).latest.spec
            if (latest.memory_mb, latest.timeout_s, latest.architecture) != (
                spec.memory_mb,
                spec.timeout_s,
                spec.architecture,
            ):
                simulation.update_function(spec)
        limit = self._extras.account(invocation.account_id).concurrent_executions_limit
        simulation.set_account_concurrency(limit)
        try:
            simulation.set_reserved_concurrency(name, invocation.reserved_concurrency)
        except LambdaApiError as error:
            _log.warning("reserved concurrency not mirrored: %s", error)
        target = invocation.dead_letter_target
        simulation.set_dead_letter(name, DeadLetter(target) if target else None)
        qualifier = self._mirror_qualifier(simulation, invocation, str(configuration["version"]))
        config = _async_config(invocation.event_invoke_config)
        simulation.put_event_invoke_config(name, config, qualifier)
        return qualifier

    @staticmethod
    def _mirror_qualifier(
        simulation: Simulation, invocation: AsyncInvocation, version: str
    ) -> str | None:
        qualifier = invocation.qualifier
        if qualifier in ("", LATEST):
            return None
        function = simulation.function(invocation.function_name)
        if version.isdigit():
            while version not in function.versions and function.next_version <= int(version):
                simulation.publish_version(invocation.function_name)
        if qualifier != version and version in function.versions:
            simulation.create_alias(invocation.function_name, qualifier, version)
        if qualifier not in function.versions and qualifier not in function.aliases:
            return None
        return qualifier

    # --- after lambdasim decided -----------------------------------------------------------

    def _queue_delivery(self, world: World, delivery: Delivery) -> None:
        """On lambdasim's thread: hand the write to the worker (never block the timeline)."""
        original = world.invocations.get(delivery.request_id)
        # the DLQ body is the event exactly as it was sent.
        body = original.payload.decode() if original is not None else None
        world.jobs.put(lambda: self._deliver(world, delivery, body))

    def _deliver(self, world: World, delivery: Delivery, body: str | None) -> None:
        account_id, region = world.account_id, world.region
        writer = self._writer
        if writer is None or world.stale():
            return
        try:
            if delivery.kind == "dlq":
                body = body if body is not None else json.dumps(delivery.payload)
                writer.send_dead_letter(
                    account_id, region, delivery.target, body, delivery.attributes
                )
            else:
                writer.send_record(
                    account_id, region, delivery.target, delivery.payload, delivery.condition
                )
        except Exception as error:  # like DeadLetterErrors / DestinationDeliveryFailures
            _log.warning("could not deliver to %s: %s", delivery.target, error)

    def _sweep(self, world: World) -> None:
        """Record the outcome of every event of ``world`` that lambdasim has finished."""
        # A lock-free look first: while a handler runs, its world's lock is busy.
        if not any(event.state in _TERMINAL for event in list(world.pending.values())):
            return

        def finished(_: Simulation) -> list[AsyncEvent]:
            done = [e for e in world.pending.values() if e.state in _TERMINAL]
            for event in done:
                del world.pending[event.request_id]
            return done

        for event in world.live.submit(finished):
            self._record(world, event)

    def _record(self, world: World, event: AsyncEvent) -> None:
        invocation = world.invocations.pop(event.request_id, None)
        result = world.last_results.pop(event.request_id, None)
        if invocation is None:
            return
        outcome = AsyncOutcome(
            event.request_id,
            invocation.function_arn,
            invocation.qualifier,
            invocation.payload.decode(),
            result.status if result is not None else "throttled",
            result.payload.decode() if result is not None else "",
            result.error_type if result is not None else None,
            result.log if result is not None else "",
            event.attempts,
        )
        with self._extras.lock:
            self._extras.account(world.account_id).async_outcomes.append(outcome)


def _guarded(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:  # one bad event must not stop every later one
        _log.exception("the live asynchronous engine failed on a job")


def _json(invocation: AsyncInvocation) -> Any:
    return json.loads(invocation.payload or b"{}")


def _async_config(raw: dict[str, Any] | None) -> AsyncConfig:
    """The gateway's event invoke config as lambdasim's AsyncConfig (defaults when absent)."""
    from labtui.lambdasim import AsyncConfig

    if not raw:
        return AsyncConfig()
    destinations = raw.get("DestinationConfig") or {}
    defaults = AsyncConfig()

    def target(which: str) -> str | None:
        arn = (destinations.get(which) or {}).get("Destination")
        if not arn:
            return None
        # a Lambda destination is invoked through the gateway, not inside lambdasim.
        return lambda_token(arn) if arn_parts(arn)[0] == "lambda" else str(arn)

    retries = raw.get("MaximumRetryAttempts")
    age = raw.get("MaximumEventAgeInSeconds")
    return AsyncConfig(
        max_retries=defaults.max_retries if retries is None else int(retries),
        max_event_age_s=defaults.max_event_age_s if age is None else int(age),
        on_success=target("OnSuccess"),
        on_failure=target("OnFailure"),
    )
