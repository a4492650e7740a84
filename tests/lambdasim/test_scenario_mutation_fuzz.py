"""Mutated valid scenarios through ``labtui simulate``: never a traceback, never a hang.

Each example takes one of the shipped scenarios (sandbox/scenarios, all valid) and
applies one to four mutations: set a value anywhere to a random one (numbers out
of range, negative, huge, NaN; names that exist elsewhere or nowhere; wrong
types), delete a key, duplicate a list item, add a key. The result goes through
the real command line in-process, with ``--max-events`` keeping accepted runs
short. It must end with exit 0, 1 or 2 (never 3, the "labtui bug" exit), print
no traceback, put every problem of an exit-2 file on one ``file:line:`` line,
and finish within a hard per-example alarm.

The default example count keeps CI near 20-30 s. Run it big by hand::

    LABTUI_FUZZ_EXAMPLES=5000 pytest tests/lambdasim/test_scenario_mutation_fuzz.py
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import io
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui import cli, safeyaml
from labtui.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "sandbox" / "scenarios"
BASES: list[Any] = [safeyaml.load_file(p) for p in sorted(SCENARIOS.glob("*.yaml"))]
EXAMPLES = int(os.environ.get("LABTUI_FUZZ_EXAMPLES", "1000"))
# A hang, not a slow machine: the alarm counts this process's CPU time (a loaded machine
# does not trip it), and accepted runs stop after 20,000 events.
ALARM_CPU_S = 10


def _harvest(value: Any, names: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("name", "function", "queue", "stream", "qualifier") and isinstance(
                item, str
            ):
                names.add(item)
            _harvest(item, names)
    elif isinstance(value, list):
        for item in value:
            _harvest(item, names)


_NAMES: set[str] = set()
for _base in BASES:
    _harvest(_base, _NAMES)
NAMES = [
    *sorted(_NAMES),
    "nope",
    "",
    "$LATEST",
    "1",
    "2",
    "live",
    "arn:aws:lambda:us-east-1:123456789012:function:nope",
    "arn:aws:sqs:us-east-1:123456789012:failures.fifo",
    "arn:aws:sns:us-east-1:123456789012:topic",
    "sync",
    "async",
    "rate",
    "sqs",
    "stream",
    "always",
    "probability",
    "contains",
    "report",
    "timeout",
    "crash",
    "system_error",
    "latency",
    "kinesis",
    "dynamodb",
    "LATEST",
    "arm64",
    "uniform",
    "poison {i}",
]
KEYS = [
    "count",
    "at_s",
    "interval_s",
    "qualifier",
    "reserved_concurrency",
    "visibility_timeout_s",
    "redrive",
    "poison",
    "max_retries",
    "batch_size",
    "batching_window_s",
    "max_event_age_s",
    "on_failure",
    "duration_ms",
    "memory_mb",
    "start_s",
    "end_s",
    "per_second",
    "duration_s",
    "run_until_s",
    "publish_versions",
    "parallelization_factor",
    "bisect_on_error",
    "report_batch_item_failures",
    "dead_letter_queue",
    "max_receive_count",
    "concurrency",
    "extra",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20_000),
    st.sampled_from([-1, 0, 1, 2, 3, 10, 11, 100, 1_000, 10_001, 10**7 + 1, 10**12]),
    st.floats(-10.0, 1e5),
    st.sampled_from([float("nan"), float("inf"), -0.5, 0.5]),
    st.sampled_from(NAMES),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(KEYS), scalars, max_size=3),
)


def _slots(value: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) in a document."""
    if isinstance(value, dict):
        for key in list(value):
            yield value, key
            yield from _slots(value[key])
    elif isinstance(value, list):
        for index in range(len(value)):
            yield value, index
            yield from _slots(value[index])


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> Any:
    document = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        slots = list(_slots(document))
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        operation = draw(
            st.sampled_from(["set", "set", "nudge", "nudge", "delete", "duplicate", "add"])
        )
        current = container[key]
        if (
            operation == "nudge"
            and isinstance(current, (int, float))
            and not isinstance(current, bool)
        ):
            # Near-valid numbers: the runs the loader accepts are fuzzed too.
            factor = draw(st.sampled_from([0, 0.5, 2, 3, 10, -1]))
            container[key] = type(current)(current * factor) + draw(st.integers(-1, 1))
        elif operation in ("set", "nudge"):
            container[key] = draw(values)
        elif operation == "delete":
            del container[key]
        elif operation == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
        elif operation == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(KEYS))] = draw(values)
    return document


class Hang(Exception):
    pass


_fired: list[bool] = []


def _alarm(signum: int, frame: FrameType | None) -> None:
    _fired.append(True)  # recorded too: the exception can land where it is swallowed (gc)
    raise Hang(f"labtui simulate ran past {ALARM_CPU_S} CPU-seconds")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=mutated_scenarios())
def test_mutated_scenarios_exit_0_1_or_2_without_traceback(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "mutant.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    out, err = io.StringIO(), io.StringIO()
    _fired.clear()
    previous = signal.signal(signal.SIGVTALRM, _alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, ALARM_CPU_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["simulate", str(path), "--max-events", "20000"])
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    assert not _fired, "labtui simulate hung"
    errors = err.getvalue()
    assert code in (0, 1, 2), errors
    assert "Traceback" not in errors and "internal error" not in errors
    if code == 2:
        lines = errors.splitlines()
        assert lines and all(line.startswith(f"{path}:") for line in lines), errors


def test_every_base_scenario_is_valid() -> None:
    # The fuzzer mutates valid files; if one stopped loading, it would test nothing.
    assert len(BASES) >= 10
    for path in sorted(SCENARIOS.glob("*.yaml")):
        assert main(["simulate", str(path)]) == 0, path


_build_parser = cli.build_parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    return _build_parser()


@pytest.fixture(autouse=True)
def _one_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    # main() builds every command's parser on each call (imports, argparse, gettext look-ups):
    # about half of an example's CPU time, where a `labtui simulate` process builds it once.
    # The same parser, built by the same code, parses every example here.
    monkeypatch.setattr(cli, "build_parser", _parser)


@pytest.fixture(autouse=True)
def _crash_reports_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An internal error writes a crash report under LABTUI_HOME; keep it out of $HOME.
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
