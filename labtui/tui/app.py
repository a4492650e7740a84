"""The labtui Textual app: one factory builds it for ``labtui``, tests and ``textual run``.

    textual run labtui.tui.app:create_app

Screens live in ``labtui/tui/screens/``, widgets in ``labtui/tui/widgets/``, the
stylesheet in ``app.tcss``. Long work (sandbox start, grading, scenarios) runs
in workers that post messages; workers never touch widgets.

Seams for other parts of labtui:
- ``services``: grading, sandbox and simulator adapters (:mod:`labtui.tui.services`);
- ``register_screen_factory(name, factory, label)``: the quiz team registers
  "quiz", "review" and "exam" screens; the home screen shows an entry only for
  names that have a factory. ``create_app`` calls ``register(app)`` in
  ``labtui.tui.screens.quiz`` when that module exists (it should import its
  heavy parts lazily: the home screen's start-up time is budgeted).
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme

from labtui.errors import LabError
from labtui.progress.store import DEFAULT_LEARNER, ProgressStore
from labtui.tui import navigation, resume_guard
from labtui.tui.course_view import CourseSummary, quick_summary, summary_from_course

if TYPE_CHECKING:
    from labtui.course.loader import Course
    from labtui.tui.services import Services
    from labtui.tui.terminal_session import TerminalSession

ScreenFactory = Callable[..., Screen[Any]]

HIGH_CONTRAST = Theme(
    name="labtui-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00ff00",
    warning="#ffff00",
    error="#ff5f5f",
    dark=True,
)
THEMES = {"dark": "textual-dark", "light": "textual-light"}


@dataclass(frozen=True, slots=True)
class ScreenEntry:
    name: str
    label: str
    factory: ScreenFactory


class LabApp(App[int]):
    """The lab: home (course map), lesson reader, exercise workbench, settings."""

    CSS_PATH = "app.tcss"
    TITLE = "labtui"
    BINDING_GROUP_TITLE = "Anywhere (not while typing or answering)"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # priority: F1 works from the shell and editors too, which keep every other key
        Binding("f1", "help", "Help", show=False, priority=True),
        *navigation.GLOBAL_BINDINGS,  # home's letters on every screen (issue #21)
    ]

    class CourseLoaded(Message):
        """The full course (validated, every problem found) is ready."""

    def __init__(
        self,
        course: Course | None,
        store: ProgressStore,
        services: Services | None = None,
        *,
        content_root: Path | None = None,
        plain: bool = False,
        learner_id: str = DEFAULT_LEARNER,
        resume: bool = True,
    ) -> None:
        """Give ``course`` (loaded already) or ``content_root`` (loaded in the background
        while the home screen shows a summary read straight from the files)."""
        super().__init__()
        self._course = course
        self._course_lock = threading.Lock()
        self._load_started = False
        self._pending: list[Callable[[], None]] = []
        self.content_root = course.root if course is not None else content_root
        self._summary_key: list[Any] | None = None
        if course is not None:
            self.summary = summary_from_course(course)
        elif content_root is not None:
            self.summary = self._quick_summary(content_root)
        else:
            self.summary = CourseSummary("labtui", [], problems=1)
        self.store = store
        store.ensure_learner(learner_id)
        self._services = services
        self.plain = plain
        self.learner_id = learner_id
        self.resume_on_start = resume
        self._resuming = False  # a resumed screen not yet used (see resume_guard)
        self.announcements: list[str] = []
        self.crash_reports = False  # run_app: an unexpected error becomes a crash report
        # run_app: once the course is loaded, what exists then is kept out of the garbage
        # collector's full passes (see on_lab_app_course_loaded)
        self.freeze_after_load = False
        self.screen_factories: dict[str, ScreenEntry] = {}
        # exercise id -> the sandbox snapshot taken when it was opened (rewind target);
        # snapshots live in the sandbox server's memory, so this is per process.
        self.sandbox_snapshots: dict[str, str] = {}
        # exercise id -> its workbench shell; shells outlive their screen, end with the app
        self.shell_sessions: dict[str, TerminalSession] = {}
        self.register_theme(HIGH_CONTRAST)
        self.settings: dict[str, Any] = dict(store.ui_state(learner_id, "settings", {}) or {})
        if plain:
            # Loaded only in plain mode: its universal selector costs start-up time.
            self.css_path.append(Path(__file__).parent / "plain.tcss")
            self.add_class("-plain")
            self.theme = HIGH_CONTRAST.name
        else:
            self.theme = THEMES.get(str(self.settings.get("theme", "dark")), "textual-dark")
        self.sub_title = self.summary.title

    # the course -------------------------------------------------------------
    def _quick_summary(self, root: Path) -> CourseSummary:
        """The home screen's view of the course: cached, or read straight from the files."""
        from labtui.tui.summary_cache import content_key, load_summary

        self._summary_key = content_key(root)
        cached = load_summary(_summary_cache_path(), self._summary_key)
        return cached if cached is not None else quick_summary(root)

    @property
    def course(self) -> Course:
        """The full course; loads it now if the background load has not finished."""
        with self._course_lock:
            if self._course is None:
                self._course = _load(self.content_root)
            return self._course

    def start_background_load(self) -> None:
        """Called once the home screen has been drawn, so the load never delays it."""
        if self._course is None and not self._load_started:
            self._load_started = True
            self.load_course_in_background()

    @work(thread=True, exclusive=True, group="course")
    def load_course_in_background(self) -> None:
        _ = self.course
        self.post_message(self.CourseLoaded())

    def on_lab_app_course_loaded(self, message: CourseLoaded) -> None:
        self.summary = summary_from_course(self.course)
        if self._summary_key is not None:
            from labtui.tui.summary_cache import save_summary

            save_summary(_summary_cache_path(), self._summary_key, self.summary)
        _register_optional_screens(self)
        from labtui.tui.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_view()
            screen.refresh_bindings()
        if self.summary.problems:
            self.announce(f"{self.summary.problems} content problem(s) found: press p on the "
                          "home screen to see them.", severity="warning")
        if self.freeze_after_load:
            # Textual, the course and the home screen live as long as the app: a full
            # collection traversed their 200,000-odd objects again and again, 50-100 ms of
            # every other lesson opened (issue #21). Frozen, they are left out of it; done
            # before opening what was asked for while loading (it will not live as long).
            # Not in tests: objects of earlier apps not yet collected would be kept for good.
            import gc

            gc.freeze()
        pending, self._pending = self._pending, []
        for action in pending:  # what the learner asked for while the course was loading
            action()

    # seams ----------------------------------------------------------------
    @property
    def services(self) -> Services:
        """The real adapters are built on first use so start-up stays cheap."""
        if self._services is None:
            from labtui.tui.services import default_services

            self._services = default_services()
        return self._services

    def register_screen_factory(
        self, name: str, factory: ScreenFactory, label: str | None = None
    ) -> None:
        """Let another part of labtui provide a screen ("quiz", "review", "exam")."""
        self.screen_factories[name] = ScreenEntry(name, label or name.title(), factory)

    def open_registered(self, name: str, **context: Any) -> bool:
        entry = self.screen_factories.get(name)
        if entry is None:
            self.announce(f"{name.title()} is not available in this build.")
            return False
        try:
            screen = entry.factory(self, **context)
        except LabError as error:  # e.g. nothing to review yet: a message, not a crash
            self.report_error(error)
            return False
        self.push_screen(screen)
        return True

    # state ------------------------------------------------------------------
    def save_settings(self, **changes: Any) -> None:
        self.settings.update(changes)
        self.store.set_ui_state(self.learner_id, "settings", self.settings)

    def remember_screen(self, screen: str, target: str | None = None) -> None:
        """Where the learner is, so the next start (even after kill -9) resumes there.

        A lesson or an exercise is also the learner's last activity: what "Continue"
        on the home screen goes back to, even after they went home in between.
        """
        point = {"screen": screen, "target": target}
        self.store.set_ui_state(self.learner_id, "resume", point)
        if screen in ("lesson", "exercise"):
            self.store.set_ui_state(self.learner_id, "last_activity", point)

    def last_activity(self) -> dict[str, Any]:
        value = self.store.ui_state(self.learner_id, "last_activity", {}) or {}
        return value if isinstance(value, dict) else {}

    def resume_point(self) -> dict[str, Any]:
        value = self.store.ui_state(self.learner_id, "resume", {}) or {}
        return value if isinstance(value, dict) else {}

    def learner_name(self) -> str:
        names = dict(self.store.learners())
        return names.get(self.learner_id, self.learner_id)

    # announcing -------------------------------------------------------------
    def announce(
        self, message: str, *, severity: str = "information", timeout: float = 4
    ) -> None:
        """Tell the learner something changed: a toast, or in plain mode a text line."""
        self.announcements.append(message)
        if self.plain:
            from labtui.tui.widgets.announcer import Announcer

            # The top screen that has the announcer line (a dialog shows the one beneath).
            for screen in reversed(self.screen_stack):
                announcers = screen.query(Announcer)
                if announcers:
                    announcers.first().say(message)
                    return
            self.notify(message, severity=severity, timeout=timeout)  # type: ignore[arg-type]
        else:
            self.notify(message, severity=severity, timeout=timeout)  # type: ignore[arg-type]

    def announce_plain(self, message: str) -> None:
        """Say something only in plain mode (where the screen itself is not seen)."""
        if self.plain:
            self.announce(message)

    def report_error(self, error: BaseException) -> None:
        message = error.message if isinstance(error, LabError) else f"{type(error).__name__}: {error}"
        self.announce(message, severity="error")

    # navigation ---------------------------------------------------------------
    def on_mount(self) -> None:
        from labtui.tui.screens.home import HomeScreen

        point = self.resume_point()  # read before the home screen records itself
        died = resume_guard.interrupted(self.store, self.learner_id)
        self.push_screen(HomeScreen())
        if self._course is not None:
            _register_optional_screens(self)
        if died is not None:
            # the last start died reopening this screen: do not walk into it again (#21)
            from labtui.crashlog import latest_crash_log

            resume_guard.finish(self.store, self.learner_id)
            message = resume_guard.interrupted_message(died, latest_crash_log())
            self.call_after_refresh(self.announce, message, severity="warning", timeout=30)
        elif self.resume_on_start:
            self.call_after_refresh(self.resume_where_left, point)

    def resume_where_left(self, point: dict[str, Any] | None = None) -> None:
        point = self.resume_point() if point is None else point
        target = point.get("target")
        if point.get("screen") in ("lesson", "exercise") and isinstance(target, str):
            resume_guard.begin(self.store, self.learner_id, point)
            self._resuming = True
        if point.get("screen") == "lesson" and isinstance(target, str):
            self.open_lesson(target, remember=False)
        elif point.get("screen") == "exercise" and isinstance(target, str):
            self.open_exercise(target, remember=False)

    def _after_load(self, action: Callable[[], None]) -> bool:
        """True when the full course is loaded; otherwise run ``action`` once it is.

        Opening something in the first second after start waits for the background
        load without blocking the UI (a screen reader hears why).
        """
        if self._course is not None:
            return True
        self._pending.append(action)
        self.start_background_load()
        self.announce_plain("Loading the course…")
        return False

    def open_lesson(self, module_id: str, *, remember: bool = True) -> None:
        if not self._after_load(lambda: self.open_lesson(module_id, remember=remember)):
            return
        module = self.course.module(module_id)
        if module is None:
            self.announce(f"No module '{module_id}' in this course.", severity="warning")
            return
        if module.lesson is None:
            self.show_problems(module.lesson_path)
            return
        from labtui.tui.screens.lesson import LessonScreen

        if not navigation.bring_back(self, "lesson", module_id):
            self.push_screen(LessonScreen(module))
        if remember:
            self.remember_screen("lesson", module_id)

    def open_exercise(self, exercise_id: str, *, remember: bool = True) -> None:
        if not self._after_load(lambda: self.open_exercise(exercise_id, remember=remember)):
            return
        pack = self.course.exercises.get(exercise_id)
        if pack is None:
            planned = self.course.manifest.planned_exercises if self.course.manifest else []
            state = "is coming soon" if exercise_id in planned else "does not exist"
            self.announce(f"Exercise '{exercise_id}' {state}.", severity="warning")
            return
        if pack.manifest is None:
            self.show_problems(pack.path)
            return
        from labtui.tui.screens.exercise import ExerciseScreen

        if not navigation.bring_back(self, "exercise", exercise_id):
            self.push_screen(ExerciseScreen(pack))
        if remember:
            self.remember_screen("exercise", exercise_id)

    def show_problems(self, under: Path | None = None) -> None:
        if not self._after_load(lambda: self.show_problems(under)):
            return
        from labtui.tui.screens.problems import ProblemsScreen

        problems = self.course.problems
        if under is not None:
            problems = [p for p in problems if p.path == under or under in p.path.parents]
        navigation.bring_back(self, "problems", "")  # never two lists: the new one replaces it
        self.push_screen(ProblemsScreen(problems, self.course.root))

    def action_go(self, place: str) -> None:
        """A home key pressed on another screen (see labtui.tui.navigation)."""
        navigation.jump(self, place)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            return navigation.jump_allowed(self, str(parameters[0]))
        return True

    async def on_event(self, event: events.Event) -> None:
        # The learner used the resumed screen: reopening it did not crash (resume_guard);
        # not while it still waits for the course to load (it is not built yet).
        used = isinstance(event, (events.Key, events.MouseDown))
        if self._resuming and used and not self._pending:
            self._resuming = False
            resume_guard.finish(self.store, self.learner_id)
        await super().on_event(event)

    def on_unmount(self) -> None:
        for session in self.shell_sessions.values():  # their whole process groups
            session.close()
        self.shell_sessions.clear()
        if self._resuming and self._exception is None:  # a clean exit
            self._resuming = False
            resume_guard.finish(self.store, self.learner_id)

    def _print_error_renderables(self) -> None:
        """A bug in labtui ends with one line and a crash report, never a traceback.

        (Textual prints the traceback here; tests keep that behaviour.)
        """
        if not self.crash_reports or self._exception is None:
            super()._print_error_renderables()
            return
        from labtui.crashlog import describe_report, write_crash_report

        error = self._exception
        report = write_crash_report(error)
        self._exit_renderables.clear()
        self.error_console.print(
            f"labtui: internal error: {type(error).__name__}: {error}\n"
            f"This is a labtui bug, not your mistake. Your progress is saved. "
            f"{describe_report(report)}", markup=False, highlight=False,
        )

    def action_help(self) -> None:
        """F1 opens the keys panel, and F1 again closes it."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette lists every key of the current screen, plus the app's."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            node, action = active.node, binding.action

            def run(node: Any = node, action: str = action) -> None:
                self.call_later(self.run_action, action, node)

            yield SystemCommand(f"{binding.description}  [{binding.key_display or key}]",
                                f"key: {binding.key_display or key}", run)
        yield from super().get_system_commands(screen)


def _summary_cache_path() -> Path:
    from labtui.paths import labtui_home

    return labtui_home() / "course-summary.json"


def _content_root(store: ProgressStore, learner_id: str) -> tuple[Path | None, str]:
    """LABTUI_CONTENT, else the path saved in Settings, else the resolver's default
    (and, when there is none, why)."""
    from labtui.course.resolver import content_root

    if not os.environ.get("LABTUI_CONTENT"):
        settings = store.ui_state(learner_id, "settings", {}) or {}
        saved = settings.get("content_path") if isinstance(settings, dict) else None
        if saved and (Path(saved) / "lessons" / "course.yaml").is_file():
            return Path(saved), ""
    try:
        return content_root(), ""
    except LabError as error:
        return None, error.message


def _load(root: Path | None, why: str = "") -> Course:
    from labtui.course.loader import Course, load_course
    from labtui.course.problems import Problem

    if root is None:
        course = Course(root=Path.cwd())
        message = why or "course content not found: set LABTUI_CONTENT to a directory with "
        course.problems.append(Problem(Path("(course)"), 0, message if why else
                                       message + "lessons/, quizzes/ and sandbox/"))
        return course
    return load_course(root)


def _register_optional_screens(app: LabApp) -> None:
    for module_name in ("labtui.tui.screens.quiz",):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


def create_app(
    content_root: Path | None = None,
    store: ProgressStore | None = None,
    plain: bool = False,
    services: Services | None = None,
    *,
    learner_id: str = DEFAULT_LEARNER,
    resume: bool = True,
    background_load: bool = True,
) -> LabApp:
    """Build the app the same way for the CLI, the tests and ``textual run``.

    With ``background_load`` the home screen shows at once from a summary of the
    files and the full course loads in a worker; without it (tests) the course is
    loaded, and every problem found, before the app starts.
    """
    store = store or ProgressStore.open_default()
    settings = store.ui_state(learner_id, "settings", {}) or {}
    plain = plain or bool(isinstance(settings, dict) and settings.get("plain"))
    root, why = (content_root, "") if content_root is not None else _content_root(
        store, learner_id)
    course = None if background_load and root is not None else _load(root, why)
    return LabApp(course, store, services, content_root=root, plain=plain,
                  learner_id=learner_id, resume=resume)


def run_app(plain: bool = False) -> int:
    from labtui.crashlog import FatalErrorLog

    fatal_log = FatalErrorLog()  # a segfault's stack lands in the data directory (#21)
    try:
        app = create_app(plain=plain)
        app.crash_reports = True
        app.freeze_after_load = True
        try:
            result = app.run()
        finally:
            if app._services is not None:
                app._services.sandbox.stop()
            app.store.close()
    finally:
        fatal_log.close()
    if app._exception is not None:
        return 3  # the CLI's EXIT_INTERNAL: a labtui bug, reported above
    return int(result or app.return_code or 0)
