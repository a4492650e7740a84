"""Crash logs say where the error happened (the README's 'saves the traceback')."""

from __future__ import annotations

from pathlib import Path

from textual.worker import WorkerFailed

from labtui.crashlog import write_crash_report


def _fails_deep_inside_a_worker() -> None:
    raise LookupError("No nodes match 'Tree'")


def test_a_failed_worker_logs_where_the_worker_failed(labtui_home: Path) -> None:
    try:
        _fails_deep_inside_a_worker()
    except LookupError as inner:
        error = WorkerFailed(inner)  # as Textual raises it: no `from`, no traceback of its own
    report = write_crash_report(error)
    assert report is not None and report.parent == labtui_home
    text = report.read_text(encoding="utf-8")
    assert "WorkerFailed" in text
    assert "_fails_deep_inside_a_worker" in text and "LookupError" in text
