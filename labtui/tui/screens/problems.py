"""The problem panel: what is wrong with the course content, as ``file:line: message``."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from labtui.course.problems import Problem
from labtui.tui.screens.base import LabScreen


class ProblemsScreen(LabScreen):
    """Every problem found while loading; the rest of the course still works."""

    place = "problems"
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, problems: list[Problem], root: Path) -> None:
        super().__init__(classes="problems-screen")
        self.problems = problems
        self.root = root

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        count = len(self.problems)
        yield Static(
            Text.assemble(
                (f"{count} problem(s) in the course content" if count else "No problems found",
                 "bold"),
                ("\nThe parts with problems are hidden or marked; everything else works. "
                 "Authors: fix these and run 'labtui content lint'.", "dim"),
            ),
            id="problems-intro",
        )
        yield OptionList(
            *[Option(Text(p.format(self.root)), id=str(i)) for i, p in enumerate(self.problems)],
            id="problem-list",
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.title = "Content problems"
        self.query_one(OptionList).focus()
        self.lab.announce(f"{len(self.problems)} content problem(s) listed.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a lesson's problem opens that lesson (what a reader would see)."""
        problem = self.problems[int(event.option.id or 0)]
        course = self.lab.course
        module = next((m for m in course.modules if m.lesson_path == problem.path), None)
        if module is not None and module.lesson is not None:
            self.lab.open_lesson(module.id)
        else:
            self.lab.announce(f"Open {problem.format(self.root)} in your editor to fix it.")

    def action_back(self) -> None:
        self.app.pop_screen()
