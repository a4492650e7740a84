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
    LargeBinary,
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

# A check a student reports is a submission (issue #15 item 2): the workspace archive waits
# here until a grader claims it; the server's verdict goes to check_results in the same
# transaction that marks it done. Claims are leases: a grader that dies mid-job lets the
# lease run out and another grader retries it (once; see labtui.classroom.submissions).
submissions = Table(
    "classroom_submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student_id", String(40), ForeignKey("classroom_students.id"), nullable=False,
           index=True),
    Column("exercise_id", String(120), nullable=False),
    Column("idempotency_key", String(80), nullable=False),
    Column("archive", LargeBinary, nullable=False),
    Column("reported_json", Text, nullable=False, default="{}"),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(120), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("submitted_at", String(40), nullable=False),
    Column("started_at", String(40), nullable=True),
    Column("finished_at", String(40), nullable=True),
    Column("queued_s", Float, nullable=True),
    Column("passed", Boolean, nullable=True),
    Column("points", Integer, nullable=True),
    Column("max_points", Integer, nullable=True),
    Column("error", Text, nullable=True),
    UniqueConstraint("student_id", "idempotency_key", name="uq_classroom_submission_key"),
)

# What a room says about itself on certificates: who issues them (instructor, organisation).
room_info = Table(
    "classroom_room_info",
    metadata,
    Column("room_id", Integer, ForeignKey("classroom_rooms.id"), primary_key=True),
    Column("issuer", String(200), nullable=False),
)
