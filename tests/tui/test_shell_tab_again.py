"""3 goes back into the shell when tab 3 is already shown (README, "The workbench shell":
"Esc leaves the shell (keys are the workbench's again; 3 goes back)"). Found by hand in
tmux: after Esc, and after Reset (R, y) which starts a new shell, 3 left the keyboard with
the workbench, so the next command's letters ran p, w, l, e ... as workbench keys."""

from __future__ import annotations

import pytest

from labtui.tui.terminal_session import pty_available
from labtui.tui.widgets.terminal import ShellTerminal

from .conftest import AppFactory
from .shell_driver import shell_ready

needs_pty = pytest.mark.skipif(not pty_available(), reason="the workbench shell needs a pty")


@needs_pty
async def test_3_goes_back_into_the_shell_after_esc_and_after_a_reset(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await pilot.pause()
        await pilot.press("3")
        await shell_ready(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.focused, ShellTerminal)
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.focused, ShellTerminal)
        await pilot.press("escape", "R")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.focused, ShellTerminal)
