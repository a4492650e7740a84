"""Home: the course map, overall progress, and what to do next."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from labtui.progress.store import utc_now
from labtui.tui.course_view import (
    CourseView,
    ModuleView,
    Status,
    build_course_view,
    progress_bar_text,
)
from labtui.tui.screens.base import LabScreen

ICONS = {Status.DONE: "✓", Status.IN_PROGRESS: "▸", Status.NOT_STARTED: "·", Status.LOCKED: "⊘"}
TITLE_WIDTH = 30  # at 80 columns; wider terminals get longer titles
LIST_EXTRA = 14  # icon, number, bar and padding around the title
PLAIN_ICONS = {Status.DONE: "[done]", Status.IN_PROGRESS: "[now]", Status.NOT_STARTED: "[new]",
               Status.LOCKED: "[locked]"}


class HomeScreen(LabScreen):
    BINDINGS = [
        Binding("c", "continue", "Continue"),
        Binding("enter", "open_lesson", "Open", show=False),
        Binding("l", "open_lesson", "Lesson", show=False),
        Binding("e", "open_exercise", "Exercise"),
        Binding("q", "quiz", "Quiz"),
        Binding("r", "review", "Review"),
        Binding("x", "exam", "Exam"),
        Binding("s", "settings", "Settings"),
        Binding("p", "problems", "Problems"),
    ]

    def __init__(self) -> None:
        super().__init__(id="home")
        self.view: CourseView | None = None
        self._first_resume = True
        self.title_width = TITLE_WIDTH

    def compose(self) -> ComposeResult:
        # Built with its content (not filled in on mount): one layout pass, a faster start.
        self.view = self._build_view()
        first = self._first_open()
        self.title_width = self._title_width_for(self.app.size.width)
        problems = self.lab.summary.problems
        yield from self.compose_header()
        with Vertical(id="home-top"):
            yield Static(self._overall_text(), id="overall")
            yield Static(self._next_text(), id="next-step")
            line = Static(self._problem_text(), id="problem-line")
            line.display = bool(problems)
            yield line
        with Horizontal(id="home-body"):
            options = OptionList(*[self._module_option(m) for m in self.view.modules],
                                 id="modules")
            options.styles.width = self.title_width + LIST_EXTRA
            if self.view.modules:
                options.highlighted = first
            yield options
            with VerticalScroll(id="module-detail"):
                yield Static(self._detail_text(first), id="detail")
        yield from self.compose_footer()

    @staticmethod
    def _title_width_for(columns: int) -> int:
        """Titles get the room a wide terminal has (up to 60 columns), 30 at 80 columns."""
        return max(TITLE_WIDTH, min(60, columns // 2 - LIST_EXTRA))

    def on_resize(self, event: events.Resize) -> None:
        width = self._title_width_for(event.size.width)
        if width != self.title_width and self.view is not None:
            self.title_width = width
            self.query_one("#modules", OptionList).styles.width = width + LIST_EXTRA
            self.refresh_view()

    def on_mount(self) -> None:
        self.query_one("#modules", OptionList).focus()
        self.call_after_refresh(self.lab.start_background_load)

    def on_screen_resume(self) -> None:
        # back from a lesson/exercise: its progress changed (not when a jump passed through
        # home to another screen, already on top: it is the one to remember)
        if not self._first_resume and self.is_active:
            self.lab.remember_screen("home")
            self.refresh_view()
        self._first_resume = False

    # view -------------------------------------------------------------------
    def _build_view(self) -> CourseView:
        lab = self.lab
        unlocked = None
        classroom = lab._services.classroom if lab._services is not None else None
        if classroom is not None:
            unlocked = classroom.unlocked_modules()
        return build_course_view(lab.summary, lab.store, lab.learner_id, unlocked)

    def refresh_view(self) -> None:
        self.view = self._build_view()
        options = self.query_one("#modules", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([self._module_option(m) for m in self.view.modules])
        if self.view.modules:
            options.highlighted = highlighted if highlighted is not None else self._first_open()
        self.query_one("#overall", Static).update(self._overall_text())
        self.query_one("#next-step", Static).update(self._next_text())
        line = self.query_one("#problem-line", Static)
        line.display = bool(self.lab.summary.problems)
        line.update(self._problem_text())
        self._show_detail()
        self.refresh_bindings()

    def _first_open(self) -> int:
        assert self.view is not None
        for index, module in enumerate(self.view.modules):
            if module.status not in (Status.DONE, Status.LOCKED):
                return index
        return 0

    def _module_option(self, view: ModuleView) -> Option:
        plain = self.lab.plain
        icon = (PLAIN_ICONS if plain else ICONS)[view.status]
        title = view.module.title
        if not view.module.readable:
            title += " (has problems)"
        line = Text(f"{icon} {view.module.number} ")
        width = self.title_width
        if len(title) > width:
            title = title[: width - 1].rstrip(" ,:") + "…"
        line.append(f"{title:<{width + 1}}",
                    style="dim" if view.status is Status.LOCKED else "")
        bar = progress_bar_text(view.fraction, 6, plain)  # plain: "40%", the icon says the rest
        line.append(bar, style="green" if view.status is Status.DONE else "")
        return Option(line, id=view.module.id)

    def _overall_text(self) -> Text:
        assert self.view is not None
        lab, view = self.lab, self.view
        name = lab.learner_name()
        greeting = "Welcome" if name == lab.learner_id else f"Hello {name}"
        overall = Text(f"{greeting}. Course ")
        if not lab.plain:  # plain mode says the percentage only
            overall.append(progress_bar_text(view.fraction, 12) + " ", style="green")
        overall.append(f"{round(view.fraction * 100)}% · "
                       f"{view.done_modules}/{len(view.modules)} modules done")
        if "review" in lab.screen_factories:
            due = self.review_due()
            overall.append(f" · Review ({due} due): r", style="bold" if due else "dim")
        return overall

    def _next_text(self) -> Text:
        label = self.continue_label()
        if not label:
            return Text("Everything is done. Well done!", style="bold green")
        return Text.assemble(("▶ " if not self.lab.plain else "Next: ", "bold"), (label, "bold"),
                             ("  (press c)", "dim"))

    def _problem_text(self) -> Text:
        problems = self.lab.summary.problems
        return Text(f"⚠ {problems} content problem(s): some parts are hidden. "
                    "Press p to see them.", style="bold yellow") if problems else Text()

    def _unfinished_activity(self) -> tuple[str, str] | None:
        """The lesson or exercise last worked on, unless it is finished since."""
        point = self.lab.last_activity()
        screen, target = point.get("screen"), point.get("target")
        if not isinstance(target, str):
            return None
        store, learner = self.lab.store, self.lab.learner_id
        if screen == "lesson" and self.lab.summary.module(target) is not None:
            progress = store.lesson_progress(learner).get(target)
            return None if progress and progress.completed else ("lesson", target)
        if screen == "exercise" and target in self.lab.summary.exercise_ids:
            return None if target in store.passed_exercises(learner) else ("exercise", target)
        return None

    def continue_label(self) -> str | None:
        activity = self._unfinished_activity()
        if activity is not None and activity[0] == "lesson":
            module = self.lab.summary.module(activity[1])
            assert module is not None
            return f"Continue reading {module.number} {module.title}"
        if activity is not None:
            return f"Continue exercise {activity[1]}"
        step = self.view.next_step() if self.view else None
        return step.label if step else None

    def select_module(self, module_id: str) -> None:
        """Highlight a module: a home key pressed on another screen acts on its module."""
        modules = self.view.modules if self.view else []
        index = next((i for i, m in enumerate(modules) if m.module.id == module_id), None)
        if index is not None:
            self.query_one("#modules", OptionList).highlighted = index

    def selected(self) -> ModuleView | None:
        if self.view is None:
            return None
        index = self.query_one("#modules", OptionList).highlighted
        if index is None or not 0 <= index < len(self.view.modules):
            return None
        return self.view.modules[index]

    def _show_detail(self) -> None:
        index = self.query_one("#modules", OptionList).highlighted
        self.query_one("#detail", Static).update(self._detail_text(index))

    def _detail_text(self, index: int | None) -> Text:
        modules = self.view.modules if self.view else []
        if index is None or not 0 <= index < len(modules):
            return Text("No modules: see the problems (press p).")
        view = modules[index]
        module = view.module
        text = Text()
        text.append(f"{module.number} {module.title}\n", style="bold")
        text.append(f"{view.status.value} · {view.done_units}/{view.total_units} done", style="dim")
        if module.minutes:
            text.append(f"\nabout {module.minutes} minutes", style="dim")
        text.append("\n")
        if view.status is Status.LOCKED:
            text.append("Locked: your instructor has not opened this module yet.\n", style="yellow")
        if module.readable:
            text.append("\nYou will be able to\n", style="bold")
            for objective in module.objectives:
                text.append(f"- {objective}\n")
            if module.prerequisites:
                text.append(f"\nBuilds on: {', '.join(module.prerequisites)}\n", style="dim")
        else:
            text.append("\nThis lesson has problems; press p to see them.\n", style="yellow")
        passed = self.lab.store.passed_exercises(self.lab.learner_id)
        if view.exercises or view.planned:
            text.append("\nExercises (e)\n", style="bold")
            for exercise_id in view.exercises:
                mark = "done" if exercise_id in passed else "to do"
                text.append(f"- {exercise_id} ({mark})\n")
            for exercise_id in view.planned:
                text.append(f"- {exercise_id} (coming soon)\n", style="dim")
        if view.has_quiz:
            count = module.quiz_questions
            plural = "" if count == 1 else "s"
            text.append(f"\nQuiz (q): {count} question{plural}" if count > 0 else "\nQuiz (q)",
                        style="bold")
            scores = [a.score_raw for a in self.lab.store.quiz_attempts(self.lab.learner_id,
                                                                        "practice")
                      if a.subject == module.id and a.finished_at and a.score_raw is not None]
            if scores:
                text.append(f" · best {round(max(scores) * 100)}%", style="dim")
            text.append("\n")
        return text

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_lesson()

    def review_due(self) -> int:
        return len(self.lab.store.review_cards(self.lab.learner_id, due_before=utc_now()))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        registered = self.lab.screen_factories
        if action in ("quiz", "review", "exam"):
            return action in registered  # hidden until the quiz screens are registered
        if action == "problems":
            return bool(self.lab.summary.problems)
        if action == "open_exercise":
            view = self.selected()
            return None if view is None or not view.exercises else True
        return True

    # actions ----------------------------------------------------------------
    def _open_allowed(self, view: ModuleView | None) -> bool:
        if view is None:
            return False
        if view.status is Status.LOCKED:
            self.lab.announce(f"{view.module.title} is locked until your instructor opens it.",
                              severity="warning")
            return False
        return True

    def action_open_lesson(self) -> None:
        view = self.selected()
        if self._open_allowed(view):
            assert view is not None
            self.lab.open_lesson(view.module.id)

    def action_open_exercise(self) -> None:
        view = self.selected()
        if not self._open_allowed(view):
            return
        assert view is not None
        passed = self.lab.store.passed_exercises(self.lab.learner_id)
        if len(view.exercises) > 1:  # a choice, starting at the first one still to do
            from labtui.tui.screens.dialogs import ChoiceScreen

            choices = [(e, f"{e} ({'done' if e in passed else 'to do'})") for e in view.exercises]
            first = next((i for i, e in enumerate(view.exercises) if e not in passed), 0)
            self.app.push_screen(ChoiceScreen("Exercises", choices, first),
                                 lambda chosen: self.lab.open_exercise(chosen) if chosen else None)
        elif view.exercises:
            self.lab.open_exercise(view.exercises[0])
        else:
            self.lab.announce("This module has no exercises yet.")

    def action_continue(self) -> None:
        activity = self._unfinished_activity()
        if activity is not None:
            kind, target = activity
            (self.lab.open_lesson if kind == "lesson" else self.lab.open_exercise)(target)
            return
        step = self.view.next_step() if self.view else None
        if step is None:
            self.lab.announce("Nothing left to do: every module is done.")
        elif step.kind == "lesson":
            self.lab.open_lesson(step.target)
        elif step.kind == "exercise":
            self.lab.open_exercise(step.target)
        else:
            self.lab.open_registered("quiz", module_id=step.target)

    def _open(self, name: str, **context: Any) -> None:
        self.lab.open_registered(name, **context)

    def action_quiz(self) -> None:
        view = self.selected()
        self._open("quiz", module_id=view.module.id if view else None)

    def action_review(self) -> None:
        self._open("review")

    def action_exam(self) -> None:
        self._open("exam")

    def action_settings(self) -> None:
        from labtui.tui.navigation import bring_back
        from labtui.tui.screens.settings import SettingsScreen

        if not bring_back(self.lab, "settings"):
            self.app.push_screen(SettingsScreen())

    def action_problems(self) -> None:
        self.lab.show_problems()
