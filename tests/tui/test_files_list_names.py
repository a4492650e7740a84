"""Long workspace file names in the Files tab's narrow list (QA at 80 columns:
`common_utils/__init_` / `_.py`, wrapped mid-word): one line each, cut in the middle with an
ellipsis, the file name kept whole while it fits; the editor's title shows the name whole."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from labtui.paths import workspaces_dir
from labtui.tui.widgets.workspace import WorkspaceEditor

from .conftest import AppFactory
from .test_exercise import open_exercise


@pytest.mark.parametrize(("name", "width", "shown"), [
    ("handler.py", 20, "handler.py"),
    ("common_utils/__init__.py", 20, "common_…/__init__.py"),
    ("common_utils/__init__.py", 13, "…/__init__.py"),
    ("common_utils/__init__.py", 12, "commo…t__.py"),
    ("a_very_long_module_name_indeed.py", 20, "a_very_lo…_indeed.py"),
    ("x.py", 1, "…"),
])
def test_names_are_cut_in_the_middle(name: str, width: int, shown: str) -> None:
    from labtui.tui.widgets.workspace import shorten_middle

    assert shorten_middle(name, width) == shown
    assert len(shorten_middle(name, width)) <= width


async def test_long_names_take_one_line_each_at_80_columns(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        workspace = workspaces_dir() / "me" / "hello-function"  # made from the starter
        (workspace / "common_utils").mkdir()
        (workspace / "common_utils" / "__init__.py").write_text("")
        (workspace / "function.zip").write_bytes(b"PK\x03\x04\x00\x00")
        await pilot.press("2")  # the Files tab shows the workspace as it is on disk
        await pilot.pause()
        listing = screen.query_one("#file-list", OptionList)
        lines = [listing.render_line(y).text.strip() for y in range(listing.size.height)]
        shown = [line for line in lines if line]
        assert shown == ["common_…/__init__.py", "function.zip", "(a binary file)",
                         "handler.py"], lines
        editor = screen.query_one(WorkspaceEditor)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        assert editor.current == "common_utils/__init__.py"
        assert editor.editor.border_title == "common_utils/__init__.py"
