"""Schema migrations, applied in order; the version lives in ``schema_version``."""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE learners (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE lesson_progress (
        learner_id TEXT NOT NULL REFERENCES learners(id),
        module_id TEXT NOT NULL,
        position REAL NOT NULL DEFAULT 0,
        completed_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, module_id)
    );
    CREATE TABLE exercise_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL REFERENCES learners(id),
        exercise_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        passed INTEGER NOT NULL,
        points INTEGER NOT NULL,
        max_points INTEGER NOT NULL,
        results_json TEXT NOT NULL
    );
    CREATE INDEX exercise_attempts_by_learner ON exercise_attempts(learner_id, exercise_id);
    CREATE TABLE exercise_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL REFERENCES learners(id),
        exercise_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('hint', 'solution', 'reset', 'restore', 'opened')),
        detail TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE quiz_attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id TEXT NOT NULL REFERENCES learners(id),
        kind TEXT NOT NULL CHECK (kind IN ('practice', 'exam', 'live', 'check')),
        subject TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state_json TEXT NOT NULL DEFAULT '{}',
        score_raw REAL,
        score_scaled INTEGER,
        passed INTEGER
    );
    CREATE TABLE quiz_answers (
        attempt_id INTEGER NOT NULL REFERENCES quiz_attempts(id),
        question_id TEXT NOT NULL,
        answer_json TEXT NOT NULL,
        correct INTEGER,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (attempt_id, question_id)
    );
    CREATE TABLE review_cards (
        learner_id TEXT NOT NULL REFERENCES learners(id),
        card_id TEXT NOT NULL,
        card_json TEXT NOT NULL,
        due_at TEXT NOT NULL,
        PRIMARY KEY (learner_id, card_id)
    );
    CREATE TABLE ui_state (
        learner_id TEXT NOT NULL REFERENCES learners(id),
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        PRIMARY KEY (learner_id, key)
    );
    """,
)


def current_version(connection: sqlite3.Connection) -> int:
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(connection: sqlite3.Connection) -> int:
    """Apply every migration newer than the database; each in its own transaction."""
    version = current_version(connection)
    if version > len(MIGRATIONS):
        from labtui.errors import LabError

        raise LabError(
            f"the progress database is from a newer labtui (schema {version}); upgrade labtui"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in script.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return len(MIGRATIONS)
