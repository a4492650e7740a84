"""The instructor edits the roster (issue #16): rename a student, or remove one with
everything recorded for them (verdicts, submissions, quiz answers, time, their files).

Removing is for a test join or a duplicate, not for grading: it cannot be undone, so the
dashboard asks first. A removed student's token stops working at once (the row is gone).
"""

from __future__ import annotations

import shutil

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from labtui.classroom import schema as t
from labtui.classroom.store import ClassroomError, ClassroomStore, Student, clean_student_name


def _student(store: ClassroomStore, room_id: int, student_id: str) -> Student:
    for student in store.students(room_id):
        if student.id == student_id:
            return student
    raise ClassroomError(f"no student {student_id!r} in this room", 404)


def rename_student(store: ClassroomStore, room_id: int, student_id: str, name: str) -> Student:
    _student(store, room_id, student_id)
    name = clean_student_name(name)
    try:
        with store._tx() as db:
            db.execute(update(t.students).where(t.students.c.id == student_id,
                                                t.students.c.room_id == room_id)
                       .values(name=name))
    except IntegrityError:
        raise ClassroomError(f"someone called {name!r} is already in this room") from None
    return _student(store, room_id, student_id)


def remove_student(store: ClassroomStore, room_id: int, room_name: str, student_id: str) -> None:
    _student(store, room_id, student_id)
    with store._tx() as db:
        for table in (t.check_results, t.submissions, t.time_spent, t.quiz_answers):
            db.execute(delete(table).where(table.c.student_id == student_id))
        db.execute(delete(t.students).where(t.students.c.id == student_id,
                                            t.students.c.room_id == room_id))
    from labtui.classroom.paths import room_dir

    shutil.rmtree(room_dir(room_name) / "students" / student_id, ignore_errors=True)
