"""Submissions and the grading queue, in the room's own database (SQLite or PostgreSQL).

A check a student presses is a submission (issue #15 item 2): the workspace archive, the
exercise id (checked against the course by the server) and an idempotency key chosen by the
student's labtui, so a retried delivery is the same submission, never a second one. Graders
claim jobs with a lease:

- a claim is one guarded UPDATE (``WHERE status = 'waiting' OR the lease ran out``), so two
  graders never hold the same job; on PostgreSQL the candidate row is picked with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` so graders on many machines do not queue behind each
  other's locks;
- a grader renews its lease while it works; one that dies (kill -9, a lost machine) stops
  renewing, the lease runs out and the next claim retries the job, at most
  ``MAX_ATTEMPTS`` times in all;
- the verdict is written in the same transaction that marks the job done, and only by the
  grader that holds the claim, so a job is graded exactly once even if a grader thought dead
  comes back.

Leases compare wall clocks of the graders' machines: keep them in NTP sync (a skew shorter
than the lease is harmless).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from labtui.classroom import schema as t
from labtui.classroom.store import ClassroomStore
from labtui.progress.store import utc_now

MAX_ATTEMPTS = 2  # the first try and one retry after a grader died mid-job
DEFAULT_LEASE_S = 60.0
STATUSES = ("waiting", "running", "done", "failed")


@dataclass(frozen=True, slots=True)
class Submission:
    id: int
    student_id: str
    exercise_id: str
    status: str
    attempts: int
    submitted_at: str
    finished_at: str | None
    error: str | None
    passed: bool | None = None
    points: int | None = None
    max_points: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "exercise_id": self.exercise_id, "status": self.status,
                "submitted_at": self.submitted_at, "finished_at": self.finished_at,
                "passed": self.passed, "points": self.points, "max_points": self.max_points,
                "error": self.error}


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed submission: what a grader needs to grade it."""

    id: int
    student_id: str
    exercise_id: str
    archive: bytes
    attempt: int
    worker: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the server's grader decided (``error``: the solution could not be applied)."""

    passed: bool
    points: int
    max_points: int
    results: list[dict[str, Any]]
    error: str | None = None


class SubmissionQueue:
    def __init__(self, store: ClassroomStore) -> None:
        self.store = store
        self._postgres = store.engine.dialect.name == "postgresql"

    # the student's side ---------------------------------------------------------------
    def submit(self, student_id: str, exercise_id: str, archive: bytes, key: str,
               reported: dict[str, Any] | None = None) -> tuple[int, bool]:
        """Queue a submission; returns ``(id, created)``. The same key again: the same id."""
        s = t.submissions.c
        try:
            with self.store._tx() as db:
                result = db.execute(t.submissions.insert().values(
                    student_id=student_id, exercise_id=exercise_id, idempotency_key=key,
                    archive=archive, reported_json=json.dumps(reported or {}),
                    status="waiting", attempts=0, submitted_at=utc_now()))
                return int(result.inserted_primary_key[0]), True  # type: ignore[index]
        except IntegrityError:
            with self.store._tx() as db:
                existing = db.execute(select(s.id).where(
                    s.student_id == student_id, s.idempotency_key == key)).scalar_one()
            return int(existing), False

    def for_student(self, student_id: str, limit: int = 20) -> list[Submission]:
        s = t.submissions.c
        with self.store._tx() as db:
            rows = db.execute(_summary().where(s.student_id == student_id)
                              .order_by(s.id.desc()).limit(limit)).mappings().all()
        return [_submission(r) for r in rows]

    def in_room(self, room_id: int) -> list[Submission]:
        s = t.submissions.c
        with self.store._tx() as db:
            rows = db.execute(_summary().join(t.students, t.students.c.id == s.student_id)
                              .where(t.students.c.room_id == room_id)
                              .order_by(s.id)).mappings().all()
        return [_submission(r) for r in rows]

    def counts(self, room_id: int | None = None) -> dict[str, Any]:
        """The queue as the dashboard shows it: how many wait, run, are done or failed, and
        how long the done ones waited before a grader took them."""
        s = t.submissions.c
        query = select(s.status, func.count(), func.avg(s.queued_s), func.max(s.queued_s))
        if room_id is not None:
            query = query.join(t.students, t.students.c.id == s.student_id).where(
                t.students.c.room_id == room_id)
        with self.store._tx() as db:
            rows = db.execute(query.group_by(s.status)).all()
        counts: dict[str, Any] = {status: 0 for status in STATUSES}
        waited = [(int(r[1]), float(r[2] or 0), float(r[3] or 0)) for r in rows
                  if r[0] in ("done", "failed", "running")]
        for status, count, *_ in rows:
            counts[str(status)] = int(count)
        started = sum(n for n, _, _ in waited)
        counts["mean_wait_s"] = round(sum(n * avg for n, avg, _ in waited) / started, 2) \
            if started else None
        counts["max_wait_s"] = round(max((m for _, _, m in waited), default=0.0), 2) \
            if started else None
        return counts

    # the grader's side ----------------------------------------------------------------
    def claim(self, worker: str, lease_s: float = DEFAULT_LEASE_S) -> Job | None:
        """Take the oldest waiting (or abandoned) job, or None when there is nothing to do."""
        s = t.submissions.c
        for _ in range(20):  # another grader may win the row between SELECT and UPDATE
            now = time.time()
            abandoned = and_(s.status == "running", s.lease_until < now)
            with self.store._tx() as db:
                # a job that already used its retry and was abandoned again has failed
                db.execute(update(t.submissions).where(abandoned, s.attempts >= MAX_ATTEMPTS)
                           .values(status="failed", lease_until=None, finished_at=utc_now(),
                                   error="the grader stopped twice while grading this"))
                candidate = select(s.id, s.attempts, s.submitted_at).where(
                    or_(s.status == "waiting", abandoned)).order_by(s.id).limit(1)
                if self._postgres:
                    candidate = candidate.with_for_update(skip_locked=True)
                row = db.execute(candidate).first()
                if row is None:
                    return None
                job_id, attempts, submitted_at = int(row[0]), int(row[1]), str(row[2])
                values: dict[str, Any] = {"status": "running", "claimed_by": worker,
                                          "attempts": attempts + 1, "lease_until": now + lease_s}
                if attempts == 0:
                    values["started_at"] = utc_now()
                    values["queued_s"] = _seconds_since(submitted_at)
                claimed = db.execute(update(t.submissions).where(
                    s.id == job_id, s.attempts == attempts,
                    or_(s.status == "waiting", abandoned)).values(**values))
                if claimed.rowcount != 1:
                    continue
                data = db.execute(select(s.student_id, s.exercise_id, s.archive)
                                  .where(s.id == job_id)).one()
            return Job(job_id, str(data[0]), str(data[1]), bytes(data[2]), attempts + 1, worker)
        return None

    def renew(self, job: Job, lease_s: float = DEFAULT_LEASE_S) -> bool:
        """Extend the lease; False when the job is no longer this grader's."""
        s = t.submissions.c
        with self.store._tx() as db:
            result = db.execute(update(t.submissions).where(
                s.id == job.id, s.claimed_by == job.worker, s.attempts == job.attempt,
                s.status == "running").values(lease_until=time.time() + lease_s))
        return bool(result.rowcount == 1)

    def finish(self, job: Job, verdict: Verdict) -> bool:
        """Record the verdict, once: False (and nothing written) if the claim was lost."""
        s = t.submissions.c
        now = utc_now()
        with self.store._tx() as db:
            done = db.execute(update(t.submissions).where(
                s.id == job.id, s.claimed_by == job.worker, s.attempts == job.attempt,
                s.status == "running").values(
                    status="done", lease_until=None, finished_at=now, error=verdict.error,
                    passed=verdict.passed, points=verdict.points,
                    max_points=verdict.max_points))
            if done.rowcount != 1:
                return False
            results = verdict.results if verdict.error is None else \
                [{"id": "solution", "passed": False, "error": verdict.error}]
            db.execute(t.check_results.insert().values(
                student_id=job.student_id, exercise_id=job.exercise_id, passed=verdict.passed,
                points=verdict.points, max_points=verdict.max_points,
                results_json=json.dumps(results), created_at=now))
        return True

    def give_up(self, job: Job, reason: str) -> bool:
        """The grader itself failed (not the student's solution): the job fails, no verdict."""
        s = t.submissions.c
        with self.store._tx() as db:
            result = db.execute(update(t.submissions).where(
                s.id == job.id, s.claimed_by == job.worker, s.attempts == job.attempt,
                s.status == "running").values(status="failed", lease_until=None,
                                              finished_at=utc_now(), error=reason[:500]))
        return bool(result.rowcount == 1)


def _summary() -> Any:
    s = t.submissions.c
    return select(s.id, s.student_id, s.exercise_id, s.status, s.attempts, s.submitted_at,
                  s.finished_at, s.error, s.passed, s.points, s.max_points)


def _submission(row: Any) -> Submission:
    return Submission(int(row["id"]), row["student_id"], row["exercise_id"], row["status"],
                      int(row["attempts"]), row["submitted_at"], row["finished_at"],
                      row["error"], None if row["passed"] is None else bool(row["passed"]),
                      row["points"], row["max_points"])


def _seconds_since(iso: str) -> float:
    try:
        then = dt.datetime.fromisoformat(iso)
    except ValueError:
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=dt.UTC)
    return max(0.0, (dt.datetime.now(dt.UTC) - then).total_seconds())
