"""A crash while resuming cannot lock the learner out (issue #21).

The child process below resumes into an exercise whose editor dies of a real SIGSEGV in
native code (``ctypes.string_at(0)``, standing in for the tree-sitter grammar bug). The
next start must open the home screen, say what happened and where the crash log is, and
the crash log must hold the Python stack that ``faulthandler`` wrote.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from labtui.crashlog import FatalErrorLog, latest_crash_log
from labtui.tui import resume_guard
from labtui.tui.screens.exercise import ExerciseScreen
from labtui.tui.screens.home import HomeScreen

from .conftest import AppFactory

REPO = Path(__file__).resolve().parents[2]

CRASHES_ON_RESUME = """
import asyncio, ctypes, os, sys
from pathlib import Path
sys.path.insert(0, os.environ["REPO"])
from labtui.crashlog import FatalErrorLog
from labtui.tui.app import create_app
from labtui.tui.services import Services
from labtui.tui.widgets.workspace import WorkspaceEditor
from tests.tui.fakes import FakeGrading, FakeSandbox, FakeSimulator

def segfault_opening(self, name, draft=None):
    print("OPENING", name, flush=True)
    ctypes.string_at(0)  # a NULL read in native code: SIGSEGV, no Python exception

WorkspaceEditor.open = segfault_opening

async def main():
    course = Path(os.environ["COURSE"])
    services = Services(FakeGrading(course), FakeSandbox(), FakeSimulator())
    app = create_app(course, services=services, background_load=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
        print("SURVIVED", flush=True)

fatal = FatalErrorLog()
asyncio.run(main())
"""


async def _settle(app: Any, pilot: Any) -> None:
    for _ in range(40):
        await pilot.pause(0.05)
        if isinstance(app.screen, ExerciseScreen):
            break
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_a_segfault_while_resuming_opens_home_next_time_and_says_why(
    make_app: AppFactory, course_root: Path, labtui_home: Path, store: Any
) -> None:
    store.set_ui_state("me", "resume", {"screen": "exercise", "target": "hello-function"})
    child = subprocess.run(
        [sys.executable, "-c", CRASHES_ON_RESUME], capture_output=True, text=True,
        timeout=120, check=False,
        env={**os.environ, "REPO": str(REPO), "COURSE": str(course_root),
             "LABTUI_HOME": str(labtui_home)},
    )
    assert child.returncode == -signal.SIGSEGV, child.stdout + child.stderr
    assert "OPENING handler.py" in child.stdout and "SURVIVED" not in child.stdout

    crash_log = latest_crash_log()
    assert crash_log is not None and crash_log.name.endswith("-fatal.log")
    written = crash_log.read_text()
    assert "Segmentation fault" in written and "segfault_opening" in written

    import asyncio

    async def next_start() -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await _settle(app, pilot)
            assert isinstance(app.screen, HomeScreen)
            told = [a for a in app.announcements if "stopped unexpectedly" in a]
            assert told, app.announcements
            assert "reopening the exercise 'hello-function'" in told[0]
            assert str(crash_log) in told[0]

    asyncio.run(next_start())
    assert resume_guard.interrupted(store, "me") is None  # said once, not on every start

    async def start_after_that() -> None:  # the exercise is reachable again
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            app.open_exercise("hello-function")
            await _settle(app, pilot)
            assert isinstance(app.screen, ExerciseScreen)

    asyncio.run(start_after_that())


async def test_a_resume_that_is_used_leaves_no_marker(make_app: AppFactory, store: Any) -> None:
    store.set_ui_state("me", "resume", {"screen": "exercise", "target": "hello-function"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        assert isinstance(app.screen, ExerciseScreen)
        assert resume_guard.interrupted(store, "me") == {
            "screen": "exercise", "target": "hello-function"}
        await pilot.press("1")  # the learner uses the screen: it did not crash
        assert resume_guard.interrupted(store, "me") is None


async def test_a_clean_exit_after_resuming_leaves_no_marker(
    make_app: AppFactory, store: Any
) -> None:
    store.set_ui_state("me", "resume", {"screen": "exercise", "target": "hello-function"})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        assert resume_guard.interrupted(store, "me") is not None
    assert resume_guard.interrupted(store, "me") is None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        assert isinstance(app.screen, ExerciseScreen)  # resumed, no false alarm
        assert not [a for a in app.announcements if "stopped unexpectedly" in a]


def test_the_fatal_log_is_removed_when_nothing_was_written(labtui_home: Path) -> None:
    log = FatalErrorLog()
    assert log.path.parent == labtui_home and log.path.exists()
    log.close()
    assert not log.path.exists()
    assert latest_crash_log() is None
