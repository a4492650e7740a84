"""Tab stops of the workbench shell's emulated screen after a resize (#21)."""

from __future__ import annotations

import pyte

from labtui.tui.terminal_session import ScrollbackScreen


def _screen(columns: int) -> tuple[ScrollbackScreen, pyte.Stream]:
    screen = ScrollbackScreen(columns, 5, lambda reply: None)
    return screen, pyte.Stream(screen)


def test_a_widened_screen_has_a_tab_stop_every_8_columns() -> None:
    # Found by hand: a shell started at the 20-column floor, then fitted to its 99-column
    # tab, printed the tab-separated REPORT line with every field at the right edge.
    screen, stream = _screen(20)
    screen.resize(5, 100)
    stream.feed("a\tb\tc\td")
    assert screen.display[0].rstrip() == "a       b       c       d"
    wide, wide_stream = _screen(100)
    wide_stream.feed("a\tb\tc\td")
    assert screen.display[0] == wide.display[0]


def test_tab_stops_a_program_cleared_stay_cleared_inside_the_old_width() -> None:
    screen, stream = _screen(40)
    stream.feed("\x1b[3g")  # TBC 3: clear every tab stop
    screen.resize(5, 80)
    stream.feed("x\ty")
    # no stop left before column 40; the first new one is at 40
    assert screen.display[0].index("y") == 40
