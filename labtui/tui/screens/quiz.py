"""Quiz practice, spaced review and timed mock exams in the TUI (issue 8).

Registered with the app through :func:`register`; the services behind them
live in :mod:`labtui.quiz` (the same ones the plain-text CLI uses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from labtui.course.models import Question
from labtui.errors import LabError
from labtui.quiz.plain import format_exam_result, format_feedback
from labtui.quiz.session import ExamResult, ExamSession, Feedback, PracticeSession
from labtui.tui.screens.base import LabScreen
from labtui.tui.widgets.question import QuestionView

if TYPE_CHECKING:
    from labtui.tui.app import LabApp


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


class PracticeScreen(LabScreen):
    """Questions one by one with immediate feedback and an explanation for every option."""

    DEFAULT_CSS = """
    PracticeScreen #quiz-title { padding: 0 1; background: $boost; }
    PracticeScreen #quiz-body { height: 1fr; }
    PracticeScreen #feedback-box { height: 1fr; display: none; border-top: solid $accent; padding: 0 1; }
    PracticeScreen.-answered #quiz-body { height: auto; max-height: 45%; }
    PracticeScreen.-answered #feedback-box { display: block; }
    """

    GLOBAL_KEYS = False  # a question is open: Esc first (labtui.tui.navigation)
    BINDINGS = [
        Binding("s", "submit", "Answer"),
        Binding("n", "next", "Next"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, subject: str, questions: list[Question], title: str) -> None:
        super().__init__(classes="quiz-screen")
        self.subject, self.questions, self.title_text = subject, questions, title
        self.index = 0
        self.session: PracticeSession | None = None
        self.answered: Feedback | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(Text(self.title_text, style="bold"), id="quiz-title")
        yield Vertical(id="quiz-body")
        yield VerticalScroll(Static(id="feedback"), id="feedback-box")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.session = PracticeSession(
            self.lab.store, self.lab.learner_id, self.subject, self.questions
        )
        self._show()

    def _show(self) -> None:
        body = self.query_one("#quiz-body", Vertical)
        body.remove_children()
        self.answered = None
        self.remove_class("-answered")
        self.query_one("#feedback", Static).update("")
        view = QuestionView(self.questions[self.index], self.index + 1, len(self.questions))
        body.mount(view)
        self.call_after_refresh(view.focus_answer)
        if self.lab.plain:  # the screen shows it; screen readers need it said
            self.lab.announce(f"Question {self.index + 1} of {len(self.questions)}.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "answer-single":
            self.action_submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "answer-input":
            self.action_submit()

    def action_submit(self) -> None:
        if self.answered is not None or self.session is None:
            return
        view = self.query_one(QuestionView)
        raw = view.raw_answer(take_highlighted=True)
        if raw is None:
            self.lab.announce("Choose an answer first.", severity="warning")
            return
        try:
            self.answered = self.session.answer(view.question, raw)
        except ValueError as error:
            self.lab.announce(str(error), severity="warning")
            return
        correct = self.answered.mark.correct
        text = Text(format_feedback(self.answered) + "\n\nPress n for the next question.")
        text.stylize("bold green" if correct else "bold red", 0, len(text.plain.split("\n", 1)[0]))
        self.query_one("#feedback", Static).update(text)
        self.add_class("-answered")
        self.query_one("#feedback-box").scroll_home(animate=False)
        if self.lab.plain:
            self.lab.announce("Correct." if correct else "Not quite: see the explanation.")

    def action_next(self) -> None:
        if self.answered is None:
            self.lab.announce("Answer first (s), or Escape to leave.", severity="warning")
            return
        if self.index + 1 < len(self.questions):
            self.index += 1
            self._show()
        else:
            self._finish()

    def _finish(self) -> None:
        assert self.session is not None
        score = self.session.finish()
        right = sum(1 for f in self.session.feedback.values() if f.mark.correct)
        if self.subject == "review":
            self.lab.announce(self._review_summary())
        else:
            self.lab.announce(f"Done: {right} of {len(self.questions)} right ({score:.0%}).")
        self.dismiss(None)

    def _review_summary(self) -> str:
        from labtui.quiz.review import summary_line

        assert self.session is not None
        feedback = self.session.feedback.values()
        return summary_line(self.lab.store, self.lab.learner_id, reviewed=len(feedback),
                            remembered=sum(1 for f in feedback if f.mark.correct))

    def action_leave(self) -> None:
        # An unfinished quiz keeps its answers (and review cards) but is no score: a best
        # score counts finished quizzes only (issue 22).
        if self.session is not None and self.session.feedback:
            self.lab.announce(self._review_summary() if self.subject == "review"
                              else self.session.progress_line())
        self.dismiss(None)


class ExamPickerScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, lab: LabApp) -> None:
        super().__init__(classes="dialog-screen")
        self.lab = lab

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text(
                    "Mock exam: 65 questions, 130 minutes, no pausing the clock while "
                    "open (closing the lab keeps your time).",
                    style="bold",
                )
            )
            options = []
            for exam in self.lab.course.exams:
                unfinished = ExamSession.resume(
                    self.lab.store, self.lab.course, learner_id=self.lab.learner_id, exam_id=exam.id
                )
                suffix = f"  (resume: {_clock(unfinished.remaining_s)} left)" if unfinished else ""
                options.append(Option(f"{exam.id}  {exam.title}{suffix}", id=exam.id))
            yield OptionList(*options, id="exam-choice")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        try:
            session = exam_session(self.lab, event.option.id or "")
        except LabError as error:
            self.lab.report_error(error)
            return
        self.dismiss(None)
        self.lab.push_screen(ExamScreen(session))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExamScreen(LabScreen):
    """A timed mock exam: navigate, flag, review, submit; saved on every action."""

    DEFAULT_CSS = """
    ExamScreen #exam-status { padding: 0 1; background: $boost; }
    ExamScreen #quiz-body { height: 1fr; }
    """

    GLOBAL_KEYS = False  # left only on purpose: Esc (saved) or ctrl+s (confirmed)
    BINDINGS = [
        Binding("n", "move(1)", "Next"),
        Binding("p", "move(-1)", "Previous"),
        Binding("s", "save_answer", "Save answer"),
        Binding("f", "flag", "Flag"),
        Binding("r", "review", "Review"),
        Binding("ctrl+s", "submit", "Submit exam"),
        Binding("escape", "leave", "Leave (saved)"),
    ]

    def __init__(self, session: ExamSession) -> None:
        super().__init__(classes="exam-screen")
        self.session = session

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(id="exam-status")
        yield Vertical(id="quiz-body")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._show()
        self.set_interval(1.0, self._tick)

    def _status(self) -> str:
        s = self.session
        answered = len(s.questions) - len(s.unanswered())
        flag = "  FLAGGED" if s.is_flagged(s.current) else ""
        return (
            f"{s.blueprint.id}  ·  {_clock(s.remaining_s)} left  ·  answered {answered}/"
            f"{len(s.questions)}  ·  flagged {len(s.flagged())}{flag}"
        )

    def _tick(self) -> None:
        self.query_one("#exam-status", Static).update(Text(self._status(), style="bold"))
        if self.session.time_up:
            self.lab.announce("Time is up: your exam has been submitted.", severity="warning")
            self._submit()

    def _show(self) -> None:
        s = self.session
        body = self.query_one("#quiz-body", Vertical)
        body.remove_children()
        index = s.current
        view = QuestionView(
            s.questions[index],
            index + 1,
            len(s.questions),
            given=s.answer_of(index),
            label="flagged" if s.is_flagged(index) else "",
        )
        body.mount(view)
        self.call_after_refresh(view.focus_answer)
        self._tick()

    def _record(self, *, take_highlighted: bool = False) -> bool:
        view = self.query_one(QuestionView)
        raw = view.raw_answer(take_highlighted=take_highlighted)
        if raw is None:
            return True
        try:
            value = self.session.answer(self.session.current, raw)
        except (ValueError, LabError) as error:
            self.lab.announce(str(error), severity="warning")
            return False
        if isinstance(value, str):
            view.chosen = value  # what was saved is now the choice moving on keeps
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "answer-single" and self._record():
            self.action_move(1)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        if event.selection_list.id == "answer-multi" and event.selection_list.selected:
            self._record()
            self._tick()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._record():
            self.action_move(1)

    def action_save_answer(self) -> None:
        if self._record(take_highlighted=True):
            self.lab.announce(f"Answer saved for question {self.session.current + 1}.")
            self._tick()

    def action_move(self, step: int) -> None:
        self._record()
        target = self.session.current + step
        if 0 <= target < len(self.session.questions):
            self.session.goto(target)
            self._show()
        else:  # the first or last question: stay, but the header counts what was recorded
            self._tick()

    def action_flag(self) -> None:
        flagged = self.session.toggle_flag(self.session.current)
        self.lab.announce(
            f"Question {self.session.current + 1} {'flagged' if flagged else 'unflagged'}."
        )
        self._show()

    def action_review(self) -> None:
        self._record()

        def jump(index: int | None) -> None:
            if index is not None:
                self.session.goto(index)
                self._show()

        self.app.push_screen(ExamReviewScreen(self.session), jump)

    def action_submit(self) -> None:
        self._record()
        from labtui.tui.screens.dialogs import ConfirmScreen

        unanswered, flagged = len(self.session.unanswered()), len(self.session.flagged())

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._submit()

        self.app.push_screen(
            ConfirmScreen(
                "Submit the exam?",
                f"{unanswered} unanswered, {flagged} flagged. "
                "You cannot change answers afterwards.",
            ),
            confirmed,
        )

    def _submit(self) -> None:
        result = self.session.submit(self.lab.learner_id)
        self.lab.announce(
            f"Scaled score {result.scaled}: {'pass' if result.passed else 'not yet'}."
        )
        self.app.switch_screen(ExamResultScreen(result))

    def action_leave(self) -> None:
        self._record()
        self.lab.announce(f"Exam saved with {_clock(self.session.remaining_s)} left.")
        self.dismiss(None)


class ExamReviewScreen(ModalScreen[int | None]):
    """Every question with its state; Enter jumps to it."""

    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, session: ExamSession) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        options = []
        for i, question in enumerate(s.questions):
            state = "answered  " if s.answer_of(i) is not None else "UNANSWERED"
            flag = " · flagged" if s.is_flagged(i) else ""
            options.append(Option(f"{i + 1:>2}. {state}{flag}  {question.stem[:50]}", id=str(i)))
        with Vertical(classes="dialog"):
            yield Static(Text("Review: Enter goes to a question", style="bold"))
            yield OptionList(*options, id="review-list")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExamResultScreen(LabScreen):
    """Scaled score, domain breakdown and every question reviewable with explanations."""

    DEFAULT_CSS = """
    ExamResultScreen #exam-score { padding: 1 1 0 1; }
    ExamResultScreen #exam-breakdown { padding: 0 1; height: auto; max-height: 50%; }
    ExamResultScreen #exam-answers { height: 1fr; }
    """

    BINDINGS = [Binding("escape", "leave", "Home")]

    def __init__(self, result: ExamResult) -> None:
        super().__init__(classes="exam-result")
        self.result = result

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(
            Text(format_exam_result(self.result).split("\n", 1)[0], style="bold"), id="exam-score"
        )
        yield Static(Text(format_exam_result(self.result).split("\n", 1)[1]), id="exam-breakdown")
        options = [
            Option(
                f"{'✓' if f.mark.correct else '✗'} {i + 1:>2}. {f.question.stem[:60]}", id=str(i)
            )
            for i, f in enumerate(self.result.review)
        ]
        yield OptionList(*options, id="exam-answers")
        yield from self.compose_footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        feedback = self.result.review[int(event.option.id or 0)]
        self.app.push_screen(ExplanationScreen(feedback))

    def action_leave(self) -> None:
        self.dismiss(None)


class ExplanationScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Back")]

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(classes="dialog-screen")
        self.feedback = feedback

    def compose(self) -> ComposeResult:
        q = self.feedback.question
        body = (
            f"{q.stem}\n\n"
            + "\n".join(f"{k}. {v}" for k, v in (q.options or {}).items())
            + "\n\n"
            + format_feedback(self.feedback)
        )
        with VerticalScroll(classes="dialog"):
            yield Static(Text(body))
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)


def _practice_factory(app: LabApp, module_id: str | None = None, **_: Any) -> LabScreen:
    course = app.course
    module_id = module_id or (course.modules[0].id if course.modules else "")
    questions = list(course.questions.get(module_id, []))
    module = course.module(module_id)
    if not questions:
        raise LabError(f"module '{module_id}' has no quiz questions yet")
    return PracticeScreen(module_id, questions, f"Quiz: {module.title if module else module_id}")


def _review_factory(app: LabApp, **_: Any) -> LabScreen:
    from labtui.quiz.review import due_cards

    by_id = {q.id: q for q in app.course.all_questions()}
    due = [
        by_id[c.question_id] for c in due_cards(app.store, app.learner_id) if c.question_id in by_id
    ]
    if not due:
        raise LabError("nothing to review right now: wrong answers and failed checks land here")
    return PracticeScreen("review", due, f"Review: {len(due)} card(s) due")


def exam_session(app: LabApp, exam_id: str) -> ExamSession:
    """The learner's unfinished exam of this certification, or a new one."""
    session = ExamSession.resume(app.store, app.course, learner_id=app.learner_id, exam_id=exam_id)
    if session is None:
        session = ExamSession.start(app.store, app.course, exam_id, learner_id=app.learner_id)
    return session


def _exam_factory(
    app: LabApp, exam_id: str | None = None, **_: Any
) -> LabScreen | ExamPickerScreen:
    if exam_id:
        return ExamScreen(exam_session(app, exam_id))
    return ExamPickerScreen(app)


def register(app: LabApp) -> None:
    app.register_screen_factory("quiz", _practice_factory, "Quiz")
    app.register_screen_factory("review", _review_factory, "Review")
    app.register_screen_factory("exam", _exam_factory, "Mock exam")
