"""The classroom store: rooms, students, check results, time spent, announcements, live quizzes.

One class over SQLAlchemy Core, so a room on one machine uses SQLite (the default, under
LABTUI_HOME) and a class spanning machines points every server at one PostgreSQL database
(``postgresql+psycopg://...``). Each public method is one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from labtui.classroom import schema as t
from labtui.classroom.records import (
    CheckRecord,
    LiveQuiz,
    QuizAnswerRecord,
    Room,
    Student,
)
from labtui.errors import LabError
from labtui.progress.store import utc_now

ROOM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
MAX_STUDENT_NAME = 60
# Heartbeats further apart than this count as an absence, not as time spent.
MAX_HEARTBEAT_GAP_S = 60.0


__all__ = ["CheckRecord", "ClassroomError", "ClassroomStore", "LiveQuiz", "QuizAnswerRecord",
           "Room", "Student"]


class ClassroomError(LabError):
    """A classroom request that cannot be honoured (unknown room, name taken, quiz closed).

    ``status`` is the HTTP status the server answers with: 409 for a conflict with the room's
    state, 404 for an unknown id, 422 for input that cannot be valid.
    """

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def validate_room_name(name: str) -> str:
    if not ROOM_NAME.match(name):
        raise ClassroomError(
            f"room name {name!r}: use 1-40 letters, digits, '-' or '_' (starting with a letter "
            "or digit)", 422)
    return name


def clean_student_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_STUDENT_NAME or not cleaned.isprintable():
        raise ClassroomError(f"a name is 1-{MAX_STUDENT_NAME} printable characters", 422)
    return cleaned


def default_database_url() -> str:
    from labtui.paths import labtui_home

    directory = labtui_home() / "classroom"
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'classroom.sqlite3'}"


class ClassroomStore:
    """All classroom reads and writes. Thread-safe (the server calls it from worker threads)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_database_url()
        try:
            self.engine: Engine = create_engine(self.url, **_engine_options(self.url))
        except (SQLAlchemyError, ImportError, ValueError) as error:
            raise ClassroomError(f"cannot use database {_redacted(self.url)}: {error}") from error
        self._sqlite = self.engine.dialect.name == "sqlite"
        # SQLite has one writer; serialising here turns "database is locked" into a short wait.
        self._lock = threading.RLock() if self._sqlite else None
        if self._sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            t.metadata.create_all(self.engine)
        except SQLAlchemyError as error:
            raise ClassroomError(
                f"cannot open database {_redacted(self.url)}: {error.__class__.__name__}"
            ) from error

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ClassroomStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        if self._lock is None:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._lock, self.engine.begin() as connection:
            yield connection

    # rooms ------------------------------------------------------------------
    def open_room(self, name: str) -> Room:
        """The room called ``name``, created (with a fresh join code) the first time."""
        validate_room_name(name)
        with self._tx() as db:
            row = db.execute(select(t.rooms).where(t.rooms.c.name == name)).mappings().first()
            if row is None:
                db.execute(t.rooms.insert().values(
                    name=name, code=_join_code(), created_at=utc_now(), unlocked_json="[]",
                    instructor_token_sha256="",
                ))
                row = db.execute(select(t.rooms).where(t.rooms.c.name == name)).mappings().one()
        return _room(row)

    def room(self, name: str) -> Room:
        with self._tx() as db:
            row = db.execute(select(t.rooms).where(t.rooms.c.name == name)).mappings().first()
        if row is None:
            raise ClassroomError(f"no classroom room {name!r} (start it with 'labtui classroom "
                                 "serve --room NAME')", 404)
        return _room(row)

    def room_by_id(self, room_id: int) -> Room:
        with self._tx() as db:
            row = db.execute(select(t.rooms).where(t.rooms.c.id == room_id)).mappings().one()
        return _room(row)

    def new_instructor_token(self, room_id: int) -> str:
        """A fresh instructor token for this room (the previous one stops working)."""
        token = secrets.token_urlsafe(32)
        with self._tx() as db:
            db.execute(update(t.rooms).where(t.rooms.c.id == room_id)
                       .values(instructor_token_sha256=token_digest(token)))
        return token

    def instructor_token_if_new(self, room_id: int) -> str | None:
        """A token for a room that has none yet; None when it has one (kept across restarts
        and across servers on one database: only its hash is stored, see ``rotate``)."""
        with self._tx() as db:
            stored = db.execute(select(t.rooms.c.instructor_token_sha256)
                                .where(t.rooms.c.id == room_id)).scalar_one_or_none()
        return None if stored else self.new_instructor_token(room_id)

    def instructor_token_ok(self, room_id: int, token: str) -> bool:
        with self._tx() as db:
            stored = db.execute(select(t.rooms.c.instructor_token_sha256)
                                .where(t.rooms.c.id == room_id)).scalar_one_or_none()
        if not stored:
            return False
        return hmac.compare_digest(stored, token_digest(token))  # constant time

    def set_unlocked(self, room_id: int, modules: list[str]) -> None:
        with self._tx() as db:
            db.execute(update(t.rooms).where(t.rooms.c.id == room_id)
                       .values(unlocked_json=json.dumps(modules)))

    def end_room(self, room_id: int) -> bool:
        """End the session; False when it had already ended (nothing changes then)."""
        with self._tx() as db:
            ended = db.execute(update(t.rooms).where(t.rooms.c.id == room_id,
                                                     t.rooms.c.ended_at.is_(None))
                               .values(ended_at=utc_now()))
            if ended.rowcount != 1:
                return False
            db.execute(update(t.live_quizzes).where(t.live_quizzes.c.room_id == room_id,
                                                    t.live_quizzes.c.ended_at.is_(None))
                       .values(ended_at=utc_now()))
        return True

    # students -----------------------------------------------------------------
    def join(self, room_id: int, name: str) -> tuple[Student, str]:
        """Add a student; returns the student and their secret token (shown only once)."""
        name = clean_student_name(name)
        token = secrets.token_urlsafe(32)
        student_id = "st-" + secrets.token_hex(5)
        now = utc_now()
        try:
            with self._tx() as db:
                db.execute(t.students.insert().values(
                    id=student_id, room_id=room_id, name=name, token_sha256=token_digest(token),
                    joined_at=now, last_seen_at=now,
                ))
        except IntegrityError:
            raise ClassroomError(
                f"someone called {name!r} is already in this room: rejoin from the same "
                "browser or terminal, or pick another name"
            ) from None
        return Student(student_id, room_id, name, now, now, None), token

    def student_by_token(self, token: str) -> Student | None:
        if not token:
            return None
        with self._tx() as db:
            row = db.execute(select(t.students)
                             .where(t.students.c.token_sha256 == token_digest(token))
                             ).mappings().first()
        return None if row is None else _student(row)

    def student_by_id(self, student_id: str) -> Student | None:
        with self._tx() as db:
            row = db.execute(select(t.students).where(t.students.c.id == student_id)
                             ).mappings().first()
        return None if row is None else _student(row)

    def students(self, room_id: int) -> list[Student]:
        with self._tx() as db:
            rows = db.execute(select(t.students).where(t.students.c.room_id == room_id)
                              .order_by(t.students.c.name)).mappings().all()
        return [_student(r) for r in rows]

    def heartbeat(self, student_id: str, item: str | None, now: str | None = None) -> None:
        """The student is alive and on ``item``; time since the last beat goes to the last item."""
        now = now or utc_now()
        with self._tx() as db:
            row = db.execute(select(t.students.c.last_seen_at, t.students.c.current_item)
                             .where(t.students.c.id == student_id)).first()
            if row is None:
                return
            last_seen, previous = row
            gap = _seconds_between(last_seen, now)
            if previous and 0 < gap <= MAX_HEARTBEAT_GAP_S:
                _add_time(db, self.engine.dialect.name, student_id, previous, gap)
            db.execute(update(t.students).where(t.students.c.id == student_id)
                       .values(last_seen_at=now, current_item=item))

    def time_spent(self, room_id: int) -> dict[tuple[str, str], float]:
        with self._tx() as db:
            rows = db.execute(
                select(t.time_spent.c.student_id, t.time_spent.c.item, t.time_spent.c.seconds)
                .join(t.students, t.students.c.id == t.time_spent.c.student_id)
                .where(t.students.c.room_id == room_id)
            ).all()
        return {(r[0], r[1]): float(r[2]) for r in rows}

    # check results --------------------------------------------------------------
    def record_check(self, student_id: str, exercise_id: str, *, passed: bool, points: int,
                     max_points: int, results: list[dict[str, Any]]) -> None:
        with self._tx() as db:
            db.execute(t.check_results.insert().values(
                student_id=student_id, exercise_id=exercise_id, passed=passed, points=points,
                max_points=max_points, results_json=json.dumps(results), created_at=utc_now(),
            ))

    def check_results(self, room_id: int) -> list[CheckRecord]:
        c = t.check_results.c
        with self._tx() as db:
            rows = db.execute(
                select(c.student_id, c.exercise_id, c.passed, c.points, c.max_points,
                       c.created_at)
                .join(t.students, t.students.c.id == c.student_id)
                .where(t.students.c.room_id == room_id).order_by(c.id)
            ).all()
        return [CheckRecord(r[0], r[1], bool(r[2]), int(r[3]), int(r[4]), r[5]) for r in rows]

    # announcements ----------------------------------------------------------------
    def announce(self, room_id: int, text: str) -> int:
        with self._tx() as db:
            result = db.execute(t.announcements.insert().values(
                room_id=room_id, text=text, created_at=utc_now()))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def announcements(self, room_id: int, after_id: int = 0) -> list[tuple[int, str, str]]:
        a = t.announcements.c
        with self._tx() as db:
            rows = db.execute(select(a.id, a.text, a.created_at)
                              .where(a.room_id == room_id, a.id > after_id).order_by(a.id)).all()
        return [(int(r[0]), r[1], r[2]) for r in rows]

    # live quizzes -------------------------------------------------------------------
    def start_quiz(self, room_id: int, module_id: str, question_ids: list[str]) -> LiveQuiz:
        """Start a live quiz; a quiz still running in the room is ended first."""
        q = t.live_quizzes.c
        now = utc_now()
        with self._tx() as db:
            db.execute(update(t.live_quizzes).where(q.room_id == room_id, q.ended_at.is_(None))
                       .values(ended_at=now))
            result = db.execute(t.live_quizzes.insert().values(
                room_id=room_id, module_id=module_id, question_ids_json=json.dumps(question_ids),
                started_at=now))
            quiz_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return LiveQuiz(quiz_id, room_id, module_id, list(question_ids), now, None)

    def end_quiz(self, room_id: int) -> None:
        q = t.live_quizzes.c
        with self._tx() as db:
            db.execute(update(t.live_quizzes).where(q.room_id == room_id, q.ended_at.is_(None))
                       .values(ended_at=utc_now()))

    def quizzes(self, room_id: int) -> list[LiveQuiz]:
        with self._tx() as db:
            rows = db.execute(select(t.live_quizzes).where(t.live_quizzes.c.room_id == room_id)
                              .order_by(t.live_quizzes.c.id)).mappings().all()
        return [_quiz(r) for r in rows]

    def active_quiz(self, room_id: int) -> LiveQuiz | None:
        running = [q for q in self.quizzes(room_id) if q.ended_at is None]
        return running[-1] if running else None

    def record_quiz_answer(self, quiz_id: int, student_id: str, question_id: str, answer: Any,
                           *, correct: bool, points: float) -> None:
        """Save (or replace) a student's answer; refused once the quiz has ended."""
        values = {"quiz_id": quiz_id, "student_id": student_id, "question_id": question_id,
                  "answer_json": json.dumps(answer), "correct": correct, "points": points,
                  "answered_at": utc_now()}
        with self._tx() as db:
            ended = db.execute(select(t.live_quizzes.c.ended_at)
                               .where(t.live_quizzes.c.id == quiz_id)).first()
            if ended is None or ended[0] is not None:
                raise ClassroomError("this quiz has ended")
            statement = _insert(self.engine.dialect.name, t.quiz_answers).values(**values)
            db.execute(statement.on_conflict_do_update(
                index_elements=["quiz_id", "student_id", "question_id"],
                set_={k: statement.excluded[k] for k in
                      ("answer_json", "correct", "points", "answered_at")},
            ))

    def quiz_answers(self, quiz_id: int) -> list[QuizAnswerRecord]:
        a = t.quiz_answers.c
        with self._tx() as db:
            rows = db.execute(select(t.quiz_answers).where(a.quiz_id == quiz_id)
                              .order_by(a.answered_at)).mappings().all()
        return [QuizAnswerRecord(r["quiz_id"], r["student_id"], r["question_id"],
                                 json.loads(r["answer_json"]), bool(r["correct"]),
                                 float(r["points"]), r["answered_at"]) for r in rows]


# helpers ---------------------------------------------------------------------------
def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_size": 10, "max_overflow": 20, "pool_pre_ping": True}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _redacted(url: str) -> str:
    """The URL without its password, for error messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _join_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    return "".join(secrets.choice(alphabet) for _ in range(6))


def _insert(dialect: str, table: Any) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _add_time(db: Connection, dialect: str, student_id: str, item: str, seconds: float) -> None:
    statement = _insert(dialect, t.time_spent).values(
        student_id=student_id, item=item[:200], seconds=seconds)
    db.execute(statement.on_conflict_do_update(
        index_elements=["student_id", "item"],
        set_={"seconds": t.time_spent.c.seconds + statement.excluded.seconds},
    ))


def _seconds_between(earlier: str | None, later: str) -> float:
    import datetime as dt

    if not earlier:
        return 0.0
    try:
        return (dt.datetime.fromisoformat(later) - dt.datetime.fromisoformat(earlier)).total_seconds()
    except ValueError:
        return 0.0


def _room(row: Any) -> Room:
    return Room(row["id"], row["name"], row["code"], json.loads(row["unlocked_json"] or "[]"),
                row["created_at"], row["ended_at"])


def _student(row: Any) -> Student:
    return Student(row["id"], row["room_id"], row["name"], row["joined_at"],
                   row["last_seen_at"], row["current_item"])


def _quiz(row: Any) -> LiveQuiz:
    return LiveQuiz(row["id"], row["room_id"], row["module_id"],
                    json.loads(row["question_ids_json"]), row["started_at"], row["ended_at"])
