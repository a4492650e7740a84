"""The lab in classroom mode (Pilot): pacing locks modules, announcements, a live quiz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtui.classroom.client import ClassroomNews
from labtui.progress.store import ProgressStore
from labtui.tui import classroom as tui_classroom
from labtui.tui.classroom import LiveQuizScreen, create_classroom_app
from labtui.tui.course_view import Status
from labtui.tui.services import Services

REPO = Path(__file__).resolve().parents[2]
MODULE = "lambda-fundamentals"


class FakeRoom:
    """A room that answers like ClassroomClient, from memory."""

    def __init__(self, quiz_questions: list[str]) -> None:
        self.unlocked = {MODULE}
        self.pending_announcements = ["Lab opens at 9", "Welcome to the lab"]
        self.quiz: dict[str, Any] | None = {
            "id": 7, "module_id": MODULE, "answered": [],
            "questions": [{"id": q} for q in quiz_questions]}
        self.answers: list[tuple[int, str, Any]] = []
        self.heartbeats: list[str | None] = []

    def unlocked_modules(self) -> set[str] | None:
        return set(self.unlocked)

    def poll(self) -> ClassroomNews:
        news = ClassroomNews(list(self.pending_announcements), self.quiz, False)
        self.pending_announcements.clear()
        return news

    def answer(self, quiz_id: int, question_id: str, answer: Any) -> None:
        self.answers.append((quiz_id, question_id, answer))

    def heartbeat(self, item: str | None) -> None:
        self.heartbeats.append(item)


class Unused:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the classroom screens should not need {name}")


async def _until(pilot: Any, condition: Any, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    pytest.fail(f"timed out waiting for {what}")


async def test_pacing_announcements_and_a_live_quiz(
    course: Any, labtui_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tui_classroom, "POLL_S", 0.1)
    singles = [q.id for q in course.questions[MODULE] if q.type == "single"][:2]
    room = FakeRoom(singles)
    store = ProgressStore(labtui_home / "progress.sqlite3")
    services = Services(grading=Unused(), sandbox=Unused(), simulator=Unused(),  # type: ignore[arg-type]
                        classroom=room)
    app = create_classroom_app(room, content_root=REPO, store=store, services=services,
                               learner_id="classroom-st-test", background_load=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, LiveQuizScreen), "the live quiz")
        # a late joiner gets the latest announcement and the rest on F7, not a burst
        assert "Instructor: Welcome to the lab" in app.announcements
        assert "Instructor: Lab opens at 9" not in app.announcements
        assert "1 earlier announcement(s): press F7." in app.announcements
        assert room.heartbeats and room.heartbeats[0] == "home"
        from textual.widgets import OptionList

        for index, _ in enumerate(singles):
            answered = len(room.answers)
            # keys go to the focused widget: wait until this question's options have focus
            await _until(
                pilot,
                lambda: isinstance(app.focused, OptionList)
                and app.focused.highlighted in (None, 0)
                and getattr(app.screen, "index", -1) == 0,
                "the options to take focus",
            )
            await pilot.press("down", "enter")  # the second option of each question
            await _until(pilot, lambda n=answered: len(room.answers) == n + 1, "the answer")
            if index == 0:  # the student leaves the running quiz, then comes back (F6)
                room.quiz["answered"] = [singles[0]]  # type: ignore[index]
                await pilot.press("escape")
                await _until(pilot, lambda: not isinstance(app.screen, LiveQuizScreen),
                             "leaving the quiz")
                await pilot.press("f6")
                await _until(pilot, lambda: isinstance(app.screen, LiveQuizScreen),
                             "back in the quiz")
        assert [(q, a) for _, q, a in room.answers] == [(singles[0], "B"), (singles[1], "B")]
        assert all(quiz_id == 7 for quiz_id, _, _ in room.answers)
        await pilot.press("escape")
        from labtui.tui.screens.home import HomeScreen

        await _until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        home = app.screen
        statuses = {m.module.id: m.status for m in home.view.modules}  # type: ignore[attr-defined]
        assert statuses["function-configuration"] is Status.LOCKED
        assert statuses[MODULE] is not Status.LOCKED
        # the instructor opens module 2: the home screen follows without a restart
        room.unlocked.add("function-configuration")
        await _until(pilot, lambda: "The instructor opened the next module." in app.announcements,
                     "the pacing news")
        statuses = {m.module.id: m.status for m in home.view.modules}  # type: ignore[attr-defined]
        assert statuses["function-configuration"] is not Status.LOCKED
        # the same quiz is not pushed again
        assert not isinstance(app.screen, LiveQuizScreen)
        await pilot.press("f7")
        await _until(pilot, lambda: any(a.startswith("Announcements:\n1. Lab opens at 9")
                                        for a in app.announcements), "the history")
    store.close()
