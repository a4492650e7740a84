"""Reset gives the workbench shell the new workspace (found by hand: after a reset the
shell still stood in the old directory, so `bash setup.sh` ran the learner's old file)."""

from __future__ import annotations

import pytest

from labtui.paths import workspaces_dir
from labtui.tui.terminal_session import pty_available

from .conftest import AppFactory
from .shell_driver import open_shell, run, shell_ready

needs_pty = pytest.mark.skipif(not pty_available(), reason="the workbench shell needs a pty")


@needs_pty
async def test_after_a_reset_the_shell_works_in_the_new_workspace(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        shell = await open_shell(app, pilot)
        await run(pilot, shell, "echo edited > handler.py")
        await pilot.press("escape", "R")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        handler = workspaces_dir() / "me" / "hello-function" / "handler.py"
        assert "return {}" in handler.read_text()  # the starter again
        await pilot.press("1", "3")
        shell = await shell_ready(app, pilot)
        out = await run(pilot, shell, "cat handler.py; ls -di . \"$PWD\" | awk '{print $1}' | uniq | wc -l")
        assert "return {}" in out and "edited" not in out
        assert out.splitlines()[-2].strip() == "1"  # the shell's . is the workspace itself
