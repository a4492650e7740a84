"""Save the details of an unexpected error where a bug report can find them."""

from __future__ import annotations

import contextlib
import datetime as _dt
import faulthandler
import traceback
from pathlib import Path

from labtui.paths import labtui_home


def write_crash_report(error: BaseException) -> Path:
    """Write the traceback to ``$LABTUI_HOME/crash-<timestamp>.log`` and return the path."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = labtui_home() / f"crash-{stamp}.log"
    path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return path


class FatalErrorLog:
    """A crash log that ``faulthandler`` fills if native code kills the process.

    A segfault (issue #21: a tree-sitter grammar) ends the process before any Python
    handler runs, so nothing else could say what happened. The file is created on start
    and removed on a clean exit when nothing was written to it.
    """

    def __init__(self) -> None:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = labtui_home() / f"crash-{stamp}-fatal.log"
        self._handle = self.path.open("w", encoding="utf-8")
        faulthandler.enable(self._handle, all_threads=True)

    def close(self) -> None:
        faulthandler.disable()
        self._handle.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_size == 0:
                self.path.unlink()


def latest_crash_log() -> Path | None:
    """The newest non-empty crash log in the data directory, if any."""
    logs = []
    for path in labtui_home().glob("crash-*.log"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            if stat.st_size:
                logs.append((stat.st_mtime, path))
    return max(logs)[1] if logs else None
