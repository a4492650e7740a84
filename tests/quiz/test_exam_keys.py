"""Property: the mock exam stores exactly the answers the learner chose (issue 22).

Random key sequences drive the real ExamScreen. Before each Enter the test reads which
option the learner has highlighted (what they see); that option, and nothing else, is the
answer for that question. Moving on with n/p, or leaving, must never answer a question.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import OptionList

from labtui.course.loader import load_course
from labtui.progress.store import ProgressStore
from labtui.quiz.session import ExamSession
from labtui.tui.app import create_app
from labtui.tui.screens.quiz import ExamScreen

from .conftest import MINI, make_question

KEYS = st.lists(st.sampled_from(["n", "p", "down", "up", "enter", "s"]), max_size=12)


async def _drive(keys: list[str], home: Path) -> tuple[dict[int, str], ExamSession, str]:
    store = ProgressStore(home / "p.sqlite3")
    course = load_course(MINI)
    course.questions["basics"] = [
        make_question(f"q-01-k-{i:03d}", ["DVA:1.2"]) for i in range(1, 7)
    ]
    app = create_app(MINI, store, resume=False, background_load=False)
    app._course = course
    session = ExamSession.start(store, course, "DVA-C02", seed=7)
    expected: dict[int, str] = {}
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(ExamScreen(session))
        await pilot.pause()
        for key in keys:
            if key in ("enter", "s"):
                options = app.screen.query_one("#answer-single", OptionList)
                if options.highlighted is not None:
                    expected[session.current] = str(
                        options.get_option_at_index(options.highlighted).id
                    )
            await pilot.press(key)
            await pilot.pause()
        header = str(app.screen.query_one("#exam-status").render())
        await pilot.press("escape")  # leave: saved, and must not answer anything either
        await pilot.pause()
    return expected, session, header


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=KEYS)
def test_stored_answers_are_exactly_the_answers_given(keys: list[str]) -> None:
    with tempfile.TemporaryDirectory() as home:
        expected, session, header = asyncio.run(_drive(keys, Path(home)))
        stored = {
            i: session.answer_of(i)
            for i in range(len(session.questions))
            if session.answer_of(i) is not None
        }
        assert stored == expected
        assert f"answered {len(expected)}/{len(session.questions)}" in header
        # and what the store holds after a resume is the same
        again = ExamSession.resume(session.store, session.course, exam_id="DVA-C02")
        assert again is not None
        assert {i: again.answer_of(i) for i in stored} == stored
        assert len(again.unanswered()) == len(session.questions) - len(stored)


def test_next_twice_from_the_first_question_answers_nothing() -> None:
    # the reported sequence: answer Q1 with Enter, then n, n
    with tempfile.TemporaryDirectory() as home:
        expected, session, header = asyncio.run(_drive(["enter", "n", "n"], Path(home)))
        assert len(expected) == 1 and "answered 1/" in header
        assert session.answer_of(1) is None and session.answer_of(2) is None


def test_answering_the_last_question_counts_at_once() -> None:
    # found by the property above: Enter on the last question saved the answer, but the
    # header said one fewer until the clock's next tick (moving on had nowhere to go)
    with tempfile.TemporaryDirectory() as home:
        expected, _session, header = asyncio.run(
            _drive(["n", "n", "n", "n", "n", "enter"], Path(home)))
        assert list(expected) == [5] and "answered 1/6" in header, header
