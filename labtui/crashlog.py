"""Save the details of an unexpected error where a bug report can find them."""

from __future__ import annotations

import contextlib
import datetime as _dt
import faulthandler
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from labtui.paths import labtui_home


def write_crash_report(error: BaseException) -> Path | None:
    """Write the traceback to ``$LABTUI_HOME/crash-<timestamp>.log`` and return the path.

    The crash reporter never crashes itself (issue 22): when the data directory cannot
    take the file (missing, read-only, full) it tries the system's temporary directory,
    and failing that returns None. A partly written file is removed, never left empty.
    """
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    text = "".join(traceback.format_exception(error))
    inner = getattr(error, "error", None)  # textual's WorkerFailed: the worker's own error
    if isinstance(inner, BaseException) and inner is not error.__cause__:
        # WorkerFailed is raised without `from`, so its traceback is one line; where the
        # worker failed is only in the error it wraps (issue #21: an undiagnosable log)
        text += "\nThe worker's error:\n\n" + "".join(traceback.format_exception(inner))
    for directory in _crash_dirs():
        path = directory / f"crash-{stamp}.log"
        try:
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            with contextlib.suppress(OSError):
                path.unlink()
    return None


def _crash_dirs() -> Iterator[Path]:
    with contextlib.suppress(Exception):
        yield labtui_home()
    yield Path(tempfile.gettempdir())


def describe_report(report: Path | None) -> str:
    return f"Details were saved to {report}" if report else "The details could not be saved."


class FatalErrorLog:
    """A crash log that ``faulthandler`` fills if native code kills the process.

    A segfault (issue #21: a tree-sitter grammar) ends the process before any Python
    handler runs, so nothing else could say what happened. The file is created on start
    and removed on a clean exit when nothing was written to it.
    """

    def __init__(self) -> None:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = labtui_home() / f"crash-{stamp}-fatal.log"
        self._handle: IO[str] | None = None
        try:
            self._handle = self.path.open("w", encoding="utf-8")
        except OSError:
            faulthandler.enable(all_threads=True)  # no file: at least the terminal sees it
            return
        faulthandler.enable(self._handle, all_threads=True)

    def close(self) -> None:
        faulthandler.disable()
        if self._handle is None:
            return
        self._handle.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_size == 0:
                self.path.unlink()


def latest_crash_log() -> Path | None:
    """The newest non-empty crash log in the data directory, if any."""
    logs = []
    try:
        candidates = list(labtui_home().glob("crash-*.log"))
    except Exception:
        return None
    for path in candidates:
        with contextlib.suppress(OSError):
            stat = path.stat()
            if stat.st_size:
                logs.append((stat.st_mtime, path))
    return max(logs)[1] if logs else None
