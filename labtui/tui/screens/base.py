"""What every labtui screen has: a header, the footer of keys, and the plain-mode announcer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header

from labtui.tui.navigation import KEYS_HELP
from labtui.tui.widgets.footer import LabFooter

if TYPE_CHECKING:
    from labtui.tui.app import LabApp


class LabScreen(Screen[Any]):
    HELP = KEYS_HELP  # F1's panel shows it under the focused widget's own help
    # Home's letters jump from here (labtui.tui.navigation); False where letters answer
    GLOBAL_KEYS: ClassVar[bool] = True
    # what kind of screen this is, for jumps that bring an open one back instead of stacking
    place: ClassVar[str | None] = None

    @property
    def place_target(self) -> str | None:
        """What this screen shows (a module id, an exercise id), for ``place``."""
        return None

    @property
    def topic_module(self) -> str | None:
        """The module this screen is about: home's keys act on it."""
        return None

    def leave(self) -> None:
        """Save what closing this screen would lose (a jump closes it without Esc)."""

    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles a screen and everything on it whenever it resumes, the first
        # time too, although its widgets were styled as they were mounted a moment before:
        # a tenth of opening a lesson (issue #21). Later resumes (back from another screen,
        # perhaps after a change of theme) still restyle. (Screen's handler runs next.)
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    @property
    def lab(self) -> LabApp:
        return cast("LabApp", self.app)

    def compose_header(self) -> ComposeResult:
        yield Header(show_clock=False, icon="λ")

    def compose_footer(self) -> ComposeResult:
        if self.lab.plain:  # plain mode speaks in text lines; otherwise toasts do
            from labtui.tui.widgets.announcer import Announcer

            yield Announcer()
        yield LabFooter()
