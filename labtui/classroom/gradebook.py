"""The gradebook: one row per student, points and timestamps per exercise and live quiz.

Like nbgrader's export: an exercise scores its student's best server verdict (and when it
was first reached); a live quiz scores the sum of the student's marked answers (and the last
answer's time). Empty cells mean "not attempted", never zero-by-default.

Exercises (out of the points their checks carry, 100 each in this course) and quizzes (one
point per question) are different scales, so they are totalled separately, never added
(issue #16). In CSV, a cell that a spreadsheet would run as a formula (it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``, as OWASP's
CSV-injection guidance says; JSON keeps the values as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from labtui.classroom.store import ClassroomStore, Room

FORMATS = ("csv", "json")


@dataclass
class Gradebook:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.columns, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: _csv_safe(_cell(row.get(k))) for k in self.columns})
        return out.getvalue()

    def to_json(self) -> str:
        return json.dumps({"columns": self.columns, "rows": self.rows}, indent=2) + "\n"

    def render(self, fmt: str) -> str:
        return self.to_csv() if fmt == "csv" else self.to_json()


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Any) -> Any:
    """OWASP CSV injection: text a spreadsheet would evaluate becomes inert text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def build_gradebook(
    store: ClassroomStore, room: Room, exercise_order: Sequence[str] = (),
    exercise_max: Mapping[str, int] | None = None,
) -> Gradebook:
    """``exercise_max``: each exercise's maximum from the course (else from the verdicts)."""
    students = store.students(room.id)
    checks = store.check_results(room.id)
    seen = list(dict.fromkeys([*exercise_order, *(c.exercise_id for c in checks)]))
    exercises = [e for e in seen if any(c.exercise_id == e for c in checks)]
    quizzes = store.quizzes(room.id)

    columns = ["student_id", "name", "joined_at"]
    for exercise in exercises:
        columns += [f"{exercise}:points", f"{exercise}:max_points", f"{exercise}:timestamp"]
    for number, quiz in enumerate(quizzes, start=1):
        label = f"quiz{number}-{quiz.module_id}"
        columns += [f"{label}:points", f"{label}:max_points", f"{label}:timestamp"]
    columns += ["exercise_points", "exercise_max_points", "quiz_points", "quiz_max_points"]

    best: dict[tuple[str, str], tuple[int, int, str]] = {}
    for check in checks:  # in time order: the first time a best score was reached wins
        key = (check.student_id, check.exercise_id)
        if key not in best or check.points > best[key][0]:
            best[key] = (check.points, check.max_points, check.created_at)
    maxima = {e: max((c.max_points for c in checks if c.exercise_id == e), default=0)
              for e in exercises}
    maxima.update({e: m for e, m in (exercise_max or {}).items() if e in maxima})

    quiz_scores: dict[tuple[str, int], tuple[float, str]] = {}
    for quiz in quizzes:
        for answer in store.quiz_answers(quiz.id):
            points, last = quiz_scores.get((answer.student_id, quiz.id), (0.0, ""))
            quiz_scores[(answer.student_id, quiz.id)] = (
                points + answer.points, max(last, answer.answered_at))

    book = Gradebook(columns)
    for student in students:
        row: dict[str, Any] = {"student_id": student.id, "name": student.name,
                               "joined_at": student.joined_at}
        exercise_total, exercise_total_max = 0, 0
        for exercise in exercises:
            score = best.get((student.id, exercise))
            row[f"{exercise}:max_points"] = maxima[exercise]
            exercise_total_max += maxima[exercise]
            if score is not None:
                row[f"{exercise}:points"], _, row[f"{exercise}:timestamp"] = score
                exercise_total += score[0]
        quiz_total, quiz_total_max = 0.0, 0
        for number, quiz in enumerate(quizzes, start=1):
            label = f"quiz{number}-{quiz.module_id}"
            row[f"{label}:max_points"] = len(quiz.question_ids)
            quiz_total_max += len(quiz.question_ids)
            quiz_score = quiz_scores.get((student.id, quiz.id))
            if quiz_score is not None:
                row[f"{label}:points"] = round(quiz_score[0], 3)
                row[f"{label}:timestamp"] = quiz_score[1]
                quiz_total += quiz_score[0]
        row["exercise_points"], row["exercise_max_points"] = exercise_total, exercise_total_max
        row["quiz_points"], row["quiz_max_points"] = round(quiz_total, 3), quiz_total_max
        book.rows.append(row)
    return book
