"""One certificate (or progress record) per student, signed with the instructor's Ed25519 key.

Exercises count only as the room's server verdicts have them (issue #15: a student's own
progress store is theirs to write, so it proves nothing about exercises). Modules completed
come from the browser student's own labtui home (lessons read are not graded); a terminal
student's record has none. The session (room and dates) and the issuer (``--issuer``, or
what ``serve --issuer`` stored for the room) are in every record.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from labtui.classroom.paths import student_home
from labtui.classroom.sessions import issuer_of
from labtui.classroom.store import ClassroomStore, Room, Student

if TYPE_CHECKING:
    from labtui.course.loader import Course
    from labtui.progress.store import ProgressStore


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    student: Student
    kind: str
    json_path: Path
    pdf_path: Path


def issue_certificates(
    store: ClassroomStore, room: Room, course: Course, key_path: Path, output: Path,
    issuer: str | None = None,
) -> list[IssuedCertificate]:
    from labtui.certificates.keys import load_private_key
    from labtui.certificates.pdf import render_pdf
    from labtui.certificates.record import build_record, sign

    load_private_key(key_path)  # a wrong --key fails before anything is written
    output.mkdir(parents=True, exist_ok=True)
    issuer = issuer or issuer_of(store, room.id) or f"labtui classroom {room.name}"
    session = {"room": room.name, "started": room.created_at, "ended": room.ended_at}
    verdicts: dict[str, set[str]] = {}
    for check in store.check_results(room.id):
        if check.passed:
            verdicts.setdefault(check.student_id, set()).add(check.exercise_id)
    issued = []
    for student in store.students(room.id):
        with _progress_for(room, student) as progress:
            record = build_record(progress, course, learner_id=student.learner_id,
                                  learner_name=student.name, issuer=issuer,
                                  exercises_passed=verdicts.get(student.id, set()),
                                  session=session)
        document = sign(record, key_path)
        stem = f"certificate-{_slug(student.name)}-{student.id}"
        json_path = output / f"{stem}.json"
        json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        issued.append(IssuedCertificate(student, str(record["kind"]), json_path,
                                        render_pdf(document, output / f"{stem}.pdf")))
    return issued


class _progress_for:  # a context manager, so named like a function
    """The student's own progress store (lessons), or an empty one for a terminal student.
    Opened from a copy: the student's file is never written by the instructor's side."""

    def __init__(self, room: Room, student: Student) -> None:
        self.room, self.student = room, student
        self._temp = tempfile.TemporaryDirectory(prefix="labtui-cert-")
        self._progress: ProgressStore | None = None

    def __enter__(self) -> ProgressStore:
        import sqlite3

        from labtui.progress.store import ProgressStore

        own = student_home(self.room.name, self.student.id) / "progress.sqlite3"
        copy = Path(self._temp.name) / "progress.sqlite3"
        if own.is_file():  # SQLite's backup reads the WAL too; read-only on the student's
            source = sqlite3.connect(f"file:{own}?mode=ro", uri=True)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            except sqlite3.DatabaseError:
                pass  # an unreadable file: the record shows no lessons, not a crash
            finally:
                source.close()
                target.close()
        self._progress = ProgressStore(copy)
        self._progress.ensure_learner(self.student.learner_id, self.student.name)
        return self._progress

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.close()
        self._temp.cleanup()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "student"
