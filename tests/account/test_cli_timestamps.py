"""The lab's aws prints timestamps in ISO 8601, as AWS CLI v2 (which lessons and the AWS
docs show) does, not the epoch numbers the bundled v1 prints by default
(``"LastModified": 1796647977.0``): every path, the workbench shell's aws (and
``labtui aws``), the exercise console's and setup scripts'."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from labtui.account.aws_access import (
    cli_command,
    process_environment,
    sandbox_environment,
)
from labtui.account.learner import LearnerAccount
from labtui.grading.awscli import run_in_process

# what v2 prints, e.g. 2026-12-07T13:42:20.123000+00:00
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$")
LIST = ["lambda", "list-event-source-mappings", "--output", "json"]


@pytest.fixture
def mapped(learner: LearnerAccount, make_function: Callable[..., str]) -> LearnerAccount:
    """An account with one SQS event source mapping (its LastModified is a timestamp)."""
    name = make_function("mapped")
    # Lambda checks at creation that the role may read the mapping's source.
    learner.client("iam").attach_role_policy(
        RoleName="lab-lambda-role",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
    sqs = learner.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    learner.client("lambda").create_event_source_mapping(
        FunctionName=name, EventSourceArn=arn["Attributes"]["QueueArn"], BatchSize=5)
    return learner


def _last_modified(stdout: str) -> object:
    (mapping,) = json.loads(stdout)["EventSourceMappings"]
    return mapping["LastModified"]


def test_the_workbench_shells_aws_prints_iso_8601(mapped: LearnerAccount, tmp_path: Path) -> None:
    # The shell's aws is `python -m labtui.account.awscli_bridge` in the shell's environment.
    environment = process_environment(sandbox_environment(mapped.target(), tmp_path / "aws"))
    done = subprocess.run([sys.executable, "-m", "labtui.account.awscli_bridge", *LIST],
                          env=environment, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert ISO_8601.match(str(_last_modified(done.stdout))), done.stdout


def test_the_consoles_aws_prints_iso_8601(mapped: LearnerAccount, tmp_path: Path) -> None:
    # The exercise console (and anything else started with cli_command) runs `python -m
    # awscli` itself: only the config file of sandbox_environment tells it the format.
    environment = process_environment(sandbox_environment(mapped.target(), tmp_path / "aws"))
    done = subprocess.run(cli_command(LIST, mapped.target()), env=environment,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert ISO_8601.match(str(_last_modified(done.stdout))), done.stdout


def test_a_setup_scripts_aws_prints_iso_8601(
    mapped: LearnerAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The setup-script driver lives in the grading process, whose environment names no lab
    # config file (here: an empty one, as a started sandbox leaves it).
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    (tmp_path / "empty").write_text("")
    env = sandbox_environment(mapped.target(), tmp_path / "aws")
    record = run_in_process(LIST, str(tmp_path), env)
    assert record.rc == 0, record.stderr
    assert ISO_8601.match(str(_last_modified(record.stdout))), record.stdout
