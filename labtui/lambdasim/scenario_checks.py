"""Cross-reference checks of a scenario file that its schema cannot express.

Every name is resolved at load time, so that nothing the file says can fail
inside the engine later: functions, queues and streams of traffic and
mappings; qualifiers (``$LATEST``, a published version, an alias); lambda
destinations; dead-letter queues of redrive policies (declared, not the queue
itself, no cycle, FIFO with FIFO); poison indexes; fault windows; and the
simulator's bounds on how much traffic one scenario may generate.
"""

from __future__ import annotations

from dataclasses import fields

from labtui.lambdasim.config import LATEST, EngineOptions
from labtui.lambdasim.destinations import target_kind
from labtui.lambdasim.scenario_models import (
    MAX_CALLS,
    MAX_MESSAGES,
    BehaviourYaml,
    DistributionYaml,
    FunctionYaml,
    InvokeTraffic,
    RateTraffic,
    ScenarioYaml,
    SqsTraffic,
    StreamTraffic,
)
from labtui.lambdasim.summary import Summary
from labtui.lambdasim.yaml_lines import Path_

SUMMARY_KEYS = frozenset(f.name for f in fields(Summary)) - {"per_function_max_concurrency"}
EXPECT_PREFIXES = ("queue.", "deliveries.", "max_concurrency.")
_DEFAULTS = EngineOptions()  # the Region and account a scenario's Simulation runs in
_ACCOUNT_ARN = f"arn:aws:lambda:{_DEFAULTS.region}:{_DEFAULTS.account_id}:function"

Problems = list[tuple[Path_, str]]


def rate_calls(t: RateTraffic) -> int:
    """How many calls a rate item makes: one every 1/per_second s within duration_s."""
    return int(t.per_second * t.duration_s + 1e-9)


def traffic_totals(model: ScenarioYaml) -> tuple[int, int]:
    """(calls, SQS messages + stream records) that the traffic declares."""
    calls = messages = 0
    for t in model.traffic:
        if isinstance(t, InvokeTraffic):
            calls += t.count
        elif isinstance(t, RateTraffic):
            calls += rate_calls(t)
        elif isinstance(t, SqsTraffic):
            messages += t.count + len(t.bodies)
        else:
            messages += t.count
    return calls, messages


def check_references(model: ScenarioYaml, declared: dict[str, set[str]]) -> Problems:
    problems: Problems = []
    functions = {f.name: f for f in model.functions}
    names = declared["functions"]
    _check_traffic(model, declared, functions, problems)
    _check_mappings(model, declared, functions, problems)
    _check_queues(model, declared["queues"], problems)
    for i, f in enumerate(model.functions):
        _check_function(i, f, names, problems)
    for i, fault in enumerate(model.faults):
        if fault.function not in names:
            problems.append((("faults", i, "function"), f"unknown function '{fault.function}'"))
        if fault.end_s <= fault.start_s:
            problems.append(
                (
                    ("faults", i, "end_s"),
                    f"the fault window ends (end_s {fault.end_s:g}) before it starts "
                    f"(start_s {fault.start_s:g})",
                )
            )
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


def _check_traffic(
    model: ScenarioYaml,
    declared: dict[str, set[str]],
    functions: dict[str, FunctionYaml],
    problems: Problems,
) -> None:
    for i, t in enumerate(model.traffic):
        here: Path_ = ("traffic", i)
        if isinstance(t, (InvokeTraffic, RateTraffic)):
            if t.function not in declared["functions"]:
                problems.append(((*here, "function"), f"unknown function '{t.function}'"))
            elif t.function in functions:
                _check_qualifier(functions[t.function], t.qualifier, here, problems)
        elif isinstance(t, SqsTraffic):
            if t.queue not in declared["queues"]:
                problems.append(((*here, "queue"), f"unknown queue '{t.queue}'"))
            _check_poison(t, here, "messages", problems)
        else:
            if t.stream not in declared["streams"]:
                problems.append(((*here, "stream"), f"unknown stream '{t.stream}'"))
            _check_poison(t, here, "records", problems)
    calls, messages = traffic_totals(model)
    if calls > MAX_CALLS:
        problems.append(
            (
                ("traffic",),
                f"the traffic makes {calls:,} calls; a scenario may make at most "
                f"{MAX_CALLS:,} (simulator bound)",
            )
        )
    if messages > MAX_MESSAGES:
        problems.append(
            (
                ("traffic",),
                f"the traffic sends {messages:,} SQS messages and stream records; a scenario "
                f"may send at most {MAX_MESSAGES:,} (simulator bound)",
            )
        )


def _check_poison(
    t: SqsTraffic | StreamTraffic, here: Path_, what: str, problems: Problems
) -> None:
    for j, index in enumerate(t.poison):
        if not 0 <= index < t.count:
            span = f"0-{t.count - 1}" if t.count else "none: count is 0"
            problems.append(
                (
                    (*here, "poison", j),
                    f"poison index {index} is not one of the {t.count} generated {what} "
                    f"(indexes {span})",
                )
            )


def _check_qualifier(
    function: FunctionYaml, qualifier: str | None, here: Path_, problems: Problems
) -> None:
    """The qualifier must exist when the call is made, as the Invoke API requires."""
    if qualifier is None or qualifier == LATEST:
        return
    versions = {str(n) for n in range(1, function.publish_versions + 1)}
    aliases = {a.name for a in function.aliases}
    if qualifier in versions or qualifier in aliases:
        return
    have = sorted(versions, key=int) + sorted(aliases)
    problems.append(
        (
            (*here, "qualifier"),
            f"ResourceNotFoundException: Function not found: {_ACCOUNT_ARN}:"
            f"{function.name}:{qualifier} (it has {LATEST}" + "".join(f", {q}" for q in have) + ")",
        )
    )


def _check_mappings(
    model: ScenarioYaml,
    declared: dict[str, set[str]],
    functions: dict[str, FunctionYaml],
    problems: Problems,
) -> None:
    sources: list[tuple[str, int, str, str | None, str, str, set[str]]] = [
        ("sqs_mappings", i, m.function, m.qualifier, "queue", m.queue, declared["queues"])
        for i, m in enumerate(model.sqs_mappings)
    ] + [
        ("stream_mappings", i, m.function, m.qualifier, "stream", m.stream, declared["streams"])
        for i, m in enumerate(model.stream_mappings)
    ]
    for kind, i, function, qualifier, field, source, known in sources:
        if function not in declared["functions"]:
            problems.append(((kind, i, "function"), f"unknown function '{function}'"))
        elif function in functions:
            _check_qualifier(functions[function], qualifier, (kind, i), problems)
        if source not in known:
            problems.append(((kind, i, field), f"unknown {field} '{source}'"))
    for i, sm in enumerate(model.stream_mappings):
        if sm.on_failure and target_kind(sm.on_failure)[0] not in ("sqs", "sns", "s3"):
            problems.append(
                (
                    ("stream_mappings", i, "on_failure"),
                    f"a stream mapping's on-failure destination is an SQS queue, SNS topic "
                    f"or S3 bucket (R-4.13), not '{sm.on_failure}'",
                )
            )


def _check_function(i: int, f: FunctionYaml, names: set[str], problems: Problems) -> None:
    here: Path_ = ("functions", i)
    _check_behaviour(f.behaviour, (*here, "behaviour"), problems)
    if f.async_config is not None:
        for key in ("on_success", "on_failure"):
            target = getattr(f.async_config, key)
            if not target:
                continue
            service, name = target_kind(target)
            if service == "lambda" and name not in names:
                problems.append(
                    (
                        (*here, "async_config", key),
                        f"the {key} destination names function '{name}', which the scenario "
                        "does not declare",
                    )
                )
    if f.dead_letter and target_kind(f.dead_letter)[0] not in ("sqs", "sns"):
        problems.append(
            (
                (*here, "dead_letter"),
                f"a dead-letter queue is an SQS queue or SNS topic (R-3.6), not '{f.dead_letter}'",
            )
        )


def _check_behaviour(b: BehaviourYaml, here: Path_, problems: Problems) -> None:
    for key in ("duration_ms", "init_duration_ms"):
        value = getattr(b, key)
        if (
            isinstance(value, DistributionYaml)
            and value.distribution == "uniform"
            and value.min > value.max
        ):
            problems.append(
                ((*here, key, "max"), f"uniform max ({value.max:g}) is below min ({value.min:g})")
            )


def _check_queues(model: ScenarioYaml, declared: set[str], problems: Problems) -> None:
    redrives = {q.name: q.redrive.dead_letter_queue for q in model.queues if q.redrive}
    fifo = {q.name: q.fifo for q in model.queues}
    seen: set[str] = set()
    reported_cycles: set[frozenset[str]] = set()
    for i, q in enumerate(model.queues):
        here: Path_ = ("queues", i)
        if q.name in seen:
            problems.append(((*here, "name"), f"queue '{q.name}' is declared twice"))
        seen.add(q.name)
        if q.redrive is None:
            continue
        target = q.redrive.dead_letter_queue
        where = (*here, "redrive", "dead_letter_queue")
        if target == q.name:
            problems.append(
                (where, f"queue '{q.name}' cannot be its own dead-letter queue (SQS refuses it)")
            )
            continue
        if target not in declared:
            problems.append(
                (where, f"unknown dead-letter queue '{target}' (declare it under queues:)")
            )
            continue
        if target in fifo and fifo[target] != q.fifo:
            kind = "FIFO" if q.fifo else "standard"
            problems.append((where, f"the dead-letter queue of a {kind} queue must be {kind}"))
        cycle = [q.name]
        current = target
        while current in redrives and current not in cycle:
            cycle.append(current)
            current = redrives[current]
        if current == q.name and frozenset(cycle) not in reported_cycles:
            reported_cycles.add(frozenset(cycle))
            path = " -> ".join([*cycle, q.name])
            problems.append(
                (where, f"redrive cycle {path}: messages would move between them forever")
            )
    streams: set[str] = set()
    for i, s in enumerate(model.streams):
        if s.name in streams:
            problems.append((("streams", i, "name"), f"stream '{s.name}' is declared twice"))
        streams.add(s.name)
