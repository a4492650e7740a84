"""Ctrl+End and Ctrl+Home in the Files tab's editor go to the end and the start of the file
(TextArea binds neither; found by hand: commands meant for the end of a starter setup.sh
were typed above its first line)."""

from __future__ import annotations

from labtui.tui.widgets.workspace import WorkspaceEditor

from .conftest import AppFactory
from .test_exercise import open_exercise


async def test_ctrl_end_and_ctrl_home_move_to_the_end_and_the_start_of_the_file(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("2", "enter")
        editor = screen.query_one(WorkspaceEditor).editor
        assert app.focused is editor
        lines = editor.text.split("\n")
        await pilot.press("ctrl+end", "x")
        assert editor.text.split("\n")[-1] == lines[-1] + "x"
        await pilot.press("ctrl+home", "y")
        assert editor.text.startswith("y" + lines[0])
        await pilot.press("ctrl+home", "ctrl+shift+end")
        assert editor.selected_text == editor.text
