"""Scenario files: load with line numbers, validate everything, build a Simulation.

:func:`load_scenario` reads the file through the shared bounded YAML loader
(``labtui.safeyaml``: size, alias expansion, UTF-8, syntax errors with their
line), validates it against the strict schema in ``scenario_models``, checks
every cross-reference (``scenario_checks``: functions, qualifiers, queues,
dead-letter queues, destinations, poison indexes, fault windows, simulator
bounds) and then builds the simulation once, so that AWS validation errors
(``memorySize`` out of range, ...) are found too. Every problem is collected
and reported as ``file:line: message``, one line per mistake, in one
:class:`ScenarioError`. Nothing in a file can make the engine fail later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from labtui import safeyaml
from labtui.lambdasim.scenario_build import RateGenerator, ScenarioBuild
from labtui.lambdasim.scenario_checks import EXPECT_PREFIXES, SUMMARY_KEYS, check_references
from labtui.lambdasim.scenario_models import MAX_CALLS, MAX_MESSAGES, ScenarioYaml
from labtui.lambdasim.yaml_lines import Path_, key_path, line_for, line_map

__all__ = [
    "EXPECT_PREFIXES",
    "SUMMARY_KEYS",
    "LoadedScenario",
    "RateGenerator",
    "ScenarioBuild",
    "ScenarioError",
    "load_scenario",
]


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
        text = safeyaml.read_text(file)
        root = safeyaml.compose(text)
        data = safeyaml.construct(root)
    except OSError as error:
        raise ScenarioError([f"{file}: cannot read the scenario: {error.strerror}"]) from None
    except safeyaml.YamlProblem as problem:
        raise ScenarioError([f"{file}:{problem.line}: {problem.message}"]) from None
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
    checked = check_references(model, declared)
    if not checked:
        broken = declared["functions"] - {f.name for f in model.functions}
        checked = ScenarioBuild(model, seed=None, trace="off", broken=broken).problems
    problems += [
        f"{file}:{line_for(lines, _remap(p, index_map))}: {message}" for p, message in checked
    ]
    if problems:
        raise ScenarioError(sorted(problems, key=_line_number))
    return LoadedScenario(file, model, lines)


def _line_number(problem: str) -> int:
    """The line of a ``file:line: message`` problem (file names may contain colons)."""
    for part in problem.split(": ", 1)[0].rsplit(":", 1)[1:]:
        if part.isdigit():
            return int(part)
    return 0


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
        f"{file}:{line}: {message}" for line, message in pydantic_problems(errors, lines, data)
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


# What a value should have been, by pydantic's type-mismatch error types.
_EXPECTED_KIND = {
    "float_type": "a number",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "none_required": "null",
}


def pydantic_problems(errors: Any, lines: dict[Path_, int], data: Any) -> list[tuple[int, str]]:
    """One ``(line, "key.path: message")`` per mistake.

    A value checked against a union (``duration_ms: float | {distribution: ...}``) fails
    once per member; those errors are one mistake. Members whose type did not even
    match are dropped when another member got further (its error is the useful one);
    when none did, the line says every kind the value could have been.
    """
    items: list[tuple[Path_, str, str]] = []
    for e in errors:
        loc = tuple(e["loc"])
        message = e["msg"]
        if e["type"] == "less_than_equal" and loc and loc[-1] in _SIMULATOR_BOUNDS:
            message += f" ({_SIMULATOR_BOUNDS[loc[-1]]})"
        items.append((_visible(loc, lines, data, e["type"] == "missing"), e["type"], message))
    deeper = {visible for visible, kind, _ in items if kind not in _EXPECTED_KIND}
    grouped: dict[Path_, list[tuple[str, str]]] = {}
    for visible, kind, message in items:
        if kind in _EXPECTED_KIND and any(other[: len(visible)] == visible for other in deeper):
            continue
        grouped.setdefault(visible, []).append((kind, message))
    problems: list[tuple[int, str]] = []
    for visible, group in grouped.items():
        where = key_path(lines, visible)
        if len(group) == 1:
            message = group[0][1]
        elif all(kind in _EXPECTED_KIND for kind, _ in group):
            kinds = list(dict.fromkeys(_EXPECTED_KIND[kind] for kind, _ in group))
            message = "Input should be " + " or ".join(kinds)
        else:
            message = "; ".join(dict.fromkeys(m for _, m in group))
        problems.append((line_for(lines, visible), f"{where}: {message}"))
    return problems


def _visible(loc: Path_, lines: dict[Path_, int], data: Any, missing: bool) -> Path_:
    """``loc`` without pydantic's union tags: parts the file does not have, and the
    ``type`` tag of a traffic item (``traffic, 3, stream, count`` is the item's ``count``
    even though the item also has a ``stream`` key); a missing key is kept last."""
    kept: Path_ = ()
    node = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(node, dict) and not last and node.get("type") == part:
            continue  # a discriminated union's tag
        candidate = (*kept, part)
        if candidate in lines or (missing and last):
            kept = candidate
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                node = None
    return kept


_TRAFFIC_BOUND = (
    f"a simulator bound: a scenario makes at most {MAX_CALLS:,} calls and sends at most "
    f"{MAX_MESSAGES:,} messages and records"
)
_SIMULATOR_BOUNDS = {
    "count": _TRAFFIC_BOUND,
    "per_second": _TRAFFIC_BOUND,
    "concurrency": "a simulator bound on the account's concurrency",
    "shards": "a simulator bound on shards per stream",
    "publish_versions": "a simulator bound on versions per function",
    "max_events": "a simulator bound on events per run",
    "duration_s": "a simulator bound: one year of traffic",
}


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
