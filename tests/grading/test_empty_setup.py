"""A setup.sh with no commands yet (issue #21): the check says so in one line before the
failures, instead of leaving the learner with "no role named lab-lambda-role"."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from labtui.cli import main
from labtui.grading.apply import NO_COMMANDS, has_commands
from labtui.grading.pack import load_pack
from labtui.grading.service import grade
from labtui.tui.services import grade_view
from labtui.tui.widgets.results import results_text

FIRST = "first-function"


@pytest.mark.parametrize(("script", "commands"), [
    ("", False),
    ("#!/usr/bin/env bash\n# 1. the role\n# aws iam create-role ...\n\n", False),
    ("set -euo pipefail\n  # indented comment\n", False),
    ("set -e\naws iam create-role --role-name r --assume-role-policy-document file://t.json\n",
     True),
    ("ROLE=lab-lambda-role\n", True),
    ("zip -q function.zip app.py  # a comment after a command\n", True),
])
def test_a_script_has_commands_unless_only_comments_and_set_options(
    tmp_path: Path, script: str, commands: bool
) -> None:
    path = tmp_path / "setup.sh"
    path.write_text(script)
    assert has_commands(path) is commands


@pytest.mark.sandbox
def test_checking_the_starter_says_setup_sh_has_no_commands_yet(
    sandbox: Any, tmp_path: Path, capsys: Any
) -> None:
    pack = load_pack(FIRST)
    starter = tmp_path / "starter"
    shutil.copytree(pack.starter, starter)
    assert not has_commands(starter / "setup.sh")  # the shipped starter: comments only
    report = grade(FIRST, solution_dir=starter)
    assert report.error is None and report.note == NO_COMMANDS
    assert report.results and not report.passed  # the checks still run, and fail
    shown = results_text(grade_view(report))
    assert " ".join(NO_COMMANDS.split()) in " ".join(shown.split())  # the workbench's tab 4
    assert main(["check", FIRST, "--solution", str(starter)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"  {NO_COMMANDS}"  # right under the score line, before the failures
    # a script with a command gets no note
    (starter / "setup.sh").write_text("set -euo pipefail\naws iam list-roles > /dev/null\n")
    assert grade(FIRST, solution_dir=starter).note is None
