"""Errors a learner or author can cause, and how they are reported.

Anything raised as a :class:`LabError` reaches the user as one clear line
(the CLI prints it and exits 2; the TUI shows it in a notification). Code never
lets a learner's mistake surface as a traceback.
"""

from __future__ import annotations


class LabError(Exception):
    """A problem the user can fix: bad input, a missing file, a wrong flag."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentError(LabError):
    """Course content (lessons, quizzes, exercise packs) failed to load."""


class UnknownItemError(LabError):
    """An id (module, exercise, question, exam) that the course does not have."""
