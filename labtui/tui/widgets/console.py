"""The sandbox console: type ``aws ...`` commands that run against the learner's sandbox."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, RichLog

HISTORY_LIMIT = 100
PROMPT_HINT = "aws lambda list-functions   (up/down: history, esc: leave the prompt)"


def command_args(line: str) -> list[str]:
    """``aws lambda list-functions`` / ``labtui aws ...`` / ``lambda ...`` → CLI args."""
    args = shlex.split(line)
    if args[:2] == ["labtui", "aws"]:
        return args[2:]
    if args[:1] == ["aws"]:
        return args[1:]
    return args


class HistoryInput(Input):
    """An input line with shell-like history on up/down."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False),
        Binding("down", "history(1)", "Next", show=False),
    ]

    def __init__(self, history: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history = history
        self._index = len(history)

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-HISTORY_LIMIT]
        self._index = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._index = max(0, min(len(self.history), self._index + step))
        self.value = self.history[self._index] if self._index < len(self.history) else ""
        self.cursor_position = len(self.value)


class SandboxConsole(Vertical):
    """Output above, a prompt below. Posts :class:`SandboxConsole.Command`; shows what comes back."""

    class Command(Message):
        def __init__(self, line: str, args: list[str]) -> None:
            super().__init__()
            self.line = line
            self.args = args

    def __init__(self, history: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._history = history

    def compose(self) -> ComposeResult:
        yield RichLog(id="console-output", wrap=True, markup=False, highlight=False)
        yield HistoryInput(self._history, id="console-input", placeholder=PROMPT_HINT)

    @property
    def input(self) -> HistoryInput:
        return self.query_one(HistoryInput)

    @property
    def history(self) -> list[str]:
        return self.input.history

    def write(self, text: str) -> None:
        self.query_one(RichLog).write(text.rstrip("\n"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        self.input.value = ""
        if not line:
            return
        self.input.remember(line)
        self.write(f"$ {line}")
        if line in ("clear", "cls"):
            self.query_one(RichLog).clear()
            return
        if line in ("help", "?"):
            self.write("Type AWS CLI commands, e.g. 'aws lambda list-functions'. They run "
                       "against your offline sandbox account; nothing reaches real AWS.")
            return
        try:
            args = command_args(line)
        except ValueError as error:
            self.write(f"Could not read that command: {error}")
            return
        if args:
            self.post_message(self.Command(line, args))
