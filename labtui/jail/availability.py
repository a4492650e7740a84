"""Can this machine build a jail? Asked once per lab process (design.md §6.1).

A jail needs Linux, bubblewrap and unprivileged user namespaces. Where any is missing
(macOS, a kernel or container that forbids user namespaces, or ``LABTUI_JAIL=off``),
learner code runs as a plain child process and :func:`notice` says so once; the README's
"Limits" section lists what is then not protected.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from labtui.jail import bwrap
from labtui.jail.spec import JailSpec

_LOG = logging.getLogger("labtui.jail")
_LOCK = threading.Lock()
_CACHED: JailSupport | None = None
_NOTICED = False


@dataclass(frozen=True, slots=True)
class JailSupport:
    available: bool
    reason: str  # why there is no jail ("" when there is one)
    bwrap: str = ""
    etc_dir: Path | None = None
    # RLIMIT_NPROC counts per user namespace from Linux 5.14 and binds non-root users only.
    nproc_holds: bool = False


def _kernel_at_least(major: int, minor: int) -> bool:
    try:
        numbers = os.uname().release.split("-")[0].split(".")
        return (int(numbers[0]), int(numbers[1])) >= (major, minor)
    except (ValueError, IndexError):
        return False


def _probe() -> JailSupport:
    if os.environ.get("LABTUI_JAIL", "").lower() in ("off", "0", "no"):
        return JailSupport(False, "LABTUI_JAIL=off turned the jail off")
    if not sys.platform.startswith("linux"):
        return JailSupport(False, f"bubblewrap needs Linux (this is {sys.platform})")
    found = shutil.which("bwrap")
    if found is None:
        return JailSupport(False, "bubblewrap (bwrap) is not installed")
    etc_dir = bwrap.etc_files(Path(tempfile.mkdtemp(prefix="labtui-jail-etc-")))
    atexit.register(shutil.rmtree, etc_dir, True)
    argv = bwrap.command(JailSpec(argv=("true",)), etc_dir=etc_dir, handover_fd=-1, bwrap=found)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return JailSupport(False, f"bubblewrap could not start: {error}")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return JailSupport(False, f"bubblewrap cannot make namespaces here ({last})")
    nproc = os.getuid() != 0 and _kernel_at_least(5, 14)
    return JailSupport(True, "", found, etc_dir, nproc)


def support() -> JailSupport:
    global _CACHED
    with _LOCK:
        if _CACHED is None:
            _CACHED = _probe()
        return _CACHED


def notice() -> str | None:
    """The one-line warning when learner code runs unjailed; logged the first time only."""
    global _NOTICED
    found = support()
    if found.available:
        return None
    message = (
        f"labtui: no jail for learner code ({found.reason}); handlers and scripts run as "
        "plain child processes (see README, Limits)"
    )
    with _LOCK:
        first, _NOTICED = not _NOTICED, True
    if first:
        _LOG.warning(message)
    return message
