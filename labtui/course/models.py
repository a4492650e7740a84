"""Pydantic models of the course content, strict and closed (unknown keys are errors)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ModuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
ExerciseId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
DomainTag = Annotated[str, StringConstraints(pattern=r"^(DVA|SAA|SOA):\d+\.\d+$")]
LessonRef = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*#[a-z0-9][a-z0-9-]*$")]
OptionKey = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
QuestionId = Annotated[str, StringConstraints(pattern=r"^q-\d{2}-[a-z0-9]+(-[a-z0-9]+)*-\d{3}$")]

QUESTION_TYPES = ("single", "multi", "scenario", "numeric", "ordering")
EXAM_TYPES = ("single", "multi", "scenario")

_COUNT_WORDS = {"TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
_CHOOSE = re.compile(r"\b(?:choose|select)\s+(TWO|THREE|FOUR|FIVE)\b", re.IGNORECASE)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class CourseManifest(_Strict):
    """``lessons/course.yaml``: the one ordered list of modules."""

    title: str
    modules: list[ModuleId] = Field(min_length=1)
    planned_exercises: list[ExerciseId] = Field(default_factory=list)


class LessonFrontMatter(_Strict):
    id: ModuleId
    title: str = Field(min_length=1)
    objectives: list[str] = Field(min_length=1)
    prerequisites: list[ModuleId] = Field(default_factory=list)
    minutes: int = Field(ge=5, le=240)
    domains: list[DomainTag] = Field(min_length=1)
    exercises: list[ExerciseId] = Field(default_factory=list)
    quiz: ModuleId | None = None


class Question(_Strict):
    """One quiz question; the shape depends on ``type`` (curriculum.md §5)."""

    id: QuestionId
    module: ModuleId
    domains: list[DomainTag] = Field(min_length=1)
    difficulty: int = Field(ge=1, le=3)
    type: Literal["single", "multi", "scenario", "numeric", "ordering"]
    stem: str = Field(min_length=10)
    context: str | None = None
    options: dict[OptionKey, str] | None = None
    answer: str | list[str] | float
    unit: str | None = None
    tolerance: float | None = Field(default=None, ge=0)
    formula: str | None = None
    explain: dict[str, str] = Field(min_length=1)
    refs: list[LessonRef] = Field(min_length=1)
    verified: str | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> Question:
        for problem in question_shape_problems(self):
            raise ValueError(problem)
        return self

    @property
    def is_multiple_response(self) -> bool:
        return isinstance(self.answer, list) and self.type in ("multi", "scenario")

    @property
    def exam_eligible(self) -> bool:
        return self.type in EXAM_TYPES


def question_shape_problems(question: Question) -> list[str]:
    """Everything wrong with the internal consistency of one question."""
    problems: list[str] = []
    options = question.options or {}
    answer = question.answer
    if question.type == "numeric":
        if question.options:
            problems.append("numeric questions have no options")
        if not isinstance(answer, (int, float)) or isinstance(answer, bool):
            problems.append("numeric answer must be a number")
        if question.unit is None or question.tolerance is None:
            problems.append("numeric questions need 'unit' and 'tolerance'")
        if "working" not in question.explain:
            problems.append("numeric questions need explain.working (the worked solution)")
        return problems
    if question.unit is not None or question.tolerance is not None or question.formula:
        problems.append("'unit', 'tolerance' and 'formula' are for numeric questions only")
    if len(options) < 2:
        problems.append("needs at least two options")
    keys = sorted(options)
    expected_keys = [chr(ord("A") + i) for i in range(len(keys))]
    if keys != expected_keys:
        problems.append(f"option keys must be {', '.join(expected_keys)} in order")
    missing = [key for key in keys if key not in question.explain]
    if missing:
        problems.append(f"explain has no entry for option(s) {', '.join(missing)}")
    if question.type == "scenario" and not question.context:
        problems.append("scenario questions need a 'context' snippet")
    if question.type == "ordering":
        if not isinstance(answer, list) or sorted(answer) != keys:
            problems.append("ordering answer must list every option key exactly once")
        return problems
    chosen = [answer] if isinstance(answer, str) else answer
    if not isinstance(chosen, list) or not all(isinstance(k, str) for k in chosen):
        problems.append("answer must be an option key or a list of option keys")
        return problems
    unknown = [key for key in chosen if key not in options]
    if unknown:
        problems.append(f"answer names option(s) that do not exist: {', '.join(unknown)}")
    if len(set(chosen)) != len(chosen):
        problems.append("answer repeats an option")
    match = _CHOOSE.search(question.stem)
    if question.type == "multi" or (question.type == "scenario" and isinstance(answer, list)):
        if len(chosen) < 2:
            problems.append("multiple-response questions need at least two answers")
        if len(options) < len(chosen) + 2:
            problems.append("multiple-response questions need at least two wrong options")
        if match is None:
            problems.append("multiple-response stem must say how many to choose ('Choose TWO')")
        elif _COUNT_WORDS[match.group(1).upper()] != len(chosen):
            problems.append(
                f"stem says choose {match.group(1).upper()} but the answer lists {len(chosen)}"
            )
    elif question.type == "single":
        if not isinstance(answer, str):
            problems.append("single-choice answer must be one option key")
        if match is not None:
            problems.append("single-choice stem must not say 'Choose N'")
    return problems


class ExamDomain(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^D\d$")]
    title: str
    weight: int = Field(ge=1, le=100)
    scored_items: int = Field(ge=1)
    tasks: dict[str, str] = Field(min_length=1)


class ExamBlueprint(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^(DVA|SAA|SOA)-C0\d$")]
    tag: Literal["DVA", "SAA", "SOA"]
    title: str
    questions: int = Field(ge=1)
    scored: int = Field(ge=1)
    minutes: int = Field(ge=1)
    pass_scaled: int = Field(ge=100, le=1000)
    multiple_response_min: int = Field(ge=0)
    difficulty_mix: dict[int, int]
    domains: list[ExamDomain] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_totals(self) -> ExamBlueprint:
        if sum(d.weight for d in self.domains) != 100:
            raise ValueError("domain weights must add up to 100")
        if sum(d.scored_items for d in self.domains) != self.scored:
            raise ValueError("domain scored_items must add up to 'scored'")
        if self.scored > self.questions:
            raise ValueError("'scored' cannot exceed 'questions'")
        if sum(self.difficulty_mix.values()) != 100:
            raise ValueError("difficulty_mix percentages must add up to 100")
        return self

    def domain_of_task(self, task: str) -> ExamDomain | None:
        return next((d for d in self.domains if task in d.tasks), None)


class ExamsFile(_Strict):
    exams: list[ExamBlueprint] = Field(min_length=1)


class CoverageItem(_Strict):
    item: Annotated[str, StringConstraints(pattern=r"^\d{3}-[A-Za-z0-9.]+$")]
    summary: str
    lessons: list[LessonRef] = Field(min_length=1)
    exercises: list[ExerciseId] = Field(default_factory=list)
    questions: list[QuestionId] = Field(default_factory=list)
    needs_question: bool = True
