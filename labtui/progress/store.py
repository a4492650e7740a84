"""The progress store: a small, typed interface over one SQLite database."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtui.paths import storage_problem
from labtui.progress.schema import migrate

DEFAULT_LEARNER = "me"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class ExerciseAttempt:
    id: int
    exercise_id: str
    created_at: str
    passed: bool
    points: int
    max_points: int
    results: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class QuizAttempt:
    id: int
    kind: str
    subject: str
    started_at: str
    finished_at: str | None
    state: dict[str, Any]
    score_raw: float | None
    score_scaled: int | None
    passed: bool | None


@dataclass(frozen=True, slots=True)
class LessonProgress:
    module_id: str
    position: float
    completed: bool


class ProgressStore:
    """All reads and writes of learner progress. Thread-safe; one write = one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=30
            )
        except (OSError, sqlite3.Error) as error:
            raise storage_problem(path, error) from None
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._lock:
                migrate(self._db)
        except sqlite3.DatabaseError as error:
            # a read-only or full disk, or a file that is not a database: the user's
            # situation, said in one line; the file itself is never touched (issue 22)
            self._db.close()
            raise storage_problem(path, error) from None

    @classmethod
    def open_default(cls) -> ProgressStore:
        from labtui.paths import database_path

        return cls(database_path())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._storage_errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock, self._storage_errors():
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """A full or read-only disk mid-session becomes one clear line, not a traceback."""
        try:
            yield
        except sqlite3.OperationalError as error:
            text = str(error).lower()
            if any(word in text for word in ("disk", "readonly", "unable to open", "locked")):
                raise storage_problem(self.path, error) from None
            raise

    # learners -------------------------------------------------------------
    def ensure_learner(self, learner_id: str = DEFAULT_LEARNER, name: str | None = None) -> str:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO learners (id, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = COALESCE(?, learners.name)",
                (learner_id, name or learner_id, utc_now(), name),
            )
        return learner_id

    def learners(self) -> list[tuple[str, str]]:
        return [
            (r["id"], r["name"]) for r in self._rows("SELECT id, name FROM learners ORDER BY id")
        ]

    # lessons --------------------------------------------------------------
    def set_lesson_position(self, learner_id: str, module_id: str, position: float) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO lesson_progress (learner_id, module_id, position, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(learner_id, module_id) "
                "DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
                (learner_id, module_id, position, utc_now()),
            )

    def complete_lesson(self, learner_id: str, module_id: str) -> None:
        now = utc_now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO lesson_progress (learner_id, module_id, completed_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(learner_id, module_id) DO UPDATE SET "
                "completed_at = COALESCE(lesson_progress.completed_at, excluded.completed_at), "
                "updated_at = excluded.updated_at",
                (learner_id, module_id, now, now),
            )

    def lesson_progress(self, learner_id: str) -> dict[str, LessonProgress]:
        rows = self._rows(
            "SELECT module_id, position, completed_at FROM lesson_progress WHERE learner_id = ?",
            (learner_id,),
        )
        return {
            r["module_id"]: LessonProgress(
                r["module_id"], r["position"], r["completed_at"] is not None
            )
            for r in rows
        }

    # exercises ------------------------------------------------------------
    def record_exercise_attempt(
        self,
        learner_id: str,
        exercise_id: str,
        *,
        passed: bool,
        points: int,
        max_points: int,
        results: list[dict[str, Any]],
    ) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO exercise_attempts (learner_id, exercise_id, created_at, passed, "
                "points, max_points, results_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    learner_id,
                    exercise_id,
                    utc_now(),
                    int(passed),
                    points,
                    max_points,
                    json.dumps(results),
                ),
            )
            return int(cursor.lastrowid or 0)

    def exercise_attempts(
        self, learner_id: str, exercise_id: str | None = None
    ) -> list[ExerciseAttempt]:
        sql = "SELECT * FROM exercise_attempts WHERE learner_id = ?"
        params: tuple[Any, ...] = (learner_id,)
        if exercise_id is not None:
            sql += " AND exercise_id = ?"
            params += (exercise_id,)
        rows = self._rows(sql + " ORDER BY id", params)
        return [
            ExerciseAttempt(
                r["id"],
                r["exercise_id"],
                r["created_at"],
                bool(r["passed"]),
                r["points"],
                r["max_points"],
                json.loads(r["results_json"]),
            )
            for r in rows
        ]

    def passed_exercises(self, learner_id: str) -> set[str]:
        rows = self._rows(
            "SELECT DISTINCT exercise_id FROM exercise_attempts WHERE learner_id = ? AND passed = 1",
            (learner_id,),
        )
        return {r["exercise_id"] for r in rows}

    def record_exercise_event(
        self, learner_id: str, exercise_id: str, kind: str, detail: str = ""
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO exercise_events (learner_id, exercise_id, kind, detail, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (learner_id, exercise_id, kind, detail, utc_now()),
            )

    def exercise_events(
        self, learner_id: str, exercise_id: str, kind: str | None = None
    ) -> list[str]:
        sql = "SELECT kind, detail FROM exercise_events WHERE learner_id = ? AND exercise_id = ?"
        params: tuple[Any, ...] = (learner_id, exercise_id)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        return [f"{r['kind']}:{r['detail']}" for r in self._rows(sql + " ORDER BY id", params)]

    def hints_revealed(self, learner_id: str, exercise_id: str) -> int:
        return len(self.exercise_events(learner_id, exercise_id, "hint"))

    # quizzes and exams ----------------------------------------------------
    def start_quiz_attempt(
        self, learner_id: str, kind: str, subject: str, state: dict[str, Any]
    ) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO quiz_attempts (learner_id, kind, subject, started_at, state_json) "
                "VALUES (?, ?, ?, ?, ?)",
                (learner_id, kind, subject, utc_now(), json.dumps(state)),
            )
            return int(cursor.lastrowid or 0)

    def record_answer(
        self,
        attempt_id: int,
        question_id: str,
        answer: Any,
        correct: bool | None,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Save one answer (and the attempt's state, e.g. the exam clock) atomically."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO quiz_answers (attempt_id, question_id, answer_json, correct, answered_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(attempt_id, question_id) DO UPDATE SET "
                "answer_json = excluded.answer_json, correct = excluded.correct, "
                "answered_at = excluded.answered_at",
                (
                    attempt_id,
                    question_id,
                    json.dumps(answer),
                    None if correct is None else int(correct),
                    utc_now(),
                ),
            )
            if state is not None:
                db.execute(
                    "UPDATE quiz_attempts SET state_json = ? WHERE id = ?",
                    (json.dumps(state), attempt_id),
                )

    def save_quiz_state(self, attempt_id: int, state: dict[str, Any]) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE quiz_attempts SET state_json = ? WHERE id = ?",
                (json.dumps(state), attempt_id),
            )

    def finish_quiz_attempt(
        self, attempt_id: int, *, score_raw: float, score_scaled: int | None, passed: bool | None
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE quiz_attempts SET finished_at = ?, score_raw = ?, score_scaled = ?, "
                "passed = ? WHERE id = ?",
                (
                    utc_now(),
                    score_raw,
                    score_scaled,
                    None if passed is None else int(passed),
                    attempt_id,
                ),
            )

    def quiz_attempts(self, learner_id: str, kind: str | None = None) -> list[QuizAttempt]:
        sql = "SELECT * FROM quiz_attempts WHERE learner_id = ?"
        params: tuple[Any, ...] = (learner_id,)
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        return [
            QuizAttempt(
                r["id"],
                r["kind"],
                r["subject"],
                r["started_at"],
                r["finished_at"],
                json.loads(r["state_json"]),
                r["score_raw"],
                r["score_scaled"],
                None if r["passed"] is None else bool(r["passed"]),
            )
            for r in self._rows(sql + " ORDER BY id", params)
        ]

    def quiz_answers(self, attempt_id: int) -> dict[str, tuple[Any, bool | None]]:
        rows = self._rows(
            "SELECT question_id, answer_json, correct FROM quiz_answers WHERE attempt_id = ?",
            (attempt_id,),
        )
        return {
            r["question_id"]: (
                json.loads(r["answer_json"]),
                None if r["correct"] is None else bool(r["correct"]),
            )
            for r in rows
        }

    # review cards -----------------------------------------------------------
    def upsert_review_card(
        self, learner_id: str, card_id: str, card: dict[str, Any], due_at: str
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO review_cards (learner_id, card_id, card_json, due_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(learner_id, card_id) DO UPDATE SET card_json = excluded.card_json, "
                "due_at = excluded.due_at",
                (learner_id, card_id, json.dumps(card), due_at),
            )

    def review_cards(
        self, learner_id: str, due_before: str | None = None
    ) -> list[tuple[str, dict[str, Any], str]]:
        sql = "SELECT card_id, card_json, due_at FROM review_cards WHERE learner_id = ?"
        params: tuple[Any, ...] = (learner_id,)
        if due_before is not None:
            sql += " AND due_at <= ?"
            params += (due_before,)
        rows = self._rows(sql + " ORDER BY due_at", params)
        return [(r["card_id"], json.loads(r["card_json"]), r["due_at"]) for r in rows]

    # UI state (resume) ------------------------------------------------------
    def set_ui_state(self, learner_id: str, key: str, value: Any) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO ui_state (learner_id, key, value_json) VALUES (?, ?, ?) "
                "ON CONFLICT(learner_id, key) DO UPDATE SET value_json = excluded.value_json",
                (learner_id, key, json.dumps(value)),
            )

    def ui_state(self, learner_id: str, key: str, default: Any = None) -> Any:
        rows = self._rows(
            "SELECT value_json FROM ui_state WHERE learner_id = ? AND key = ?", (learner_id, key)
        )
        return json.loads(rows[0]["value_json"]) if rows else default

    # export ---------------------------------------------------------------
    def table_rows(self, table: str) -> list[dict[str, Any]]:
        if table not in EXPORT_TABLES:
            raise ValueError(f"not an exportable table: {table}")
        return [dict(r) for r in self._rows(f"SELECT * FROM {table}")]


EXPORT_TABLES = (
    "learners",
    "lesson_progress",
    "exercise_attempts",
    "exercise_events",
    "quiz_attempts",
    "quiz_answers",
    "review_cards",
)
