"""The Files tab and the shell share one workspace: what the shell writes, makes or
removes, the Files tab shows when it is opened again, and the editor never writes a stale
buffer over a newer file (a learner fixed app.py with the shell, then pressed F5)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, TabbedContent

from labtui.paths import workspaces_dir
from labtui.tui.widgets.workspace import SNIFF_BYTES, WorkspaceEditor, why_not_editable

from .conftest import AppFactory
from .test_exercise import open_exercise

FROM_SHELL = 'def handler(event, context):\n    return {"greeting": "from the shell"}\n'


def listed(editor: WorkspaceEditor) -> list[str]:
    return [str(option.id) for option in editor.query_one("#file-list", OptionList).options]


async def test_files_tab_shows_what_the_shell_changed(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("2")
        editor = screen.query_one(WorkspaceEditor)
        assert editor.current == "handler.py" and "return {}" in editor.editor.text
        await pilot.press("1")
        workspace = workspaces_dir() / "me" / "hello-function"
        (workspace / "handler.py").write_text(FROM_SHELL)  # as `cat > handler.py` would
        (workspace / "response.json").write_text('{"greeting": "from the shell"}\n')
        await pilot.press("2")
        assert editor.editor.text == FROM_SHELL
        assert not editor.modified
        assert "response.json" in listed(editor)
        (workspace / "response.json").unlink()
        await pilot.press("1", "2")
        assert "response.json" not in listed(editor)


async def test_check_does_not_save_a_stale_buffer_over_the_shells_file(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("2")
        editor = screen.query_one(WorkspaceEditor)
        editor.editor.insert("# an unsaved edit\n", (0, 0))
        assert editor.modified
        handler = workspaces_dir() / "me" / "hello-function" / "handler.py"
        handler.write_text(FROM_SHELL)
        screen.action_tab("console")
        await pilot.pause()
        screen.action_tab("files")  # back to Files: the edit is kept, not replaced
        await pilot.pause()
        assert editor.editor.text.startswith("# an unsaved edit")
        assert any("changed on disk" in said for said in app.announcements)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert handler.read_text() == FROM_SHELL
        await pilot.press("2")
        editor.editor.focus()
        await pilot.press("ctrl+s")  # saving is the learner's explicit choice
        assert handler.read_text().startswith("# an unsaved edit")


async def test_a_watch_recheck_leaves_the_learner_in_the_shell(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("w", "3")  # watch on, then the shell tab
        await pilot.pause()
        focused = app.focused
        assert screen.query_one(TabbedContent).active == "console" and focused is not None
        workspace = workspaces_dir() / "me" / "hello-function"
        (workspace / "out.json").write_text("{}\n")  # as `aws lambda invoke ... out.json`
        screen._poll_watch()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("checks pass" in said for said in app.announcements)  # it did check
        assert screen.query_one(TabbedContent).active == "console"
        assert app.focused is focused


def test_a_short_file_in_another_encoding_is_listed_as_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9\n")  # printf 'caf\xe9' in the shell
    (tmp_path / "cut.txt").write_bytes(b"a" * (SNIFF_BYTES - 1) + "é".encode())  # cut é
    assert why_not_editable(tmp_path / "latin1.txt") == "not UTF-8 text"
    assert why_not_editable(tmp_path / "cut.txt") is None
