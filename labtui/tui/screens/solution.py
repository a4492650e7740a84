"""The reference solution, read-only, file by file."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import MarkdownViewer

from labtui.tui.screens.base import LabScreen
from labtui.tui.widgets.workspace import LANGUAGES, workspace_files

MAX_SHOWN_BYTES = 64 * 1024


def solution_markdown(exercise_id: str, root: Path) -> str:
    parts = [f"# Reference solution: {exercise_id}\n",
             "Compare it with yours: the checks judge behaviour, so yours may differ and "
             "still be right.\n"]
    for name in workspace_files(root):
        path = root / name
        try:
            text = path.read_text(encoding="utf-8")[:MAX_SHOWN_BYTES]
        except (OSError, UnicodeDecodeError):
            continue
        language = LANGUAGES.get(path.suffix.lower(), "")
        parts.append(f"## {name}\n\n```{language}\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


class SolutionScreen(LabScreen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, exercise_id: str, root: Path) -> None:
        super().__init__(classes="solution-screen")
        self.exercise_id = exercise_id
        self.root = root

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield MarkdownViewer(solution_markdown(self.exercise_id, self.root),
                             show_table_of_contents=False, open_links=False)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.title = f"Solution: {self.exercise_id}"
        self.lab.announce(f"Showing the reference solution of {self.exercise_id}.")

    def action_back(self) -> None:
        self.app.pop_screen()
