"""Golden screens at 80×24: home, lesson, exercise results, problem panel.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from .conftest import AppFactory
from .test_problems import break_course


def test_home(snap_compare: Any, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_lesson(snap_compare: Any, make_app: AppFactory) -> None:
    async def open_lesson(pilot: Pilot[Any]) -> None:
        await pilot.press("enter")
        for _ in range(100):  # until the Markdown is laid out and the position restored
            await pilot.pause(0.05)
            if getattr(pilot.app.screen, "loaded", False):
                break
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=open_lesson)


def test_exercise_results(snap_compare: Any, make_app: AppFactory) -> None:
    async def check_starter(pilot: Pilot[Any]) -> None:
        pilot.app.open_exercise("hello-function")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pilot.app.clear_notifications()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=check_starter)


def test_problem_panel(snap_compare: Any, make_app: AppFactory, course_root: Path) -> None:
    break_course(course_root)

    async def open_problems(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await pilot.pause()
        pilot.app.clear_notifications()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=open_problems)
