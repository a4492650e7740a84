"""Small modal screens: confirm, choose one of several, show a scenario run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from labtui.tui.services import ScenarioView
from labtui.tui.widgets.trace import TraceTimeline

if TYPE_CHECKING:
    from labtui.tui.app import LabApp


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no, with the consequence spelled out."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"), classes="dialog-title")
            if self.detail:
                yield Static(self.detail, id="confirm-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few labelled choices (their ids come back)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], highlighted: int = 0) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.choices = choices
        self.highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.choices],
                             id="choices")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.highlighted
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScenarioScreen(ModalScreen[None]):
    """Runs one simulator scenario in a worker and shows its summary and trace."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("s", "toggle_trace", "Trace/summary")]

    def __init__(self, path: Path, caption: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.path = path
        self.caption = caption
        self.result: ScenarioView | None = None
        self.failure: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Static(Text(f"Try it: {self.path.stem}", style="bold"), classes="dialog-title")
            if self.caption:
                yield Static(self.caption, classes="dim")
            yield LoadingIndicator(id="scenario-loading")
            with VerticalScroll(id="scenario-summary"):
                yield Static(id="scenario-text")
            yield TraceTimeline(id="scenario-trace")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scenario-trace").display = False
        self.run_scenario()

    @property
    def lab(self) -> LabApp:
        return cast("LabApp", self.app)

    @work(thread=True, exclusive=True)
    def run_scenario(self) -> None:
        worker = get_current_worker()
        try:
            result: Any = self.lab.services.simulator.run_scenario(self.path)
            error = None
        except Exception as failure:
            result, error = None, getattr(failure, "message", None) or f"{failure}"
        if not worker.is_cancelled:
            self.post_message(self.Finished(result, error))

    class Finished(Message):
        """The worker is done (messages up: the worker never touches widgets)."""

        def __init__(self, result: ScenarioView | None, error: str | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def on_scenario_screen_finished(self, message: Finished) -> None:
        result, error = message.result, message.error
        self.query_one("#scenario-loading").display = False
        text = self.query_one("#scenario-text", Static)
        app = self.lab
        if result is None:
            self.failure = error
            text.update(Text(f"The scenario could not run: {error}", style="yellow"))
            app.announce(f"Scenario {self.path.stem} could not run: {error}", severity="warning")
            return
        self.result = result
        text.update(result.summary or "(no summary)")
        self.query_one("#scenario-trace", TraceTimeline).show(result.trace)
        app.announce(f"Scenario {self.path.stem} finished: {len(result.trace)} trace events. "
                     "Press s to see the trace.")

    def action_toggle_trace(self) -> None:
        trace = self.query_one("#scenario-trace")
        summary = self.query_one("#scenario-summary")
        trace.display = not trace.display
        summary.display = not trace.display
        if trace.display:
            trace.focus()

    def action_close(self) -> None:
        self.dismiss(None)
