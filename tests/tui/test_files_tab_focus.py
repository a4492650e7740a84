"""The Files tab keeps the keyboard where the learner expects it: in the editor after a
watch re-check, in the file list after Esc."""

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


async def test_esc_in_the_editor_returns_to_the_file_list_where_up_and_enter_pick_a_file(
    make_app: AppFactory,
) -> None:
    """The editor says "esc: stop editing"; TextArea's own Esc moved focus to the tab strip
    instead, where Up and Enter did nothing, so the learner could not open another file."""
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await open_exercise(app, pilot)
        workspace = screen.workspace
        assert workspace is not None
        (workspace / "notes.json").write_text("{}\n")
        await pilot.press("1", "2", "enter")  # the list, refreshed from disk: handler.py
        editor_widget = screen.query_one(WorkspaceEditor)
        assert app.focused is editor_widget.editor and editor_widget.current == "handler.py"
        await pilot.press("escape")
        assert app.focused is screen.query_one("#file-list")
        await pilot.press("down", "enter")
        assert editor_widget.current == "notes.json"
        assert app.focused is editor_widget.editor


async def test_ctrl_s_and_f5_right_after_typing_save_every_key_typed_before_them(
    make_app: AppFactory, services: Any
) -> None:
    """Found by hand (tmux): ctrl+s right after typing saved the file without the last
    keys. ctrl+s and F5 are priority bindings, run when the app reads the key, while the
    keys before them still waited in the editor's queue: a stale buffer was written."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("2", "enter")
        editor = screen.query_one(WorkspaceEditor)
        assert app.focused is editor.editor
        workspace = screen.workspace
        assert workspace is not None and editor.current is not None
        for key, character in [*[(c, c) for c in "typed"], ("ctrl+s", None)]:
            app.post_message(events.Key(key, character))  # as fast as a terminal sends them
        await pilot.pause()
        await pilot.pause()
        assert "typed" in (workspace / editor.current).read_text(encoding="utf-8")
        for character in "again":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("f5", None))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "again" in (workspace / editor.current).read_text(encoding="utf-8")
        assert services.grading.graded == ["hello-function"]
