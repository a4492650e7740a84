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


POLICY = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
          '"Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:%s:order-failures"}]}')
DESTINATION_SETUP = (
    "URL=$(aws sqs get-queue-url --queue-name order-failures --query QueueUrl --output text)\n"
    'ARN=$(aws sqs get-queue-attributes --queue-url "$URL" --attribute-names QueueArn '
    "--query Attributes.QueueArn --output text)\n"
    "aws iam put-role-policy --role-name order-processor-role --policy-name send "
    "--policy-document file://send-policy.json\n"
    "aws lambda put-function-event-invoke-config --function-name order-processor "
    "--maximum-retry-attempts 2 --maximum-event-age-in-seconds 3600 "
    '--destination-config "{\\"OnFailure\\": {\\"Destination\\": \\"$ARN\\"}}"\n'
)


@pytest.mark.sandbox
def test_a_copied_arn_that_iam_accepts_is_named_when_a_check_fails(
    sandbox: Any, tmp_path: Path
) -> None:
    """async-failure-destination, done in the workbench as the README goes (issue #21): the
    queue ARN the shell printed, pasted into send-policy.json. IAM takes any ARN, so setup.sh
    runs; c3/c4 fail with a hint the learner already followed ('allow sqs:SendMessage on the
    order-failures ARN'). The report's note names the file and both accounts (R-3.7)."""
    from labtui.grading.service import grade

    live = learner_identity("me.async-failure-destination").account_id
    (tmp_path / "setup.sh").write_text(DESTINATION_SETUP)
    (tmp_path / "send-policy.json").write_text(POLICY % live)
    report = grade("async-failure-destination", solution_dir=tmp_path, seed=1)
    assert report.error is None and {r.id for r in report.failed()} == {"c3", "c4"}
    assert report.note is not None
    assert report.note.startswith(f"send-policy.json names account {live}, but checks run "
                                  "setup.sh in a fresh account (")


def test_files_setup_sh_writes_or_never_names_are_not_blamed(tmp_path: Path) -> None:
    """policy.json made by setup.sh from a template, and output kept from the shell, hold
    the shell's account but are not what the check ran."""
    from labtui.account.identity import access_key_for
    from labtui.grading.apply import foreign_account_note

    (tmp_path / "setup.sh").write_text(
        "sed s/X/$ARN/ send-policy.json > policy.json\naws iam put-role-policy "
        "--policy-document file://policy.json\n")
    (tmp_path / "send-policy.json").write_text(POLICY % "X")
    (tmp_path / "policy.json").write_text(POLICY % "111122223333")
    (tmp_path / "config.json").write_text(POLICY % "111122223333")
    env = {"AWS_ACCESS_KEY_ID": access_key_for("grader")}
    assert foreign_account_note(tmp_path, env) is None
    (tmp_path / "send-policy.json").write_text(POLICY % "111122223333")
    note = foreign_account_note(tmp_path, env) or ""
    assert note.startswith("send-policy.json names account 111122223333")
    # where this kind of ARN comes from (a queue's: not the --query Role.Arn of a role)
    assert "--query Attributes.QueueArn --output text" in note
