"""The JSON bodies the classroom server accepts, as strict pydantic models.

Anything else (wrong types, unknown fields, oversized strings) is a 422 with the first
problem in words, never a traceback.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from labtui.classroom.archive import MAX_ARCHIVE_BYTES

MAX_WORKSPACE_B64 = (MAX_ARCHIVE_BYTES * 4) // 3 + 8
ItemId = Annotated[StrictStr, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:-]+$")]
Answer = StrictStr | list[Annotated[StrictStr, Field(max_length=8)]] | StrictInt | StrictFloat


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JoinBody(_Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    code: Annotated[StrictStr, Field(min_length=1, max_length=32)]


class ReportedResult(_Body):
    """What the student's own labtui said (shown as theirs; never graded from)."""

    passed: StrictBool
    points: Annotated[StrictInt, Field(ge=0, le=100_000)]
    max_points: Annotated[StrictInt, Field(ge=0, le=100_000)]


class CheckBody(_Body):
    """A submission: the exercise (must be the course's), the workspace as base64 .tar.gz,
    and a key the student's labtui keeps so a re-sent submission is the same one."""

    exercise_id: ItemId
    workspace: Annotated[StrictStr, Field(min_length=4, max_length=MAX_WORKSPACE_B64)]
    idempotency_key: Annotated[StrictStr, Field(min_length=8, max_length=80,
                                                pattern=r"^[A-Za-z0-9_-]+$")]
    reported: ReportedResult | None = None


class AnswerBody(_Body):
    quiz_id: StrictInt
    question_id: ItemId
    answer: Answer


class HeartbeatBody(_Body):
    item: Annotated[StrictStr, Field(max_length=200)] | None = None


class UnlockBody(_Body):
    module_id: ItemId | None = None


class AnnounceBody(_Body):
    text: Annotated[StrictStr, Field(min_length=1, max_length=500)]


StudentId = Annotated[StrictStr, Field(pattern=r"^st-[0-9a-f]{10}$")]


class RenameBody(_Body):
    student_id: StudentId
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class RemoveBody(_Body):
    student_id: StudentId


class QuizStartBody(_Body):
    module_id: ItemId
    count: Annotated[StrictInt, Field(ge=1, le=20)] = 5
