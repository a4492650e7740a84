"""Check results: one entry per check, expected vs actual, and the hint for the first failure."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from labtui.tui.services import GradeView


def results_renderable(view: GradeView | None, *, plain: bool = False) -> RenderableType:
    if view is None:
        return Text("No check run yet. Press F5 to check your work.", style="dim")
    if view.error:
        return Text.assemble(("The check could not run\n", "bold red"), view.error)
    passed = sum(1 for r in view.results if r.passed)
    points = f"({view.points}/{view.max_points} points)"
    headline = (f"PASSED: all {len(view.results)} checks pass {points}" if view.passed
                else f"{passed} of {len(view.results)} checks pass {points}")
    if view.seed is not None and not view.passed:
        # The cases were generated: the seed replays them (labtui check ID --seed N).
        headline += f" · seed {view.seed}"
    # A borderless grid: wrapped lines stay indented under their check.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=4 if plain else 1, no_wrap=True)
    grid.add_column(ratio=1)
    first = view.first_failure
    for row in view.results:
        mark = ("PASS" if row.passed else "FAIL") if plain else ("✓" if row.passed else "✗")
        body = Text(f"{row.id} {row.title}")
        if row.rule:
            body.append(f"  [{row.rule}]", style="dim")
        if not row.passed:
            body.append(f"\nexpected: {row.expected}\nactual:   {row.actual}")
            if row is first and row.hint:
                body.append(f"\nhint: {row.hint}", style="italic cyan")
        grid.add_row(Text(mark, style="bold green" if row.passed else "bold red"), body)
    top = Text(headline + "\n", style="bold green" if view.passed else "bold yellow")
    if view.note:
        top.append(view.note + "\n", style="yellow")
    return Group(top, grid)


def results_text(view: GradeView | None, *, plain: bool = False) -> str:
    """The results as plain text (what a screen reader or a test reads)."""
    import io

    from rich.console import Console

    console = Console(width=100, color_system=None, file=io.StringIO())
    console.print(results_renderable(view, plain=plain))
    output = console.file
    assert isinstance(output, io.StringIO)
    return output.getvalue()


class CheckResults(Static):
    """The list of checks of the last run."""

    def show(self, view: GradeView | None, *, plain: bool = False) -> None:
        self.shown_text = results_text(view, plain=plain)
        self.update(results_renderable(view, plain=plain))

    shown_text = ""
