"""A learner's own AWS settings never reach a setup script's aws commands (issue 19/22).

The grader runs setup.sh's ``aws`` lines through an in-process AWS CLI driver; botocore
reads AWS_PROFILE from the process environment, so a learner whose terminal names a real
profile saw every command fail with "The config profile ... could not be found".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labtui.grading.awscli import run_in_process
from labtui.grading.sandbox import grading_learner, shared_sandbox


def test_setup_commands_ignore_the_machines_aws_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = shared_sandbox()  # a started sandbox clears these once; a later shell may not
    monkeypatch.setenv("AWS_PROFILE", "real-production")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "REAL-SECRET")
    env = sandbox.env(grading_learner("profile-test"))
    record = run_in_process(["sqs", "create-queue", "--queue-name", "profile-check"],
                            str(tmp_path), env)
    assert record.rc == 0, record.stderr
    assert "profile-check" in record.stdout and "eu-west-3" not in record.stdout
    # and the learner's settings are back afterwards
    import os

    assert os.environ["AWS_PROFILE"] == "real-production"


def test_setup_commands_read_and_write_no_aws_file_of_the_machine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `aws configure set` in a setup.sh wrote the learner's own ~/.aws/config.
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    real = {"config": "[default]\nregion = eu-west-3\n",
            "credentials": "[default]\naws_access_key_id = AKIAREAL\n"}
    for name, text in real.items():
        (home / ".aws" / name).write_text(text)
    monkeypatch.setenv("HOME", str(home))
    env = shared_sandbox().env(grading_learner("configure-test"))
    for argv in (["configure", "set", "region", "ap-south-1"],
                 ["configure", "set", "aws_access_key_id", "AKIAOTHER"]):
        record = run_in_process(argv, str(tmp_path), env)
        assert record.rc == 0, record.stderr
    listed = run_in_process(["configure", "list"], str(tmp_path), env)
    assert "eu-west-3" not in listed.stdout and "ap-south-1" not in listed.stdout
    for name, text in real.items():
        assert (home / ".aws" / name).read_text() == text
    assert sorted(p.name for p in (home / ".aws").iterdir()) == ["config", "credentials"]
