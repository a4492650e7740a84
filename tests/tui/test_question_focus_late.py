"""A question view removed before its after-refresh focus runs (keys typed fast moved on
to the next question or another screen) must not crash labtui: focus_answer raised
NoMatches from the quiz screen's call_after_refresh (found in tmux, issue #21)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical

from labtui.course.models import Question
from labtui.tui.widgets.question import QuestionView


def _question() -> Question:
    return Question.model_construct(
        id="q-1", module="m", domains=["DVA:D1"], difficulty=1, type="single",
        stem="Which one is right?", context=None, options={"A": "this", "B": "that"},
        answer="A", unit=None, tolerance=None, formula=None, explain={"A": "yes"}, refs=[],
        verified=None,
    )


class _Quiz(App[None]):
    def compose(self) -> ComposeResult:
        yield Vertical(id="body")


async def test_focus_answer_after_the_view_is_gone_does_nothing() -> None:
    app = _Quiz()
    async with app.run_test() as pilot:
        view = QuestionView(_question(), 1, 1)
        await app.query_one("#body").mount(view)
        await pilot.pause()
        view.focus_answer()
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "answer-single"
        await view.remove()
        view.focus_answer()  # the late callback: the answer list is gone with the view
        await pilot.pause()
