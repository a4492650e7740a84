"""Event source mappings in the live sandbox, on lambdasim's pollers (R-4.1–R-4.13).

moto keeps a mapping's configuration (create/get/update/delete/list-event-source-
mapping go to moto unchanged), but its own trigger — one message at a time, no
batching window, partial batch responses ignored — is switched off for SQS
(:mod:`labtui.account.moto_triggers`). Instead each mapping runs in the account's
lambdasim world, the one :class:`~labtui.account.live_async.LiveAsyncEngine` uses for
asynchronous invocation, so both share its scaled clock, its concurrency and its
reset rule (a wipe, reset or restore drops the world; the mappings are read again
from the restored account):

* the queue is a :class:`~labtui.account.live_esm_sqs.MirroredQueue`: lambdasim's
  queue, with every receive, delete and redrive written into the moto queue;
* lambdasim's :class:`~labtui.lambdasim.esm_sqs.SqsPoller` batches (BatchSize,
  MaximumBatchingWindowInSeconds, R-4.1), filters (R-4.7), scales (R-4.6,
  ScalingConfig.MaximumConcurrency), reads partial batch responses (R-4.4) and
  deletes only what Lambda deletes (R-4.2); FIFO groups keep their order (R-4.5);
* each batch runs the learner's real handler through the sandbox's runner pool,
  its log written to CloudWatch Logs as for any invoke.

When mappings are read again: a message arrives in a mapped queue, a mapping is
created, updated or deleted (moto hooks), and every ``SYNC_INTERVAL_S`` for accounts
with a mapping (queue attributes changed, a delayed message became visible, the
learner deleted a message).

Kinesis and DynamoDB stream mappings run the same way on lambdasim's shard pollers
(:mod:`labtui.account.live_esm_streams`): batch size and window, starting position,
per-shard order, ParallelizationFactor, BisectBatchOnFunctionError,
MaximumRetryAttempts, MaximumRecordAgeInSeconds, ReportBatchItemFailures, and the
R-4.13 on-failure record written to the learner's SQS queue or SNS topic by the live
async engine's writer. GetEventSourceMapping reports their LastProcessingResult.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from labtui import facts
from labtui.account.live_async_world import SandboxBackend, World
from labtui.account.live_esm_sqs import LiveSqsPoller, MirroredQueue, moto_queue, queue_spec
from labtui.account.live_esm_streams import LiveStreamPoller, MirroredStream, stream_source

if TYPE_CHECKING:
    from labtui.account.lambda_invoke import InvokeService
    from labtui.account.live_async import LiveAsyncEngine
    from labtui.lambdasim import Simulation
    from labtui.runner.protocol import InvokeResult

_log = logging.getLogger(__name__)

SYNC_INTERVAL_S = 0.25  # wall-clock seconds between two readings of an account's mappings


def event_source_mappings(account_id: str, region: str) -> list[Any]:
    """moto's event source mappings of the account's Region (SQS, Kinesis, DynamoDB)."""
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[account_id][region]
    return [
        esm
        for esm in list(backend._event_source_mappings.values())
        if _service(esm) in ("sqs", "kinesis", "dynamodb")
    ]


def _service(esm: Any) -> str:
    parts = str(esm.event_source_arn).split(":")
    return parts[2] if len(parts) > 2 else ""


def spec_enabled(esm: Any) -> bool:
    return bool(esm.enabled)


def stream_mapping_spec(esm: Any, function_name: str, stream_key: str) -> Any:
    """A moto stream mapping as lambdasim's StreamMappingSpec (R-4.8–R-4.13)."""
    from labtui.lambdasim import StreamMappingSpec

    destination = ((esm.destination_config or {}).get("OnFailure") or {}).get("Destination")
    retries, age = esm.max_retry_attempts, esm.max_record_age
    return StreamMappingSpec(
        function=function_name,
        stream=stream_key,
        batch_size=int(esm.batch_size),
        batching_window_s=int(esm.max_batch_window or 0),
        # AT_TIMESTAMP reads from the start of the stream (the sandbox keeps every record).
        starting_position="LATEST" if esm.starting_position == "LATEST" else "TRIM_HORIZON",
        parallelization_factor=int(esm.parallelization_factor or 1),
        bisect_on_error=bool(esm.bisect_on_error),
        max_retries=-1 if retries is None else int(retries),  # R-4.10: -1 = until it expires
        max_record_age_s=-1 if age is None else int(age),
        report_batch_item_failures="ReportBatchItemFailures" in (esm.function_response_types or []),
        on_failure=str(destination) if destination else None,
    )


def mapping_spec(esm: Any, function_name: str) -> Any:
    """A moto mapping as lambdasim's SqsMappingSpec."""
    from labtui.lambdasim import SqsMappingSpec

    criteria = esm.filter_criteria or {}
    patterns = []
    for item in criteria.get("Filters") or []:
        try:
            pattern = json.loads(item.get("Pattern", "{}"))
        except (TypeError, ValueError):
            pattern = {"labtui-invalid-pattern": []}  # a malformed pattern matches nothing
        patterns.append(pattern if isinstance(pattern, dict) else {})
    maximum = (esm.scaling_config or {}).get("MaximumConcurrency")
    return SqsMappingSpec(
        function=function_name,
        queue=str(esm.event_source_arn).rsplit(":", 1)[-1],
        batch_size=int(esm.batch_size),
        batching_window_s=int(esm.max_batch_window or 0),
        report_batch_item_failures="ReportBatchItemFailures" in (esm.function_response_types or []),
        max_concurrency=None if maximum is None else int(maximum),
        enabled=bool(esm.enabled),
        filter_patterns=tuple(patterns),
    )


class LiveEventSources:
    """Runs every account's event source mappings in its live lambdasim world."""

    def __init__(self, engine: LiveAsyncEngine, invoker: InvokeService) -> None:
        self._engine = engine
        self._invoker = invoker
        self._watched: set[tuple[str, str]] = set()
        self._results: dict[str, str] = {}  # mapping UUID -> LastProcessingResult
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="labtui-esm", daemon=True)
        self._thread.start()

    # --- moto hooks (called on request threads: they only queue work) --------------------

    def on_queue_message(self, account_id: str, region: str, queue_name: str) -> None:
        suffix = f":{account_id}:{queue_name}"
        mappings = event_source_mappings(account_id, region)
        if any(str(e.event_source_arn).endswith(suffix) for e in mappings):
            self.touch(account_id, region)

    def on_stream_record(self, account_id: str, region: str) -> None:
        mappings = event_source_mappings(account_id, region)
        if any(_service(e) != "sqs" for e in mappings):
            self.touch(account_id, region)

    def last_processing_result(self, uuid: str) -> str | None:
        """A stream mapping's LastProcessingResult (None before its first batch)."""
        return self._results.get(uuid)

    def on_mappings_changed(self, account_id: str, region: str) -> None:
        self.touch(account_id, region)

    def touch(self, account_id: str, region: str) -> None:
        """Read the account's mappings and queues again, soon, on its world's worker."""
        with self._lock:
            self._watched.add((account_id, region))
        world = self._engine.world(account_id, region)
        if world.esm.sync_queued:
            return
        world.esm.sync_queued = True
        world.jobs.put(lambda: self._sync(world))

    def shutdown(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _tick(self) -> None:
        while not self._stop.wait(SYNC_INTERVAL_S):
            with self._lock:
                watched = list(self._watched)
            for account_id, region in watched:
                try:
                    self.touch(account_id, region)
                except Exception:
                    _log.exception("could not read the event source mappings")

    # --- on the world's worker ---------------------------------------------------------

    def _sync(self, world: World) -> None:
        world.esm.sync_queued = False
        if world.stale():
            return
        account_id, region = world.account_id, world.region
        mappings = event_source_mappings(account_id, region)
        if not mappings and not world.esm.pollers:
            with self._lock:
                self._watched.discard((account_id, region))
            return
        functions: dict[str, Any] = {}
        for esm in mappings:
            name, qualifier = _function_of(esm)
            try:
                resolved = self._invoker.resolve(account_id, region, name, qualifier)
            except LookupError:
                continue  # the function was deleted: its mapping has nothing to run
            world.esm.qualifiers[name] = qualifier
            functions[esm.uuid] = resolved
        if world.esm.run is None:
            world.esm.run = lambda name, event, request_id: self._run(
                world, name, event, request_id
            )
        world.live.submit(lambda simulation: self._apply(simulation, world, mappings, functions))

    def _apply(
        self, simulation: Simulation, world: World, mappings: list[Any], functions: dict[str, Any]
    ) -> None:
        from labtui.lambdasim import LambdaApiError

        seen: set[str] = set()
        for esm in mappings:
            resolved = functions.get(esm.uuid)
            if resolved is None:
                continue
            self._mirror_function(simulation, world, resolved)
            name = resolved.config.function_name
            try:
                if _service(esm) == "sqs":
                    running = self._apply_sqs(simulation, world, esm, name)
                else:
                    running = self._apply_stream(simulation, world, esm, name)
            except LambdaApiError as error:
                _log.warning("event source mapping %s not run: %s", esm.uuid, error)
                continue
            if running:
                seen.add(esm.uuid)
        for uuid in list(world.esm.pollers):
            if uuid not in seen:  # deleted (or its function is gone): stop polling
                self._stop_poller(simulation, world.esm.pollers.pop(uuid))

    def _apply_sqs(self, simulation: Simulation, world: World, esm: Any, name: str) -> bool:
        queue = self._queue(simulation, world, str(esm.event_source_arn).rsplit(":", 1)[-1])
        if queue is None:
            return False
        spec = mapping_spec(esm, name)
        poller = world.esm.pollers.get(esm.uuid)
        if poller is None:
            poller = LiveSqsPoller(simulation.engine, spec, simulation.function(name), queue)
            simulation.sqs_pollers.append(poller)
            world.esm.pollers[esm.uuid] = poller
        elif poller.spec != spec:
            from labtui.lambdasim.validation import check_sqs_mapping

            check_sqs_mapping(
                spec.batch_size, spec.batching_window_s, queue.fifo, spec.max_concurrency
            )
            poller.spec = spec
        poller.enabled = spec.enabled
        queue.import_from_moto()
        if poller.enabled:
            poller.wake()
        return True

    def _apply_stream(self, simulation: Simulation, world: World, esm: Any, name: str) -> bool:
        arn = str(esm.event_source_arn)
        stream = simulation.streams.get(arn)
        if not isinstance(stream, MirroredStream):
            source = stream_source(world.account_id, world.region, arn)
            if source is None:
                return False
            place = (world.account_id, world.region)
            stream = MirroredStream(arn, source, simulation.engine, place, world.live.scale)
            simulation.streams[arn] = stream
        spec = stream_mapping_spec(esm, name, arn)
        poller = world.esm.pollers.get(esm.uuid)
        if poller is None:
            stream.import_from_moto()  # TRIM_HORIZON starts with what is there
            poller = LiveStreamPoller(
                simulation.engine,
                spec,
                simulation.function(name),
                stream,
                simulation.router,
                (self._results, str(esm.uuid)),
                spec_enabled(esm),
            )
            simulation.stream_pollers.append(poller)
            world.esm.pollers[esm.uuid] = poller
        else:
            if poller.spec != spec:
                if poller.spec.parallelization_factor != spec.parallelization_factor:
                    _log.warning("ParallelizationFactor applies to new mappings only")
                    spec = replace(spec, parallelization_factor=poller.spec.parallelization_factor)
                poller.spec = spec
            stream.import_from_moto()
        if poller.enabled != spec_enabled(esm):
            poller.set_enabled(spec_enabled(esm))
        return True

    @staticmethod
    def _stop_poller(simulation: Simulation, poller: Any) -> None:
        if isinstance(poller, LiveStreamPoller):
            poller.stop()
            if poller in simulation.stream_pollers:
                simulation.stream_pollers.remove(poller)
            return
        poller.enabled = False
        if poller.wake in poller.queue.listeners:
            poller.queue.listeners.remove(poller.wake)
        if poller in simulation.sqs_pollers:
            simulation.sqs_pollers.remove(poller)

    def _queue(self, simulation: Simulation, world: World, name: str) -> MirroredQueue | None:
        """The mirrored queue ``name`` (and its DLQ), its settings read from moto now."""
        found = moto_queue(world.account_id, world.region, name)
        if found is None:
            return None
        spec = queue_spec(found)
        existing = simulation.queues.get(name)
        if isinstance(existing, MirroredQueue) and existing.fifo == spec.fifo:
            existing.spec = spec  # visibility timeout and redrive policy as set now
            queue = existing
        else:
            queue = MirroredQueue(
                spec,
                simulation.engine,
                str(found.queue_arn),
                simulation.queue_or_create,
                (world.account_id, world.region),
                self._reading_moto,
            )
            simulation.queues[name] = queue
        if spec.redrive is not None and spec.redrive.dead_letter_queue != name:
            dead_letters = spec.redrive.dead_letter_queue
            if not isinstance(simulation.queues.get(dead_letters), MirroredQueue):
                self._queue(simulation, world, dead_letters)
        return queue

    @contextlib.contextmanager
    def _reading_moto(self) -> Iterator[None]:
        """The gateway's state lock, shared: no snapshot or restore while moto changes."""
        lock = self._invoker.state_lock
        if lock is None:
            yield
            return
        lock.acquire_read()
        try:
            yield
        finally:
            lock.release_read()

    @staticmethod
    def _mirror_function(simulation: Simulation, world: World, resolved: Any) -> None:
        from labtui.lambdasim import FunctionSpec, LambdaApiError

        config = resolved.config
        spec = FunctionSpec(
            config.function_name,
            memory_mb=config.memory_mb,
            timeout_s=max(1, math.ceil(config.timeout_s)),
            architecture=config.architecture,
            behaviour=SandboxBackend(world),
        )
        functions = simulation.engine.functions
        if config.function_name not in functions:
            simulation.add_function(spec)
        else:
            latest = simulation.function(config.function_name).latest.spec
            if (latest.memory_mb, latest.timeout_s, latest.architecture) != (
                spec.memory_mb,
                spec.timeout_s,
                spec.architecture,
            ):
                simulation.update_function(spec)
        try:
            # pollers scale up to the reserved concurrency, and are throttled.
            simulation.set_reserved_concurrency(config.function_name, resolved.reserved_concurrency)
        except LambdaApiError as error:
            _log.warning("reserved concurrency not mirrored: %s", error)

    def _run(self, world: World, name: str, event: Any, request_id: str) -> InvokeResult:
        """One batch through the learner's real handler (the mapping's qualifier)."""
        payload = json.dumps(event)
        if len(payload) > facts.SYNC_PAYLOAD_MAX_BYTES:  # pollers invoke synchronously
            _log.warning("an event source batch of %d bytes is over the limit", len(payload))
        return self._invoker.invoke_direct(
            world.account_id,
            world.region,
            name,
            payload.encode(),
            world.esm.qualifiers.get(name),
            request_id=request_id,
        )


def _function_of(esm: Any) -> tuple[str, str | None]:
    """(name, qualifier) of a mapping's FunctionArn (moto keeps a qualified ARN)."""
    parts = str(esm.function_arn).split(":")
    if len(parts) > 7 and parts[7]:
        return parts[6], parts[7]
    if len(parts) > 6:
        return parts[6], None
    return str(esm.function_name), None
