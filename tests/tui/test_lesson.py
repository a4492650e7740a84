"""Lesson reader: rendered Markdown, reading position, completion, try-it blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Markdown

from labtui.facts import FACTS
from labtui.tui.screens.dialogs import ScenarioScreen
from labtui.tui.screens.exercise import ExerciseScreen
from labtui.tui.screens.lesson import LessonScreen, lesson_markdown
from labtui.tui.widgets.trace import TraceTimeline

from .conftest import AppFactory


def test_lesson_markdown_renders_facts_hides_anchors_and_marks_try_its() -> None:
    body = ("## Retries {#async}\n\nRetried {{fact:async_max_retries}} times.\n\n"
            "```tryit\nscenario: a.yaml\ncaption: Watch it.\n```\n")
    shown, try_its = lesson_markdown(body)
    assert "{#async}" not in shown and "## Retries" in shown
    assert f"Retried {FACTS['async_max_retries'].render()} times" in shown
    assert "```tryit" not in shown and "Try it 1" in shown and "Watch it." in shown
    assert try_its == [{"scenario": "a.yaml", "caption": "Watch it."}]


async def wait_for(pilot: Any, condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Let the app run until ``condition`` holds (a loaded machine is slow, not wrong)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def open_lesson(app: Any, pilot: Any, module_id: str) -> LessonScreen:
    app.open_lesson(module_id)
    for _ in range(20):
        await pilot.pause(0.05)
        if isinstance(app.screen, LessonScreen) and app.screen.loaded:
            break
    assert isinstance(app.screen, LessonScreen)
    return app.screen


async def test_reading_a_lesson_shows_its_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        source = screen.viewer.document.source
        assert "# First steps with Lambda" in source and "{#what}" not in source
        assert "---" not in source.splitlines()[0]  # front matter stripped
        headings = [title for _, title, _ in screen.viewer.document.table_of_contents]
        assert "Invoke it" in headings
        assert isinstance(screen.viewer.document, Markdown)


async def test_reading_position_is_saved_and_restored(make_app: AppFactory, store: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        screen.viewer.scroll_to(y=7, animate=False, immediate=True)
        # the position is saved at most twice a second
        assert await wait_for(pilot, lambda: store.lesson_progress("me")["first-steps"].position
                              == 7)
        await pilot.press("escape")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        assert await wait_for(pilot, lambda: screen.viewer.scroll_y == 7)


async def test_reaching_the_end_marks_the_lesson_read(make_app: AppFactory, store: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(app, pilot, "first-steps")
        assert not store.lesson_progress("me")["first-steps"].completed
        await pilot.press("end")
        assert await wait_for(pilot, lambda: store.lesson_progress("me")["first-steps"].completed)
        assert any("marked as read" in a for a in app.announcements)


async def test_try_it_exercise_opens_the_workbench(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(app, pilot, "first-steps")
        await pilot.press("y")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ExerciseScreen)
        assert app.screen.pack.id == "hello-function"


async def test_try_it_scenario_runs_and_shows_the_trace(
    make_app: AppFactory, services: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(app, pilot, "retries")
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert isinstance(app.screen, ScenarioScreen)
        assert [p.name for p in services.simulator.ran] == ["async-retries-destination.yaml"]
        assert app.screen.result is not None
        await pilot.press("s")
        table = app.screen.query_one(TraceTimeline)
        assert table.display and table.row_count == 4
        assert any("4 trace events" in a for a in app.announcements)


async def test_exercise_key_says_when_an_exercise_is_coming(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lesson(app, pilot, "retries")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert any("retry-lab" in a and "coming soon" in a for a in app.announcements)


async def test_links_to_explicit_anchors_scroll_to_the_heading(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        await pilot.pause(0.2)
        assert screen.viewer.scroll_y == 0
        document = screen.viewer.document
        # the heading "## Invoke it {#invoke}" slugs to "invoke-it": the anchor must still work
        document.post_message(Markdown.LinkClicked(document, "#invoke"))
        await pilot.pause(0.2)
        assert screen.viewer.scroll_y > 0
        document.post_message(Markdown.LinkClicked(document, "retries#async"))
        await pilot.pause(0.3)
        assert isinstance(app.screen, LessonScreen) and app.screen.module.id == "retries"


async def test_try_it_picker_starts_at_the_block_on_screen(
    make_app: AppFactory, course_root: Any
) -> None:
    lesson = course_root / "lessons" / "02-retries.md"
    filler = "\n\n".join(f"Paragraph {n} about retries." for n in range(40))
    lesson.write_text(lesson.read_text().replace(
        "## Summary {#summary}",
        f"{filler}\n\n```tryit\nexercise: hello-function\n```\n\n## Summary {{#summary}}"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "retries")
        await pilot.pause(0.2)
        assert len(screen.try_its) == 2
        assert screen.nearest_try_it() == 0
        await pilot.press("end")
        await pilot.pause(0.3)
        assert screen.nearest_try_it() == 1
        await pilot.press("y")
        await pilot.pause()
        from textual.widgets import OptionList

        assert app.screen.query_one(OptionList).highlighted == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)


async def test_contents_at_80_columns_show_whole_headings_and_close_on_a_choice(
    make_app: AppFactory
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        await pilot.press("t")
        await pilot.pause()
        contents = screen.viewer.table_of_contents
        assert screen.viewer.show_table_of_contents
        assert contents.size.width >= 76  # the whole width, not 34 columns
        tree: Any = contents.query_one("Tree")
        assert tree.has_focus  # the keys move through the headings
        for _ in range(6):  # to the first heading (a leaf: the rows above are its levels)
            if tree.cursor_node is not None and tree.cursor_node.data is not None:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert not screen.viewer.show_table_of_contents
        assert screen.viewer.document.has_focus_within or screen.viewer.document.has_focus


async def test_code_wider_than_80_columns_scrolls_with_a_scrollbar(
    make_app: AppFactory, course_root: Any
) -> None:
    from labtui.tui.widgets.lesson_blocks import LessonFence

    lesson = course_root / "lessons" / "01-first-steps.md"
    long_line = "aws lambda get-function --function-name hello " + "--query X " * 8 + "--output text"
    lesson.write_text(lesson.read_text().replace("```bash\n", f"```bash\n{long_line}\n", 1))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        fence = next(f for f in screen.query(LessonFence) if "--output text" in f.code)
        await pilot.pause()
        assert fence.max_scroll_x > 0 and fence.scrollbar_size_horizontal == 1  # visible
        fence.scroll_to(x=fence.max_scroll_x, animate=False, immediate=True)
        assert fence.scroll_x == fence.max_scroll_x  # the end of the line can be reached


async def test_a_code_block_is_one_widget_and_copies_as_its_code(
    make_app: AppFactory, course_root: Any
) -> None:
    """Issue #21: two widgets per code block (a container and its label) were a quarter of
    opening the longest lesson; the one left still selects the code it shows."""
    from labtui.tui.widgets.lesson_blocks import LessonFence

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        fence = screen.query(LessonFence).first()
        assert not fence.children
        area = fence.content_region
        first = area.y + 1  # under the blank line above the code
        await pilot.mouse_down(offset=(area.x, first))
        await pilot.hover(offset=(area.x + 10, first))
        await pilot.mouse_up(offset=(area.x + 10, first))
        await pilot.pause()
        assert screen.get_selected_text() == fence.code.splitlines()[0][:11]  # columns 0-10


def test_column_widths_keep_words_whole_and_share_the_rest_by_need() -> None:
    from labtui.tui.widgets.lesson_text import column_widths

    short = [["a", "b c"], ["d"]]
    assert column_widths(short, 40) == [5, 3]  # fits: each as wide as its widest cell
    long_first = ["the managed language runtime and its security updates"]
    long_last = ["your data: where it is stored, how it is encrypted, who can read it"]
    widths = column_widths([long_first, long_last], 67)
    assert sum(widths) == 66  # all the room but the gutter, no more
    assert widths[0] > len("security") + 2 + 10  # not squeezed to its longest word
    assert widths[1] > widths[0]  # the column that needs more gets more
    assert column_widths([["x" * 50], ["y" * 50]], 21) == [10, 10]  # too wide even so


async def test_a_table_at_80_columns_keeps_several_words_per_line_in_its_first_column(
    make_app: AppFactory, course_root: Any
) -> None:
    """Issue #21: the first column was one word per line while the last had room to spare."""
    from textual.geometry import Region

    from labtui.tui.widgets.lesson_blocks import LessonSection

    table = (
        "| AWS is responsible for | you are responsible for |\n|---|---|\n"
        "| the managed language runtime and its security updates "
        "| the **execution role**: what your code may call |\n"
        "| creating, reusing and removing execution environments "
        "| your data: where it is stored, how it is encrypted, who can read it |\n\n"
    )
    lesson = course_root / "lessons" / "01-first-steps.md"
    text = lesson.read_text()
    heading = text.index("\n## ")
    lesson.write_text(text[:heading] + "\n\n" + table + text[heading:])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        await pilot.pause()
        section = next(s for s in screen.query(LessonSection) if "AWS is responsible" in s.text)
        rendered = [strip.text for strip in
                    section.render_lines(Region(0, 0, section.size.width, section.size.height))]
        assert all(len(line.rstrip()) <= section.size.width for line in rendered)
        cells = _cells_between_rules(rendered)
        assert len(cells) == 3  # the header and two rows
        for lines in cells:
            lines = [line for line in lines if line]
            assert lines, cells
            # several words on a line, and no line holding a single word of a longer cell
            assert all(len(line.split()) > 1 for line in lines[:-1]), lines
            assert max(len(line.split()) for line in lines) >= 3, lines


def _cells_between_rules(rendered: list[str]) -> list[list[str]]:
    """The lines of the first column's cells of a drawn table, one list per row."""
    cells: list[list[str]] = []
    for line in rendered:
        text = line.strip()
        if text.startswith(("┌", "├")):
            cells.append([])
        elif text.startswith("│") and cells:
            cells[-1].append(text.split("│")[1].strip())
    return cells


def _lengthen(course_root: Any) -> None:
    """The fixture lesson with many more blocks than a screen holds."""
    lesson = course_root / "lessons" / "01-first-steps.md"
    filler = "".join(f"Paragraph {n} of a long lesson.\n\n" for n in range(150))
    lesson.write_text(lesson.read_text() + "\n" + filler + "## The very end\n\nDone.\n")


def _shown_text(document: Any) -> str:
    from labtui.tui.widgets.lesson_blocks import LessonSection

    return "\n".join(block.text for block in document.children if isinstance(block, LessonSection))


async def test_a_long_lesson_is_loaded_only_once_every_block_is_in(
    make_app: AppFactory, course_root: Any, store: Any
) -> None:
    """Loaded, contents and reading position wait for every block (issue #21)."""
    _lengthen(course_root)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        assert await wait_for(pilot, lambda: screen.loaded)
        document = screen.viewer.document
        assert "Paragraph 149 of a long lesson." in _shown_text(document)
        # a section per heading or code block, not a widget per paragraph (issue #21)
        assert len(list(document.walk_children())) < 25
        assert "The very end" in [title for _, title, _ in document.table_of_contents]
        tree: Any = screen.viewer.table_of_contents.query_one("Tree")
        labels, nodes = [], [tree.root]
        while nodes:
            node = nodes.pop()
            labels.append(str(node.label))
            nodes.extend(node.children)
        assert any("The very end" in label for label in labels)  # the contents panel too
        deep = screen.viewer.max_scroll_y - 3
        screen.viewer.scroll_to(y=deep, animate=False, immediate=True)
        assert await wait_for(pilot, lambda: store.lesson_progress("me")["first-steps"].position
                              == deep)
        await pilot.press("escape")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        assert await wait_for(pilot, lambda: screen.loaded)
        assert await wait_for(pilot, lambda: screen.viewer.scroll_y == deep)


async def test_closing_a_long_lesson_while_it_is_still_filling_is_harmless(
    make_app: AppFactory, course_root: Any
) -> None:
    _lengthen(course_root)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("first-steps")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("escape")
        await pilot.pause(0.5)
        assert not isinstance(app.screen, LessonScreen)
        app.open_lesson("first-steps")  # and it opens again, whole
        screen = await open_lesson(app, pilot, "first-steps")
        assert await wait_for(pilot, lambda: screen.loaded)
        assert "Paragraph 149 of a long lesson." in _shown_text(screen.viewer.document)


async def test_a_lesson_with_no_text_still_loads(make_app: AppFactory, course_root: Any) -> None:
    """Loaded waits for the first layout to measure the blocks; with none, it still comes."""
    lesson = course_root / "lessons" / "01-first-steps.md"
    text = lesson.read_text()
    lesson.write_text(text[: text.index("---", 3) + 4])  # the front matter alone
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("first-steps")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert await wait_for(pilot, lambda: screen.loaded)
