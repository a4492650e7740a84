"""Exercises done entirely in the workbench, as a learner would: the README's own command
blocks typed into the Shell tab (against the TUI's sandbox), files edited in the Files tab,
then F5 grades and the check passes.

Marked ``sandbox`` and ``slow``: each test starts the offline account and grades once.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from labtui.course.resolver import content_root
from labtui.progress.store import ProgressStore
from labtui.tui.app import create_app
from labtui.tui.screens.exercise import ExerciseScreen
from labtui.tui.terminal_session import pty_available
from labtui.tui.widgets.results import CheckResults
from labtui.tui.widgets.workspace import WorkspaceEditor

from .shell_driver import run, run_whole, shell_ready

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.slow,
    pytest.mark.skipif(not pty_available(), reason="the workbench shell needs a pty"),
]


def readme_blocks(exercise: str) -> list[str]:
    """The ```bash blocks of an exercise's README, exactly as written."""
    text = (content_root() / "sandbox" / exercise / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^( *)```bash(?: run[^\n]*)?\n(.*?)^ *```", text, re.S | re.M)
    return [textwrap.dedent(block).strip("\n") for _indent, block in blocks]


@pytest.fixture
def learner_shell_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A new learner: bash, an empty home (no ~/.bashrc), and real-looking AWS settings on
    the machine that must not reach the shell."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.setenv("AWS_PROFILE", "real-production")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "REAL-SECRET-MUST-NOT-LEAK")
    # As in a learner's labtui, the sandbox starts with these settings in the environment
    # (not an earlier test's sandbox, started before they were set)
    from labtui.grading.sandbox import stop_shared_sandbox

    stop_shared_sandbox()


async def edit(app: Any, pilot: Any, name: str, text: str) -> None:
    """Open ``name`` in the Files tab, replace its text, save with Ctrl+S."""
    await pilot.press("escape", "2")  # leave the shell, go to Files
    editor = app.screen.query_one(WorkspaceEditor)
    editor.open(name)
    editor.editor.load_text(text)
    editor.editor.focus()
    await pilot.press("ctrl+s")
    await pilot.press("escape", "3")  # stop editing (to the file list), back to the shell


async def grade(app: Any, pilot: Any) -> ExerciseScreen:
    await pilot.press("f5")
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExerciseScreen)
    return screen


async def open_in_workbench(app: Any, pilot: Any, exercise: str) -> Any:
    app.open_exercise(exercise)
    await pilot.pause()
    await pilot.press("3")
    return await shell_ready(app, pilot)


async def test_first_function_from_the_readme(
    labtui_home: Path, learner_shell_env: None
) -> None:
    root = content_root()
    pack = root / "sandbox" / "first-function"
    role, create, invoke = readme_blocks("first-function")
    with ProgressStore(labtui_home / "progress.sqlite3") as store:
        app = create_app(root, store, background_load=False, resume=False)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                shell = await open_in_workbench(app, pilot, "first-function")
                out = await run(pilot, shell, "env | grep -c REAL-SECRET; command -v aws")
                assert out.splitlines()[1] == "0", out  # no machine secret in the shell
                assert "".join(out.splitlines()[2:-1]) == str(labtui_home / "workbench/bin/aws")

                # trust.json's placeholder, fixed in the shell
                await run(pilot, shell, "sed -i 's/TODO.amazonaws.com/lambda.amazonaws.com/' "
                          "trust.json")
                out = await run(pilot, shell, role)
                assert "lab-lambda-role" in out and "error" not in out.lower(), out

                await edit(app, pilot, "app.py", (pack / "solution" / "app.py").read_text())
                out = await run(pilot, shell, create)
                assert '"FunctionName": "lab-hello"' in out, out

                out = await run(pilot, shell, invoke)
                assert '"message": "hello, Vinod"' in out and '"memory_mb": 128' in out, out

                # step 5: the commands the README names (written as its hints give them)
                out = await run(pilot, shell, "\n".join([
                    "labtui aws lambda update-function-configuration --function-name "
                    "lab-hello --memory-size 512 --timeout 10 > /dev/null",
                    "labtui aws lambda wait function-updated-v2 --function-name lab-hello",
                    "VER=$(labtui aws lambda publish-version --function-name lab-hello "
                    "--query Version --output text)",
                    'labtui aws lambda create-alias --function-name lab-hello --name prod '
                    '--function-version "$VER" --query FunctionVersion',
                ]))
                assert out.splitlines()[-2].strip() == '"1"', out
                # the shell keeps its state: $VER and the working directory are still there
                out = await run(pilot, shell, 'echo "v=$VER"; basename "$PWD"')
                assert out.splitlines()[1:3] == ["v=1", "first-function"], out

                # the graded script: the same commands, saved from the Files tab
                await edit(app, pilot, "setup.sh", (pack / "solution" / "setup.sh").read_text())
                screen = await grade(app, pilot)
                shown = screen.query_one(CheckResults).shown_text
                assert screen.last_grade is not None and screen.last_grade.passed, shown
        finally:
            if app._services is not None:
                app._services.sandbox.stop()


async def test_sqs_partial_batch_from_the_readme(
    labtui_home: Path, learner_shell_env: None
) -> None:
    root = content_root()
    pack = root / "sandbox" / "sqs-partial-batch"
    look_around, set_attributes = readme_blocks("sqs-partial-batch")
    with ProgressStore(labtui_home / "progress.sqlite3") as store:
        app = create_app(root, store, background_load=False, resume=False)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                shell = await open_in_workbench(app, pilot, "sqs-partial-batch")
                # the live account holds the exercise's resources ("What is in your account")
                out = await run(pilot, shell, look_around)
                assert '"VisibilityTimeout": "30"' in out and '"BatchSize": 10' in out, out
                assert '"ReportBatchItemFailures"' in out, out  # the mapping, updated
                await run(pilot, shell, 'DLQ_ARN=$(labtui aws sqs get-queue-attributes '
                          '--queue-url "$(labtui aws sqs get-queue-url --queue-name payments-dlq '
                          '--query QueueUrl --output text)" --attribute-names QueueArn '
                          '--query Attributes.QueueArn --output text)')
                await run_whole(pilot, shell, "\n".join([
                    "cat > queue-attributes.json <<JSON",
                    "{",
                    '  "RedrivePolicy": "{\\"deadLetterTargetArn\\":\\"$DLQ_ARN\\",'
                    '\\"maxReceiveCount\\":\\"3\\"}",',
                    '  "VisibilityTimeout": "180"',
                    "}",
                    "JSON",
                ]))
                out = await run(pilot, shell, set_attributes + "; echo exit=$?")
                assert "exit=0" in out, out
                out = await run(pilot, shell, "labtui aws sqs get-queue-attributes --queue-url "
                                '"$URL" --attribute-names RedrivePolicy VisibilityTimeout')
                assert '\\"maxReceiveCount\\": 3' in out and '"VisibilityTimeout": "180"' in out, out

                await edit(app, pilot, "app.py", (pack / "solution" / "app.py").read_text())
                await edit(app, pilot, "setup.sh", (pack / "solution" / "setup.sh").read_text())
                out = await run(pilot, shell, "bash setup.sh && echo deployed")
                assert out.splitlines()[-2] == "deployed", out
                screen = await grade(app, pilot)
                shown = screen.query_one(CheckResults).shown_text
                assert screen.last_grade is not None and screen.last_grade.passed, shown
        finally:
            if app._services is not None:
                app._services.sandbox.stop()


async def test_order_pipeline_from_the_workbench(
    labtui_home: Path, learner_shell_env: None
) -> None:
    """The capstone's README has no command blocks: the learner edits the three functions and
    setup.sh in the Files tab and runs the script from the shell against the live account."""
    root = content_root()
    solution = root / "sandbox" / "order-pipeline" / "solution"
    with ProgressStore(labtui_home / "progress.sqlite3") as store:
        app = create_app(root, store, background_load=False, resume=False)
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                shell = await open_in_workbench(app, pilot, "order-pipeline")
                out = await run(pilot, shell, "labtui aws lambda get-alias --function-name "
                                "orders-api --name prod --query FunctionVersion")
                assert out.splitlines()[-2].strip() == '"1"', out  # the seeded account
                for path in sorted(solution.rglob("*")):
                    if path.is_file():
                        await edit(app, pilot, path.relative_to(solution).as_posix(),
                                   path.read_text())
                out = await run(pilot, shell, "bash setup.sh > setup.log 2>&1; echo exit=$?")
                assert out.splitlines()[-2] == "exit=0", out
                out = await run(pilot, shell, "labtui aws lambda get-function-concurrency "
                                "--function-name order-worker")
                assert '"ReservedConcurrentExecutions": 50' in out, out
                screen = await grade(app, pilot)
                shown = screen.query_one(CheckResults).shown_text
                assert screen.last_grade is not None and screen.last_grade.passed, shown
        finally:
            if app._services is not None:
                app._services.sandbox.stop()
