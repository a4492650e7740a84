"""A start that died while reopening a screen must not die again on the next start.

Resuming reopens the lesson or exercise the learner was in (design.md §1: "opens where
they left off"). If reopening it kills the process (issue #21: a segfault in native code
that no ``except`` can catch), every later start would resume into the same crash and
lock the learner out. So a marker is written to the progress store before resuming and
removed once the learner uses the resumed screen (a key or a click) or labtui exits
without an error; a marker found on start means the last resume never got that far, and
the app stays on the home screen and says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labtui.progress.store import ProgressStore

MARKER_KEY = "resume_in_progress"


def begin(store: ProgressStore, learner_id: str, point: dict[str, Any]) -> None:
    """Record that ``point`` is being reopened (committed before the screen is built)."""
    store.set_ui_state(learner_id, MARKER_KEY, point)


def finish(store: ProgressStore, learner_id: str) -> None:
    """The resumed screen was used, or labtui closed cleanly: the marker goes."""
    if store.ui_state(learner_id, MARKER_KEY, None):
        store.set_ui_state(learner_id, MARKER_KEY, None)


def interrupted(store: ProgressStore, learner_id: str) -> dict[str, Any] | None:
    """The point the last start was reopening when it died, if it died doing that."""
    value = store.ui_state(learner_id, MARKER_KEY, None)
    return value if isinstance(value, dict) and value else None


def interrupted_message(point: dict[str, Any], crash_log: Path | None) -> str:
    """One paragraph for the learner: what happened, where the details are, what to do."""
    what = f"the {point.get('screen', 'screen')} '{point.get('target', '?')}'"
    details = f" Details: {crash_log}." if crash_log is not None else ""
    return (f"labtui stopped unexpectedly while reopening {what} last time, so it opened "
            f"the home screen instead. Your progress is saved.{details} Open it again from "
            "the course map when you are ready.")
