"""What the workbench remembers per exercise, saved on every meaningful action.

Kept in the store's ``ui_state`` under ``exercise:<id>``: the open tab and
file, the cursor, watch mode, console history, the last trace and any unsaved
editor text, so a restart (even after ``kill -9``) puts the learner back where
they were. The check results themselves are exercise attempts in the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from labtui.progress.store import ExerciseAttempt, ProgressStore
from labtui.tui.services import CheckRow, GradeView, TraceRow

TABS = ("task", "files", "console", "results", "trace")


@dataclass
class ExerciseState:
    exercise_id: str
    tab: str = "task"
    file: str | None = None
    cursor: list[int] | None = None
    watch: bool = False
    history: list[str] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    draft: dict[str, Any] | None = None

    @staticmethod
    def key(exercise_id: str) -> str:
        return f"exercise:{exercise_id}"

    @classmethod
    def load(cls, store: ProgressStore, learner_id: str, exercise_id: str) -> ExerciseState:
        raw = store.ui_state(learner_id, cls.key(exercise_id), {}) or {}
        state = cls(exercise_id)
        if not isinstance(raw, dict):
            return state
        tab = raw.get("tab")
        state.tab = tab if tab in TABS else "task"
        state.file = raw.get("file") if isinstance(raw.get("file"), str) else None
        cursor = raw.get("cursor")
        if isinstance(cursor, list) and len(cursor) == 2 and all(isinstance(n, int) for n in cursor):
            state.cursor = cursor
        state.watch = bool(raw.get("watch", False))
        state.history = [h for h in raw.get("history", []) if isinstance(h, str)]
        state.trace = [t for t in raw.get("trace", []) if isinstance(t, dict)]
        state.draft = raw.get("draft") if isinstance(raw.get("draft"), dict) else None
        return state

    def save(self, store: ProgressStore, learner_id: str) -> None:
        data = asdict(self)
        del data["exercise_id"]
        store.set_ui_state(learner_id, self.key(self.exercise_id), data)


def grade_from_attempt(attempt: ExerciseAttempt, trace: list[TraceRow]) -> GradeView:
    """A stored attempt shown again as results (after a restart)."""
    rows = []
    for raw in attempt.results:
        if not isinstance(raw, dict):
            continue
        rows.append(CheckRow(
            id=str(raw.get("id", "")), title=str(raw.get("title", "")),
            passed=bool(raw.get("passed", False)), expected=str(raw.get("expected", "") or ""),
            actual=str(raw.get("actual", "") or ""), hint=str(raw.get("hint", "") or ""),
            rule=str(raw.get("rule", "") or ""), points=int(raw.get("points", 0) or 0),
            max_points=int(raw.get("max_points", 0) or 0),
        ))
    return GradeView(rows, trace)
