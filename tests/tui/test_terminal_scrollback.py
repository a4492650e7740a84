"""The workbench shell's scrollback (issue #21): rows kept as pyte left them (not copied,
which halved how fast a flood of output drained), and `clear` drops it as xterm does."""

from __future__ import annotations

from pathlib import Path

from labtui.tui.terminal_render import row_segments
from labtui.tui.terminal_session import TerminalSession


def _session(lines: int = 5) -> TerminalSession:
    # never started: feed() drives the emulator as the pty's output would
    return TerminalSession(["true"], Path("."), {}, columns=20, lines=lines)


def test_lines_that_scroll_off_stay_as_they_were_while_the_screen_changes() -> None:
    session = _session()
    session.feed("".join(f"line {n}\r\n" for n in range(1, 13)).encode())
    assert [r for r in session.text_lines() if r][:8] == [f"line {n}" for n in range(1, 9)]
    # the program now rewrites the top of the screen, in colour: history must not change
    session.feed(b"\x1b[H\x1b[31mXXXXXXXXXXXX\x1b[0m\x1b[2;1HYY")
    lines = session.text_lines()
    assert lines[:8] == [f"line {n}" for n in range(1, 9)]
    assert lines[8] == "XXXXXXXXXXXX" and lines[9].startswith("YY")
    # a kept row draws as it did (what ShellTerminal shows when scrolled back)
    drawn = "".join(s.text for s in row_segments(session.screen.scrollback[0], 20))
    assert drawn == "line 1".ljust(20)


def test_clear_drops_the_scrollback_as_xterm_does() -> None:
    session = _session()
    session.feed("".join(f"old {n}\r\n" for n in range(1, 30)).encode())
    session.feed(b"\x1b[H\x1b[2J")  # ED 2 alone clears the screen, keeps the history
    assert "old 1" in session.text_lines()
    session.feed(b"\x1b[H\x1b[2J\x1b[3J$ ")  # what `clear` sends (TERM=xterm-256color)
    assert len(session.screen.scrollback) == 0
    assert [line for line in session.text_lines() if line] == ["$"]
