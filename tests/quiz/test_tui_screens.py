"""Pilot tests for practice, review and the mock exam flow (answer, flag, review, submit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtui.course.loader import load_course
from labtui.progress.store import ProgressStore
from labtui.quiz.session import ExamSession
from labtui.tui.app import create_app
from labtui.tui.screens.quiz import ExamResultScreen, ExamScreen, PracticeScreen

from .conftest import MINI, make_question


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    return ProgressStore(tmp_path / "p.sqlite3")


async def test_practice_answer_feedback_and_review_card(store: ProgressStore) -> None:
    app = create_app(MINI, store, resume=False, background_load=False)
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.open_registered("quiz", module_id="basics")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        first = screen.questions[0]
        # answer wrongly on purpose
        if first.type == "numeric":
            await pilot.press("9", "enter")
        else:
            await pilot.press("down", "enter")  # B..: not the right answer "A"
        await pilot.pause()
        assert screen.answered is not None and not screen.answered.mark.correct
        assert "Right answer" in str(screen.query_one("#feedback").render())
        await pilot.press("n")
        await pilot.pause()
        assert screen.index == 1
    cards = [c for c, _, _ in store.review_cards("me")]
    assert cards == [f"q:{first.id}"]


async def test_exam_flow_answer_flag_review_submit(store: ProgressStore) -> None:
    course = load_course(MINI)
    course.questions["basics"] = [
        make_question(f"q-01-e-{i:03d}", ["DVA:1.2"]) for i in range(1, 9)
    ]
    app = create_app(MINI, store, resume=False, background_load=False)
    app._course = course
    session = ExamSession.start(store, course, "DVA-C02", seed=1)
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(ExamScreen(session))
        await pilot.pause()
        await pilot.press("down", "enter")  # answer B (right) and move on
        await pilot.pause()
        assert session.current == 1 and session.answer_of(0) == "B"
        await pilot.press("f")  # flag question 2
        await pilot.pause()
        assert session.is_flagged(1)
        await pilot.press("r")  # review list, jump to question 1
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert session.current == 0
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        result = app.screen.result
        assert result.correct == 1
    attempts = store.quiz_attempts("me", "exam")
    assert attempts[-1].finished_at is not None and attempts[-1].score_scaled == result.scaled


async def test_exam_picker_starts_an_exam_and_empty_review_is_a_message(
    store: ProgressStore,
) -> None:
    app = create_app(MINI, store, resume=False, background_load=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.open_registered("review")  # nothing due: explained, not a crash
        assert "nothing to review" in app.announcements[-1]
        assert app.open_registered("exam")
        await pilot.pause()
        await pilot.press("enter")  # DVA-C02
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert app.screen.session.blueprint.id == "DVA-C02"


async def test_leaving_a_practice_quiz_early_is_not_a_best_score(store: ProgressStore) -> None:
    app = create_app(MINI, store, resume=False, background_load=False)
    async with app.run_test(size=(100, 40)) as pilot:
        assert app.open_registered("quiz", module_id="basics")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        if screen.questions[0].type == "numeric":
            await pilot.press("1", "5", "0", "enter")
        else:
            await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert any("1 of 2 answered" in line for line in app.announcements)
    (attempt,) = store.quiz_attempts("me", "practice")
    assert attempt.finished_at is None and attempt.score_raw is None
