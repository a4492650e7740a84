"""An unusable data directory is the user's situation, not a bug (issue 22).

Each case runs the real ``labtui`` in a child process: exit 2, one line that names the
path and what to do, no traceback, nothing overwritten, and no empty crash logs left.
Read-only and full disks are made with bubblewrap mounts (root ignores file modes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    ["progress", "export"],
    ["hint", "first-function", "--yes"],
    ["quiz", "lambda-fundamentals", "--count", "1"],
    ["solution", "first-function", "--force"],
]

BWRAP = shutil.which("bwrap")


def _labtui(args: list[str], home: Path, wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LABTUI_HOME": str(home)}
    command = [*(wrap or []), sys.executable, "-m", "labtui.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, input="",
                          timeout=120, check=False)


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("labtui: error:") and str(path) in line


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_home_that_is_a_file(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "home"
    home.write_text("not a directory")
    result = _labtui(args, home)
    _assert_one_clear_line(result, home)
    assert home.read_text() == "not a directory"


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_progress_file_of_random_bytes_is_left_untouched(tmp_path: Path, args: list[str]) -> None:
    database = tmp_path / "progress.sqlite3"
    junk = os.urandom(4096)
    database.write_bytes(junk)
    result = _labtui(args, tmp_path)
    _assert_one_clear_line(result, database)
    assert "not a labtui progress database" in result.stderr
    assert database.read_bytes() == junk
    assert not list(tmp_path.glob("crash-*.log"))


@pytest.mark.skipif(BWRAP is None, reason="needs bubblewrap for a read-only mount")
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_read_only_home(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "ro"
    home.mkdir()
    wrap = [str(BWRAP), "--dev-bind", "/", "/", "--ro-bind", str(home), str(home)]
    result = _labtui(args, home, wrap)
    _assert_one_clear_line(result, home)
    assert "not writable" in result.stderr


@pytest.mark.skipif(BWRAP is None, reason="needs bubblewrap for a small tmpfs")
def test_full_disk(tmp_path: Path) -> None:
    home = tmp_path / "full"
    home.mkdir()
    # a 64 KiB disk: the database cannot even be created in full
    wrap = [str(BWRAP), "--dev-bind", "/", "/", "--size", str(64 * 1024), "--tmpfs", str(home),
            "sh", "-c", f'head -c 60000 /dev/zero > {home}/filler; exec "$0" "$@"']
    result = _labtui(["hint", "first-function", "--yes"], home, wrap)
    _assert_one_clear_line(result, home)
    assert "full" in result.stderr
