"""The exercise workbench: task, workspace files, sandbox console, checks, trace, hints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Input,
    LoadingIndicator,
    Markdown,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.worker import get_current_worker

from labtui.course.loader import ExercisePack
from labtui.progress.store import DEFAULT_LEARNER
from labtui.tui.screens.exercise_actions import WorkbenchActions, _message
from labtui.tui.screens.exercise_shell import NO_PTY_NOTE, ShellTab
from labtui.tui.screens.exercise_state import TABS, ExerciseState, grade_from_attempt
from labtui.tui.services import CommandOutput, GradeView, exercise_account, trace_rows
from labtui.tui.widgets.console import PROMPT_HINT, SandboxConsole
from labtui.tui.widgets.results import CheckResults
from labtui.tui.widgets.terminal import ShellTerminal
from labtui.tui.widgets.trace import TraceTimeline
from labtui.tui.widgets.workbench_tabs import WorkbenchTabs
from labtui.tui.widgets.workspace import WorkspaceEditor, workspace_files

WATCH_EVERY_S = 1.0
DRAFT_EVERY_S = 1.0
TAB_KEYS = Binding.Group("Tabs", compact=True)  # one footer entry for 1-5


class ExerciseScreen(WorkbenchActions, ShellTab):
    # The footer at 80 columns holds Back, Check, the tabs, Hint, Watch, Solution and Quit
    # (on the Files tab Save instead of Solution); F1 lists every key (issue #21).
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("f5", "check", "Check", key_display="F5", priority=True),
        *[Binding(str(i), f"tab('{tab}')", tab.title(), group=TAB_KEYS)
          for i, tab in enumerate(TABS, start=1)],
        Binding("k", "check", "Check", show=False),
        Binding("ctrl+s", "save", "Save", priority=True),  # in the footer on the Files tab
        Binding("o", "external_editor", "Edit", show=False),
        Binding("h", "hint", "Hint"),
        Binding("w", "toggle_watch", "Watch"),
        Binding("v", "solution", "Solution"),
        # not r: that is Review on every screen (labtui.tui.navigation); reset asks first
        Binding("R", "reset", "Reset", show=False),
        Binding("z", "rewind", "Rewind", show=False),
    ]

    class Graded(Message):
        def __init__(self, view: GradeView) -> None:
            super().__init__()
            self.view = view

    class GradeProgress(Message):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    class SandboxReady(Message):
        def __init__(self, endpoint: str | None, error: str | None, snapshot: str | None,
                     env: dict[str, str] | None = None) -> None:
            super().__init__()
            self.endpoint = endpoint
            self.error = error
            self.snapshot = snapshot
            self.env = env

    class WorkspaceReady(Message):
        def __init__(self, path: Path | None, error: str | None) -> None:
            super().__init__()
            self.path = path
            self.error = error

    class CommandDone(Message):
        def __init__(self, output: CommandOutput) -> None:
            super().__init__()
            self.output = output

    place = "exercise"

    def __init__(self, pack: ExercisePack) -> None:
        super().__init__(classes="exercise-screen")
        assert pack.manifest is not None
        self.pack = pack
        self.exercise_id = pack.id
        self.account = exercise_account(DEFAULT_LEARNER, pack.id)  # set again on mount
        self.account_state: str | None = None
        self.manifest = pack.manifest
        self.sandbox_env: dict[str, str] | None = None
        self.state = ExerciseState(pack.id)
        self.workspace: Path | None = None
        self.grading = False
        self.sandbox_endpoint: str | None = None
        self.sandbox_error: str | None = None
        self.last_grade: GradeView | None = None
        self._mtimes: dict[str, float] = {}
        self._draft_dirty = False
        self._keep_focus: Widget | None = None  # where a watch re-check returns the keys
        self._locating = False  # while the workspace is being found (after open or reset)
        # opened on the Shell tab, until it is shown or the learner picks a tab
        self._opening_on_shell = False

    # layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(id="exercise-status")
        with WorkbenchTabs(id="tabs", initial="task"):
            with TabPane("1 Task", id="task"), VerticalScroll(id="task-scroll"):
                yield Markdown(self._task_markdown(), id="task-text", open_links=False)
                yield Static(id="hints")
            with TabPane("2 Files", id="files"):
                yield WorkspaceEditor(id="workspace")
            with TabPane("3 Shell", id="console"):
                yield from self.compose_shell()
            with TabPane("4 Results", id="results"):
                # total=100 until a check runs: an indeterminate bar animates at 15 Hz even
                # while hidden, and so does a LoadingIndicator (16 Hz) - see _show_busy
                yield ProgressBar(100, id="grade-progress", show_eta=False,
                                  show_percentage=False)
                yield Static(id="grade-step")
                yield LoadingIndicator(id="grade-loading")
                with VerticalScroll(id="results-scroll"):
                    yield CheckResults(id="check-results")
            with TabPane("5 Trace", id="trace"):
                yield Static("No simulated run yet.", id="trace-empty")
                yield TraceTimeline(id="trace-table")
        yield from self.compose_footer()

    def _task_markdown(self) -> str:
        from labtui.course.runnable import plain_fences

        readme = self.pack.path / "README.md"
        try:
            task = plain_fences(readme.read_text(encoding="utf-8"))
        except OSError:
            task = f"# {self.manifest.title}\n\n(The task text is missing.)"
        objectives = "\n".join(f"- {o}" for o in self.manifest.objectives)
        checks = "\n".join(f"- {c.id} {c.title} ({c.points} pt, {c.rule})"
                           for c in self.manifest.checks)
        return (f"{task}\n\n## What you will practise\n\n{objectives}\n\n"
                f"## Checks ({self.manifest.points} points)\n\n{checks}\n")

    # start-up ---------------------------------------------------------------------
    def on_mount(self) -> None:
        lab = self.lab
        self.title = self.manifest.title
        self.account = exercise_account(lab.learner_id, self.pack.id)
        self.state = ExerciseState.load(lab.store, lab.learner_id, self.pack.id)
        lab.store.record_exercise_event(lab.learner_id, self.pack.id, "opened")
        for console in self.query(SandboxConsole):  # no pty: the line console
            console.input.history.extend(self.state.history)
            console.input.remember("")
            console.write(NO_PTY_NOTE)
        self.query_one("#trace-table").display = False
        self._show_busy(False)
        self._show_hints()
        attempts = lab.store.exercise_attempts(lab.learner_id, self.pack.id)
        if attempts:
            self.last_grade = grade_from_attempt(attempts[-1], trace_rows(self.state.trace))
        self._show_grade(self.last_grade, announce=False)
        self._open_workspace()
        self._opening_on_shell = self.state.tab == "console"
        self.query_one(TabbedContent).active = self.state.tab
        self.set_interval(WATCH_EVERY_S, self._poll_watch)
        self.set_interval(DRAFT_EVERY_S, self._save_draft)
        self._update_status()
        self.start_sandbox()
        self.lab.announce_plain(f"Exercise {self.manifest.title}. Tabs 1 task, 2 files, "
                                "3 console, 4 results, 5 trace. F5 checks your work.")

    def _open_workspace(self) -> None:
        # Finding the workspace imports the grader (slow the first time): a worker does it.
        self._locating = True  # the editor holds a placeholder, not the learner's file
        self.query_one(WorkspaceEditor).editor.load_text("Opening your workspace…")
        self.locate_workspace()

    @work(thread=True, exclusive=True, group="workspace")
    def locate_workspace(self) -> None:
        try:
            path = self.lab.services.grading.workspace(self.pack.id, self.lab.learner_id)
            self.post_message(self.WorkspaceReady(path, None))
        except Exception as error:  # shown in the editor, never a traceback
            self.post_message(self.WorkspaceReady(None, _message(error)))

    def on_exercise_screen_workspace_ready(self, message: WorkspaceReady) -> None:
        editor = self.query_one(WorkspaceEditor)
        self._locating = False
        self.workspace = message.path
        if message.path is None:
            editor.editor.load_text(f"Workspace not available: {message.error}")
            return
        editor.load(message.path, self.state.file)
        draft = self.state.draft
        text = draft.get("text") if draft and draft.get("file") == editor.current else None
        if isinstance(text, str) and text != editor.saved_text and editor.current:
            editor.open(editor.current, draft=text)
            self.lab.announce(f"Restored your unsaved edits to {editor.current}.")
        if self.state.cursor and editor.current:
            row, column = self.state.cursor
            editor.editor.move_cursor((row, column))
        self._mtimes = self._snapshot_mtimes()
        self.attach_or_start_shell()

    @work(thread=True, exclusive=True, group="sandbox")
    def start_sandbox(self) -> None:
        sandbox, learner_id = self.lab.services.sandbox, self.account
        snapshot = self.lab.sandbox_snapshots.get(self.pack.id)
        env: dict[str, str] | None = None
        self.account_state = None
        try:
            endpoint = sandbox.start(learner_id)
            if snapshot is None:  # first time this session: as left, else freshly seeded
                self.account_state = sandbox.open_account(
                    learner_id, self.manifest.setup, self.pack.path)
            env = sandbox.env(learner_id)
            error = None
        except Exception as failure:
            endpoint, error = None, _message(failure)
        if endpoint is not None and snapshot is None:
            try:  # the point "rewind" returns to: the account as the exercise found it
                snapshot = f"{self.pack.id}-start"
                sandbox.snapshot(snapshot, learner_id)
            except Exception:
                snapshot = None
        if not get_current_worker().is_cancelled:
            self.post_message(self.SandboxReady(endpoint, error, snapshot, env))

    def on_exercise_screen_sandbox_ready(self, message: SandboxReady) -> None:
        consoles = self.query(SandboxConsole)
        if message.error:
            self.sandbox_error = message.error
            for console in consoles:
                console.write(f"Sandbox: {message.error}")
            self.shell_unavailable(message.error)
            self.lab.announce(f"Sandbox: {message.error}", severity="warning")
        else:
            self.sandbox_endpoint = message.endpoint
            self.sandbox_env = message.env
            if message.snapshot is not None:
                self.lab.sandbox_snapshots[self.pack.id] = message.snapshot
            for console in consoles:
                console.write(f"Sandbox ready at {message.endpoint}. "
                              "Try: aws lambda list-functions")
            self.attach_or_start_shell()
            self.lab.announce("Sandbox ready: your account is as you left it."
                              if self.account_state == "restored" else "Sandbox ready.")
        self._update_status()

    # status -------------------------------------------------------------------------
    def _update_status(self) -> None:
        plain = self.lab.plain
        text = Text()
        grade = self.last_grade
        if self.grading:
            text.append("checking… ", style="bold yellow")
        elif grade is None:
            text.append("not checked yet", style="dim")
        elif grade.error:
            text.append("the check could not run (tab 4)", style="bold red")
        elif grade.passed:
            text.append("PASSED" if plain else "✓ passed", style="bold green")
        else:
            text.append(f"{sum(r.passed for r in grade.results)}/{len(grade.results)} checks "
                        f"· {grade.points}/{grade.max_points} pts", style="bold yellow")
        text.append("  ·  watch " + ("on" if self.state.watch else "off"))
        sandbox = (f"sandbox {self.sandbox_endpoint}" if self.sandbox_endpoint
                   else "sandbox unavailable" if self.sandbox_error else "sandbox starting…")
        text.append(f"  ·  {sandbox}", style="dim")
        self.query_one("#exercise-status", Static).update(text)

    def _show_hints(self) -> None:
        revealed = self.lab.store.hints_revealed(self.lab.learner_id, self.pack.id)
        hints = self.manifest.hints[:revealed]
        text = Text()
        if hints:
            text.append("Hints\n", style="bold")
            for number, hint in enumerate(hints, start=1):
                text.append(f"{number}. {hint}\n")
        left = len(self.manifest.hints) - len(hints)
        if left:
            text.append(f"\n{left} more hint{'' if left == 1 else 's'}: press h "
                        "(each one lowers the most you can score by 20%).", style="dim")
        elif hints:
            text.append("\nAll hints are shown.", style="dim")
        self.query_one("#hints", Static).update(text)

    # tabs, drafts, state -----------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self._keep_focus = None  # the learner's own choice of tab gets the tab's own focus
        self._opening_on_shell = False
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab:
            # No TabActivated comes for the tab already shown: after Esc left the shell (or
            # after a reset started a new one) 3 must still go back into it (README).
            self._focus_tab(tab)
            return
        tabs.active = tab

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or "task"
        if tab != self.query_one(TabbedContent).active:
            # A stale event (the initial tab, then the resumed one): focusing its pane would
            # make TabbedContent switch back to it, whose focus switches again - forever,
            # at 100 % CPU with every key lost (issue #21).
            return
        if tab != self.state.tab:
            self.state.tab = tab
            self.state.save(self.lab.store, self.lab.learner_id)
        self.refresh_bindings()
        keep = self._keep_focus  # a watch re-check's return (TabbedContent says so twice)
        if keep is not None and event.pane in keep.ancestors:
            self.set_focus(keep)
            return
        self._keep_focus = None
        opening, self._opening_on_shell = self._opening_on_shell, False
        if opening and tab == "console":
            # Opened (or resumed) on the Shell tab: the keys a learner presses out of habit
            # on arrival (c, 3, e...) must not run in the shell. 3 goes in, as after Esc.
            self.set_focus(self.query_one(TabbedContent).query_one("Tabs"))
            self.lab.announce("Back on the Shell tab: press 3 to type in it.")
            return
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        # Focus what the tab is for, so arrows and page keys act on it at once; now, not
        # later (widget.focus() waits a turn): a key pressed meanwhile may have chosen
        # another tab, and a late focus would land in a hidden pane (WorkbenchTabs).
        if tab == "console":
            terminal = self.terminal
            self.set_focus(terminal if terminal is not None
                           else self.query_one(SandboxConsole).input)
        elif tab == "files":  # the list first: number keys still switch tabs from there
            # the shell may have written, made or removed files since this tab was shown
            kept = self.query_one(WorkspaceEditor).sync_with_disk()
            if kept is not None:
                self._warn_newer_on_disk(kept)
            self.set_focus(self.query_one("#file-list"))
        else:
            target = {"task": "#task-scroll", "results": "#results-scroll", "trace": "#trace-table"}
            widget = self.query_one(target[tab])
            if widget.display:
                self.set_focus(widget)

    def on_workspace_editor_file_opened(self, message: WorkspaceEditor.FileOpened) -> None:
        if message.name != self.state.file:
            self.state.file = message.name
            self.state.save(self.lab.store, self.lab.learner_id)

    def _warn_newer_on_disk(self, name: str) -> None:
        self.lab.announce(f"{name} changed on disk (the shell?) while you had unsaved edits "
                          "here: they are kept, not saved; ctrl+s writes them over it.",
                          severity="warning")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._draft_dirty = True

    def _save_draft(self) -> None:
        if not self._draft_dirty:
            return
        self._draft_dirty = False
        if self._locating:
            # The placeholder is no edit: kept as a draft, it came back as the learner's
            # "unsaved edits" of their file once the workspace opened (seen after a reset).
            return
        editor = self.query_one(WorkspaceEditor)
        self.state.cursor = list(editor.editor.cursor_location)
        self.state.draft = ({"file": editor.current, "text": editor.editor.text}
                            if editor.modified else None)
        self.state.save(self.lab.store, self.lab.learner_id)

    def _after_typed_keys(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the editor has handled every key sent before this one.

        ctrl+s and F5 are priority bindings (so they act from the shell and the editor):
        Textual runs them when the app reads the key, while the keys typed just before
        still wait in the editor's queue. Saving then wrote the file without them."""
        if not self.query_one(WorkspaceEditor).editor.call_later(callback):
            callback()  # (the editor takes no messages: nothing typed can be waiting)

    def action_save(self) -> None:
        self._after_typed_keys(self._save_now)

    def _save_now(self) -> None:
        editor = self.query_one(WorkspaceEditor)
        if self._locating:  # never the placeholder over the learner's file
            self.lab.announce("Your workspace is still opening: nothing to save yet.")
            return
        name = editor.save()
        if name is None:
            return
        self.state.draft = None
        self.state.save(self.lab.store, self.lab.learner_id)
        self.lab.announce(f"Saved {name}.")

    # checking -------------------------------------------------------------------------
    def action_check(self) -> None:
        self._after_typed_keys(self._check_now)

    def _check_now(self) -> None:
        if self.grading:
            self.lab.announce("A check is already running.")
            return
        editor = self.query_one(WorkspaceEditor)
        if editor.modified and editor.changed_on_disk():  # never a stale buffer over it
            self._warn_newer_on_disk(str(editor.current))
        elif editor.modified:
            self._save_now()
        self.grading = True
        self.query_one(TabbedContent).active = "results"
        self.query_one("#results-scroll").focus()  # leave the editor/prompt of a hidden tab
        self.query_one("#grade-step", Static).update("")
        self._show_busy(True)
        self._update_status()
        self.lab.announce(f"Checking {self.pack.id}…")
        self.run_check()

    def _show_busy(self, busy: bool) -> None:
        """The animated bar and spinner exist only while a check runs: hidden, their timers
        would still wake the app 31 times a second (idle budget: under 1 % of a core)."""
        bar = self.query_one("#grade-progress", ProgressBar)
        bar.update(total=None if busy else 100)  # steps, not a fraction: indeterminate
        bar.display = busy and not self.lab.plain
        spinner = self.query_one("#grade-loading", LoadingIndicator)
        spinner.display = busy
        spinner.auto_refresh = 1 / 16 if busy else None

    @work(thread=True, exclusive=True, group="grade")
    def run_check(self) -> None:
        def progress(label: str) -> None:
            self.post_message(self.GradeProgress(label))

        try:
            view = self.lab.services.grading.grade(
                self.pack.id, self.lab.learner_id, self.lab.store, on_progress=progress
            )
        except Exception as error:
            view = GradeView(error=_message(error))
        self.post_message(self.Graded(view))

    def on_exercise_screen_grade_progress(self, message: GradeProgress) -> None:
        self.query_one("#grade-step", Static).update(Text(message.label, style="dim"))
        if self.lab.plain:
            self.lab.announce(message.label)

    def on_exercise_screen_graded(self, message: Graded) -> None:
        self.grading = False
        self.query_one("#grade-step", Static).update("")
        self._show_busy(False)
        self.last_grade = message.view
        self.state.trace = [asdict(row) for row in message.view.trace][-500:]
        self.state.save(self.lab.store, self.lab.learner_id)
        self._show_grade(message.view, announce=True)
        self._update_status()

    def _show_grade(self, view: GradeView | None, *, announce: bool) -> None:
        self.query_one(CheckResults).show(view, plain=self.lab.plain)
        table = self.query_one("#trace-table", TraceTimeline)
        has_trace = bool(view and view.trace)
        table.display = has_trace
        self.query_one("#trace-empty").display = not has_trace
        if view is not None and view.trace:
            table.show(view.trace)
        if not announce or view is None:
            return
        if view.error:
            self.lab.announce(f"The check could not run: {view.error}", severity="error")
        elif view.passed:
            self.lab.announce(f"All {len(view.results)} checks pass. Exercise passed! "
                              "Press v to compare with the reference solution.")
        elif view.note:  # the learner's situation says more than the first failure
            self.lab.announce(view.note, severity="warning")
        else:
            first = view.first_failure
            passed = sum(r.passed for r in view.results)
            self.lab.announce(f"{passed} of {len(view.results)} checks pass. First failure: "
                              f"{first.id} {first.title}." if first else "", severity="warning")

    # watch mode ---------------------------------------------------------------------------
    def _snapshot_mtimes(self) -> dict[str, float]:
        if self.workspace is None:
            return {}
        stamps = {}
        for name in workspace_files(self.workspace):
            try:
                stamps[name] = (self.workspace / name).stat().st_mtime
            except OSError:
                continue
        return stamps

    def _poll_watch(self) -> None:
        if not self.state.watch or self.workspace is None:
            return
        stamps = self._snapshot_mtimes()
        if stamps != self._mtimes and not self.grading:
            self._mtimes = stamps
            self.lab.announce("Files changed: checking again.")
            # A command in the shell that writes a file (zip, invoke ... out.json) must not
            # pull the learner to Results mid-typing, where their next keys are r Reset,
            # h Hint, v Solution: the shell or editor keeps the keyboard; F5/4 show results.
            tab, focused = self.state.tab, self.focused
            self._check_now()  # (a timer, not a key: nothing typed waits to be handled)
            if tab in ("console", "files") and focused is not None:
                # The tab's activation (handled later) would focus the file list: keep the
                # editor instead, or the next keys typed after ctrl+s run r Reset, h Hint.
                self._keep_focus = focused
                self.query_one(TabbedContent).active = tab
                focused.focus()

    def action_toggle_watch(self) -> None:
        self.state.watch = not self.state.watch
        self._mtimes = self._snapshot_mtimes()
        self.state.save(self.lab.store, self.lab.learner_id)
        self._update_status()
        self.lab.announce("Watch mode on: saving a file re-checks." if self.state.watch
                          else "Watch mode off.")

    # console ------------------------------------------------------------------------------
    def on_sandbox_console_command(self, message: SandboxConsole.Command) -> None:
        console = self.query_one(SandboxConsole)
        self.state.history = list(console.history)
        self.state.save(self.lab.store, self.lab.learner_id)
        console.input.placeholder = f"running: {message.line} …"
        self.run_command(message.args)

    @work(thread=True, group="console")
    def run_command(self, args: list[str]) -> None:
        try:
            output = self.lab.services.sandbox.run_aws(args, self.account)
        except Exception as error:
            output = CommandOutput(2, "", _message(error))
        self.post_message(self.CommandDone(output))

    def on_exercise_screen_command_done(self, message: CommandDone) -> None:
        console = self.query_one(SandboxConsole)
        console.input.placeholder = PROMPT_HINT
        output = message.output
        if output.stdout:
            console.write(output.stdout)
        if output.stderr:
            console.write(output.stderr)
        if output.exit_code:
            console.write(f"(exit code {output.exit_code})")
        if self.lab.plain:
            self.lab.announce(f"Command finished with exit code {output.exit_code}.")

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, TextArea):  # done editing: back to the file list
            self.query_one("#file-list").focus()
            return
        if isinstance(focused, Input | ShellTerminal):  # leave the prompt; keys are keys again
            self.query_one(TabbedContent).query_one("Tabs").focus()
            return
        self.leave()
        self.app.pop_screen()

    @property
    def place_target(self) -> str:
        return self.pack.id

    @property
    def topic_module(self) -> str:
        return str(self.manifest.module)

    def leave(self) -> None:
        self._draft_dirty = True
        self._save_draft()

    def on_screen_resume(self) -> None:
        if self.is_active:  # not when a jump closes screens above it and this one too
            self.lab.remember_screen("exercise", self.pack.id)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """What the footer shows is what the keys do here (issue #21).

        In the shell, the editor or the prompt letters and digits are typed, so their keys
        leave the footer and Esc says what it leaves. On the Files tab Save takes
        Solution's place (v still works): both do not fit in 80 columns.
        """
        bindings = super().active_bindings
        focused = self.focused
        typing = {ShellTerminal: "Leave shell", TextArea: "Leave editor", Input: "Leave prompt"}
        leaving = next((label for kind, label in typing.items()
                        if isinstance(focused, kind)), None)
        hidden = {key for key in bindings if leaving and len(key) == 1}
        if self.state.tab == "files":
            hidden.add("v")
        for key in hidden & bindings.keys():
            active = bindings[key]
            bindings[key] = active._replace(binding=replace(active.binding, show=False))
        back = bindings.get("escape")
        if leaving and back is not None:
            bindings["escape"] = back._replace(binding=replace(back.binding, description=leaving))
        return bindings

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check" and self.grading:
            return None
        if action in ("external_editor", "save"):  # only where there is a file to edit
            return self.state.tab == "files"
        return True

