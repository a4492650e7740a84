"""A Simulation built from a validated scenario, and the traffic generators it runs.

Calls are generated one at a time as the run reaches them, never built up
front: ten million calls cost the memory of the few in flight. ``count``
traffic and ``rate`` traffic go through the same :class:`CallGenerator` with
the same arithmetic (arrival *i* at ``start + i × interval``), so the same
traffic written either way gives the same run.
"""

from __future__ import annotations

from heapq import heappop
from typing import IO, Any

from labtui import facts
from labtui.lambdasim.behaviour import BehaviourModel, Duration, FailureRule
from labtui.lambdasim.clock import snap
from labtui.lambdasim.config import (
    AsyncConfig,
    EngineOptions,
    FunctionSpec,
    Redrive,
    SqsMappingSpec,
    SqsQueueSpec,
    StreamMappingSpec,
    StreamSpec,
)
from labtui.lambdasim.scenario_checks import rate_calls
from labtui.lambdasim.scenario_models import (
    BehaviourYaml,
    DistributionYaml,
    InvokeTraffic,
    RateTraffic,
    ScenarioYaml,
    SqsTraffic,
    StreamTraffic,
)
from labtui.lambdasim.simulation import Simulation, TraceMode
from labtui.lambdasim.state import Fault, Invocation
from labtui.lambdasim.trace import TraceSink
from labtui.lambdasim.validation import LambdaApiError, check_payload_size
from labtui.lambdasim.yaml_lines import Path_

# AWS request field -> the scenario key it comes from (errors point at the key).
_KEY_FOR_FIELD = {
    "memorySize": "memory_mb",
    "timeout": "timeout_s",
    "ephemeralStorage.size": "ephemeral_mb",
    "architectures": "architecture",
    "reservedConcurrentExecutions": "reserved_concurrency",
    "maximumRetryAttempts": "max_retries",
    "maximumEventAgeInSeconds": "max_event_age_s",
    "batchSize": "batch_size",
    "maximumBatchingWindowInSeconds": "batching_window_s",
    "scalingConfig.maximumConcurrency": "max_concurrency",
    "parallelizationFactor": "parallelization_factor",
    "maximumRecordAgeInSeconds": "max_record_age_s",
    "routingConfig.additionalVersionWeights": "weight",
    "provisionedConcurrentExecutions": "count",
    "qualifier": "qualifier",
}


class ScenarioBuild:
    """A Simulation built from a scenario; AWS errors are collected in ``problems``."""

    def __init__(
        self,
        scenario: ScenarioYaml,
        seed: int | None,
        trace: TraceMode | IO[str] | TraceSink = "memory",
        broken: set[str] | None = None,
        keep_history: bool = True,
        delivery_limit: int | None = None,
    ) -> None:
        self.scenario = scenario
        self.problems: list[tuple[Path_, str]] = []
        self.failed: set[str] = set(broken or ())  # functions that could not be created
        options = scenario.options
        self.sim = Simulation(
            scenario.seed if seed is None else seed,
            options=EngineOptions(
                idle_reclaim_s=options.idle_reclaim_s,
                retry_jitter_s=options.retry_jitter_s,
                duplicate_probability=options.duplicate_probability,
                async_queue_delay_s=options.async_queue_delay_s,
                stream_retry_delay_s=options.stream_retry_delay_s,
            ),
            trace=trace,
            account_concurrency=scenario.account.concurrency,
            keep_history=keep_history,
        )
        self.sim.router.limit = delivery_limit
        self._build()

    def _try(self, path: Path_, action: Any, *args: Any) -> Any:
        try:
            return action(*args)
        except LambdaApiError as error:
            if len(error.fields) == 1:
                name, _ = error.fields[0]
                self.problems.append((self._key(path, name), f"{error.code}: {error.message}"))
            elif error.fields:  # one line per bad field, each at its own key
                for name, sentence in error.fields:
                    self.problems.append((self._key(path, name), f"{error.code}: {sentence}"))
            else:
                self.problems.append((path, f"{error.code}: {error.message}"))
            return None

    @staticmethod
    def _key(path: Path_, aws_field: str) -> Path_:
        key = _KEY_FOR_FIELD.get(aws_field)
        return (*path, key) if key else path

    def _build(self) -> None:
        sim, scenario = self.sim, self.scenario
        for q in scenario.queues:
            redrive = (
                Redrive(q.redrive.dead_letter_queue, q.redrive.max_receive_count)
                if q.redrive
                else None
            )
            sim.add_sqs_queue(SqsQueueSpec(q.name, q.visibility_timeout_s, q.fifo, redrive))
        for s in scenario.streams:
            sim.add_stream(StreamSpec(s.name, s.kind, s.shards))
        for i, f in enumerate(scenario.functions):
            here: Path_ = ("functions", i)
            spec = FunctionSpec(
                f.name,
                f.memory_mb,
                f.timeout_s,
                f.architecture,
                f.reserved_concurrency,
                f.ephemeral_mb,
                _behaviour(f.behaviour),
            )
            if self._try(here, sim.add_function, spec) is None:
                self.failed.add(f.name)
                continue
            for _ in range(f.publish_versions):
                sim.publish_version(f.name)
            for j, a in enumerate(f.aliases):
                self._try(
                    (*here, "aliases", j),
                    sim.create_alias,
                    f.name,
                    a.name,
                    a.version,
                    a.additional_version,
                    a.weight,
                )
            for j, p in enumerate(f.provisioned):
                self._try(
                    (*here, "provisioned", j),
                    sim.set_provisioned_concurrency,
                    f.name,
                    p.qualifier,
                    p.count,
                )
            if f.async_config is not None:
                c = f.async_config
                self._try(
                    (*here, "async_config"),
                    sim.put_event_invoke_config,
                    f.name,
                    AsyncConfig(c.max_retries, c.max_event_age_s, c.on_success, c.on_failure),
                )
            if f.dead_letter:
                sim.set_dead_letter(f.name, f.dead_letter)
        for i, m in enumerate(scenario.sqs_mappings):
            if m.function in self.failed:
                continue
            self._try(
                ("sqs_mappings", i),
                sim.add_sqs_mapping,
                SqsMappingSpec(
                    m.function,
                    m.queue,
                    m.qualifier,
                    m.batch_size,
                    m.batching_window_s,
                    m.report_batch_item_failures,
                    m.max_concurrency,
                    True,
                    tuple(m.filter_patterns),
                ),
            )
        for i, sm in enumerate(scenario.stream_mappings):
            if sm.function in self.failed:
                continue
            self._try(
                ("stream_mappings", i),
                sim.add_stream_mapping,
                StreamMappingSpec(
                    sm.function,
                    sm.stream,
                    sm.qualifier,
                    sm.batch_size,
                    sm.batching_window_s,
                    sm.starting_position,
                    sm.parallelization_factor,
                    sm.bisect_on_error,
                    sm.max_retries,
                    sm.max_record_age_s,
                    sm.report_batch_item_failures,
                    sm.on_failure,
                ),
            )
        for i, fault in enumerate(scenario.faults):
            if fault.function in self.failed:
                continue
            self._try(
                ("faults", i),
                sim.add_fault,
                fault.function,
                Fault(fault.start_s, fault.end_s, fault.kind, fault.extra_ms),
            )
        for i, traffic in enumerate(scenario.traffic):
            if getattr(traffic, "function", None) in self.failed:
                continue
            self._try(("traffic", i), self._traffic, traffic)

    def _traffic(self, t: InvokeTraffic | RateTraffic | SqsTraffic | StreamTraffic) -> None:
        sim = self.sim
        if isinstance(t, InvokeTraffic):
            CallGenerator(
                sim, t.type, t.function, t.qualifier, t.payload, t.at_s, t.interval_s, t.count
            ).start()
        elif isinstance(t, RateTraffic):
            CallGenerator(
                sim,
                t.mode,
                t.function,
                t.qualifier,
                t.payload,
                t.start_s,
                1.0 / t.per_second,
                rate_calls(t),
            ).start()
        elif isinstance(t, SqsTraffic):
            bodies = list(t.bodies) + [
                f"poison {i}" if i in t.poison else t.body.replace("{i}", str(i))
                for i in range(t.count)
            ]
            sim.send_sqs_messages(t.queue, bodies, t.at_s, t.group_id)
        else:
            keys = t.partition_keys
            poison = set(t.poison)
            records = [
                (
                    keys[i % len(keys)],
                    f"poison {i}" if i in poison else t.data.replace("{i}", str(i)),
                )
                for i in range(t.count)
            ]
            sim.put_stream_records(t.stream, records, t.at_s)


class CallGenerator:
    """``count`` sync or async calls, arrival *i* at ``start + i × interval``.

    Each arrival is made when the run reaches it. While nothing else is due before the
    next arrival, the next ones are made in the same step (the clock jumps straight to
    them), which spares the event heap one push and one pop per call. An event due at
    the same instant goes first, so a completion at t frees its environment before the
    arrival at t (the engine's convention, see ``Engine.schedule``).
    """

    def __init__(
        self,
        sim: Simulation,
        mode: str,
        function: str,
        qualifier: str | None,
        payload: Any,
        start: float,
        interval: float,
        count: int,
    ) -> None:
        fn = sim.function(function)  # ResourceNotFoundException now, not mid-run
        if qualifier is not None:
            sim.engine.check_qualifier(fn, qualifier)
        if payload is not None:  # checked once for the identical calls
            limit = (
                facts.SYNC_PAYLOAD_MAX_BYTES if mode == "sync" else facts.ASYNC_PAYLOAD_MAX_BYTES
            )
            check_payload_size(payload, limit)
        self.sim = sim
        self.engine = sim.engine
        self.fn = fn
        self.sync = mode == "sync"
        self.function = function
        self.qualifier = qualifier
        self.payload = payload
        self.start_at = start
        self.interval = interval
        self.count = count
        self.sent = 0
        self._start_async = sim.async_invoker.start_now

    def start(self) -> None:
        if self.count:
            self.engine.schedule(snap(self.start_at), self._arrive)

    def _arrive(self, _: Any) -> None:
        engine = self.engine
        heap = engine.heap
        start, interval, count = self.start_at, self.interval, self.count
        inline = not engine.clock.realtime
        complete = engine.on_complete
        sent = self.sent
        sync = self.sync
        execute, new_id, start_async = engine.execute, engine.new_request_id, self._start_async
        fn, qualifier, payload = self.fn, self.qualifier, self.payload
        allowance = engine.inline_allowance  # events the run's budget lets us take inline
        used = 0
        while True:
            if sync:  # straight to the engine, or to Lambda's internal event queue
                execute(fn, qualifier, payload, new_id(), 1, _ignore, None)
            else:
                start_async(fn, qualifier, payload)
            sent += 1
            if sent >= count:
                break
            at = snap(start + sent * interval)
            if not inline or at > engine.limit or used >= allowance:
                engine.schedule(at, self._arrive)
                break
            # Completions due by the next arrival run first (they free environments, the
            # engine's convention), exactly as the event loop would run them; anything else
            # due by then means handing back to the loop.
            while heap and used < allowance:
                due, _seq, callback, inv = heap[0]
                if due > at or callback is not complete:
                    break
                heappop(heap)
                engine.now = due
                complete(inv)
                used += 1
            if (heap and heap[0][0] <= at) or used >= allowance:
                engine.schedule(at, self._arrive)
                break
            engine.now = at
            used += 1
        engine.inline_allowance = allowance - used
        self.sent = sent


def _ignore(inv: Invocation) -> None:
    """A scenario's synchronous caller reads nothing back (the summary counts it all)."""


class RateGenerator(CallGenerator):
    """Steady traffic (``type: rate``): the CallGenerator of ``per_second × duration_s``."""

    def __init__(self, sim: Simulation, traffic: RateTraffic) -> None:
        super().__init__(
            sim,
            traffic.mode,
            traffic.function,
            traffic.qualifier,
            traffic.payload,
            traffic.start_s,
            1.0 / traffic.per_second,
            rate_calls(traffic),
        )


def _duration(value: float | DistributionYaml, minimum: float = 1.0) -> Duration:
    if isinstance(value, (int, float)):
        return Duration("fixed", float(value), minimum=minimum)
    kind = value.distribution
    if kind == "fixed":
        return Duration("fixed", value.ms, minimum=minimum)
    if kind == "uniform":
        return Duration("uniform", value.min, value.max, minimum)
    if kind == "normal":
        return Duration("normal", value.mean, value.stddev, minimum)
    return Duration("exponential", value.mean, 0.0, minimum)


def _behaviour(b: BehaviourYaml) -> BehaviourModel:
    failure = FailureRule()
    if b.fail is not None:
        f = b.fail
        failure = FailureRule(
            f.when, f.probability, f.needle, f.effect, f.error_type, f.error_message
        )
    return BehaviourModel(
        duration=_duration(b.duration_ms),
        init_duration=_duration(b.init_duration_ms, minimum=0.0),
        failure=failure,
        max_memory_mb=b.max_memory_mb,
        response=b.response,
    )
