"""Resume: the next start returns to the same screen and exercise state, even after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from textual.widgets import TabbedContent

from labtui.tui.screens.exercise import ExerciseScreen
from labtui.tui.screens.home import HomeScreen
from labtui.tui.screens.lesson import LessonScreen
from labtui.tui.widgets.workspace import WorkspaceEditor

from .conftest import AppFactory

REPO = Path(__file__).resolve().parents[2]

# Runs in a child process: open the exercise, switch to the files tab, type without
# saving, wait for the autosave of the draft, then die by SIGKILL (no clean shutdown).
KILLED_MID_EDIT = """
import asyncio, os, signal, sys
from pathlib import Path
sys.path.insert(0, os.environ["REPO"])
from labtui.progress.store import ProgressStore
from labtui.tui.app import create_app
from labtui.tui.services import Services
from tests.tui.fakes import FakeGrading, FakeSandbox, FakeSimulator

async def main():
    course = Path(os.environ["COURSE"])
    services = Services(FakeGrading(course), FakeSandbox(), FakeSimulator())
    app = create_app(course, services=services)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("end", "enter", *"# half-typed idea")
        for _ in range(200):  # until the draft autosave has happened (about a second)
            await pilot.pause(0.05)
            state = app.store.ui_state("me", "exercise:hello-function") or {}
            if "# half-typed idea" in str((state.get("draft") or {}).get("text", "")):
                break
        print("KILLING", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


async def test_restart_returns_to_the_lesson(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, LessonScreen):
                break
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.module.id == "first-steps"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # home stays underneath
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # left from home: starts at home


def test_kill_9_mid_edit_resumes_the_exercise(
    make_app: AppFactory, course_root: Path, labtui_home: Path, store: Any
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", KILLED_MID_EDIT], capture_output=True, text=True, timeout=120,
        env={**os.environ, "REPO": str(REPO), "COURSE": str(course_root),
             "LABTUI_HOME": str(labtui_home)},
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    assert "KILLING" in child.stdout

    import asyncio

    async def restarted() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if isinstance(app.screen, ExerciseScreen):
                    break
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ExerciseScreen)
            assert screen.query_one(TabbedContent).active == "files"
            editor = screen.query_one(WorkspaceEditor)
            assert editor.current == "handler.py"
            assert "# half-typed idea" in editor.editor.text
            assert editor.modified  # restored as unsaved edits, the file itself untouched
            assert any("Restored your unsaved edits" in a for a in app.announcements)

    asyncio.run(restarted())


async def test_resume_with_the_background_load_waits_for_the_course(
    make_app: AppFactory, store: Any
) -> None:
    store.set_ui_state("me", "resume", {"screen": "lesson", "target": "retries"})
    app = make_app(background_load=True)
    assert app._course is None  # the home screen starts from the summary
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, LessonScreen):
                break
        assert isinstance(app.screen, LessonScreen) and app.screen.module.id == "retries"
        assert isinstance(app.screen_stack[-2], HomeScreen)
        # let the new screen finish mounting before the app exits: Textual's Header
        # updates its title in a task that fails if the app tears it down mid-mount
        await pilot.pause(0.2)
