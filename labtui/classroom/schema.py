"""The classroom tables (SQLAlchemy Core): the same schema on SQLite and PostgreSQL.

Timestamps are ISO-8601 UTC strings (as in the progress store), so both databases sort and
compare them the same way. Secrets are never stored: rooms keep the SHA-256 of the
instructor token, students the SHA-256 of their own token.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

rooms = Table(
    "classroom_rooms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("code", String(16), nullable=False),
    Column("instructor_token_sha256", String(64), nullable=False, default=""),
    Column("unlocked_json", Text, nullable=False, default="[]"),
    Column("created_at", String(40), nullable=False),
    Column("ended_at", String(40), nullable=True),
)

students = Table(
    "classroom_students",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("room_id", Integer, ForeignKey("classroom_rooms.id"), nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("joined_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=True),
    Column("current_item", String(200), nullable=True),
    UniqueConstraint("room_id", "name", name="uq_classroom_student_name"),
)

check_results = Table(
    "classroom_check_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student_id", String(40), ForeignKey("classroom_students.id"), nullable=False,
           index=True),
    Column("exercise_id", String(120), nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("points", Integer, nullable=False),
    Column("max_points", Integer, nullable=False),
    Column("results_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

time_spent = Table(
    "classroom_time_spent",
    metadata,
    Column("student_id", String(40), ForeignKey("classroom_students.id"), primary_key=True),
    Column("item", String(200), primary_key=True),
    Column("seconds", Float, nullable=False, default=0.0),
)

announcements = Table(
    "classroom_announcements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("classroom_rooms.id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

live_quizzes = Table(
    "classroom_live_quizzes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("classroom_rooms.id"), nullable=False, index=True),
    Column("module_id", String(120), nullable=False),
    Column("question_ids_json", Text, nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("ended_at", String(40), nullable=True),
)

quiz_answers = Table(
    "classroom_quiz_answers",
    metadata,
    Column("quiz_id", Integer, ForeignKey("classroom_live_quizzes.id"), primary_key=True),
    Column("student_id", String(40), ForeignKey("classroom_students.id"), primary_key=True),
    Column("question_id", String(120), primary_key=True),
    Column("answer_json", Text, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("points", Float, nullable=False),
    Column("answered_at", String(40), nullable=False),
)
