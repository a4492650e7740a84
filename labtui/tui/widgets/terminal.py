"""The workbench shell as a widget: shows a :class:`TerminalSession` and types into it.

Keys go to the shell, except Esc (leaves the shell, so keys are the workbench's again),
the app's priority keys (F5 check, Ctrl+S save, Ctrl+Q quit) and Shift+PageUp/PageDown
(scroll back). Ctrl+C interrupts the running command, unless text is selected with the
mouse: then it copies the selection, as terminals on the desktop do. The mouse wheel
scrolls back through up to 5,000 lines.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from labtui.tui.terminal_render import key_bytes, row_segments
from labtui.tui.terminal_session import TerminalSession

_SCROLL_KEYS = {"shift+pageup": -1, "shift+pagedown": 1}
_LEAVE_KEYS = {"escape"}


class ShellTerminal(ScrollView, can_focus=True):
    """A VT terminal view; the shell keeps running when this widget goes away."""

    DEFAULT_CSS = """
    ShellTerminal {
        overflow-y: scroll;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        height: 1fr;
    }
    """

    class RestartRequested(Message):
        """Enter was pressed after the shell ended."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: TerminalSession | None = None
        self._follow = True  # stay at the bottom while output arrives
        self._placeholder = "Starting your shell…"
        self._refit_pending = False

    # --- attaching a session -----------------------------------------------------------
    def attach(self, session: TerminalSession) -> None:
        if self.session is not None and self._on_output in self.session.listeners:
            self.session.listeners.remove(self._on_output)
        self.session = session
        session.listeners.append(self._on_output)
        self._fit()
        self._on_output()

    def show_message(self, text: str) -> None:
        """What the widget says while there is no shell (starting, or none possible)."""
        self._placeholder = text
        self.refresh()

    def on_unmount(self) -> None:
        if self.session is not None and self._on_output in self.session.listeners:
            self.session.listeners.remove(self._on_output)

    def _on_output(self) -> None:
        session = self.session
        if session is None:
            return
        height = len(session.screen.scrollback) + session.screen.lines
        self.virtual_size = Size(session.screen.columns, height)
        if self._follow:
            self.scroll_to(y=max(0, height - self.scrollable_content_region.height),
                           animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        self._refit_pending = False
        region = self.scrollable_content_region
        if self.session is not None and region.width > 1 and region.height > 0:
            self.session.resize(region.width, region.height)

    def _refit_if_drawn_at_another_size(self, session: TerminalSession) -> None:
        # A shell started behind another tab gets the 20-column floor; the Resize on first
        # showing the tab did not always arrive (#21: a 20-column shell in a 99-column tab,
        # until the tab was left and shown again). Being drawn at another size is proof
        # enough: fit once the frame is done.
        region = self.scrollable_content_region
        if self._refit_pending or region.width <= 1 or region.height <= 0:
            return
        if (region.width, region.height) != (session.screen.columns, session.screen.lines):
            self._refit_pending = True
            self.call_after_refresh(self._fit)

    # --- drawing -----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        session = self.session
        base = self.rich_style
        if session is None:
            text = self._placeholder if y == 0 else ""
            return Strip([Segment(text[:width].ljust(width), base)], width)
        self._refit_if_drawn_at_another_size(session)
        screen = session.screen
        absolute = self.scroll_offset.y + y
        history = len(screen.scrollback)
        cursor_x = None
        row: Any
        if absolute < history:
            row = screen.scrollback[absolute]
        elif absolute - history < screen.lines:
            row = screen.buffer[absolute - history]
            show_cursor = self.has_focus and session.alive and not screen.cursor.hidden
            if show_cursor and absolute - history == screen.cursor.y:
                cursor_x = screen.cursor.x
        else:
            return Strip.blank(width, base)
        segments = row_segments(row, min(width, screen.columns), cursor_x)
        strip = Strip(segments).crop_extend(0, width, base)
        selection = self.text_selection
        if selection is not None:
            span = selection.get_span(absolute)
            if span is not None:
                start, end = span
                end = width if end == -1 else end
                highlight = self.screen.get_component_rich_style("screen--selection")
                strip = _highlight(strip, start, end, highlight, width)
        return strip.apply_offsets(0, absolute)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        if self.session is None:
            return None
        return selection.extract("\n".join(self.session.text_lines())), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # --- input -------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if event.key in _LEAVE_KEYS:
            return  # the screen's Esc binding: leave the shell
        event.stop()
        event.prevent_default()
        if event.key in _SCROLL_KEYS:
            self._follow = False
            self.scroll_relative(
                y=_SCROLL_KEYS[event.key] * max(1, self.scrollable_content_region.height - 1),
                animate=False)
            self._follow = self.scroll_offset.y >= self.max_scroll_y
            return
        session = self.session
        if session is None:
            return
        if not session.alive:
            if event.key == "enter":
                self.post_message(self.RestartRequested())
            return
        if event.key == "ctrl+c" and self.screen.get_selected_text():
            self.app.copy_to_clipboard(self.screen.get_selected_text() or "")
            self.screen.clear_selection()
            self.app.notify("Copied the selection.", timeout=2)
            return
        data = key_bytes(event.key, event.character,
                         application_cursor=session.cursor_keys_application)
        if data:
            self._follow = True
            session.write_text(data)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        session = self.session
        if session is None or not session.alive:
            return
        text = event.text.replace("\r\n", "\r").replace("\n", "\r")
        if session.bracketed_paste:
            text = f"\x1b[200~{text}\x1b[201~"
        self._follow = True
        session.write_text(text)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._follow = False

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.call_after_refresh(self._check_follow)

    def _check_follow(self) -> None:
        self._follow = self.scroll_offset.y >= self.max_scroll_y

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _highlight(strip: Strip, start: int, end: int, style: Style, width: int) -> Strip:
    """``strip`` with cells start..end drawn in the selection style."""
    before, middle, after = strip.divide([start, end, width])
    return Strip.join([before, middle.apply_style(style), after])
