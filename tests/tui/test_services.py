"""The adapters between the TUI and the rest of labtui, and the course summary."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui.course.loader import load_course
from labtui.tui.course_view import quick_summary, summary_from_course
from labtui.tui.services import RealSimulator, ServiceUnavailable, _import, grade_view, trace_rows

from .fakes import FIXTURE_COURSE


@dataclass
class Check:
    id: str
    title: str
    passed: bool
    expected: Any
    actual: Any
    hint: str
    rule: str
    points: int
    max_points: int


@dataclass
class Report:
    results: list[Check]
    error: str | None = None
    trace: list[Any] = field(default_factory=list)


def test_grade_view_keeps_every_field_and_renders_structured_values() -> None:
    report = Report(
        [Check("c1", "Role exists", True, "x", "x", "", "R-8.1", 5, 5),
         Check("c2", "Retries", False, {"MaximumRetryAttempts": 0}, None, "Set it", "R-3.4", 0, 5)],
        trace=[{"t_s": 60.0, "function": "orders", "outcome": "error", "attempt": 2}],
    )
    view = grade_view(report)
    assert [r.id for r in view.results] == ["c1", "c2"]
    assert view.results[1].expected == '{"MaximumRetryAttempts": 0}'
    assert view.results[1].actual == ""
    assert (view.points, view.max_points, view.passed) == (5, 10, False)
    assert view.first_failure is view.results[1]
    assert view.trace[0].t_s == 60.0 and view.trace[0].attempt == 2
    assert view.seed is None  # a report without generated cases shows no seed


def test_a_failed_run_shows_the_seed_that_replays_it() -> None:
    from labtui.tui.widgets.results import results_text

    @dataclass
    class SeededReport(Report):
        seed: int = 0

    failed = SeededReport([Check("c3", "Poison parked", False, "x", "y", "h", "R-4.4", 0, 40)],
                          seed=4711)
    view = grade_view(failed)
    assert view.seed == 4711
    assert "seed 4711" in results_text(view)
    passed = SeededReport([Check("c3", "Poison parked", True, "x", "x", "", "R-4.4", 40, 40)],
                          seed=4711)
    assert "seed" not in results_text(grade_view(passed)).split("\n")[0]


def test_trace_rows_accept_the_engine_s_other_names() -> None:
    @dataclass
    class Event:
        time: float
        function_name: str
        env_id: str
        kind: str

    [row] = trace_rows([Event(1.5, "f", "env-9", "throttled")])
    assert (row.t_s, row.function, row.environment, row.outcome) == (1.5, "f", "env-9", "throttled")

    @dataclass
    class EngineEvent:
        time: float
        kind: str
        outcome: str

    [row] = trace_rows([EngineEvent(0.35, "retry", "scheduled")])
    assert row.outcome == "retry scheduled"


def test_a_missing_package_is_unavailable_not_a_crash() -> None:
    with pytest.raises(ServiceUnavailable, match="not available yet"):
        _import("labtui.no_such_package_yet", "Something")


def test_simulator_without_scenario_runner_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import labtui.tui.services as services

    monkeypatch.setattr(services, "_import", lambda module, what: types.ModuleType(module))
    with pytest.raises(ServiceUnavailable):
        RealSimulator().run_scenario(FIXTURE_COURSE / "sandbox" / "scenarios" / "x.yaml")


def test_real_simulator_runs_a_course_scenario() -> None:
    from labtui.course.resolver import content_root

    path = content_root() / "sandbox" / "scenarios" / "async-retries-destination.yaml"
    if not path.is_file():
        pytest.skip("the engine team's scenario file is not in this checkout")
    view = RealSimulator().run_scenario(path)
    assert view.summary and view.trace
    assert sorted(row.t_s for row in view.trace) == [row.t_s for row in view.trace]
    assert all(row.outcome for row in view.trace)


def test_quick_summary_agrees_with_the_full_course() -> None:
    quick = quick_summary(FIXTURE_COURSE)
    full = summary_from_course(load_course(FIXTURE_COURSE))
    for fast, slow in zip(quick.modules, full.modules, strict=True):
        assert (fast.id, fast.title, fast.objectives, fast.minutes, fast.exercises) == (
            slow.id, slow.title, slow.objectives, slow.minutes, slow.exercises)
        assert (fast.quiz_questions != 0) == (slow.quiz_questions != 0)
    assert quick.exercise_ids == full.exercise_ids and quick.planned == full.planned
    assert not quick.complete and full.complete


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_quick_summary_never_raises_on_a_garbled_lesson(tmp_path: Path, text: str) -> None:
    root = tmp_path / "course"
    if not root.exists():
        shutil.copytree(FIXTURE_COURSE, root)
    (root / "lessons" / "02-retries.md").write_text("---\n" + text + "\n---\n# body\n")
    summary = quick_summary(root)
    assert [m.id for m in summary.modules] == ["first-steps", "retries"]
