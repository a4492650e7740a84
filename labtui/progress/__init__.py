"""Learner progress: one SQLite database (WAL, versioned migrations).

Everything is keyed by stable ids (module, exercise, question, check), never
by position, so reordering the course never loses work. Every write is its
own transaction: a ``kill -9`` loses at most the action in flight.
"""

from labtui.progress.store import ProgressStore

__all__ = ["ProgressStore"]
