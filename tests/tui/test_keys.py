"""Home's keys on every screen, typing and answering keep their letters, keys pressed right
after an exercise opens, and the workbench footer at 80x24 (issue #21)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Footer, Switch, TabbedContent, TextArea
from textual.widgets._footer import FooterKey

from labtui.tui.navigation import GLOBAL_KEYS
from labtui.tui.screens.exercise import ExerciseScreen
from labtui.tui.screens.home import HomeScreen
from labtui.tui.screens.lesson import LessonScreen
from labtui.tui.screens.quiz import ExamPickerScreen, PracticeScreen
from labtui.tui.screens.settings import SettingsScreen
from labtui.tui.terminal_session import pty_available
from labtui.tui.widgets.terminal import ShellTerminal
from labtui.tui.widgets.workspace import WorkspaceEditor

from .conftest import AppFactory
from .shell_driver import open_shell, run

needs_pty = pytest.mark.skipif(not pty_available(), reason="the workbench shell needs a pty")


@pytest.fixture(autouse=True)
def bash_shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/bash")


def _is(kind: type[Screen[Any]], **attributes: Any) -> Any:
    def match(screen: Screen[Any]) -> bool:
        return isinstance(screen, kind) and all(
            getattr(screen, name) == value for name, value in attributes.items())
    return match


# what each home key opens from a screen about module first-steps (the fixture course's
# module with the exercise hello-function and a quiz); c continues the last activity
EXPECTED = {
    "l": _is(LessonScreen, topic_module="first-steps"),
    "e": _is(ExerciseScreen, place_target="hello-function"),
    "q": _is(PracticeScreen, subject="first-steps"),
    "r": _is(PracticeScreen, subject="review"),
    "x": _is(ExamPickerScreen),
    "s": _is(SettingsScreen),
}


def _continued(app: Any) -> Any:
    """c opens the last lesson or exercise worked on."""
    point = app.last_activity()
    if point["screen"] == "lesson":
        return _is(LessonScreen, place_target=point["target"])
    return _is(ExerciseScreen, place_target=point["target"])


async def _settle(app: Any, pilot: Any) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _start_on(app: Any, pilot: Any, start: str) -> Screen[Any]:
    app.open_exercise("hello-function")  # the last activity, for c
    await _settle(app, pilot)
    if start.startswith("exercise"):
        tab = start.split(":")[1]
        await pilot.press({"task": "1", "files": "2", "console": "3", "results": "4",
                           "trace": "5"}[tab])
        await _settle(app, pilot)
        if tab == "console":
            await pilot.press("escape")  # leave the shell: keys are the workbench's
        return app.screen  # type: ignore[no-any-return]
    await pilot.press("escape")
    await pilot.pause()
    if start == "lesson":
        app.open_lesson("first-steps")
    elif start == "settings":
        next(s for s in app.screen_stack if isinstance(s, HomeScreen)).action_settings()
        await pilot.pause()
        app.screen.query_one("#light-theme", Switch).focus()  # not the name box
    await _settle(app, pilot)
    return app.screen  # type: ignore[no-any-return]


@pytest.mark.parametrize("start", ["lesson", "exercise:task", "exercise:files",
                                   "exercise:console", "exercise:results", "exercise:trace",
                                   "settings"])
async def test_every_home_key_reaches_its_screen_from_every_screen(
    make_app: AppFactory, store: Any, start: str
) -> None:
    store.upsert_review_card("me", "q:q-01-basics-001", {}, "2000-01-01T00:00:00+00:00")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        origin = await _start_on(app, pilot, start)
        for key in [*EXPECTED, "c"]:
            reached = EXPECTED[key] if key != "c" else _continued(app)
            await pilot.press(key)
            await _settle(app, pilot)
            assert reached(app.screen), (start, key, app.screen)
            for _ in range(4):  # Esc walks back to where the key was pressed
                if app.screen is origin:
                    break
                await pilot.press("escape")
                await _settle(app, pilot)
            assert app.screen is origin, (start, key, app.screen_stack)
            assert len(app.screen_stack) <= 4, app.screen_stack  # never a second copy


async def test_home_keys_are_the_ones_documented() -> None:
    # the parametrised test covers every global key but p, which needs content problems
    assert set(GLOBAL_KEYS) - set(EXPECTED) == {"c", "p"}


async def test_a_jump_brings_back_an_open_screen_instead_of_stacking_another(
    make_app: AppFactory
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("first-steps")
        await _settle(app, pilot)
        lesson = app.screen
        await pilot.press("e")  # the lesson's exercise, over the lesson
        await _settle(app, pilot)
        exercise = app.screen
        assert isinstance(exercise, ExerciseScreen)
        await pilot.press("l")  # its lesson: the open one comes back, the exercise closes
        await _settle(app, pilot)
        assert app.screen is lesson
        assert exercise not in app.screen_stack
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_quiz_keeps_its_letters_and_esc_leaves_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("first-steps")
        await _settle(app, pilot)
        await pilot.press("q")
        await _settle(app, pilot)
        quiz = app.screen
        assert isinstance(quiz, PracticeScreen)
        for key in "lexrc":
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is quiz, key
        await pilot.press("escape", "e")
        await _settle(app, pilot)
        assert isinstance(app.screen, ExerciseScreen)


async def test_an_exam_is_never_left_by_a_home_key(make_app: AppFactory) -> None:
    from labtui.course.models import Question
    from labtui.quiz.session import ExamSession
    from labtui.tui.screens.quiz import ExamScreen

    def make_question(qid: str, tags: list[str]) -> Question:
        return Question.model_validate({
            "id": qid, "module": "first-steps", "domains": tags, "difficulty": 2,
            "type": "single", "stem": "Which option is right here?",
            "refs": ["first-steps#what"],
            "options": {k: k for k in "ABCD"}, "answer": "B",
            "explain": {k: "why" for k in "ABCD"}})

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        course = app.course
        # enough tagged questions for a (short) mock exam of the fixture course
        course.questions["first-steps"] = [make_question(f"q-01-x-{i:03d}", ["DVA:1.2"])
                                           for i in range(1, 9)]
        session = ExamSession.start(app.store, course, "DVA-C02", seed=1,
                                    learner_id=app.learner_id)
        app.push_screen(ExamScreen(session))
        await _settle(app, pilot)
        exam = app.screen
        for key in "lqexc":  # none is an exam key: each does nothing
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is exam, key
        attempts = app.store.quiz_attempts(app.learner_id, "exam")
        assert attempts and all(a.finished_at is None for a in attempts)


async def test_letters_typed_into_the_editor_stay_there(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await _settle(app, pilot)
        await pilot.press("2", "enter")  # open the first file in the editor
        await _settle(app, pilot)
        editor = app.screen.query_one(WorkspaceEditor).editor
        editor.focus()
        await pilot.pause()
        await pilot.press("ctrl+home", *"lqrxsce123", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert editor.text.startswith("lqrxsce123\n")
        assert isinstance(app.focused, TextArea)
        assert app.screen.query_one(TabbedContent).active == "files"


@needs_pty
async def test_letters_typed_into_the_shell_stay_there(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        shell = await open_shell(app, pilot)
        out = await run(pilot, shell, "echo lqrxsce-12345")
        assert "lqrxsce-12345" in out.splitlines()[-2:][0] or "lqrxsce-12345" in out
        assert isinstance(app.screen, ExerciseScreen)
        assert isinstance(app.focused, ShellTerminal)
        # Esc, then a home key: out of the shell, then to the lesson
        await pilot.press("escape", "l")
        await _settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)


async def test_keys_pressed_right_after_opening_an_exercise_are_kept(
    make_app: AppFactory
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await _settle(app, pilot)
        await pilot.press("2", "escape", "escape")  # the exercise remembers the Files tab
        await pilot.pause()
        app.open_exercise("hello-function")
        await pilot.press("3")  # no pause: while the screen mounts and shows its tab
        await _settle(app, pilot)
        assert app.screen.query_one(TabbedContent).active == "console"
        await pilot.press("escape", "escape")  # out of the shell, then back home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # reopened on the Shell tab (as after a restart): the keys are the workbench's until
        # 3 goes into the shell, so 4 at once is a tab
        await pilot.press("e", "4")
        await _settle(app, pilot)
        assert app.screen.query_one(TabbedContent).active == "results"
        await pilot.press("1", "escape")
        await pilot.pause()
        await pilot.press("e", "5")  # opened by its key on the Task tab, then at once a tab
        await _settle(app, pilot)
        assert app.screen.query_one(TabbedContent).active == "trace"


def _footer(screen: Screen[Any]) -> tuple[list[str], bool]:
    """The footer's entries, and whether they all fit beside the palette key."""
    footer = screen.query_one(Footer)
    palette = [k for k in footer.query(FooterKey) if k.has_class("-command-palette")]
    shown = [w for w in footer.query("FooterKey, FooterLabel")
             if not w.has_class("-command-palette") and not w.has_class("-grouped")]
    limit = palette[0].region.x if palette else screen.size.width
    fits = all(w.region.right <= limit for w in footer.query("FooterKey, FooterLabel")
               if w not in palette)
    return [f"{w.key_display} {w.description}" if isinstance(w, FooterKey)
            else str(w.render()) for w in shown], fits


async def test_the_workbench_footer_fits_80_columns(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await _settle(app, pilot)
        for tab in "12345":
            await pilot.press(tab)
            await _settle(app, pilot)
            if tab == "3":
                await pilot.press("escape")  # the shell's footer is tested below
                await pilot.pause()
            entries, fits = _footer(app.screen)
            assert fits, (tab, entries)
            text = " | ".join(entries)
            for wanted in ("F5 Check", "Tabs", "h Hint", "^q Quit", "esc Back"):
                assert wanted in text, (tab, entries)
            assert ("^s Save" in text) == (tab == "2"), entries
        await pilot.press("3")
        await _settle(app, pilot)
        app.screen.set_focus(app.screen.query_one("#shell"))
        await pilot.pause()
        entries, fits = _footer(app.screen)
        # in the shell letters are typed: the footer shows only the keys that act there
        assert fits and entries[0] == "esc Leave shell", entries
        assert not any(len(e.split(" ")[0]) == 1 for e in entries), entries


async def test_the_help_panel_says_the_rule(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_exercise("hello-function")
        await _settle(app, pilot)
        await pilot.press("1", "f1")
        await pilot.pause()
        panel = app.screen.query_one("HelpPanel")
        shown = str(panel.query_one("#widget-help").source)  # type: ignore[attr-defined]
        assert "Esc" in shown and "l lesson" in shown
        table = app.screen.query_one("BindingsTable").render_bindings_table()  # type: ignore[attr-defined]
        from rich.console import Console

        console = Console(width=60, record=True)
        console.print(table)
        listed = console.export_text()
        assert "Anywhere" in listed and "Review" in listed and "Reset" in listed
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")
        assert isinstance(app.screen, ExerciseScreen)
