"""Save the details of an unexpected error where a bug report can find them."""

from __future__ import annotations

import datetime as _dt
import traceback
from pathlib import Path

from labtui.paths import labtui_home


def write_crash_report(error: BaseException) -> Path:
    """Write the traceback to ``$LABTUI_HOME/crash-<timestamp>.log`` and return the path."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = labtui_home() / f"crash-{stamp}.log"
    path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return path
