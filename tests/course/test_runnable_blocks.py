"""The commands lessons and exercise READMEs mark ``sh run`` work as written (issue #19).

Each file's blocks run in order against a fresh sandbox account (for an exercise README:
the exercise's seeded account, in a copy of its starter workspace); a failure names the
file and line of the command that failed. Blocks marked ``expect-error=CODE`` must fail
with that error. The format is in labtui/course/runnable.py and the README.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from labtui.course.resolver import content_root
from labtui.course.runnable import RunnableBlock, runnable_blocks

from .block_runner import run_blocks

ROOT = content_root()


@cache
def _blocks(path: Path) -> tuple[RunnableBlock, ...]:
    blocks, problems = runnable_blocks(path, path.read_text(encoding="utf-8"))
    assert not problems, problems
    return tuple(blocks)


@cache
def _course() -> Any:
    """The course, read once for the module (it is only read: each test seeds its own
    account from an exercise's manifest)."""
    from labtui.course.loader import load_course

    return load_course(ROOT)


def _files() -> list[Path]:
    paths = sorted(ROOT.glob("lessons/*.md")) + sorted(ROOT.glob("sandbox/*/README.md"))
    return [path for path in paths if _blocks(path)]


def _account(path: Path, work: Path) -> Any:
    from labtui.grading.sandbox import fresh_account, shared_sandbox

    if path.name == "README.md":  # an exercise: its seeded account, its starter workspace
        pack = _course().exercises[path.parent.name]
        assert pack.manifest is not None
        starter = path.parent / "starter"
        if starter.is_dir():
            shutil.copytree(starter, work, dirs_exist_ok=True)
        return fresh_account(pack.manifest, pack.path, f"blocks-{path.parent.name}")
    account = shared_sandbox().learner(f"blocks-{path.stem}")
    account.wipe()
    return account


def test_the_walkthroughs_are_marked_runnable() -> None:
    files = {str(f.relative_to(ROOT)) for f in _files()}
    # every lesson with shell commands (issue #19: lesson 06's publish-version and
    # create-alias did not run as written); lesson 14 has none. Lesson 11's docker and go
    # builds stay illustrative (no docker, go or ECR in the sandbox).
    lessons = {f"lessons/{name}.md" for name in (
        "01-lambda-fundamentals", "02-function-configuration", "03-invocation-models",
        "04-event-sources", "05-execution-lifecycle", "06-concurrency-scaling",
        "07-failure-handling", "08-permissions-security", "09-vpc-networking",
        "10-versions-aliases", "11-packaging-layers", "12-observability", "13-cost-pricing",
        "15-capstone")}
    # every exercise README with shell commands (order-pipeline's has none)
    readmes = {f"sandbox/{name}/README.md" for name in (
        "account-pool-budget", "alias-canary", "async-failure-destination", "first-function",
        "function-url-iam", "idempotent-async-handler", "init-outside-handler",
        "kinesis-poison-pill", "layer-share", "least-privilege-role", "provisioned-alias",
        "report-line-forensics", "reserved-concurrency-db", "right-size-memory",
        "s3-trigger-no-recursion", "secrets-not-env", "sqs-partial-batch",
        "sqs-visibility-timeout", "sync-vs-async", "vpc-endpoint-s3", "vpc-nat-egress",
        "vpc-rds-access")}
    assert lessons | readmes <= files, sorted((lessons | readmes) - files)
    assert any(b.expect_error for f in _files() for b in _blocks(f))


@pytest.mark.sandbox
@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_runnable_blocks_run_as_written(path: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    account = _account(path, work)
    failures = run_blocks(list(_blocks(path)), account.env(), work, path.relative_to(ROOT))
    assert not failures, "\n".join(str(f) for f in failures)


@pytest.mark.sandbox
def test_failures_name_the_line_and_expected_errors_are_asserted(tmp_path: Path) -> None:
    from labtui.grading.sandbox import shared_sandbox

    page = tmp_path / "page.md"
    page.write_text(
        "```bash run\n"                                            # line 1
        "NAME=from-block-one\n"
        "```\n\n"
        "```bash run\n"                                            # line 5
        "echo \"$NAME\" > carried.txt\n"
        "aws lambda get-function --function-name nope\n"          # line 7 fails
        "echo never\n"
        "```\n\n"
        "```bash run expect-error=ResourceNotFoundException\n"    # line 11: fails as said
        "labtui aws lambda get-function --function-name nope\n"
        "```\n\n"
        "```bash run expect-error=ResourceNotFoundException\n"    # line 15: succeeds
        "true\n"
        "```\n\n"
        "```bash run expect-error=AccessDenied\n"                 # line 19: wrong error
        "aws lambda get-function --function-name nope\n"
        "```\n")
    blocks, problems = runnable_blocks(page, page.read_text())
    assert problems == [] and len(blocks) == 5
    account = shared_sandbox().learner("blocks-selftest")
    account.wipe()
    work = tmp_path / "work"
    work.mkdir()
    failures = [str(f) for f in run_blocks(blocks, account.env(), work, Path("page.md"))]
    assert (work / "carried.txt").read_text() == "from-block-one\n"
    assert len(failures) == 3, failures
    assert failures[0].startswith("page.md:7: exit 255:") and "ResourceNotFoundException" in (
        failures[0])
    assert failures[1] == ("page.md:15: expected it to fail with ResourceNotFoundException, "
                           "it succeeded")
    assert failures[2].startswith("page.md:19: expected AccessDenied, got exit 255")


@pytest.mark.sandbox
def test_init_outside_handler_readme_finds_the_order_it_asks_for(tmp_path: Path) -> None:
    """QA: the README invoked order o-1001 while the table was still empty (found: false)."""
    import json

    path = ROOT / "sandbox" / "init-outside-handler" / "README.md"
    work = tmp_path / "work"
    work.mkdir()
    account = _account(path, work)
    failures = run_blocks(list(_blocks(path)), account.env(), work, path.relative_to(ROOT))
    assert not failures, "\n".join(str(f) for f in failures)
    answer = json.loads((work / "out.json").read_text())
    assert answer == {"orderId": "o-1001", "found": True, "currency": "EUR", "gross_cents": 3000}
