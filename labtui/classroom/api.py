"""The JSON bodies the classroom server accepts, as strict pydantic models.

Anything else (wrong types, unknown fields, oversized strings) is a 422 with the first
problem in words, never a traceback.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

ItemId = Annotated[StrictStr, Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_.:-]+$")]
Answer = StrictStr | list[Annotated[StrictStr, Field(max_length=8)]] | StrictInt | StrictFloat


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JoinBody(_Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    code: Annotated[StrictStr, Field(min_length=1, max_length=32)]


class CheckBody(_Body):
    exercise_id: ItemId
    passed: StrictBool
    points: Annotated[StrictInt, Field(ge=0, le=100_000)]
    max_points: Annotated[StrictInt, Field(ge=0, le=100_000)]
    results: Annotated[list[dict[str, object]], Field(max_length=200)] = []


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


class QuizStartBody(_Body):
    module_id: ItemId
    count: Annotated[StrictInt, Field(ge=1, le=20)] = 5
