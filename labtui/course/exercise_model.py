"""``sandbox/<exercise>/exercise.yaml``: the manifest of an exercise pack (design.md §7)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from labtui.course.models import ExerciseId, ModuleId
from labtui.course.setup_spec import ExerciseSetup

RuleId = Annotated[str, StringConstraints(pattern=r"^R-\d+\.\d+$")]
CheckId = Annotated[str, StringConstraints(pattern=r"^c\d+$")]

PACK_REQUIRED = ("exercise.yaml", "README.md", "starter", "solution", "checks.py")


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class CheckDeclaration(_Strict):
    """A check as the learner sees it before running it; checks.py implements it."""

    id: CheckId
    title: str
    points: int = Field(ge=0)
    rule: RuleId


class ExerciseManifest(_Strict):
    id: ExerciseId
    title: str
    module: ModuleId
    objectives: list[str] = Field(min_length=1)
    minutes: int = Field(ge=1, le=240)
    hints: list[str] = Field(min_length=1, max_length=5)
    rules: list[RuleId] = Field(min_length=1)
    checks: list[CheckDeclaration] = Field(min_length=1)
    setup: ExerciseSetup = Field(default_factory=ExerciseSetup)  # what the sandbox is seeded with
    stages: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(check.points for check in self.checks)
