"""Plain high-contrast mode, settings, the command palette and a wide terminal."""

from __future__ import annotations

import shutil
from typing import Any

from textual.widgets import Input, OptionList

from labtui.tui.screens.home import HomeScreen
from labtui.tui.screens.lesson import LessonScreen
from labtui.tui.screens.settings import SettingsScreen
from labtui.tui.widgets.announcer import Announcer
from labtui.tui.widgets.results import CheckResults

from .conftest import AppFactory

BOX_DRAWING = {chr(c) for c in range(0x2500, 0x2580)}


async def test_plain_mode_speaks_in_lines_and_draws_no_boxes(make_app: AppFactory) -> None:
    app = make_app(plain=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.has_class("-plain")
        first = str(app.screen.query_one("#modules", OptionList).get_option_at_index(0).prompt)
        assert first.startswith("[new] 01") and "0%" in first
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, LessonScreen)
        spoken = [line for line in app.screen.query_one(Announcer).lines]
        assert any("Lesson 01: First steps with Lambda" in line for line in spoken)
        app.open_exercise("hello-function")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        results = app.screen.query_one(CheckResults).shown_text
        assert "FAIL c2 It returns a greeting" in results and "PASS c1" in results
        assert not BOX_DRAWING & set(results)
        spoken = [line for line in app.screen.query_one(Announcer).lines]
        assert any("1 of 2 checks pass" in line for line in spoken)


def test_plain_lessons_turn_tables_into_lists() -> None:
    from labtui.tui.screens.lesson import tables_as_lists

    table = "| model | retries |\n|---|---|\n| sync | none |\n| async | 2 |\n"
    assert tables_as_lists(table) == "- model: sync; retries: none\n- model: async; retries: 2\n"


async def test_settings_change_theme_and_name(make_app: AppFactory, store: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-light"
        assert store.ui_state("me", "settings")["theme"] == "light"
        name = app.screen.query_one("#learner-name", Input)
        name.value = "Ana"
        await pilot.press("ctrl+s")
        assert dict(store.learners())["me"] == "Ana"
        data_dir = str(app.screen.query_one("#data-dir").render())
        assert "Data directory" in data_dir
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Hello Ana" in str(app.screen.query_one("#overall").render())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-light"  # remembered


async def test_command_palette_lists_the_screen_keys(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Continue  [c]" in titles and "Settings  [s]" in titles
        await pilot.press("enter")
        await pilot.pause(0.3)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Contents  [t]" in titles and "Mark read  [d]" in titles


async def test_wide_terminal_shows_the_table_of_contents(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.viewer.show_table_of_contents
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, LessonScreen):
                break
        assert isinstance(app.screen, LessonScreen)  # resumed
        assert not app.screen.viewer.show_table_of_contents
        await pilot.press("t")
        assert app.screen.viewer.show_table_of_contents


async def test_plain_mode_speaks_under_a_dialog_too(make_app: AppFactory) -> None:
    from labtui.tui.screens.dialogs import ScenarioScreen

    app = make_app(plain=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("retries")
        await pilot.pause(0.3)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ScenarioScreen)
        lesson = app.screen_stack[-2]
        spoken = list(lesson.query_one(Announcer).lines)
        assert any("finished: 4 trace events" in line for line in spoken), spoken


async def test_content_path_setting_is_checked_and_used_next_start(
    make_app: AppFactory, store: Any, services: Any, course_root: Any, tmp_path: Any,
    monkeypatch: Any,
) -> None:
    from labtui.tui.app import create_app

    monkeypatch.delenv("LABTUI_CONTENT", raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        path = app.screen.query_one("#content-path", Input)
        path.value = str(tmp_path / "nowhere")
        await pilot.press("ctrl+s")
        assert any("has no lessons/course.yaml" in a for a in app.announcements)
        assert "content_path" not in store.ui_state("me", "settings")
        other = tmp_path / "other-course"
        shutil.copytree(course_root, other)
        path.value = str(other)
        await pilot.press("ctrl+s")
        assert store.ui_state("me", "settings")["content_path"] == str(other.resolve())
    again = create_app(None, store, services=services, background_load=False)
    assert again.course.root == other.resolve()
