"""The jail finds the lab's Python wherever it was installed: a virtual environment made
under /tmp (``python3 -m venv /tmp/venv``) is not hidden by the jail's own /tmp."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from labtui import jail

pytestmark = pytest.mark.skipif(
    not jail.support().available, reason=f"no jail on this machine: {jail.support().reason}"
)
ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from labtui import jail
support = jail.support()
print("available" if support.available else support.reason)
code, out, _err = jail.run(jail.JailSpec(argv=(sys.executable, "-c", "print(42)"),
                                         env={"PATH": "/usr/bin:/bin"}), 60)
print(code, out.strip())
"""


def test_a_lab_running_from_a_venv_under_tmp_still_jails() -> None:
    # /tmp explicitly: pytest's tmp_path may live elsewhere (TMPDIR)
    place = Path(tempfile.mkdtemp(prefix="labtui-venv-", dir="/tmp"))
    try:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(place / "venv")],
                       check=True, timeout=120)
        probe = place / "probe.py"
        probe.write_text(PROBE)
        done = subprocess.run([str(place / "venv" / "bin" / "python"), str(probe), str(ROOT)],
                              capture_output=True, text=True, timeout=120)
        assert done.stdout.splitlines() == ["available", "0 42"], done.stderr
    finally:
        shutil.rmtree(place, ignore_errors=True)
