"""The workbench's reset, rewind, hints, solution and $EDITOR actions (ExerciseScreen's base).

Each slow step runs in a worker that posts :class:`WorkbenchActions.ActionDone`;
the handler, on the UI thread, updates the screen. Destructive steps ask first.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import TabbedContent

from labtui.course.exercise_model import ExerciseManifest
from labtui.course.loader import ExercisePack
from labtui.tui.screens.base import LabScreen
from labtui.tui.screens.dialogs import ConfirmScreen
from labtui.tui.screens.exercise_state import ExerciseState
from labtui.tui.services import ServiceUnavailable
from labtui.tui.widgets.workspace import WorkspaceEditor


def _message(error: BaseException) -> str:
    return getattr(error, "message", None) or str(error) or type(error).__name__


class WorkbenchActions(LabScreen):
    pack: ExercisePack
    manifest: ExerciseManifest
    state: ExerciseState
    workspace: Path | None
    account: str  # the sandbox learner id of this exercise's live account

    class ActionDone(Message):
        """Reset, rewind, hint or solution finished in a worker (or failed)."""

        def __init__(self, kind: str, value: Any = None, error: str | None = None) -> None:
            super().__init__()
            self.kind = kind
            self.value = value
            self.error = error

    if TYPE_CHECKING:  # provided by ExerciseScreen, which mixes these actions in

        def _open_workspace(self) -> None: ...

        def _show_hints(self) -> None: ...

    # reset, rewind, hints, solution ------------------------------------------------------
    def action_reset(self) -> None:
        self.app.push_screen(
            ConfirmScreen("Start this exercise over?",
                          "Your workspace goes back to the starter files and your sandbox "
                          "account to the exercise's start. Your check history is kept."),
            lambda yes: self._background("reset") if yes else None,
        )

    def action_rewind(self) -> None:
        self.app.push_screen(
            ConfirmScreen("Rewind the sandbox account?",
                          "The account goes back to how it was when you opened this exercise; "
                          "resources you created since then are gone."),
            lambda yes: self._background("rewind") if yes else None,
        )

    def action_hint(self) -> None:
        # the cost is said before the hint is shown (issue 22): first ask what it costs
        self._background("hint_cost")

    def action_solution(self) -> None:
        passed = self.pack.id in self.lab.store.passed_exercises(self.lab.learner_id)
        if passed:
            self._background("solution", False)
            return
        self.app.push_screen(
            ConfirmScreen("Show the reference solution before passing?",
                          "You can still pass afterwards; the attempt is recorded as "
                          "having seen the solution."),
            lambda yes: self._background("solution", True) if yes else None,
        )

    def _background(self, kind: str, force: bool = False) -> None:
        self.run_action_worker(kind, force)

    @work(thread=True, group="actions")
    def run_action_worker(self, kind: str, force: bool) -> None:
        lab, exercise_id = self.lab, self.pack.id
        grading, sandbox = lab.services.grading, lab.services.sandbox
        try:
            value: Any = None
            if kind == "reset":
                value = grading.reset_workspace(exercise_id, lab.learner_id, lab.store)
                # starting over: the live account too, back to the exercise's seed
                sandbox.open_account(self.account, self.manifest.setup, self.pack.path,
                                     fresh=True)
                start = f"{exercise_id}-start"
                sandbox.snapshot(start, self.account)
                lab.sandbox_snapshots[exercise_id] = start
            elif kind == "rewind":
                label = lab.sandbox_snapshots.get(exercise_id)
                if label is None:
                    raise ServiceUnavailable("Rewind needs the sandbox; it has not started.")
                sandbox.restore(label, self.account)
                lab.store.record_exercise_event(lab.learner_id, exercise_id, "restore")
            elif kind == "hint_cost":
                value = grading.hint_cost(exercise_id, lab.store, lab.learner_id)
            elif kind == "hint":
                value = grading.next_hint(exercise_id, lab.store, lab.learner_id)
            elif kind == "solution":
                value = grading.reveal_solution(exercise_id, lab.store, lab.learner_id, force)
            self.post_message(self.ActionDone(kind, value))
        except Exception as error:
            self.post_message(self.ActionDone(kind, error=_message(error)))

    def on_workbench_actions_action_done(self, message: ActionDone) -> None:
        lab = self.lab
        if message.error:
            lab.announce(message.error, severity="warning")
            return
        if message.kind == "reset":
            self.state.draft = None
            self.state.save(lab.store, lab.learner_id)
            # The shell stands in the old workspace (moved to .bak): `bash setup.sh` there
            # would run the old file. Starting over starts a new shell in the new one.
            shell = lab.shell_sessions.pop(self.pack.id, None)
            if shell is not None:
                shell.close()
            self._open_workspace()
            lab.announce("Workspace and sandbox account reset to the exercise's start.")
        elif message.kind == "rewind":
            lab.announce("Sandbox rewound to when you opened the exercise.")
        elif message.kind == "hint_cost":
            if message.value is None:  # every hint is shown already: nothing more to pay
                self._background("hint")
                return
            self.app.push_screen(
                ConfirmScreen("Take a hint?", str(message.value)),
                lambda yes: self._background("hint") if yes else None,
            )
        elif message.kind == "hint":
            hint = message.value
            self._show_hints()
            self.query_one(TabbedContent).active = "task"
            self.query_one("#task-scroll").scroll_end(animate=False)  # the hints are last
            lab.announce(f"Hint {hint.level} of {hint.of}: {hint.text}")
        elif message.kind == "solution":
            from labtui.tui.screens.solution import SolutionScreen

            self.app.push_screen(SolutionScreen(self.pack.id, Path(message.value)))

    def action_external_editor(self) -> None:
        editor_widget = self.query_one(WorkspaceEditor)
        if self.workspace is None or editor_widget.current is None:
            self.lab.announce("Open a file first (tab 2).")
            return
        if editor_widget.modified:
            editor_widget.save()
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        path = self.workspace / editor_widget.current
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(command), str(path)], check=False)
        except Exception as error:
            self.lab.announce(f"Could not start your editor ({command}): {_message(error)}",
                              severity="warning")
            return
        editor_widget.open(editor_widget.current)
