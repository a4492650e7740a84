"""One classroom room as the server and the CLI use it: pacing, live quizzes, the room view.

Plain service code over :class:`ClassroomStore` and the course (for module order, exercise
lists and quiz questions); the aiohttp server only translates HTTP to these calls. Quiz
answers are marked here, on the server, with :func:`labtui.quiz.scoring.mark`, so a student
process can never claim a correct answer it did not give.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labtui.classroom.names import look_alikes
from labtui.classroom.store import (
    CheckRecord,
    ClassroomError,
    ClassroomStore,
    LiveQuiz,
    Room,
    Student,
)
from labtui.classroom.submissions import SubmissionQueue

if TYPE_CHECKING:
    from labtui.course.loader import Course
    from labtui.course.models import Question

DEFAULT_QUIZ_QUESTIONS = 5
# a student's labtui beats every ~15 s (tui.classroom.HEARTBEATS_EVERY polls); three missed
# beats and the dashboard shows them offline
ONLINE_WITHIN_S = 45.0
MAX_QUIZ_QUESTIONS = 20


@dataclass
class ClassroomRoom:
    store: ClassroomStore
    room_id: int
    course: Course

    @classmethod
    def open(cls, store: ClassroomStore, name: str, course: Course) -> ClassroomRoom:
        room = store.open_room(name)
        opened = cls(store, room.id, course)
        if not room.unlocked and course.modules:  # pacing starts with the first module open
            store.set_unlocked(room.id, [course.modules[0].id])
        return opened

    @property
    def room(self) -> Room:
        return self.store.room_by_id(self.room_id)

    # pacing ---------------------------------------------------------------------------
    def module_ids(self) -> list[str]:
        return [m.id for m in self.course.modules]

    def exercise_ids(self, modules: list[str] | None = None) -> list[str]:
        """Exercises in course order (the lesson's list, only packs that exist), optionally
        only those of ``modules``."""
        ids: list[str] = []
        for module in self.course.modules:
            if modules is not None and module.id not in modules:
                continue
            for exercise in module.front.exercises if module.front else []:
                if exercise in self.course.exercises and exercise not in ids:
                    ids.append(exercise)
        return ids

    def exercise_max_points(self) -> dict[str, int]:
        """Each exercise's maximum, from its pack (what the gradebook divides by)."""
        return {pack_id: pack.manifest.points for pack_id, pack in self.course.exercises.items()
                if pack.manifest is not None}

    def unlock(self, module_id: str | None = None) -> list[str]:
        """Unlock ``module_id`` (default: the next locked module, in course order)."""
        unlocked = list(self.room.unlocked)
        order = self.module_ids()
        if module_id is None:
            module_id = next((m for m in order if m not in unlocked), None)
            if module_id is None:
                raise ClassroomError("every module is already unlocked")
        elif module_id not in order:
            raise ClassroomError(f"no module {module_id!r} in this course", 404)
        if module_id not in unlocked:
            unlocked.append(module_id)
            self.store.set_unlocked(self.room_id, unlocked)
        return unlocked

    # live quiz ------------------------------------------------------------------------
    def start_quiz(self, module_id: str, count: int = DEFAULT_QUIZ_QUESTIONS,
                   seed: int | None = None) -> LiveQuiz:
        if self.room.ended_at is not None:
            raise ClassroomError("this session has ended")
        pool = self.course.questions.get(module_id)
        if not pool:
            raise ClassroomError(f"no quiz questions for module {module_id!r}", 404)
        count = max(1, min(count, MAX_QUIZ_QUESTIONS, len(pool)))
        chosen = random.Random(seed).sample(pool, count)
        return self.store.start_quiz(self.room_id, module_id, [q.id for q in chosen])

    def question(self, question_id: str) -> Question:
        for question in self.course.all_questions():
            if question.id == question_id:
                return question
        raise ClassroomError(f"no question {question_id!r}", 404)

    def answer(self, student: Student, quiz_id: int, question_id: str, raw: Any) -> None:
        from labtui.quiz.scoring import mark, normalise_answer

        quiz = self.store.active_quiz(self.room_id)
        if quiz is None or quiz.id != quiz_id:
            raise ClassroomError("this quiz has ended")
        if question_id not in quiz.question_ids:
            raise ClassroomError(f"question {question_id!r} is not in this quiz", 404)
        question = self.question(question_id)
        try:
            answer = normalise_answer(question, raw)
        except (ValueError, TypeError) as error:
            raise ClassroomError(str(error), 422) from None
        result = mark(question, answer)
        self.store.record_quiz_answer(quiz_id, student.id, question_id, answer,
                                      correct=result.correct, points=result.credit)

    # views ----------------------------------------------------------------------------
    def student_state(self, student: Student, after_announcement: int = 0) -> dict[str, Any]:
        """What one student's labtui needs: pacing, news, and the live quiz (no answers)."""
        room = self.room
        quiz = self.store.active_quiz(self.room_id)
        quiz_view = None
        if quiz is not None:
            answered = {a.question_id for a in self.store.quiz_answers(quiz.id)
                        if a.student_id == student.id}
            quiz_view = {
                "id": quiz.id, "module_id": quiz.module_id,
                "questions": [public_question(self.question(q)) for q in quiz.question_ids],
                "answered": sorted(answered),
            }
        return {
            "room": room.name, "student": {"id": student.id, "name": student.name},
            "unlocked_modules": room.unlocked, "ended": room.ended_at is not None,
            "announcements": [{"id": i, "text": text, "at": at} for i, text, at
                              in self.store.announcements(self.room_id, after_announcement)],
            "quiz": quiz_view,
            # the server's verdicts (and what still waits for the grader), newest first
            "submissions": [sub.to_json() for sub in
                            SubmissionQueue(self.store).for_student(student.id, limit=10)],
        }

    def dashboard(self) -> dict[str, Any]:
        """The instructor's live table: students x exercises, time spent, the quiz."""
        room = self.room
        students = self.store.students(self.room_id)
        checks = self.store.check_results(self.room_id)  # server verdicts only
        queue = SubmissionQueue(self.store)
        waiting = {(sub.student_id, sub.exercise_id) for sub in queue.in_room(self.room_id)
                   if sub.status in ("waiting", "running")}
        spent = self.store.time_spent(self.room_id)
        # the open modules' exercises, plus any a student checked ahead of the class
        exercises = list(dict.fromkeys([*self.exercise_ids(room.unlocked),
                                        *(c.exercise_id for c in checks)]))
        last: dict[tuple[str, str], CheckRecord] = {}
        passed: set[tuple[str, str]] = set()
        attempts: Counter[tuple[str, str]] = Counter()
        for check in checks:
            key = (check.student_id, check.exercise_id)
            last[key] = check
            attempts[key] += 1
            if check.passed:
                passed.add(key)
        similar = look_alikes((s.id, s.name) for s in students)
        online_after = _seconds_ago(ONLINE_WITHIN_S)
        rows = []
        for student in students:
            cells = {}
            for exercise in exercises:
                key = (student.id, exercise)
                latest = last.get(key)
                status = ("passed" if key in passed else "failing" if latest
                          else "pending" if key in waiting else "not started")
                cells[exercise] = {
                    "status": status, "attempts": attempts[key], "pending": key in waiting,
                    "last_points": latest.points if latest else None,
                    "max_points": latest.max_points if latest else None,
                    "last_check_at": latest.created_at if latest else None,
                    "seconds": round(spent.get((student.id, f"exercise:{exercise}"), 0.0), 1),
                }
            rows.append({
                "id": student.id, "name": student.name, "current": student.current_item,
                "online": (student.last_seen_at or "") >= online_after,
                "similar_to": similar.get(student.id, []),
                "last_seen_at": student.last_seen_at, "exercises": cells,
                "seconds_total": round(sum(s for (sid, _), s in spent.items()
                                           if sid == student.id), 1),
            })
        return {
            "room": room.name, "code": room.code, "ended": room.ended_at is not None,
            "modules": self.module_ids(), "unlocked_modules": room.unlocked,
            "exercises": exercises, "students": rows, "quiz": self.quiz_view(),
            "grading_queue": queue.counts(self.room_id),
            "announcements": [{"id": i, "text": text, "at": at}
                              for i, text, at in self.store.announcements(self.room_id)],
        }

    def quiz_view(self, quiz: LiveQuiz | None = None) -> dict[str, Any] | None:
        """The answer distribution per question and the leaderboard of the latest quiz."""
        if quiz is None:
            quizzes = self.store.quizzes(self.room_id)
            if not quizzes:
                return None
            quiz = quizzes[-1]
        answers = self.store.quiz_answers(quiz.id)
        names = {s.id: s.name for s in self.store.students(self.room_id)}
        questions = []
        for question_id in quiz.question_ids:
            question = self.question(question_id)
            given = [a for a in answers if a.question_id == question_id]
            distribution = Counter(_answer_label(a.answer) for a in given)
            questions.append({
                "id": question_id, "stem": question.stem, "answer": _answer_label(question.answer),
                "answers": len(given), "correct": sum(1 for a in given if a.correct),
                "distribution": dict(sorted(distribution.items())),
            })
        scores: dict[str, list[Any]] = {}
        for answer in answers:
            entry = scores.setdefault(answer.student_id, [0.0, 0, ""])
            entry[0] += answer.points
            entry[1] += 1
            entry[2] = max(entry[2], answer.answered_at)
        leaderboard = [
            {"student_id": sid, "name": names.get(sid, sid), "points": round(points, 3),
             "answered": count, "last_answer_at": at}
            for sid, (points, count, at) in sorted(scores.items(),
                                                   key=lambda kv: (-kv[1][0], kv[1][2]))
        ]
        return {"id": quiz.id, "module_id": quiz.module_id, "running": quiz.ended_at is None,
                "started_at": quiz.started_at, "total_answers": len(answers),
                "questions": questions, "leaderboard": leaderboard}


def public_question(question: Question) -> dict[str, Any]:
    """A question as a student sees it: no answer, no explanation."""
    return {"id": question.id, "type": question.type, "stem": question.stem,
            "context": question.context, "options": question.options, "unit": question.unit,
            "multiple": isinstance(question.answer, list) and question.type != "ordering"}


def _answer_label(answer: Any) -> str:
    if isinstance(answer, list):
        return ",".join(str(a) for a in answer)
    if isinstance(answer, float) and answer.is_integer():
        return str(int(answer))
    return str(answer)


def _seconds_ago(seconds: float) -> str:
    import datetime as dt

    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds")
