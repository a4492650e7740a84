"""Bad content shows a readable problem panel; the rest of the course still works."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from labtui.tui.screens.home import HomeScreen
from labtui.tui.screens.lesson import LessonScreen
from labtui.tui.screens.problems import ProblemsScreen

from .conftest import AppFactory


def break_course(root: Path) -> None:
    lesson = root / "lessons" / "02-retries.md"
    lesson.write_text(lesson.read_text().replace("minutes: 30", "minutes: [not a number"))
    quiz = root / "quizzes" / "first-steps.yaml"
    quiz.write_text(quiz.read_text().replace("difficulty: 1", "difficulty: 9"))


async def test_problem_panel_lists_file_and_line(make_app: AppFactory, course_root: Path) -> None:
    break_course(course_root)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "content problem" in str(app.screen.query_one("#problem-line").render())
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        listing = app.screen.query_one(OptionList)
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert any(line.startswith("lessons/02-retries.md:") for line in lines), lines
        assert any(line.startswith("quizzes/first-steps.yaml:4: difficulty") for line in lines), lines
        await pilot.press("enter")  # the first problem is the lesson's: it opens
        await pilot.pause(0.2)
        assert isinstance(app.screen, LessonScreen) and app.screen.module.id == "retries"
        await pilot.press("escape", "escape")
        await pilot.pause()
        app.open_lesson("first-steps")  # the good module still opens
        await pilot.pause(0.2)
        assert isinstance(app.screen, LessonScreen)


async def test_a_lesson_with_broken_front_matter_still_reads(
    make_app: AppFactory, course_root: Path
) -> None:
    (course_root / "lessons" / "02-retries.md").write_text("---\nid: [\n---\n# Broken\n")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#modules", OptionList)
        assert "(has problems)" in str(options.get_option_at_index(1).prompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert "# Broken" in app.screen.markdown


async def test_a_missing_lesson_opens_the_problem_panel(
    make_app: AppFactory, course_root: Path
) -> None:
    (course_root / "lessons" / "02-retries.md").unlink()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert [p.path.name for p in app.screen.problems] == ["02-retries.md"]


async def test_missing_content_still_opens(store: object, services: object) -> None:
    from labtui.course.loader import Course
    from labtui.tui.app import LabApp

    course = Course(root=Path("/nonexistent"))
    app = LabApp(course, store, services)  # type: ignore[arg-type]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


CRASHING = """
import os
from pathlib import Path
from labtui.tui.app import create_app
from labtui.tui.screens.home import HomeScreen

def boom(self):
    raise RuntimeError("simulated bug")

HomeScreen.on_mount = boom
app = create_app(Path(os.environ["COURSE"]))
app.crash_reports = True
app.run(headless=True)
"""


def test_a_bug_ends_with_a_crash_report_not_a_traceback(labtui_home: Path) -> None:
    import os
    import subprocess
    import sys

    from .fakes import FIXTURE_COURSE

    done = subprocess.run([sys.executable, "-c", CRASHING], capture_output=True, text=True,
                          env={**os.environ, "COURSE": str(FIXTURE_COURSE)}, timeout=120,
                          check=False)
    assert "labtui: internal error: RuntimeError: simulated bug" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    [report] = labtui_home.glob("crash-*.log")
    assert "simulated bug" in report.read_text()
