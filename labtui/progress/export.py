"""``labtui progress export``: tidy tables a spreadsheet or pandas reads directly (issue 22).

One row per thing that happened, one column per fact, no JSON inside a cell:

- ``exercises``: one row per exercise touched (attempts, best points, hints, time spent);
- ``check_attempts``: one row per ``labtui check`` / Check button press;
- ``quiz_answers``: one row per answer, practice, review and mock exams alike;
- ``exams``: one row per mock exam; ``exam_domains``: one row per exam and domain.

CSV holds one table per file (``--table NAME``, or ``-o DIRECTORY`` for all of them);
JSON holds every table under its name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from labtui.progress.store import ProgressStore

FORMAT = "labtui-progress/2"
TABLES = ("exercises", "check_attempts", "quiz_answers", "exams", "exam_domains")
# Gaps longer than this between two actions on an exercise count as a break, not work.
IDLE_GAP = dt.timedelta(minutes=15)

Row = dict[str, Any]


def tidy_tables(store: ProgressStore) -> dict[str, list[Row]]:
    attempts = store.table_rows("exercise_attempts")
    events = store.table_rows("exercise_events")
    quiz_attempts = {row["id"]: row for row in store.table_rows("quiz_attempts")}
    exams = [row for row in quiz_attempts.values() if row["kind"] == "exam"]
    return {
        "exercises": _exercises(attempts, events),
        "check_attempts": [_check_attempt(row) for row in attempts],
        "quiz_answers": [_answer(row, quiz_attempts[row["attempt_id"]])
                         for row in store.table_rows("quiz_answers")],
        "exams": [_exam(row) for row in exams],
        "exam_domains": [domain for row in exams for domain in _exam_domains(row)],
    }


def export_progress(store: ProgressStore, fmt: str, table: str | None = None) -> str:
    tables = tidy_tables(store)
    if fmt == "json":
        chosen = {table: tables[table]} if table else tables
        return json.dumps({"format": FORMAT, **chosen}, indent=2)
    if table is None:
        raise ValueError("CSV holds one table: name it")
    return to_csv(tables[table], table)


def write_csv_tables(store: ProgressStore, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tidy_tables(store).items():
        path = folder / f"{name}.csv"
        path.write_text(to_csv(rows, name), encoding="utf-8")
        written.append(path)
    return written


COLUMNS = {
    "exercises": ["learner", "exercise_id", "attempts", "passed", "best_points", "max_points",
                  "hints_used", "solution_seen", "first_activity", "last_activity",
                  "minutes_spent"],
    "check_attempts": ["learner", "exercise_id", "checked_at", "passed", "points", "max_points",
                       "checks_passed", "checks_total", "failed_checks"],
    "quiz_answers": ["learner", "attempt_id", "kind", "subject", "question_id", "answer",
                     "correct", "answered_at"],
    "exams": ["learner", "attempt_id", "exam", "started_at", "finished_at", "answered",
              "scored_correct", "scored_total", "scaled_score", "passed"],
    "exam_domains": ["learner", "attempt_id", "exam", "domain", "title", "correct", "total",
                     "percent"],
}


def to_csv(rows: list[Row], name: str | None = None) -> str:
    buffer = io.StringIO()
    columns = COLUMNS[name] if name else (list(rows[0]) if rows else [])
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _minutes_spent(stamps: Iterable[str]) -> float:
    """Active time: the gaps between consecutive actions, a break (> IDLE_GAP) not counted."""
    times = sorted(_when(s) for s in stamps)
    worked = sum(
        (b - a for a, b in itertools.pairwise(times) if b - a <= IDLE_GAP),
        dt.timedelta(),
    )
    return round(worked.total_seconds() / 60, 1)


def _exercises(attempts: list[Row], events: list[Row]) -> list[Row]:
    keys = sorted({(r["learner_id"], r["exercise_id"]) for r in [*attempts, *events]})
    rows = []
    for learner, exercise in keys:
        mine = [r for r in attempts if (r["learner_id"], r["exercise_id"]) == (learner, exercise)]
        happened = [r for r in events if (r["learner_id"], r["exercise_id"]) == (learner, exercise)]
        stamps = [r["created_at"] for r in [*mine, *happened]]
        rows.append({
            "learner": learner,
            "exercise_id": exercise,
            "attempts": len(mine),
            "passed": any(r["passed"] for r in mine),
            "best_points": max((r["points"] for r in mine), default=None),
            "max_points": max((r["max_points"] for r in mine), default=None),
            "hints_used": sum(1 for r in happened if r["kind"] == "hint"),
            "solution_seen": any(r["kind"] == "solution" for r in happened),
            "first_activity": min(stamps),
            "last_activity": max(stamps),
            "minutes_spent": _minutes_spent(stamps),
        })
    return rows


def _check_attempt(row: Row) -> Row:
    results = json.loads(row["results_json"] or "[]")
    return {
        "learner": row["learner_id"],
        "exercise_id": row["exercise_id"],
        "checked_at": row["created_at"],
        "passed": bool(row["passed"]),
        "points": row["points"],
        "max_points": row["max_points"],
        "checks_passed": sum(1 for r in results if r.get("passed")),
        "checks_total": len(results),
        "failed_checks": " ".join(str(r.get("id", "")) for r in results if not r.get("passed")),
    }


def _answer(row: Row, attempt: Row) -> Row:
    value = json.loads(row["answer_json"])
    return {
        "learner": attempt["learner_id"],
        "attempt_id": row["attempt_id"],
        "kind": attempt["kind"],
        "subject": attempt["subject"],
        "question_id": row["question_id"],
        "answer": " ".join(map(str, value)) if isinstance(value, list) else value,
        "correct": None if row["correct"] is None else bool(row["correct"]),
        "answered_at": row["answered_at"],
    }


def _exam(row: Row) -> Row:
    state = json.loads(row["state_json"] or "{}")
    result = state.get("result", {})
    return {
        "learner": row["learner_id"],
        "attempt_id": row["id"],
        "exam": row["subject"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "answered": len(state.get("answers", {})),
        "scored_correct": result.get("correct"),
        "scored_total": result.get("scored"),
        "scaled_score": row["score_scaled"],
        "passed": None if row["passed"] is None else bool(row["passed"]),
    }


def _exam_domains(row: Row) -> list[Row]:
    state = json.loads(row["state_json"] or "{}")
    return [
        {
            "learner": row["learner_id"],
            "attempt_id": row["id"],
            "exam": row["subject"],
            "domain": domain["id"],
            "title": domain["title"],
            "correct": domain["correct"],
            "total": domain["total"],
            "percent": round(100 * domain["correct"] / domain["total"], 1)
            if domain["total"] else None,
        }
        for domain in state.get("result", {}).get("domains", [])
    ]
