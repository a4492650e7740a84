"""What the course map shows: each module's status and progress, and what to do next.

Pure functions over the loaded course and the progress store, so they are easy
to test and the screens stay thin. Progress is keyed by ids, never positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from labtui.course.loader import Course, Module
from labtui.progress.store import ProgressStore


class Status(Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the learner can do next: read a lesson, do an exercise, take a quiz."""

    kind: str  # "lesson" | "exercise" | "quiz"
    target: str  # module id or exercise id
    label: str


@dataclass(frozen=True, slots=True)
class ModuleView:
    module: Module
    status: Status
    done_units: int
    total_units: int
    exercises: list[str]  # exercise ids whose packs exist
    planned: list[str]  # exercise ids listed by the lesson but not built yet
    has_quiz: bool
    next_step: Step | None

    @property
    def fraction(self) -> float:
        return self.done_units / self.total_units if self.total_units else 0.0

    @property
    def minutes(self) -> int:
        return self.module.front.minutes if self.module.front else 0


@dataclass(frozen=True, slots=True)
class CourseView:
    modules: list[ModuleView]

    @property
    def fraction(self) -> float:
        total = sum(m.total_units for m in self.modules)
        return sum(m.done_units for m in self.modules) / total if total else 0.0

    @property
    def done_modules(self) -> int:
        return sum(1 for m in self.modules if m.status is Status.DONE)

    def next_step(self) -> Step | None:
        """The first unfinished thing in course order that is not locked."""
        for view in self.modules:
            if view.status not in (Status.DONE, Status.LOCKED) and view.next_step is not None:
                return view.next_step
        return None


def build_course_view(
    course: Course, store: ProgressStore, learner_id: str, unlocked: set[str] | None = None
) -> CourseView:
    lessons = store.lesson_progress(learner_id)
    passed = store.passed_exercises(learner_id)
    attempted = {a.exercise_id for a in store.exercise_attempts(learner_id)}
    quizzes_done = {
        a.subject for a in store.quiz_attempts(learner_id, "practice") if a.finished_at
    }
    views = []
    for module in course.modules:
        listed = module.front.exercises if module.front else []
        exercises = [e for e in listed if e in course.exercises]
        planned = [e for e in listed if e not in course.exercises]
        has_quiz = bool(course.questions.get(module.id))
        lesson = lessons.get(module.id)
        lesson_done = bool(lesson and lesson.completed)
        units_done = int(lesson_done) + sum(1 for e in exercises if e in passed)
        units_done += int(has_quiz and module.id in quizzes_done)
        total = 1 + len(exercises) + int(has_quiz)
        started = lesson is not None or any(e in attempted for e in exercises)
        step = _module_next_step(module, lesson_done, exercises, passed, has_quiz, quizzes_done)
        if unlocked is not None and module.id not in unlocked:
            status = Status.LOCKED
        elif units_done == total:
            status = Status.DONE
        elif started or units_done:
            status = Status.IN_PROGRESS
        else:
            status = Status.NOT_STARTED
        views.append(ModuleView(module, status, units_done, total, exercises, planned,
                                has_quiz, step))
    return CourseView(views)


def _module_next_step(
    module: Module, lesson_done: bool, exercises: list[str], passed: set[str],
    has_quiz: bool, quizzes_done: set[str],
) -> Step | None:
    if not lesson_done:
        return Step("lesson", module.id, f"Read {module.number} {module.title}")
    for exercise_id in exercises:
        if exercise_id not in passed:
            return Step("exercise", exercise_id, f"Exercise: {exercise_id}")
    if has_quiz and module.id not in quizzes_done:
        return Step("quiz", module.id, f"Quiz: {module.title}")
    return None


def progress_bar_text(fraction: float, width: int, plain: bool = False) -> str:
    """A text progress bar; plain mode gives words a screen reader can say."""
    percent = round(fraction * 100)
    if plain:
        return f"{percent}%"
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)
