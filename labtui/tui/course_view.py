"""What the course map shows: each module's status and progress, and what to do next.

The home screen works from a :class:`CourseSummary`, not the full course: at
start-up a summary is read straight from the files (course.yaml and each
lesson's front matter, with the C YAML loader and no validation), so the home
screen is ready without importing pydantic or parsing every lesson and quiz.
The full course (validated, with every problem found) loads in the background
and replaces the summary when it is ready. Pure functions over the summary and
the progress store, so they are easy to test. Progress is keyed by ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtui.progress.store import ProgressStore

if TYPE_CHECKING:
    from labtui.course.loader import Course

# curriculum.md §1: a module's check "4/5 passes" (a new draw on retry).
QUIZ_PASS_FRACTION = 0.8

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)


class Status(Enum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    id: str
    position: int
    title: str
    objectives: list[str] = field(default_factory=list)
    prerequisites: list[str] = field(default_factory=list)
    minutes: int = 0
    exercises: list[str] = field(default_factory=list)
    readable: bool = True  # has front matter that loaded
    quiz_questions: int = 0  # 0 = no quiz (or not counted yet)

    @property
    def number(self) -> str:
        return f"{self.position:02d}"


@dataclass(frozen=True, slots=True)
class CourseSummary:
    title: str
    modules: list[ModuleSummary]
    exercise_ids: frozenset[str] = frozenset()
    planned: frozenset[str] = frozenset()
    problems: int = 0
    complete: bool = True  # False while the full course is still loading

    def module(self, module_id: str) -> ModuleSummary | None:
        return next((m for m in self.modules if m.id == module_id), None)


def summary_from_course(course: Course) -> CourseSummary:
    modules = []
    for module in course.modules:
        front = module.front
        modules.append(ModuleSummary(
            id=module.id, position=module.position, title=module.title,
            objectives=list(front.objectives) if front else [],
            prerequisites=list(front.prerequisites) if front else [],
            minutes=front.minutes if front else 0,
            exercises=list(front.exercises) if front else [],
            readable=front is not None,
            quiz_questions=len(course.questions.get(module.id, [])),
        ))
    planned = course.manifest.planned_exercises if course.manifest else []
    return CourseSummary(
        title=course.manifest.title if course.manifest else "labtui",
        modules=modules, exercise_ids=frozenset(course.exercises), planned=frozenset(planned),
        problems=len(course.problems), complete=True,
    )


def _yaml(text: str) -> Any:
    from labtui import safeyaml

    try:
        return safeyaml.load(text)  # the shared bounded loader (C parser when available)
    except safeyaml.YamlProblem:
        return None


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def quick_summary(root: Path) -> CourseSummary:
    """The course map straight from the files; anything odd is left for the full load."""
    try:
        manifest = _yaml((root / "lessons" / "course.yaml").read_text(encoding="utf-8"))
    except OSError:
        manifest = None
    if not isinstance(manifest, dict):
        return CourseSummary("labtui", [], complete=False)
    modules = []
    for position, module_id in enumerate(_strings(manifest.get("modules")), start=1):
        path = root / "lessons" / f"{position:02d}-{module_id}.md"
        front: Any = None
        try:
            match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
            front = _yaml(match.group(1)) if match else None
        except OSError:
            front = None
        if not isinstance(front, dict):
            modules.append(ModuleSummary(module_id, position, module_id, readable=False))
            continue
        minutes = front.get("minutes")
        has_quiz = (root / "quizzes" / f"{module_id}.yaml").is_file()
        modules.append(ModuleSummary(
            id=module_id, position=position, title=str(front.get("title") or module_id),
            objectives=_strings(front.get("objectives")),
            prerequisites=_strings(front.get("prerequisites")),
            minutes=minutes if isinstance(minutes, int) else 0,
            exercises=_strings(front.get("exercises")),
            quiz_questions=-1 if has_quiz else 0,
        ))
    sandbox = root / "sandbox"
    exercises = frozenset(
        p.name for p in sandbox.iterdir() if (p / "exercise.yaml").is_file()
    ) if sandbox.is_dir() else frozenset()
    return CourseSummary(
        title=str(manifest.get("title") or "labtui"), modules=modules, exercise_ids=exercises,
        planned=frozenset(_strings(manifest.get("planned_exercises"))), complete=False,
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the learner can do next: read a lesson, do an exercise, take a quiz."""

    kind: str  # "lesson" | "exercise" | "quiz"
    target: str  # module id or exercise id
    label: str


@dataclass(frozen=True, slots=True)
class ModuleView:
    module: ModuleSummary
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
    course: CourseSummary, store: ProgressStore, learner_id: str,
    unlocked: set[str] | None = None,
) -> CourseView:
    lessons = store.lesson_progress(learner_id)
    passed = store.passed_exercises(learner_id)
    attempted = {a.exercise_id for a in store.exercise_attempts(learner_id)}
    quizzes_done = {
        a.subject for a in store.quiz_attempts(learner_id, "practice")
        if a.finished_at and (a.score_raw or 0.0) >= QUIZ_PASS_FRACTION
    }
    views = []
    for module in course.modules:
        exercises = [e for e in module.exercises if e in course.exercise_ids]
        planned = [e for e in module.exercises if e not in course.exercise_ids]
        has_quiz = module.quiz_questions != 0
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
    module: ModuleSummary, lesson_done: bool, exercises: list[str], passed: set[str],
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
