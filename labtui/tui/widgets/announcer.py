"""Plain mode's voice: state changes as text lines a screen reader reads in order."""

from __future__ import annotations

from textual.widgets import Log


class Announcer(Log):
    """The last few announcements, one line each; hidden unless the app is in plain mode."""

    DEFAULT_CSS = """
    Announcer { dock: bottom; height: 3; display: none; }
    """

    def __init__(self) -> None:
        super().__init__(id="announcer", max_lines=200, auto_scroll=True)
        self.can_focus = False

    def say(self, message: str) -> None:
        self.write_line(message)
