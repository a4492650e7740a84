"""The wheel carries the course: lessons/, quizzes/, sandbox/ under labtui/_content."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_the_course_and_lints_from_the_installed_copy(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    wheel = next(dist.glob("labtui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("lessons", "quizzes", "sandbox"):
        assert any(n.startswith(f"labtui/_content/{folder}/") for n in names), folder
    assert "labtui/_content/lessons/course.yaml" in names

    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k != "LABTUI_CONTENT"}
    env["PYTHONPATH"] = str(site)
    lint = subprocess.run(
        [sys.executable, "-m", "labtui", "content", "lint"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert str(site / "labtui" / "_content") in lint.stdout + lint.stderr
    assert lint.returncode == 0, lint.stdout[-3000:] + lint.stderr[-2000:]
