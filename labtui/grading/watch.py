"""``labtui check EXERCISE --watch``: grade, then re-grade whenever a workspace file changes
(rustlings' watch mode). Changes are debounced so that an editor's save-rename dance or a
burst of files grades once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from labtui.grading.results import GradeReport

IGNORED_SUFFIXES = (".zip", ".pyc", ".swp", ".swx", "~", ".tmp")


def relevant(changed: Iterable[tuple[object, str]]) -> bool:
    for _change, path in changed:
        name = Path(path).name
        if "__pycache__" in path or name.startswith((".", "#")) or name.endswith(IGNORED_SUFFIXES):
            continue
        return True
    return False


def watch(
    workspace: Path,
    grade_once: Callable[[], GradeReport],
    show: Callable[[GradeReport], None],
    *,
    stop: threading.Event | None = None,
    debounce_ms: int = 300,
) -> GradeReport:
    """Grade now and after every relevant change until ``stop`` is set (or Ctrl-C)."""
    import watchfiles

    report = grade_once()
    show(report)
    try:
        for changes in watchfiles.watch(
            workspace, debounce=debounce_ms, stop_event=stop, raise_interrupt=False,
            rust_timeout=200, yield_on_timeout=False,
        ):
            if not relevant(changes):
                continue
            report = grade_once()
            show(report)
    except KeyboardInterrupt:
        pass
    return report
