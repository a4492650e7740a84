"""Check results: one line per check, expected vs actual, and the hint for the first failure."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from labtui.tui.services import GradeView


def results_text(view: GradeView | None, *, plain: bool = False) -> Text:
    text = Text()
    if view is None:
        text.append("No check run yet. Press k to check your work.", style="dim")
        return text
    if view.error:
        text.append("The check could not run\n", style="bold red")
        text.append(view.error)
        return text
    passed = sum(1 for r in view.results if r.passed)
    headline = (f"PASSED: all {len(view.results)} checks pass ({view.points}/{view.max_points} "
                "points)" if view.passed else
                f"{passed} of {len(view.results)} checks pass ({view.points}/{view.max_points} "
                "points)")
    text.append(headline + "\n\n", style="bold green" if view.passed else "bold yellow")
    first = view.first_failure
    for row in view.results:
        mark = ("PASS" if row.passed else "FAIL") if plain else ("✓" if row.passed else "✗")
        text.append(f"{mark} ", style="bold green" if row.passed else "bold red")
        text.append(f"{row.id} {row.title}")
        if row.rule:
            text.append(f"  [{row.rule}]", style="dim")
        text.append("\n")
        if not row.passed:
            text.append(f"    expected: {row.expected}\n")
            text.append(f"    actual:   {row.actual}\n")
            if row is first and row.hint:
                text.append(f"    hint: {row.hint}\n", style="italic cyan")
    return text


class CheckResults(Static):
    """The list of checks of the last run."""

    def show(self, view: GradeView | None, *, plain: bool = False) -> None:
        self.update(results_text(view, plain=plain))
