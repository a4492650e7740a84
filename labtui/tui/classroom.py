"""The lab in classroom mode: pacing, announcements and live quizzes from the instructor.

``labtui.classroom`` builds a :class:`ClassroomLabApp` for each student (browser or terminal).
The app polls the room every few seconds in a worker thread: announcements become toasts (or
text lines in plain mode), a newly started live quiz opens :class:`LiveQuizScreen`, newly
unlocked modules refresh the home screen, and a heartbeat tells the room where the student is
(for the dashboard's time spent). The classroom object is any :class:`LiveClassroomPort`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Protocol

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static

from labtui.errors import LabError
from labtui.tui.app import LabApp, create_app
from labtui.tui.screens.base import LabScreen
from labtui.tui.services import ClassroomPort
from labtui.tui.widgets.question import QuestionView

if TYPE_CHECKING:
    from labtui.course.models import Question

# How often the room is asked for news; tests set LABTUI_CLASSROOM_POLL_S to go faster.
POLL_S = float(os.environ.get("LABTUI_CLASSROOM_POLL_S", "3") or 3)
HEARTBEATS_EVERY = 5  # polls: a heartbeat every ~15 s is enough for "time spent"


class LiveClassroomPort(ClassroomPort, Protocol):
    """The live half of a classroom (see ``labtui.classroom.client.ClassroomClient``)."""

    def poll(self) -> Any: ...  # .announcements, .quiz, .ended, .undelivered, .reachable
    def answer(self, quiz_id: int, question_id: str, answer: Any) -> int: ...
    def heartbeat(self, item: str | None) -> None: ...


class LiveQuizScreen(LabScreen):
    """The instructor's live quiz: one question at a time, answers go straight to the room."""

    GLOBAL_KEYS = False  # the instructor's live question: Esc first (labtui.tui.navigation)
    BINDINGS = [Binding("s", "submit", "Answer"), Binding("escape", "leave", "Leave quiz")]

    def __init__(self, quiz_id: int, module_id: str, questions: list[Question]) -> None:
        super().__init__(id="live-quiz")
        self.quiz_id, self.module_id, self.questions = quiz_id, module_id, questions
        self.index = 0

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="live-quiz-body"):
            yield Static(Text(f"Live quiz · {self.module_id}", style="bold"), id="live-title")
            yield Static(id="live-status")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.show_question()

    def show_question(self) -> None:
        for old in self.query(QuestionView):
            old.remove()
        if self.index >= len(self.questions):
            self.query_one("#live-status", Static).update(
                "All answers sent. Results appear on the instructor's screen. Press Esc.")
            return
        view = QuestionView(self.questions[self.index], self.index + 1, len(self.questions),
                            label="live quiz")
        self.query_one("#live-quiz-body", Vertical).mount(view)
        self.call_after_refresh(view.focus_answer)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        views = list(self.query(QuestionView))
        if not views:
            return
        raw = views[0].raw_answer()
        if raw is None:
            self.lab.announce("Choose an answer first.", severity="warning")
            return
        self.send(self.questions[self.index].id, raw)

    @work(thread=True, exclusive=True, group="live-quiz")
    def send(self, question_id: str, raw: Any) -> None:
        classroom = self.app.classroom  # type: ignore[attr-defined]
        try:
            waiting = classroom.answer(self.quiz_id, question_id, raw)
        except LabError as error:
            self.app.call_from_thread(self.lab.announce, error.message, severity="error")
            return
        self.app.call_from_thread(self.answered, waiting)

    def answered(self, waiting: int = 0) -> None:
        self.query_one("#live-status", Static).update(
            f"Answer {self.index + 1} sent." if not waiting else
            f"Answer {self.index + 1} saved: not yet delivered ({waiting}), sent when the room "
            "is reachable.")
        self.index += 1
        self.show_question()

    def action_leave(self) -> None:
        self.app.pop_screen()


class ClassroomLabApp(LabApp):
    """The lab, plus a poll of the room (announcements, quiz, pacing, heartbeat)."""

    BINDINGS = [Binding("f6", "rejoin_quiz", "Live quiz", show=False),
                Binding("f7", "announcement_history", "Announcements", show=False)]

    def __init__(self, *args: Any, classroom: LiveClassroomPort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classroom = classroom
        self.seen_quizzes: set[int] = set()
        self._unlocked: set[str] | None = None
        self._ended = False
        self._polls = 0
        self._quiz: dict[str, Any] | None = None  # the running live quiz, to go back into
        self.announcement_history: list[str] = []  # every announcement, for F7
        self._undelivered = 0

    def on_mount(self) -> None:
        # Textual also runs LabApp.on_mount (handlers run for each class in the MRO)
        self.set_interval(POLL_S, self.poll_classroom)
        self.call_after_refresh(self.poll_classroom)

    @work(thread=True, exclusive=True, group="classroom")
    def poll_classroom(self) -> None:
        news = self.classroom.poll()
        unlocked = self.classroom.unlocked_modules()
        beat, self._polls = self._polls % HEARTBEATS_EVERY == 0, self._polls + 1
        if beat:  # the first poll reports at once
            point = self.resume_point()
            screen, target = point.get("screen"), point.get("target")
            self.classroom.heartbeat(f"{screen}:{target}" if screen and target else "home")
        self.call_from_thread(self.apply_news, news, unlocked)

    def apply_news(self, news: Any, unlocked: set[str] | None) -> None:
        undelivered = int(getattr(news, "undelivered", 0))
        if undelivered != self._undelivered:
            self._undelivered = undelivered
            if undelivered == 0:
                self.announce("Everything you sent has reached the room.")
        title = self.summary.title
        self.sub_title = f"{title} · not yet delivered ({undelivered})" if undelivered else title
        first_news = not self.announcement_history
        self.announcement_history += list(news.announcements)
        if first_news and len(news.announcements) > 1:
            # a late joiner: the latest one, and the rest on request (not a burst of toasts)
            self.announce(f"Instructor: {news.announcements[-1]}")
            self.announce(f"{len(news.announcements) - 1} earlier announcement(s): press F7.")
        else:
            for text in news.announcements:
                self.announce(f"Instructor: {text}")
        if news.ended and not self._ended:
            self._ended = True
            self.announce("The session has ended; your work stays saved.", severity="warning")
        if unlocked != self._unlocked:
            first = self._unlocked is None
            self._unlocked = unlocked
            if not first:
                self.announce("The instructor opened the next module.")
            from labtui.tui.screens.home import HomeScreen

            for screen in self.screen_stack:
                if isinstance(screen, HomeScreen) and screen.view is not None:
                    screen.refresh_view()
        quiz = news.quiz
        if getattr(news, "reachable", True):
            self._quiz = quiz
        if quiz and quiz["id"] not in self.seen_quizzes:
            self.seen_quizzes.add(quiz["id"])
            if self.open_quiz(quiz):
                self.announce("The instructor started a live quiz (F6 to come back to it).")

    def open_quiz(self, quiz: dict[str, Any]) -> bool:
        by_id = {q.id: q for q in self.course.all_questions()}
        questions = [by_id[q["id"]] for q in quiz["questions"]
                     if q["id"] in by_id and q["id"] not in quiz.get("answered", [])]
        if not questions or isinstance(self.screen, LiveQuizScreen):
            return False
        self.push_screen(LiveQuizScreen(quiz["id"], quiz["module_id"], questions))
        return True

    def action_announcement_history(self) -> None:
        """Every announcement of the session so far, oldest first."""
        if not self.announcement_history:
            self.announce("No announcements yet.")
            return
        self.announce("Announcements:\n" + "\n".join(
            f"{n}. {text}" for n, text in enumerate(self.announcement_history, start=1)))

    def action_rejoin_quiz(self) -> None:
        """Back into the running live quiz (its unanswered questions) after leaving it."""
        if self._quiz is None:
            self.announce("No live quiz is running.")
        elif not self.open_quiz(self._quiz):
            self.announce("You have answered every question of this quiz.")


def create_classroom_app(classroom: LiveClassroomPort, **kwargs: Any) -> ClassroomLabApp:
    """``create_app`` (same content and settings resolution), as a classroom app."""
    base = create_app(**kwargs)
    return ClassroomLabApp(base._course, base.store, base._services,
                           content_root=base.content_root, plain=base.plain,
                           learner_id=base.learner_id, resume=base.resume_on_start,
                           classroom=classroom)
