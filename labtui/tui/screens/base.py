"""What every labtui screen has: a header, the footer of keys, and the plain-mode announcer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

if TYPE_CHECKING:
    from labtui.tui.app import LabApp


class LabScreen(Screen[Any]):
    @property
    def lab(self) -> LabApp:
        return cast("LabApp", self.app)

    def compose_header(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")

    def compose_footer(self) -> ComposeResult:
        if self.lab.plain:  # plain mode speaks in text lines; otherwise toasts do
            from labtui.tui.widgets.announcer import Announcer

            yield Announcer()
        yield Footer()
