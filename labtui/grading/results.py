"""What grading produces: one :class:`CheckResult` per check, gathered in a :class:`GradeReport`.

These are plain frozen data so that the TUI, the CLI (``--json``) and the progress store
all read the same thing. A check's ``expected``/``actual`` are short sentences a learner
can compare; ``hint`` helps with *that* failure; ``rule`` cites lambda-spec.md (R-x.y).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

HINT_DISCOUNT = 0.2


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    passed: bool
    expected: str
    actual: str
    hint: str
    rule: str
    points: int
    max_points: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TraceRow:
    """One invocation in a simulated or live run, for the TUI timeline and ``--json``."""

    t_s: float
    function: str
    version: str
    environment: str
    request_id: str
    attempt: int
    outcome: str
    duration_ms: float
    detail: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class GradeReport:
    exercise_id: str
    results: list[CheckResult]
    error: str | None = None
    trace: list[TraceRow] = field(default_factory=list)
    seconds: float = 0.0
    hints_used: int = 0
    seed: int = 0  # replays the same generated cases: labtui check ID --seed N
    note: str | None = None  # the learner's situation in one line, shown before the checks
    live: bool = False  # graded the learner's live account (--live): shown, never recorded
    recorded: bool = False  # kept in the progress store as an attempt

    @property
    def score(self) -> int:
        """Points after the hint discount: each hint taken lowers the ceiling by 20 %
        (curriculum §1: hints cut the score to 80/60/40 %)."""
        factor = max(0.0, 1.0 - HINT_DISCOUNT * self.hints_used)
        return round(self.points * factor)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.results) and all(r.passed for r in self.results)

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> int:
        return sum(r.max_points for r in self.results)

    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise_id,
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "hints_used": self.hints_used,
            "score": self.score,
            "error": self.error,
            "note": self.note,
            "live": self.live,
            "recorded": self.recorded,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "results": [r.to_json() for r in self.results],
            "trace": [row.to_json() for row in self.trace],
        }
