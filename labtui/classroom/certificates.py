"""One certificate per student, signed with the instructor's Ed25519 key.

A browser student's progress lives in their labtui home under the room directory; a terminal
student (on their own machine) only reported check results to the room, so for them the
record is built from those results. Either way the lead's record/sign/PDF code does the rest.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from labtui.classroom.paths import student_home
from labtui.classroom.store import ClassroomStore, Room, Student

if TYPE_CHECKING:
    from labtui.course.loader import Course
    from labtui.progress.store import ProgressStore


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    student: Student
    json_path: Path
    pdf_path: Path


def issue_certificates(
    store: ClassroomStore, room: Room, course: Course, key_path: Path, output: Path
) -> list[IssuedCertificate]:
    from labtui.certificates.pdf import render_pdf
    from labtui.certificates.record import build_record, sign

    output.mkdir(parents=True, exist_ok=True)
    issued = []
    for student in store.students(room.id):
        with _progress_for(store, room, student) as progress:
            record = build_record(progress, course, learner_id=student.learner_id,
                                  learner_name=student.name,
                                  issuer=f"labtui classroom {room.name}")
        document = sign(record, key_path)
        stem = f"certificate-{_slug(student.name)}-{student.id}"
        json_path = output / f"{stem}.json"
        json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        issued.append(IssuedCertificate(student, json_path,
                                        render_pdf(document, output / f"{stem}.pdf")))
    return issued


class _progress_for:  # a context manager, so named like a function
    """The student's own progress store, or a temporary one built from the room's results."""

    def __init__(self, store: ClassroomStore, room: Room, student: Student) -> None:
        self.store, self.room, self.student = store, room, student
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self._progress: ProgressStore | None = None

    def __enter__(self) -> ProgressStore:
        from labtui.progress.store import ProgressStore

        own = student_home(self.room.name, self.student.id) / "progress.sqlite3"
        if own.is_file():
            self._progress = ProgressStore(own)
        else:
            self._temp = tempfile.TemporaryDirectory(prefix="labtui-cert-")
            self._progress = ProgressStore(Path(self._temp.name) / "progress.sqlite3")
        learner = self.student.learner_id
        self._progress.ensure_learner(learner, self.student.name)
        if self._temp is not None:
            for check in self.store.check_results(self.room.id):
                if check.student_id == self.student.id:
                    self._progress.record_exercise_attempt(
                        learner, check.exercise_id, passed=check.passed, points=check.points,
                        max_points=check.max_points, results=[])
        return self._progress

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.close()
        if self._temp is not None:
            self._temp.cleanup()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "student"
