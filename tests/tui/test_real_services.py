"""The workbench on the real grader and sandbox (moto): the seams, end to end.

Marked ``sandbox`` and ``slow``: it starts the offline account and grades twice.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labtui.course.resolver import content_root
from labtui.progress.store import ProgressStore
from labtui.tui.app import create_app
from labtui.tui.screens.exercise import ExerciseScreen
from labtui.tui.widgets.results import CheckResults

from .shell_driver import run, shell_ready

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

EXERCISE = "first-function"


async def test_real_check_fails_on_the_starter_then_passes_with_the_solution(
    labtui_home: Path,
) -> None:
    root = content_root()
    if not (root / "sandbox" / EXERCISE / "solution").is_dir():
        pytest.skip(f"the {EXERCISE} pack is not in this checkout")
    with ProgressStore(labtui_home / "progress.sqlite3") as store:
        app = create_app(root, store, background_load=False, resume=False)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                app.open_exercise(EXERCISE)
                await pilot.pause()
                await app.workers.wait_for_complete()
                screen = app.screen
                assert isinstance(screen, ExerciseScreen)
                assert screen.sandbox_endpoint and screen.sandbox_endpoint.startswith(
                    "http://127.0.0.1:")
                assert screen.workspace is not None

                await pilot.press("3")
                shell = await shell_ready(app, pilot)
                out = await run(pilot, shell, "aws lambda list-functions")
                assert '"Functions": []' in out, out
                await pilot.press("escape")  # leave the shell

                await pilot.press("f5")
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert screen.last_grade is not None and not screen.last_grade.passed
                assert "FAIL" in screen.query_one(CheckResults).shown_text or "✗" in (
                    screen.query_one(CheckResults).shown_text)

                for item in (root / "sandbox" / EXERCISE / "solution").iterdir():
                    if item.is_file():
                        shutil.copy(item, screen.workspace / item.name)
                await pilot.press("f5")
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert screen.last_grade is not None and screen.last_grade.passed, (
                    screen.query_one(CheckResults).shown_text)
                assert EXERCISE in store.passed_exercises("me")
        finally:
            if app._services is not None:
                app._services.sandbox.stop()
