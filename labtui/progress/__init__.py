"""Learner progress: one SQLite database (WAL, versioned migrations).

Everything is keyed by stable ids (module, exercise, question, check), never
by position, so reordering the course never loses work. Every write is its
own transaction: a ``kill -9`` loses at most the action in flight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtui.progress.store import ProgressStore

__all__ = ["ProgressStore"]


def __getattr__(name: str) -> Any:
    # lazy, so `labtui --help` (which imports labtui.progress.commands) skips sqlite3
    if name == "ProgressStore":
        from labtui.progress.store import ProgressStore

        return ProgressStore
    raise AttributeError(f"module 'labtui.progress' has no attribute {name!r}")
