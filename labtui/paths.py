"""Where labtui keeps learner data.

One directory holds the progress database and the learner workspaces:
``$LABTUI_HOME`` when set, otherwise the platform's user data directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def labtui_home() -> Path:
    """The data directory, created on first use."""
    override = os.environ.get("LABTUI_HOME")
    if override:
        home = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        home = Path(user_data_dir("labtui", appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_path() -> Path:
    return labtui_home() / "progress.sqlite3"


def workspaces_dir() -> Path:
    path = labtui_home() / "workspaces"
    path.mkdir(parents=True, exist_ok=True)
    return path
