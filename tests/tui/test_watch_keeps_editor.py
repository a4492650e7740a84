"""Watch mode re-checks on save without taking the keyboard from the editor."""

from __future__ import annotations

from typing import Any

from textual.widgets import TabbedContent, TextArea

from labtui.tui.screens.dialogs import ConfirmScreen
from labtui.tui.widgets.workspace import WorkspaceEditor

from .conftest import AppFactory
from .test_exercise import open_exercise


async def test_a_watch_recheck_after_ctrl_s_leaves_the_learner_typing_in_the_editor(
    make_app: AppFactory, services: Any
) -> None:
    """Found by hand: after ctrl+s in watch mode, the check moved focus to the file list,
    so the learner's next keys ran r Reset (and y confirmed it), h Hint, v Solution."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("w", "2", "enter")
        editor = screen.query_one(WorkspaceEditor).editor
        assert app.focused is editor
        await pilot.press("x", "ctrl+s")
        screen._poll_watch()  # the watch timer's tick
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert services.grading.graded == ["hello-function"]
        assert screen.query_one(TabbedContent).active == "files"
        assert isinstance(app.focused, TextArea)
        await pilot.press("r", "y")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "xry" in editor.text
