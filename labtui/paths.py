"""Where labtui keeps learner data.

One directory holds the progress database and the learner workspaces:
``$LABTUI_HOME`` when set, otherwise the platform's user data directory.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from labtui.errors import LabError


class DataDirError(LabError):
    """The data directory (or a file in it) cannot be used: the user's situation, not a bug."""


def storage_problem(path: Path, error: OSError | Exception) -> DataDirError:
    """One line that names ``path``, what is wrong with it, and what to do (issue 22)."""
    code = getattr(error, "errno", None)
    text = str(error).lower()
    if code == errno.ENOSPC or "disk is full" in text or "disk i/o error" in text:
        reason = "the disk is full (or failing); free some space"
    elif (code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in text
          or "read-only" in text or not os.access(path if path.is_dir() else path.parent, os.W_OK)):
        reason = "it is not writable; make it writable"
    elif code in (errno.EEXIST, errno.ENOTDIR) or (path.exists() and not path.is_dir()
                                                    and path.name != "progress.sqlite3"):
        reason = "a file is in the way where a directory should be; move that file"
    elif "not a database" in text:
        return DataDirError(
            f"{path} is not a labtui progress database (damaged or replaced); nothing was "
            f"changed. Move it aside (e.g. to {path.name}.bad) and run labtui again, or set "
            "LABTUI_HOME to another directory"
        )
    else:
        reason = f"{getattr(error, 'strerror', None) or error}"
    return DataDirError(
        f"cannot use {path}: {reason}, or set LABTUI_HOME to a writable directory"
    )


def labtui_home() -> Path:
    """The data directory, created on first use."""
    override = os.environ.get("LABTUI_HOME")
    if override:
        home = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        home = Path(user_data_dir("labtui", appauthor=False))
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise storage_problem(home, error) from None
    if not home.is_dir():
        raise storage_problem(home, NotADirectoryError(errno.ENOTDIR, "not a directory"))
    return home


def database_path() -> Path:
    return labtui_home() / "progress.sqlite3"


def workspaces_dir() -> Path:
    path = labtui_home() / "workspaces"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise storage_problem(path, error) from None
    return path
