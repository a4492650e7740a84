"""Scenario files: load with line numbers, validate everything, build a Simulation.

:func:`load_scenario` reads YAML, validates it against the strict schema in
``scenario_models`` and then builds the simulation once, so that AWS
validation errors (``memorySize`` out of range, ...) and unknown references
are found too. Every problem is collected and reported as ``file:line:
message`` in one :class:`ScenarioError`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any

import yaml
from pydantic import ValidationError

from labtui.lambdasim.behaviour import BehaviourModel, Duration, FailureRule
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
from labtui.lambdasim.state import Fault
from labtui.lambdasim.summary import Summary
from labtui.lambdasim.validation import LambdaApiError
from labtui.lambdasim.yaml_lines import Path_, key_path, line_for, line_map

SUMMARY_KEYS = frozenset(f.name for f in fields(Summary)) - {"per_function_max_concurrency"}
EXPECT_PREFIXES = ("queue.", "deliveries.", "max_concurrency.")


class ScenarioError(Exception):
    """A scenario file is wrong; ``problems`` are ``file:line: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(slots=True)
class LoadedScenario:
    path: Path
    model: ScenarioYaml
    lines: dict[Path_, int]

    def line(self, path: Path_) -> int:
        return line_for(self.lines, path)


def load_scenario(path: str | Path) -> LoadedScenario:
    """Parse and validate a scenario file; raise ScenarioError with every problem."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError([f"{file}: cannot read the scenario: {error.strerror}"]) from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([f"{file}:{line}: YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                f"{file}:1: a scenario must be a mapping with title, description, "
                "functions, traffic, ..."
            ]
        )
    lines = line_map(root)
    model, index_map, problems = _validate(data, lines, file)
    if model is None:
        raise ScenarioError(problems)
    declared = _raw_names(data)
    checked = _check(model, declared)
    if not checked:
        broken = declared["functions"] - {f.name for f in model.functions}
        checked = ScenarioBuild(model, seed=None, trace="off", broken=broken).problems
    problems += [
        f"{file}:{line_for(lines, _remap(p, index_map))}: {message}" for p, message in checked
    ]
    if problems:
        raise ScenarioError(problems)
    return LoadedScenario(file, model, lines)


class ScenarioBuild:
    """A Simulation built from a scenario; AWS errors are collected in ``problems``."""

    def __init__(
        self,
        scenario: ScenarioYaml,
        seed: int | None,
        trace: TraceMode | IO[str] = "memory",
        broken: set[str] | None = None,
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
        )
        self._build()

    def _try(self, path: Path_, action: Any, *args: Any) -> Any:
        try:
            return action(*args)
        except LambdaApiError as error:
            self.problems.append((path, f"{error.code}: {error.message}"))
            return None

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
            invoke = sim.invoke_sync if t.type == "sync" else sim.invoke_async
            for i in range(t.count):
                invoke(t.function, t.payload, t.qualifier, t.at_s + i * t.interval_s)
        elif isinstance(t, RateTraffic):
            sim.function(t.function)
            RateGenerator(sim, t).start()
        elif isinstance(t, SqsTraffic):
            bodies = list(t.bodies) + [
                f"poison {i}" if i in t.poison else t.body.replace("{i}", str(i))
                for i in range(t.count)
            ]
            sim.send_sqs_messages(t.queue, bodies, t.at_s, t.group_id)
        else:
            keys = t.partition_keys or ["key"]
            records = [
                (
                    keys[i % len(keys)],
                    f"poison {i}" if i in t.poison else t.data.replace("{i}", str(i)),
                )
                for i in range(t.count)
            ]
            sim.put_stream_records(t.stream, records, t.at_s)


class RateGenerator:
    """Steady traffic generated one arrival at a time (memory stays flat)."""

    def __init__(self, sim: Simulation, traffic: RateTraffic) -> None:
        self.sim = sim
        self.t = traffic
        self.total = int(traffic.per_second * traffic.duration_s)
        self.sent = 0
        self.invoke = sim.invoke_sync if traffic.mode == "sync" else sim.invoke_async

    def start(self) -> None:
        if self.total:
            self.sim.engine.schedule(self.t.start_s, self._arrive)

    def _arrive(self, _: Any) -> None:
        t = self.t
        self.invoke(t.function, t.payload, t.qualifier, None)
        self.sent += 1
        if self.sent < self.total:
            self.sim.engine.schedule(t.start_s + self.sent / t.per_second, self._arrive)


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


LIST_SECTIONS = (
    "functions",
    "queues",
    "streams",
    "sqs_mappings",
    "stream_mappings",
    "traffic",
    "faults",
    "cost_estimates",
)


def _validate(
    data: dict[str, Any], lines: dict[Path_, int], file: Path
) -> tuple[ScenarioYaml | None, dict[str, list[int]], list[str]]:
    """Validate; on errors, also validate what is left without the bad list items, so that
    the problems of the good part (AWS ranges, references) are reported in the same run."""
    try:
        return ScenarioYaml.model_validate(data), {}, []
    except ValidationError as error:
        errors = error.errors()
    problems = [
        f"{file}:{line_for(lines, tuple(e['loc']))}: {key_path(lines, e['loc'])}: {e['msg']}"
        for e in errors
    ]
    bad: dict[str, set[int]] = {}
    for e in errors:
        loc = e["loc"]
        if len(loc) >= 2 and loc[0] in LIST_SECTIONS and isinstance(loc[1], int):
            bad.setdefault(str(loc[0]), set()).add(loc[1])
        else:
            return None, {}, problems  # a problem outside list items: nothing to salvage
    pruned = dict(data)
    index_map: dict[str, list[int]] = {}
    for section, indexes in bad.items():
        items = data.get(section) or []
        index_map[section] = [i for i in range(len(items)) if i not in indexes]
        pruned[section] = [items[i] for i in index_map[section]]
    try:
        return ScenarioYaml.model_validate(pruned), index_map, problems
    except ValidationError:
        return None, {}, problems


def _remap(path: Path_, index_map: dict[str, list[int]]) -> Path_:
    """A path in the salvaged scenario back to the file's own list indexes."""
    if len(path) >= 2 and path[0] in index_map and isinstance(path[1], int):
        return (path[0], index_map[str(path[0])][path[1]], *path[2:])
    return path


def _raw_names(data: dict[str, Any]) -> dict[str, set[str]]:
    """Names declared in the file, valid or not (no "unknown" noise for a broken item)."""
    names: dict[str, set[str]] = {}
    for section in ("functions", "queues", "streams"):
        items = data.get(section)
        names[section] = (
            {str(item["name"]) for item in items if isinstance(item, dict) and "name" in item}
            if isinstance(items, list)
            else set()
        )
    return names


def _check(model: ScenarioYaml, declared: dict[str, set[str]]) -> list[tuple[Path_, str]]:
    """Cross-references the schema cannot see."""
    problems: list[tuple[Path_, str]] = []
    names = declared["functions"]
    queues = declared["queues"]
    streams = declared["streams"]
    for i, t in enumerate(model.traffic):
        if isinstance(t, (InvokeTraffic, RateTraffic)) and t.function not in names:
            problems.append((("traffic", i, "function"), f"unknown function '{t.function}'"))
        if isinstance(t, SqsTraffic) and t.queue not in queues:
            problems.append((("traffic", i, "queue"), f"unknown queue '{t.queue}'"))
        if isinstance(t, StreamTraffic) and t.stream not in streams:
            problems.append((("traffic", i, "stream"), f"unknown stream '{t.stream}'"))
    mappings: list[tuple[str, int, str, str, str, set[str]]] = [
        ("sqs_mappings", i, m.function, "queue", m.queue, queues)
        for i, m in enumerate(model.sqs_mappings)
    ] + [
        ("stream_mappings", i, m.function, "stream", m.stream, streams)
        for i, m in enumerate(model.stream_mappings)
    ]
    for kind, i, function, field, source, known in mappings:
        if function not in names:
            problems.append(((kind, i, "function"), f"unknown function '{function}'"))
        if source not in known:
            problems.append(((kind, i, field), f"unknown {field} '{source}'"))
    for i, fault in enumerate(model.faults):
        if fault.function not in names:
            problems.append((("faults", i, "function"), f"unknown function '{fault.function}'"))
    for key in model.expect:
        if key not in SUMMARY_KEYS and not key.startswith(EXPECT_PREFIXES):
            problems.append(
                (
                    ("expect", key),
                    f"unknown expectation '{key}' (use a summary "
                    f"field, or queue.<name>, deliveries.<condition>, "
                    "max_concurrency.<function>)",
                )
            )
    return problems
