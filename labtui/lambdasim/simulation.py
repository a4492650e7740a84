"""The public face of the engine: build a world, push traffic, run, read results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import IO, Any, Literal

from labtui import facts
from labtui.lambdasim import provisioning
from labtui.lambdasim.clock import Clock, snap
from labtui.lambdasim.config import (
    LATEST,
    AsyncConfig,
    DeadLetter,
    EngineOptions,
    FunctionSpec,
    SqsMappingSpec,
    SqsQueueSpec,
    StreamMappingSpec,
    StreamSpec,
)
from labtui.lambdasim.cost import CostBreakdown, simulation_cost
from labtui.lambdasim.destinations import Router, target_kind
from labtui.lambdasim.engine import Engine
from labtui.lambdasim.esm_sqs import SqsPoller
from labtui.lambdasim.esm_stream import StreamPoller
from labtui.lambdasim.invoke_async import AsyncEvent, AsyncInvoker
from labtui.lambdasim.invoke_sync import SyncInvocation, SyncInvoker
from labtui.lambdasim.records import Delivery
from labtui.lambdasim.sqs import Message, SqsQueue
from labtui.lambdasim.state import Alias, Fault, FunctionState, VersionState
from labtui.lambdasim.streams import Stream, StreamRecord
from labtui.lambdasim.summary import Summary, summarise
from labtui.lambdasim.trace import JsonLinesTrace, ListTrace, TraceEvent, TraceSink
from labtui.lambdasim.validation import (
    LambdaApiError,
    check_alias_weight,
    check_async_config,
    check_function_config,
    check_payload_size,
    check_reserved,
    invalid_parameter,
    not_found,
)

TraceMode = Literal["memory", "off"] | IO[str] | TraceSink


class Simulation:
    """A simulated Lambda account in one Region. See the package docstring for a tour."""

    def __init__(
        self,
        seed: int = 0,
        *,
        options: EngineOptions | None = None,
        clock: Clock | None = None,
        trace: TraceMode = "memory",
        account_concurrency: int = facts.ACCOUNT_CONCURRENCY_DEFAULT,
        keep_history: bool = True,
    ) -> None:
        sink: TraceSink | None
        if trace == "memory":
            sink = ListTrace()
        elif trace == "off":
            sink = None
        elif hasattr(trace, "add"):
            sink = trace
        else:
            sink = JsonLinesTrace(trace)
        self.engine = Engine(
            seed, options=options, clock=clock, trace=sink, account_concurrency=account_concurrency
        )
        self._sink = sink
        self.queues: dict[str, SqsQueue] = {}
        self.streams: dict[str, Stream] = {}
        self.router = Router(self.engine, self.queue_or_create, self._invoke_record)
        self._sync = SyncInvoker(self.engine)
        self._async = AsyncInvoker(self.engine, self.router, keep_events=keep_history)
        self.async_invoker = self._async
        self.sqs_pollers: list[SqsPoller] = []
        self.stream_pollers: list[StreamPoller] = []
        self.provisioned_allocations: list[provisioning.ProvisionedAllocation] = []

    # ------------------------------------------------------------------ reading
    @property
    def now(self) -> float:
        return self.engine.now

    @property
    def options(self) -> EngineOptions:
        return self.engine.options

    @property
    def trace(self) -> list[TraceEvent]:
        """Every event so far (empty when the trace is off or streamed)."""
        return self._sink.events if isinstance(self._sink, ListTrace) else []

    @property
    def deliveries(self) -> list[Delivery]:
        return self.router.deliveries

    @property
    def async_events(self) -> list[AsyncEvent]:
        return self._async.events

    def function(self, name: str) -> FunctionState:
        return self.engine.function(name)

    def queue(self, name: str) -> SqsQueue:
        """The queue called ``name`` (or by ARN); ResourceNotFound if there is none."""
        _, short = target_kind(name)
        if short not in self.queues:
            raise not_found(f"The specified queue does not exist: {short}")
        return self.queues[short]

    def queue_or_create(self, name: str) -> SqsQueue:
        _, short = target_kind(name)
        if short not in self.queues:
            self.add_sqs_queue(SqsQueueSpec(short, fifo=short.endswith(".fifo")))
        return self.queues[short]

    def stream(self, name: str) -> Stream:
        if name not in self.streams:
            raise not_found(f"Stream {name} not found")
        return self.streams[name]

    def summary(self) -> Summary:
        return summarise(self)

    def cost(self, free_tier: bool = False) -> CostBreakdown:
        """What the simulated traffic costs (R-10), including provisioned time."""
        return simulation_cost(self, free_tier)

    # ------------------------------------------------------------------ functions
    def add_function(self, spec: FunctionSpec) -> FunctionState:
        """CreateFunction: validates R-1 ranges (AWS wording) and reserved concurrency."""
        engine = self.engine
        if spec.name in engine.functions:
            raise LambdaApiError(
                "ResourceConflictException", f"Function already exist: {spec.name}", 409
            )
        check_function_config(spec.memory_mb, spec.timeout_s, spec.ephemeral_mb, spec.architecture)
        arn = (
            f"arn:aws:lambda:{engine.options.region}:{engine.options.account_id}:function:"
            f"{spec.name}"
        )
        spec.behaviour.bind(engine.rng)  # before the state, which reads the bound model
        state = FunctionState(replace(spec, reserved_concurrency=None), arn)
        engine.functions[spec.name] = state
        engine.versions_ever.append(state.latest_version)
        if spec.reserved_concurrency is not None:
            self.set_reserved_concurrency(spec.name, spec.reserved_concurrency)
        return state

    def update_function(self, spec: FunctionSpec) -> None:
        """UpdateFunctionConfiguration/Code: changes ``$LATEST`` only (R-9.1)."""
        fn = self.function(spec.name)
        check_function_config(spec.memory_mb, spec.timeout_s, spec.ephemeral_mb, spec.architecture)
        spec.behaviour.bind(self.engine.rng)
        fn.latest_version = VersionState(fn, LATEST, spec, f"{fn.arn}:{LATEST}")
        fn.versions[LATEST] = fn.latest_version
        self.engine.versions_ever.append(fn.latest_version)

    def publish_version(self, function: str) -> str:
        """PublishVersion: an immutable snapshot of ``$LATEST`` (R-9.1); returns "1", "2", …"""
        fn = self.function(function)
        number = str(fn.next_version)
        fn.next_version += 1
        fn.versions[number] = VersionState(fn, number, fn.latest.spec, f"{fn.arn}:{number}")
        self.engine.versions_ever.append(fn.versions[number])
        return number

    def create_alias(
        self,
        function: str,
        name: str,
        version: str,
        additional_version: str | None = None,
        weight: float = 0.0,
    ) -> Alias:
        """CreateAlias / UpdateAlias with an optional weighted second version (R-9.2)."""
        fn = self.function(function)
        check_alias_weight(weight)
        for target in (version, additional_version):
            if target is None:
                continue
            if target == LATEST and additional_version is not None:
                raise invalid_parameter(
                    "$LATEST is not supported for an alias pointing to more than 1 version"
                )
            if target not in fn.versions:
                raise not_found(f"Function not found: {fn.arn}:{target}")
        alias = Alias(name, version, additional_version, weight)
        fn.aliases[name] = alias
        return alias

    def set_reserved_concurrency(self, function: str, reserved: int | None) -> None:
        """PutFunctionConcurrency (R-5.3); ``None`` deletes the reservation."""
        engine = self.engine
        fn = self.function(function)
        elsewhere = engine.total_reserved - (fn.reserved or 0)
        if reserved is not None:
            check_reserved(reserved, elsewhere, engine.account_concurrency)
        was_unreserved = fn.reserved is None
        unreserved_share = fn.busy_on_demand + fn.provisioned_total
        if was_unreserved and reserved is not None:
            engine.unreserved_used -= unreserved_share
        elif not was_unreserved and reserved is None:
            engine.unreserved_used += unreserved_share
        fn.reserved = reserved
        engine.total_reserved = elsewhere + (reserved or 0)

    def set_account_concurrency(self, limit: int) -> None:
        """The Region's concurrent executions quota (R-5.2, adjustable)."""
        self.engine.account_concurrency = limit

    def set_provisioned_concurrency(self, function: str, qualifier: str, count: int) -> None:
        """PutProvisionedConcurrencyConfig on a version or alias, never $LATEST (R-5.4, R-9.4)."""
        fn = self.function(function)
        current = self._configured_allocations(function, qualifier)
        existing = sum(allocation.amount for allocation in current)
        new = provisioning.allocate(self.engine, fn, qualifier, count, existing)
        for allocation in current:
            allocation.until = self.now
        self.provisioned_allocations.extend(new)

    def delete_provisioned_concurrency(self, function: str, qualifier: str) -> None:
        """DeleteProvisionedConcurrencyConfig: billing stops, traffic goes on-demand."""
        fn = self.function(function)
        current = self._configured_allocations(function, qualifier)
        provisioning.release(self.engine, fn, qualifier, sum(a.amount for a in current))
        for allocation in current:
            allocation.until = self.now

    def _configured_allocations(
        self, function: str, qualifier: str
    ) -> list[provisioning.ProvisionedAllocation]:
        return [
            a
            for a in self.provisioned_allocations
            if a.function == function and a.qualifier == qualifier and a.until is None
        ]

    def put_event_invoke_config(
        self, function: str, config: AsyncConfig, qualifier: str | None = None
    ) -> None:
        """PutFunctionEventInvokeConfig (R-3.2, R-3.4, R-3.7) for a function or qualifier."""
        fn = self.function(function)
        check_async_config(config.max_retries, config.max_event_age_s)
        fn.async_configs[qualifier or ""] = config
        if not qualifier:
            fn.async_default = config

    def set_dead_letter(self, function: str, dead_letter: DeadLetter | str | None) -> None:
        """DeadLetterConfig.TargetArn (R-3.6)."""
        fn = self.function(function)
        fn.dead_letter = DeadLetter(dead_letter) if isinstance(dead_letter, str) else dead_letter

    def add_fault(self, function: str, fault: Fault) -> None:
        """Make a function misbehave between two times (error / timeout / latency / system_error)."""
        self.function(function).faults.append(fault)

    # ------------------------------------------------------------------ sources
    def add_sqs_queue(self, spec: SqsQueueSpec) -> SqsQueue:
        engine = self.engine
        if spec.redrive is not None and spec.redrive.dead_letter_queue == spec.name:
            # SQS refuses it too; a message would be "moved" to its own queue forever.
            raise LambdaApiError(
                "InvalidParameterValue",
                f"Value for parameter RedrivePolicy is invalid. Reason: Dead-letter target "
                f"can't be source queue ({spec.name}).",
            )
        arn = f"arn:aws:sqs:{engine.options.region}:{engine.options.account_id}:{spec.name}"
        queue = SqsQueue(spec, engine, arn, self.queue_or_create)
        self.queues[spec.name] = queue
        return queue

    def add_sqs_mapping(self, spec: SqsMappingSpec) -> SqsPoller:
        """CreateEventSourceMapping for an SQS queue (R-4.1–R-4.7)."""
        self.engine.check_qualifier(self.function(spec.function), spec.qualifier)
        poller = SqsPoller(self.engine, spec, self.function(spec.function), self.queue(spec.queue))
        self.sqs_pollers.append(poller)
        return poller

    def add_stream(self, spec: StreamSpec) -> Stream:
        engine = self.engine
        stream = Stream(spec, engine, engine.options.region, engine.options.account_id)
        self.streams[spec.name] = stream
        return stream

    def add_stream_mapping(self, spec: StreamMappingSpec) -> StreamPoller:
        """CreateEventSourceMapping for Kinesis / DynamoDB Streams (R-4.8–R-4.13)."""
        self.engine.check_qualifier(self.function(spec.function), spec.qualifier)
        poller = StreamPoller(
            self.engine, spec, self.function(spec.function), self.stream(spec.stream), self.router
        )
        self.stream_pollers.append(poller)
        return poller

    # ------------------------------------------------------------------ traffic
    def invoke_sync(
        self,
        function: str,
        payload: Any = None,
        qualifier: str | None = None,
        at: float | None = None,
    ) -> SyncInvocation:
        """Invoke with RequestResponse at ``at`` (default now); read ``.response`` after run()."""
        engine = self.engine
        fn = engine.function(function)  # raises ResourceNotFoundException
        if qualifier is not None:
            engine.check_qualifier(fn, qualifier)
        if payload is not None:
            check_payload_size(payload, facts.SYNC_PAYLOAD_MAX_BYTES)
        call = SyncInvocation(function, qualifier, payload, engine.now if at is None else snap(at))
        return self._sync.submit(call)

    def invoke_async(
        self,
        function: str,
        payload: Any = None,
        qualifier: str | None = None,
        at: float | None = None,
    ) -> AsyncEvent:
        """Invoke with Event (HTTP 202, R-2.3) at ``at``; follow the returned AsyncEvent."""
        engine = self.engine
        fn = engine.function(function)  # raises ResourceNotFoundException
        if qualifier is not None:
            engine.check_qualifier(fn, qualifier)
        if payload is not None:
            check_payload_size(payload, facts.ASYNC_PAYLOAD_MAX_BYTES)
        event = AsyncEvent(function, qualifier, payload, engine.now if at is None else snap(at))
        return self._async.submit(event)

    def _invoke_record(self, function: str, record: Any, chain: int) -> object:
        """A Lambda destination: invoke asynchronously, unless the chain loops (R-4.15)."""
        engine = self.engine
        if chain >= facts.RECURSION_LIMIT:
            engine.counters.recursion_stopped += 1
            if engine.tracing:
                engine.emit(
                    TraceEvent(
                        engine.now,
                        "recursion-stopped",
                        function,
                        "",
                        "",
                        "",
                        0,
                        "dropped",
                        0.0,
                        f"after {chain} chained invocations",
                    )
                )
            return None
        if function not in engine.functions:  # a destination naming no function: not sent
            engine.counters.delivery_failures += 1
            return None
        event = AsyncEvent(function, None, record, engine.now)
        event.chain = chain
        return self._async.submit(event)

    def send_sqs_messages(
        self,
        queue: str,
        bodies: Iterable[str],
        at: float | None = None,
        group_id: str | None = None,
    ) -> None:
        """SendMessage for each body, at ``at`` (default now)."""
        target = self.queue(queue)
        items = list(bodies)

        def send(_: Any) -> None:
            for body in items:
                target.send(body, group_id=group_id)

        self.engine.schedule(self.now if at is None else at, send)

    def send_sqs_message_now(self, queue: str, body: str, group_id: str | None = None) -> Message:
        return self.queue(queue).send(body, group_id=group_id)

    def put_stream_records(
        self,
        stream: str,
        records: Iterable[tuple[str, str]],
        at: float | None = None,
    ) -> None:
        """PutRecords of (partition key, data) pairs at ``at`` (default now)."""
        target = self.stream(stream)
        items = list(records)

        def put(_: Any) -> None:
            for key, data in items:
                target.put(key, data)

        self.engine.schedule(self.now if at is None else at, put)

    def stream_records(self, stream: str) -> list[StreamRecord]:
        return self.stream(stream).all_records()

    # ------------------------------------------------------------------ running
    def run(self, until: float | None = None, max_events: int | None = None) -> bool:
        """Process events until ``until`` (simulated seconds) or until nothing is left.

        With ``max_events``, stop after that many events and return False if work was
        left (a world that never settles, e.g. infinite stream retries on a poison record).
        """
        return self.engine.run(until, max_events)

    def run_until_complete(self, call: SyncInvocation) -> None:
        """Process events until a synchronous call has its response (live sandbox use)."""
        engine = self.engine
        while not call.done and engine.pending_events:
            next_time = engine.next_event_time()
            assert next_time is not None
            engine.run(next_time)
