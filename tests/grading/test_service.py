"""The grading pipeline around the checks: errors in a solution, recording, hints,
solutions, workspaces and the CLI's exit codes."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from labtui.cli import main
from labtui.errors import LabError, UnknownItemError
from labtui.grading.pack import load_pack
from labtui.grading.results import CheckResult, GradeReport
from labtui.grading.service import (
    grade,
    next_hint,
    reset_workspace,
    reveal_solution,
    workspace_for,
)
from labtui.progress.store import ProgressStore

FIRST = "first-function"


@pytest.fixture()
def store(labtui_home: Path) -> ProgressStore:
    return ProgressStore(labtui_home / "progress.sqlite3")


def _copy_solution(tmp_path: Path) -> Path:
    target = tmp_path / "attempt"
    shutil.copytree(load_pack(FIRST).solution, target)
    return target


# --- errors in the solution: exit 2 with a clear message ---------------------------------


def test_syntax_error_in_handler_is_reported_with_file_and_line(tmp_path: Path) -> None:
    attempt = _copy_solution(tmp_path)
    (attempt / "app.py").write_text("def lambda_handler(event, context)\n    return 1\n")
    report = grade(FIRST, solution_dir=attempt)
    assert report.error is not None and report.error.startswith("app.py:1: SyntaxError")
    assert not report.passed and report.results == []


def test_bad_answers_yaml_is_reported_with_line(tmp_path: Path) -> None:
    attempt = _copy_solution(tmp_path)
    (attempt / "answers.yaml").write_text("sync:\n  status: 200\n bad: [\n")
    report = grade(FIRST, solution_dir=attempt)
    assert report.error is not None and report.error.startswith("answers.yaml:")


def test_shell_syntax_error_is_reported(tmp_path: Path) -> None:
    attempt = _copy_solution(tmp_path)
    (attempt / "setup.sh").write_text("if true; then\n  echo unfinished\n")
    report = grade(FIRST, solution_dir=attempt)
    assert report.error is not None and "syntax error" in report.error


@pytest.mark.sandbox
def test_failing_aws_command_shows_the_command_and_aws_error(sandbox: Any, tmp_path: Path) -> None:
    attempt = _copy_solution(tmp_path)
    (attempt / "setup.sh").write_text(
        "aws lambda update-function-configuration --function-name no-such-fn --memory-size 512\n"
    )
    report = grade(FIRST, solution_dir=attempt)
    assert report.error is not None
    assert "aws lambda update-function-configuration --function-name no-such-fn" in report.error
    assert "ResourceNotFoundException" in report.error or "not found" in report.error.lower()


@pytest.mark.sandbox
def test_cli_exit_codes_and_json(sandbox: Any, tmp_path: Path, capsys: Any, store: Any) -> None:
    pack = load_pack(FIRST)
    assert main(["check", FIRST, "--solution", str(pack.solution), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["passed"] is True and document["points"] == document["max_points"] == 100
    assert {r["id"] for r in document["results"]} == {"c1", "c2", "c3", "c4", "c5", "c6"}
    assert any(row["function"] == "lab-hello" for row in document["trace"])
    assert main(["check", FIRST, "--solution", str(pack.path / "wrong" / "trusts-ec2")]) == 1
    out = capsys.readouterr().out
    assert "FAIL c1" in out and "hint:" in out and "R-8.1" in out
    broken = _copy_solution(tmp_path)
    (broken / "app.py").write_text("def lambda_handler(:\n")
    assert main(["check", FIRST, "--solution", str(broken)]) == 2
    assert "SyntaxError" in capsys.readouterr().out
    # the two graded attempts were recorded; the broken one was not
    attempts = ProgressStore.open_default().exercise_attempts("me", FIRST)
    assert [a.passed for a in attempts] == [True, False]


def test_unknown_exercise_is_a_usage_error(capsys: Any) -> None:
    with pytest.raises(UnknownItemError):
        grade("no-such-exercise")
    assert main(["check", "no-such-exercise"]) == 2
    assert "no exercise 'no-such-exercise'" in capsys.readouterr().err


# --- report arithmetic -------------------------------------------------------------------


def test_report_partial_credit_and_pass_rule() -> None:
    ok = CheckResult("c1", "a", True, "x", "x", "", "R-1.1", 10, 10)
    bad = CheckResult("c2", "b", False, "x", "y", "do z", "R-1.2", 0, 20)
    report = GradeReport("demo", [ok, bad])
    assert (report.points, report.max_points, report.passed) == (10, 30, False)
    assert GradeReport("demo", [ok]).passed
    assert not GradeReport("demo", [ok], error="broken").passed
    assert not GradeReport("demo", []).passed
    assert report.to_json()["results"][1]["hint"] == "do z"


# --- hints, solutions, workspaces ----------------------------------------------------------


def test_hints_are_progressive_and_recorded(store: ProgressStore) -> None:
    hints = load_pack(FIRST).manifest.hints
    assert [next_hint(FIRST, store)[:2] for _ in range(4)] == [(1, 3), (2, 3), (3, 3), (3, 3)]
    assert next_hint(FIRST, store)[2] == hints[2]
    assert store.hints_revealed("me", FIRST) == 3


def test_solution_is_gated_until_pass_unless_forced(store: ProgressStore) -> None:
    with pytest.raises(LabError, match="after you pass"):
        reveal_solution(FIRST, store)
    assert store.exercise_events("me", FIRST, "solution") == []
    path = reveal_solution(FIRST, store, force=True)
    assert (path / "setup.sh").is_file()
    assert store.exercise_events("me", FIRST, "solution") == ["solution:forced"]
    store.record_exercise_attempt("me", FIRST, passed=True, points=100, max_points=100, results=[])
    reveal_solution(FIRST, store)
    assert store.exercise_events("me", FIRST, "solution")[-1] == "solution:after pass"


def test_workspace_starts_from_starter_and_resets(store: ProgressStore, labtui_home: Path) -> None:
    folder = workspace_for(FIRST)
    assert folder.is_relative_to(labtui_home / "workspaces" / "me")
    assert (folder / "app.py").read_text() == (load_pack(FIRST).starter / "app.py").read_text()
    (folder / "app.py").write_text("# my work\n")
    assert workspace_for(FIRST) == folder and (folder / "app.py").read_text() == "# my work\n"
    reset_workspace(FIRST, store=store)
    assert (folder / "app.py").read_text() != "# my work\n"
    assert (folder.with_name(FIRST + ".bak") / "app.py").read_text() == "# my work\n"
    assert store.exercise_events("me", FIRST, "reset")


def test_cli_reset_needs_yes_and_hint_prints(capsys: Any) -> None:
    assert main(["exercise", "reset", FIRST]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["exercise", "reset", FIRST, "--yes"]) == 0
    assert main(["exercise", "reset", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err
    # the cost is said before any hint is shown; without a terminal, --yes takes it
    assert main(["hint", FIRST]) == 2
    err = capsys.readouterr().err
    assert "Hint 1 of 3 costs points" in err and "from 100% to 80%" in err
    assert main(["hint", FIRST, "--yes"]) == 0
    assert "Hint 1 of 3:" in capsys.readouterr().out
    assert main(["solution", FIRST]) == 2
    assert main(["solution", FIRST, "--force"]) == 0
    assert "lab-hello" in capsys.readouterr().out


# --- watch mode ----------------------------------------------------------------------------


def test_watch_regrades_on_change_and_ignores_noise(tmp_path: Path) -> None:
    from labtui.grading.watch import watch

    (tmp_path / "setup.sh").write_text("# v1\n")
    graded: list[int] = []
    stop = threading.Event()

    def grade_once() -> GradeReport:
        graded.append(len(graded))
        if len(graded) >= 2:
            stop.set()
        return GradeReport("demo", [])

    def edit() -> None:
        time.sleep(0.6)
        (tmp_path / "function.zip").write_bytes(b"noise")  # ignored: build output
        time.sleep(0.6)
        (tmp_path / "setup.sh").write_text("# v2\n")

    thread = threading.Thread(target=edit)
    thread.start()
    watch(tmp_path, grade_once, lambda _report: None, stop=stop, debounce_ms=100)
    thread.join()
    assert len(graded) == 2


def test_a_broken_pack_is_reported_with_file_and_line(tmp_path: Path, monkeypatch: Any) -> None:
    from labtui.errors import ContentError

    course = tmp_path / "course"
    (course / "lessons").mkdir(parents=True)
    shutil.copy(Path(load_pack(FIRST).path).parents[1] / "lessons" / "course.yaml",
                course / "lessons" / "course.yaml")
    pack = course / "sandbox" / "reserved-concurrency-db"
    shutil.copytree(load_pack("reserved-concurrency-db").path, pack)
    text = (pack / "exercise.yaml").read_text().replace("timeout: 30", "timeout: 9000")
    (pack / "exercise.yaml").write_text(text)
    monkeypatch.setenv("LABTUI_CONTENT", str(course))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "timeout: 9000" in row)
    with pytest.raises(ContentError, match=rf"exercise.yaml:{line}: setup.functions\[0\].timeout"):
        load_pack("reserved-concurrency-db")
    assert main(["check", "reserved-concurrency-db"]) == 2


@pytest.mark.sandbox
def test_setup_py_with_boto3_is_applied_too(sandbox: Any, tmp_path: Path) -> None:
    attempt = tmp_path / "boto3-attempt"
    attempt.mkdir()
    (attempt / "setup.py").write_text(
        "import boto3\n"
        "boto3.client('lambda').put_function_concurrency(\n"
        "    FunctionName='report-writer', ReservedConcurrentExecutions=50)\n"
    )
    assert grade("reserved-concurrency-db", solution_dir=attempt).passed
    (attempt / "setup.py").write_text(
        "import boto3\nboto3.client('lambda').get_function(FunctionName='ghost')\n"
    )
    report = grade("reserved-concurrency-db", solution_dir=attempt)
    assert report.error is not None and report.error.startswith("setup.py failed:")
    assert "ResourceNotFoundException" in report.error


@pytest.mark.sandbox
def test_a_live_pass_is_shown_but_leaves_the_best_score_alone(
        sandbox: Any, capsys: Any, store: ProgressStore) -> None:
    # QA: `labtui check ID --live` recorded its pass like a workspace check. It grades the
    # shell's account as it stands, so it is shown and not recorded (README, "Check grades
    # your workspace, not the shell's account").
    from labtui.grading.apply import apply_solution
    from labtui.grading.sandbox import setup_model

    exercise = "right-size-memory"
    pack = load_pack(exercise)
    live = sandbox.learner("me")  # the account `--live` grades in this process
    live.seed(setup_model(pack.manifest, pack.path), pack.path)
    apply_solution(pack.solution, live.env(), lambda _message: None)
    store.ensure_learner("me")
    store.record_exercise_attempt("me", exercise, passed=False, points=50, max_points=100,
                                  results=[])
    try:
        assert main(["check", exercise, "--live", "--solution", str(pack.solution)]) == 0
    finally:
        live.wipe()
    attempts = store.exercise_attempts("me", exercise)
    assert [(a.passed, a.points) for a in attempts] == [(False, 50)]
    assert exercise not in store.passed_exercises("me")
    out = capsys.readouterr().out
    assert "2/2 checks passed, 100/100 points" in out
    assert out.rstrip().splitlines()[-1] == (
        f"Not recorded: --live graded your shell's account; labtui check {exercise} grades "
        "your workspace and records it.")
