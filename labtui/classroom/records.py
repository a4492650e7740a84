"""What the classroom store returns: small frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    name: str
    code: str
    unlocked: list[str]
    created_at: str
    ended_at: str | None


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    room_id: int
    name: str
    joined_at: str
    last_seen_at: str | None
    current_item: str | None

    @property
    def learner_id(self) -> str:
        """The learner id (and so the sandbox account) of this student: one per student."""
        return f"classroom-{self.id}"


@dataclass(frozen=True, slots=True)
class CheckRecord:
    student_id: str
    exercise_id: str
    passed: bool
    points: int
    max_points: int
    created_at: str


@dataclass(frozen=True, slots=True)
class LiveQuiz:
    id: int
    room_id: int
    module_id: str
    question_ids: list[str]
    started_at: str
    ended_at: str | None


@dataclass(frozen=True, slots=True)
class QuizAnswerRecord:
    quiz_id: int
    student_id: str
    question_id: str
    answer: Any
    correct: bool
    points: float
    answered_at: str
