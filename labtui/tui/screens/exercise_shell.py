"""The workbench's Shell tab: a real shell in the workspace, aimed at the sandbox.

Where a pty exists (Linux, macOS) the tab is a terminal running the learner's shell
(:mod:`labtui.tui.workbench_shell` says with what environment). Where none exists
(Windows) it is the line console of earlier versions, which runs ``aws ...`` commands
only, and says so.

The shell is started once the workspace and the sandbox are both ready, and belongs to the
app, not to the screen: leaving the exercise and coming back finds the same shell (cwd,
variables, screen). Quitting labtui ends it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import ComposeResult
from textual.widget import Widget

from labtui.tui.screens.base import LabScreen
from labtui.tui.terminal_session import TerminalSession, pty_available
from labtui.tui.widgets.console import SandboxConsole
from labtui.tui.widgets.terminal import ShellTerminal

NO_PTY_NOTE = ("This system has no pseudo-terminal (Windows): this console runs aws "
               "commands only. For a full shell, run 'labtui sandbox serve' and use its "
               "export lines in a terminal of your own.")


def shell_supported() -> bool:
    return pty_available()


class ShellTab(LabScreen):
    """Mixed into ExerciseScreen: builds, starts and reattaches the workbench shell."""

    workspace: Path | None
    sandbox_env: dict[str, str] | None
    exercise_id: str

    def compose_shell(self) -> ComposeResult:
        widget: Widget
        if shell_supported():
            widget = ShellTerminal(id="shell")
        else:
            widget = SandboxConsole([], id="sandbox-console")
        yield widget

    @property
    def terminal(self) -> ShellTerminal | None:
        found = self.query(ShellTerminal)
        return found.first() if found else None

    def attach_or_start_shell(self) -> None:
        """Attach the exercise's shell, starting it when the workspace and the sandbox are
        ready (called as each of them becomes ready)."""
        terminal = self.terminal
        if terminal is None:
            return
        sessions = self.lab.shell_sessions
        existing = sessions.get(self.exercise_id)
        if existing is not None:
            if terminal.session is not existing:
                terminal.attach(existing)
            return
        if self.workspace is None or self.sandbox_env is None:
            return
        self._start_shell(terminal)

    def _start_shell(self, terminal: ShellTerminal) -> None:
        from labtui.tui.workbench_shell import shell_plan

        assert self.workspace is not None and self.sandbox_env is not None
        region = terminal.scrollable_content_region
        try:
            plan = shell_plan(self.exercise_id, self.workspace, self.sandbox_env)
            session = TerminalSession(plan.argv, plan.cwd, plan.env,
                                      columns=max(region.width, 20), lines=max(region.height, 5))
            session.start(asyncio.get_running_loop())
        except OSError as error:
            terminal.show_message(f"Could not start a shell: {error.strerror or error}")
            self.lab.announce(f"Could not start a shell: {error.strerror or error}",
                              severity="error")
            return
        self.lab.shell_sessions[self.exercise_id] = session
        terminal.attach(session)

    def on_shell_terminal_restart_requested(self, message: ShellTerminal.RestartRequested) -> None:
        old = self.lab.shell_sessions.pop(self.exercise_id, None)
        if old is not None:
            old.close()
        self.attach_or_start_shell()
        if self.terminal is not None:
            self.terminal.focus()

    def shell_unavailable(self, why: str) -> None:
        terminal = self.terminal
        if terminal is not None and terminal.session is None:
            terminal.show_message(f"No shell: the sandbox did not start ({why}).")

