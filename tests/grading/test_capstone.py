"""Stage gating (labtui/grading/stages.py) and the capstone pack order-pipeline.

The gating tests use fake check bodies on a hand-built manifest (no sandbox); the pack tests
grade the reference solution in the shared sandbox and read the learner's report. The
starter/solution/wrong attempts themselves run in test_pack_contract.py
(``-k order-pipeline``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from labtui.course.exercise_model import ExerciseManifest
from labtui.errors import ContentError
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.stages import (
    StagedChecks,
    final_report,
    pass_rule,
    report_path,
    results_so_far,
    stage_summary,
    stages_of,
)


def _manifest(stages: list[dict[str, Any]], points: tuple[int, ...] = (10, 10, 60, 0)) -> Any:
    checks = [{"id": f"c{i + 1}", "title": f"check {i + 1}", "points": p, "rule": "R-4.4"}
              for i, p in enumerate(points)]
    return ExerciseManifest.model_validate({
        "id": "order-pipeline", "title": "Staged", "module": "capstone", "objectives": ["x"],
        "minutes": 10, "hints": ["h"], "rules": ["R-4.4"], "checks": checks, "stages": stages,
    })


STAGES = [{"id": "s1", "title": "One", "checks": ["c1"]},
          {"id": "s2", "title": "Two", "checks": ["c2"]},
          {"id": "s3", "title": "Three", "checks": ["c3"]},
          {"id": "s4", "title": "End", "checks": ["c4"], "requires_points": 80}]


def _pack(outcomes: dict[str, bool]) -> tuple[StagedChecks, list[str]]:
    """Staged checks whose bodies pass or fail as told and log that they ran."""
    staged, ran = StagedChecks(), []
    for check_id, ok in outcomes.items():
        def body(ctx: GradingContext, check_id: str = check_id, ok: bool = ok) -> CheckResult:
            ran.append(check_id)
            return ctx.result(check_id, ok, expected="e", actual="ran", hint="fix it")
        staged.check(check_id)(body)
    return staged, ran


def _ctx(tmp_path: Path, stages: list[dict[str, Any]] = STAGES) -> GradingContext:
    return GradingContext(manifest=_manifest(stages), pack_dir=tmp_path, env={},
                          account_id="123456789012")


def test_all_stages_open_when_every_check_passes(tmp_path: Path) -> None:
    staged, ran = _pack({"c1": True, "c2": True, "c3": True, "c4": True})
    ctx = _ctx(tmp_path)
    results = [staged.run(ctx, c) for c in ("c1", "c2", "c3", "c4")]
    assert all(r.passed for r in results)
    assert ran == ["c1", "c2", "c3", "c4"]
    assert stage_summary(results_so_far(ctx), stages_of(ctx.manifest)) == [
        "s1 PASS", "s2 PASS", "s3 PASS", "s4 PASS"]


def test_a_failing_stage_locks_every_later_one_without_running_it(tmp_path: Path) -> None:
    staged, ran = _pack({"c1": True, "c2": False, "c3": True, "c4": True})
    ctx = _ctx(tmp_path)
    results = {c: staged.run(ctx, c) for c in ("c1", "c2", "c3", "c4")}
    assert ran == ["c1", "c2"]  # c3 and c4 never ran
    assert results["c3"].actual == "locked: finish stage 2 (Two) first"
    assert "stage 2 still fails: c2" in results["c3"].hint.lower()
    assert results["c3"].points == 0 and not results["c3"].passed
    assert results["c4"].actual.startswith("locked: needs 80 points from the earlier stages "
                                           "(you have 10)")
    assert "start with stage 2" in results["c4"].hint.lower()


def test_a_points_gate_opens_at_its_threshold(tmp_path: Path) -> None:
    # 10 + 10 + 60 = 80 points earned before the end stage: exactly the threshold.
    staged, _ = _pack({"c1": True, "c2": True, "c3": True, "c4": True})
    ctx = _ctx(tmp_path)
    for check_id in ("c1", "c2", "c3", "c4"):
        staged.run(ctx, check_id)
    assert results_so_far(ctx)["c4"].passed
    assert pass_rule(results_so_far(ctx), 80, "c4")


def test_running_a_late_check_alone_runs_the_earlier_stages_first(tmp_path: Path) -> None:
    staged, ran = _pack({"c1": True, "c2": True, "c3": False, "c4": True})
    ctx = _ctx(tmp_path)
    result = staged.run(ctx, "c4")
    assert ran == ["c1", "c2", "c3"]
    assert not result.passed and "you have 20" in result.actual
    assert not pass_rule(results_so_far(ctx), 80, "c4")


def test_the_last_check_writes_the_report_and_names_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
    staged, _ = _pack({"c1": True, "c2": False, "c3": True, "c4": True})
    staged.report_sections(lambda ctx: [("Monthly cost estimate", ["- total: $1.00 a month"])])
    ctx = _ctx(tmp_path)
    last = [staged.run(ctx, c) for c in ("c1", "c2", "c3", "c4")][-1]
    path = report_path(ctx)
    assert path == tmp_path / "home" / "reports" / "order-pipeline" / "me" / "REPORT.md"
    assert f"(full report: {path})" in last.actual
    text = path.read_text(encoding="utf-8")
    assert "Points: 10/80" in text
    assert "- Stage 2 Two: FAIL (0/10 points)" in text
    assert "- Stage 3 Three: LOCKED (0/60 points)" in text
    assert "## Monthly cost estimate" in text and "$1.00" in text
    assert final_report(ctx).startswith(text.split("## Monthly")[0].rstrip())


@pytest.mark.parametrize("stages, problem", [
    ([{"id": "s1", "title": "One", "checks": ["c1", "c9"]}], "c9"),
    ([{"id": "s1", "title": "One", "checks": ["c1"]},
      {"id": "s2", "title": "Two", "checks": ["c1"]}], "already in an earlier stage"),
    ([{"id": "s1", "title": "One", "checks": ["c1", "c2", "c3"]}], "c4 are in no stage"),
    ([{"title": "no id", "checks": ["c1"]}], "needs an id"),
])
def test_broken_stage_lists_are_content_errors(
        stages: list[dict[str, Any]], problem: str) -> None:
    with pytest.raises(ContentError, match=problem):
        stages_of(_manifest(stages))


def test_a_stage_of_several_checks_gates_each_of_them(tmp_path: Path) -> None:
    stages = [{"id": "s1", "title": "One", "checks": ["c1"]},
              {"id": "s2", "title": "Two", "checks": ["c2", "c3", "c4"]}]
    staged, ran = _pack({"c1": False, "c2": True, "c3": True, "c4": True})
    ctx = _ctx(tmp_path, stages=stages)
    late = staged.run(ctx, "c3")  # out of order within its stage
    assert late.id == "c3" and late.actual == "locked: finish stage 1 (One) first"
    assert [staged.run(ctx, c).id for c in ("c2", "c4")] == ["c2", "c4"]
    assert ran == ["c1"]


def test_without_stages_a_staged_check_just_runs(tmp_path: Path) -> None:
    staged, ran = _pack({"c1": False, "c2": True, "c3": True, "c4": True})
    ctx = _ctx(tmp_path, stages=[])
    assert staged.run(ctx, "c2").passed and ran == ["c2"]


def test_the_capstone_declares_its_curriculum_stages_and_points() -> None:
    from labtui.grading.pack import load_pack

    pack = load_pack("order-pipeline")
    stages = stages_of(pack.manifest)
    assert [s.checks for s in stages] == [(f"c{n}",) for n in range(1, 11)]
    points = {c.id: c.points for c in pack.manifest.checks}
    # curriculum §7: 10, 10, 15, 15, 10, 15, 5, 10, 10; pass = 80 points + the end-to-end run
    assert [points[f"c{n}"] for n in range(1, 10)] == [10, 10, 15, 15, 10, 15, 5, 10, 10]
    assert pack.manifest.points == 100 and stages[-1].requires_points == 80


@pytest.mark.sandbox
@pytest.mark.slow
def test_labtui_check_prints_the_capstone_report(
        sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from labtui.cli import main
    from labtui.grading.pack import load_pack
    from labtui.paths import labtui_home

    pack = load_pack("order-pipeline")
    assert main(["check", "order-pipeline", "--solution", str(pack.solution),
                 "--seed", "7"]) == 0
    printed = capsys.readouterr().out
    text = (labtui_home() / "reports" / "order-pipeline" / "me" / "REPORT.md").read_text()
    assert text.rstrip() in printed  # the CLI shows the report it wrote
    assert "order-pipeline: 10/10 checks passed, 100/100 points" in printed
    assert "seed 7)" in printed
    assert "Capstone PASSED" in text
    # The batch is generated from the seed; the report's figures must add up for it.
    sent = re.search(r"- (\d+) messages sent: (\d+) valid orders, 1 duplicate, (\d+) poison "
                     r"\(seed 7\)", text)
    assert sent, text
    total, valid, poison = map(int, sent.groups())
    assert total == valid + 1 + poison and 12 <= valid <= 20 and 1 <= poison <= 3
    assert f"rows in orders-db: {valid}; duplicates suppressed: 1" in text
    assert f"SQS: {valid + 1} deleted, {poison} moved to orders-dlq" in text
    assert f"notifications: {valid}, success records {valid}" in text
    assert "- order-worker: 128 MB x86_64, 100,000 invocations x 600 ms" in text
    assert "- total: $" in text


@pytest.mark.sandbox
@pytest.mark.slow
def test_capstone_trace_shows_both_halves_of_the_run(sandbox: Any) -> None:
    from labtui.grading.pack import load_pack
    from labtui.grading.service import grade
    from labtui.grading.stages import take_report

    pack = load_pack("order-pipeline")
    report = grade("order-pipeline", solution_dir=pack.path / "wrong" / "primary-on-new-version")
    # 80 points: the end-to-end stage opens although stage 8 failed (curriculum §7).
    assert report.points == 80
    e2e = next(r for r in report.results if r.id == "c10")
    rows = re.match(r"(\d+) rows, (\d+) success records, (\d+) in orders-dlq", e2e.actual)
    assert e2e.passed and rows and rows.group(1) == rows.group(2), e2e.actual
    functions = {row.function for row in report.trace}
    assert {"order-worker", "order-notifier", "orders-api"} <= functions
    assert any("sqs-redrive" in row.detail for row in report.trace)
    text = take_report("order-pipeline")
    assert text is not None and "- Stage 9 Alarms: LOCKED (0/10 points)" in text
    assert take_report("order-pipeline") is None  # handed out once


@pytest.mark.sandbox
@pytest.mark.slow
def test_live_grading_the_same_account_twice_passes_twice(sandbox: Any) -> None:
    # Orders carry a tag fresh for each grade: the second run is not fooled by the first's
    # rows and processed-events items (they would read as duplicates).
    from labtui.grading.apply import apply_solution
    from labtui.grading.pack import load_pack
    from labtui.grading.service import grade

    pack = load_pack("order-pipeline")
    account = sandbox.learner("capstone-live")
    account.seed(pack.manifest.setup, pack.path)
    apply_solution(pack.solution, account.env(), lambda _message: None)
    for _ in range(2):
        report = grade("order-pipeline", learner_id="capstone-live", live=True)
        assert report.error is None and report.passed, [r.actual for r in report.failed()]
