"""Home / course map: modules in order with status, what to do next, entries, locking."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import OptionList, Static

from labtui.tui.app import LabApp
from labtui.tui.screens.home import HomeScreen
from labtui.tui.screens.lesson import LessonScreen

from .conftest import AppFactory


def option_texts(app: LabApp) -> list[str]:
    options = app.screen.query_one("#modules", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_home_lists_modules_in_course_order_with_status(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        texts = option_texts(app)
        assert [t.split()[1] for t in texts] == ["01", "02"]
        assert "First steps with Lambda" in texts[0] and "Retries and failure" in texts[1]
        next_step = str(app.screen.query_one("#next-step", Static).render())
        assert "Read 01 First steps with Lambda" in next_step
        detail = str(app.screen.query_one("#detail", Static).render())
        assert "Create a function from the command line" in detail  # objectives
        assert "about 20 minutes" in detail
        assert "retry-lab" not in detail  # belongs to module 02


async def test_progress_changes_status_and_next_step(make_app: AppFactory, store: Any) -> None:
    store.complete_lesson("me", "first-steps")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "▸ 01" in option_texts(app)[0]  # in progress: lesson read, exercise to do
        assert "Exercise: hello-function" in str(app.screen.query_one("#next-step").render())
        store.record_exercise_attempt("me", "hello-function", passed=True, points=10,
                                      max_points=10, results=[])
        app.screen.refresh_view()
        assert option_texts(app)[0].startswith("✓ 01") is False  # the quiz is still to do
        assert "Quiz" in str(app.screen.query_one("#next-step").render())


async def test_enter_opens_the_highlighted_lesson_once(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.module.id == "retries"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_continue_follows_the_next_step(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.module.id == "first-steps"


async def test_quiz_entries_hidden_until_a_factory_is_registered(make_app: AppFactory) -> None:
    app = make_app()
    opened: list[dict[str, Any]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen_factories.clear()  # as in a build without the quiz screens
        app.screen.refresh_bindings()
        assert "q" not in app.screen.active_bindings  # hidden from footer and palette
        await pilot.press("q")
        assert opened == []

        def factory(lab: LabApp, **context: Any) -> Screen[None]:
            opened.append(context)
            return Screen()

        app.register_screen_factory("quiz", factory, "Quiz")
        app.screen.refresh_bindings()
        assert "q" in app.screen.active_bindings
        await pilot.press("q")
        await pilot.pause()
        assert opened == [{"module_id": "first-steps"}]


async def test_locked_modules_cannot_be_opened(make_app: AppFactory, services: Any) -> None:
    class Classroom:
        def unlocked_modules(self) -> set[str]:
            return {"first-steps"}

    services.classroom = Classroom()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "⊘ 02" in option_texts(app)[1]
        await pilot.press("down", "l")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("locked" in a for a in app.announcements)


HOME_ONLY = """
import asyncio, os, sys
from pathlib import Path
from labtui.tui.app import create_app

async def main():
    app = create_app(Path(os.environ["COURSE"]), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"

asyncio.run(main())
print("HEAVY", sorted(m for m in sys.modules if m.split(".")[0] in ("moto", "boto3", "botocore")))
"""


def test_home_never_imports_moto_or_boto3() -> None:
    import os
    import subprocess
    import sys

    from .fakes import FIXTURE_COURSE

    result = subprocess.run([sys.executable, "-c", HOME_ONLY], capture_output=True, text=True,
                            env={**os.environ, "COURSE": str(FIXTURE_COURSE)}, timeout=120,
                            check=False)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


async def test_background_load_reports_problems_and_caches_the_summary(
    make_app: AppFactory, course_root: Any, labtui_home: Any
) -> None:
    from labtui.tui.summary_cache import content_key, load_summary

    quiz = course_root / "quizzes" / "first-steps.yaml"
    quiz.write_text(quiz.read_text().replace("difficulty: 1", "difficulty: 9"))
    app = make_app(background_load=True)
    assert not app.summary.complete  # the home screen starts from the quick summary
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.summary.complete and app.summary.problems == 1
        assert app.screen.query_one("#problem-line").display
        assert any("1 content problem" in a for a in app.announcements)
    cached = load_summary(labtui_home / "course-summary.json", content_key(course_root))
    assert cached is not None and cached.problems == 1
    assert [m.id for m in cached.modules] == ["first-steps", "retries"]
    quiz.write_text(quiz.read_text() + "\n")  # any change to the content: a new key
    assert load_summary(labtui_home / "course-summary.json", content_key(course_root)) is None


async def test_continue_returns_to_the_last_unfinished_exercise(
    make_app: AppFactory, store: Any
) -> None:
    from labtui.tui.screens.exercise import ExerciseScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("escape")  # back home on purpose
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Continue exercise hello-function" in str(app.screen.query_one("#next-step").render())
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        await pilot.press("escape")
        await pilot.pause()
        store.record_exercise_attempt("me", "hello-function", passed=True, points=10,
                                      max_points=10, results=[])
        app.screen.refresh_view()
        # passed since: Continue moves on to the next step instead
        assert "Continue exercise" not in str(app.screen.query_one("#next-step").render())


async def test_titles_use_the_width_of_the_terminal(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.title_width == 30
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert app.screen.title_width == 60  # capped
        assert app.screen.query_one("#modules").size.width == app.screen.title_width + 14


def test_a_module_quiz_counts_once_passed_at_four_in_five(store: Any) -> None:
    from labtui.course.loader import load_course
    from labtui.tui.course_view import build_course_view, summary_from_course

    from .fakes import FIXTURE_COURSE

    summary = summary_from_course(load_course(FIXTURE_COURSE))
    store.complete_lesson("me", "first-steps")
    store.record_exercise_attempt("me", "hello-function", passed=True, points=10,
                                  max_points=10, results=[])
    low = store.start_quiz_attempt("me", "practice", "first-steps", {})
    store.finish_quiz_attempt(low, score_raw=0.6, score_scaled=None, passed=None)
    first = build_course_view(summary, store, "me").modules[0]
    assert (first.done_units, first.total_units, first.status.value) == (2, 3, "in progress")
    good = store.start_quiz_attempt("me", "practice", "first-steps", {})
    store.finish_quiz_attempt(good, score_raw=0.8, score_scaled=None, passed=None)
    first = build_course_view(summary, store, "me").modules[0]
    assert (first.done_units, first.status.value, first.next_step) == (3, "done", None)


async def test_exercise_key_offers_a_choice_when_a_module_has_several(
    make_app: AppFactory, course_root: Any, store: Any
) -> None:
    import shutil

    from textual.widgets import OptionList

    from labtui.tui.screens.dialogs import ChoiceScreen
    from labtui.tui.screens.exercise import ExerciseScreen

    second = course_root / "sandbox" / "second-lab"
    shutil.copytree(course_root / "sandbox" / "hello-function", second)
    manifest = second / "exercise.yaml"
    manifest.write_text(manifest.read_text().replace("id: hello-function", "id: second-lab"))
    lesson = course_root / "lessons" / "01-first-steps.md"
    lesson.write_text(lesson.read_text().replace("exercises: [hello-function]",
                                                 "exercises: [hello-function, second-lab]"))
    store.record_exercise_attempt("me", "hello-function", passed=True, points=10,
                                  max_points=10, results=[])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.selected().module.id == "first-steps"
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen), (app.screen.selected(), app.announcements)
        assert app.screen.query_one(OptionList).highlighted == 1  # the one still to do
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.pack.id == "second-lab"


async def test_the_learners_app_freezes_what_lives_as_long_as_it_once_the_course_loads(
    make_app: AppFactory,
) -> None:
    """Issue #21: full collections traversing Textual, the course and the home screen cost
    50-100 ms of every other lesson opened. run_app asks for the freeze; tests do not (it
    would keep earlier apps' garbage for good), so each app here says which it wants."""
    import gc

    for asked in (False, True):
        app = make_app(background_load=True)
        app.freeze_after_load = asked
        frozen_before = gc.get_freeze_count()
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert app.summary.complete
                assert (gc.get_freeze_count() > frozen_before) is asked
        finally:
            gc.unfreeze()
