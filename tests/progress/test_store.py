"""The progress store: round trips, migrations, export, and survival of kill -9."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labtui.cli import main
from labtui.progress.export import export_progress
from labtui.progress.schema import MIGRATIONS
from labtui.progress.store import ProgressStore


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    s = ProgressStore(tmp_path / "p.sqlite3")
    s.ensure_learner("me", "Dana")
    return s


def test_wal_and_schema_version(store: ProgressStore) -> None:
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    ProgressStore(path).close()
    ProgressStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_newer_database_is_refused_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    ProgressStore(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (99)")
    db.commit()
    from labtui.errors import LabError

    with pytest.raises(LabError, match="newer labtui"):
        ProgressStore(path)


def test_lessons_exercises_quizzes_cards_and_ui_state(store: ProgressStore) -> None:
    store.set_lesson_position("me", "failure-handling", 0.4)
    store.complete_lesson("me", "failure-handling")
    lesson = store.lesson_progress("me")["failure-handling"]
    assert lesson.completed and lesson.position == pytest.approx(0.4)

    results = [{"id": "c1", "passed": True}]
    store.record_exercise_attempt(
        "me", "first-function", passed=False, points=3, max_points=6, results=results
    )
    store.record_exercise_attempt(
        "me", "first-function", passed=True, points=6, max_points=6, results=results
    )
    attempts = store.exercise_attempts("me", "first-function")
    assert [a.points for a in attempts] == [3, 6]
    assert store.passed_exercises("me") == {"first-function"}

    store.record_exercise_event("me", "first-function", "hint", "1")
    store.record_exercise_event("me", "first-function", "solution", "forced")
    assert store.hints_revealed("me", "first-function") == 1

    attempt = store.start_quiz_attempt("me", "exam", "DVA-C02", {"remaining_s": 7800})
    store.record_answer(attempt, "q-01-x-001", "A", True, state={"remaining_s": 7700})
    store.record_answer(attempt, "q-01-x-001", "B", False)  # changing an answer overwrites it
    assert store.quiz_answers(attempt) == {"q-01-x-001": ("B", False)}
    assert store.quiz_attempts("me", "exam")[0].state == {"remaining_s": 7700}
    store.finish_quiz_attempt(attempt, score_raw=0.8, score_scaled=820, passed=True)
    assert store.quiz_attempts("me")[0].score_scaled == 820

    store.upsert_review_card("me", "q:q-01-x-001", {"due": "x"}, "2026-01-01T00:00:00+00:00")
    assert len(store.review_cards("me", due_before="2026-06-01")) == 1
    assert store.review_cards("me", due_before="2025-06-01") == []

    store.set_ui_state("me", "screen", {"name": "exercise", "id": "first-function"})
    assert store.ui_state("me", "screen") == {"name": "exercise", "id": "first-function"}
    assert store.ui_state("me", "missing", 5) == 5


def test_export_tidy_tables(store: ProgressStore) -> None:
    store.record_exercise_event("me", "first-function", "opened")
    store.record_exercise_event("me", "first-function", "hint", "1")
    store.record_exercise_attempt(
        "me", "first-function", passed=False, points=40, max_points=100,
        results=[{"id": "c1", "passed": True}, {"id": "c2", "passed": False}],
    )
    store.record_exercise_attempt(
        "me", "first-function", passed=True, points=80, max_points=100,
        results=[{"id": "c1", "passed": True}, {"id": "c2", "passed": True}],
    )
    attempt = store.start_quiz_attempt("me", "practice", "lambda-fundamentals", {})
    store.record_answer(attempt, "q-01-x-001", ["A", "C"], False)
    data = json.loads(export_progress(store, "json"))
    assert data["format"] == "labtui-progress/2"
    (exercise,) = data["exercises"]
    assert exercise["attempts"] == 2 and exercise["passed"] is True
    assert exercise["best_points"] == 80 and exercise["hints_used"] == 1
    assert [a["failed_checks"] for a in data["check_attempts"]] == ["c2", ""]
    (answer,) = data["quiz_answers"]
    assert answer["answer"] == "A C" and answer["correct"] is False
    assert answer["subject"] == "lambda-fundamentals"
    # CSV: one table, a header of plain columns, one row per record, no JSON in a cell
    rows = list(csv.DictReader(io.StringIO(export_progress(store, "csv", "check_attempts"))))
    assert [r["points"] for r in rows] == ["40", "80"]
    assert not any("{" in value for row in rows for value in row.values())


def test_cli_export(labtui_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["progress", "export", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "labtui-progress/2"
    assert main(["progress", "export", "--format", "csv"]) == 2
    assert "--table" in capsys.readouterr().err
    assert main(["progress", "export", "--format", "csv", "--table", "exercises"]) == 0
    assert capsys.readouterr().out.startswith("learner,exercise_id,attempts,passed,")
    folder = tmp_path / "tables"
    assert main(["progress", "export", "--format", "csv", "-o", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{t}.csv" for t in ("exercises", "check_attempts", "quiz_answers", "exams", "exam_domains")
    )
    assert (
        main(["progress", "export", "--format", "json", "-o", str(tmp_path / "no" / "p.json")]) == 2
    )


WRITER = """
import sys
from pathlib import Path
from labtui.progress.store import ProgressStore
store = ProgressStore(Path(sys.argv[1]))
store.ensure_learner("me")
n = 0
while True:
    n += 1
    store.record_exercise_attempt("me", f"ex-{n}", passed=n % 2 == 0, points=n, max_points=n,
                                  results=[{"id": "c1", "n": n, "pad": "x" * 500}])
    attempt = store.start_quiz_attempt("me", "practice", "m", {"n": n})
    store.record_answer(attempt, "q-01-a-001", n, True, state={"n": n})
    print(n, flush=True)
"""


def test_sigkill_never_loses_committed_records(tmp_path: Path) -> None:
    """Kill a busy writer with SIGKILL, many times: the database opens cleanly with every
    record the writer reported as committed (design.md §9)."""
    path = tmp_path / "kill.sqlite3"
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for _ in range(12):
        before = len(ProgressStore(path).exercise_attempts("me")) if path.exists() else 0
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env
        )
        assert writer.stdout is not None
        reported = 0
        deadline = time.monotonic() + rng.uniform(0.1, 0.6)  # hundreds of commits each
        first = writer.stdout.readline()  # wait until it is really writing
        reported = int(first) if first.strip() else 0
        while time.monotonic() < deadline:
            line = writer.stdout.readline()
            if line.strip():
                reported = int(line)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
        store = ProgressStore(path)
        attempts = store.exercise_attempts("me")
        assert len(attempts) - before >= reported
        # every stored row is whole: its JSON parses and matches its own number
        assert all(a.results[0]["n"] == a.points for a in attempts)
        store.close()
