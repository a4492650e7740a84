"""A learner copies the DLQ's ARN from their workbench shell (their live account) into
queue-attributes.json; checks run setup.sh in a fresh account with another id, so the
command fails. The failure says which file names which account, and what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtui.account.identity import learner_identity
from labtui.grading.apply import SolutionError, apply_solution

SETUP = (
    "URL=$(aws sqs create-queue --queue-name payments --query QueueUrl --output text)\n"
    "aws sqs create-queue --queue-name payments-dlq > /dev/null\n"
    'aws sqs set-queue-attributes --queue-url "$URL" --attributes file://queue-attributes.json\n'
)


@pytest.mark.sandbox
def test_an_arn_copied_from_another_account_is_named(sandbox: Any, tmp_path: Path) -> None:
    live = learner_identity("me.sqs-partial-batch").account_id  # the workbench shell's
    (tmp_path / "setup.sh").write_text(SETUP)
    (tmp_path / "queue-attributes.json").write_text(
        '{"RedrivePolicy": "{\\"deadLetterTargetArn\\":\\"arn:aws:sqs:us-east-1:'
        + live + ':payments-dlq\\",\\"maxReceiveCount\\":\\"3\\"}"}\n')
    account = sandbox.learner("grader-foreign-test")
    account.wipe()
    with pytest.raises(SolutionError) as error:
        apply_solution(tmp_path, account.env())
    grading = learner_identity("grader-foreign-test").account_id
    assert (f"queue-attributes.json names account {live}, but checks run setup.sh in a fresh "
            f"account ({grading})") in error.value.message


@pytest.mark.sandbox
def test_a_failure_with_no_foreign_arn_says_nothing_more(sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "setup.sh").write_text(SETUP)
    (tmp_path / "queue-attributes.json").write_text('{"VisibilityTimeout": "lots"}\n')
    account = sandbox.learner("grader-foreign-test-2")
    account.wipe()
    with pytest.raises(SolutionError) as error:
        apply_solution(tmp_path, account.env())
    assert "names account" not in error.value.message
