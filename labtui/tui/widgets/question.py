"""One quiz question on screen: context, stem, and the right input for its type.

Single choice is an OptionList (Enter answers), multiple response a
SelectionList (Space toggles), numeric and ordering questions an Input.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from labtui.course.models import Question


def answer_hint(question: Question) -> str:
    if question.type == "numeric":
        return f"Type a number in {question.unit}, then Enter."
    if question.type == "ordering":
        return "Type every letter in order (e.g. B C A D), then Enter."
    if isinstance(question.answer, list):
        return (f"Choose {choose_count(question)}: Space toggles an option, "
                "then press s to answer.")
    return "Move to an option and press Enter."


def choose_count(question: Question) -> str:
    """'TWO' for a two-answer multiple-response question, as the real exam words it."""
    count = len(question.answer) if isinstance(question.answer, list) else 1
    return {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR"}.get(count, str(count))


class QuestionView(VerticalScroll):
    """Shows a question and reads the learner's answer (as raw input for normalise_answer)."""

    DEFAULT_CSS = """
    QuestionView { height: 1fr; padding: 0 1; }
    QuestionView .q-context { color: $text-muted; border-left: thick $accent; padding-left: 1; margin: 1 0; }
    QuestionView .q-stem { text-style: bold; margin: 1 0; }
    QuestionView .q-hint { color: $text-muted; }
    QuestionView OptionList, QuestionView SelectionList { height: auto; max-height: 14; }
    """

    def __init__(self, question: Question, number: int, total: int, *, given: Any = None,
                 label: str = "") -> None:
        super().__init__(classes="question-view")
        self.question = question
        self.number, self.total, self.given, self.label = number, total, given, label
        # A single-choice answer is what the learner chose with Enter, never merely the
        # highlighted option: moving on from a question must not answer it (issue 22).
        self.chosen: str | None = given if isinstance(given, str) else None

    def compose(self) -> ComposeResult:
        q = self.question
        title = f"Question {self.number} of {self.total}"
        if self.label:
            title += f"  ·  {self.label}"
        yield Static(Text(title, style="bold"), classes="q-title")
        if q.context:
            yield Static(Text(q.context.rstrip()), classes="q-context")
        yield Static(Text(q.stem), classes="q-stem")
        yield self._answer_widget()
        yield Static(answer_hint(q), classes="q-hint")

    def _answer_widget(self) -> OptionList | SelectionList[str] | Input:
        q = self.question
        options = q.options or {}
        if q.type in ("numeric", "ordering"):
            value = ""
            if self.given is not None:
                value = " ".join(self.given) if isinstance(self.given, list) else f"{self.given:g}"
            return Input(value=value, placeholder=answer_hint(q), id="answer-input")
        if isinstance(q.answer, list):
            chosen = set(self.given or [])
            return SelectionList[str](
                *[(f"{key}. {text}", key, key in chosen) for key, text in options.items()],
                id="answer-multi",
            )
        option_list = OptionList(*[Option(f"{key}. {text}", id=key) for key, text in options.items()],
                                 id="answer-single")
        if isinstance(self.given, str) and self.given in options:
            option_list.highlighted = list(options).index(self.given)
        return option_list

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "answer-single":
            self.chosen = event.option.id

    def focus_answer(self) -> None:
        # Called after a refresh: keys typed fast may have moved on meanwhile (the next
        # question, another screen), and this view is gone with its input. Then nothing to do
        # (it raised NoMatches and labtui crashed: found by typing a shell command while the
        # workbench had the keys, issue #21).
        for widget in self.query("#answer-input, #answer-multi, #answer-single"):
            widget.focus()
            return

    def raw_answer(self, *, take_highlighted: bool = False) -> Any:
        """The current input, or None when nothing is chosen yet.

        ``take_highlighted`` counts the highlighted option of a single-choice question as
        chosen: only for an explicit "answer now" key, never when the learner moves on.
        """
        q = self.question
        if q.type in ("numeric", "ordering"):
            text = self.query_one("#answer-input", Input).value.strip()
            return text or None
        if isinstance(q.answer, list):
            selected = list(self.query_one("#answer-multi", SelectionList).selected)
            return selected or None
        option_list = self.query_one("#answer-single", OptionList)
        if take_highlighted and option_list.highlighted is not None:
            return option_list.get_option_at_index(option_list.highlighted).id
        return self.chosen
