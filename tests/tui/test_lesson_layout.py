"""Lesson text drawn by sections (issue #21): lines that fit, links, contents, the footer."""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Markdown

from labtui.tui.widgets.footer import LabFooter
from labtui.tui.widgets.lesson_blocks import LessonSection
from labtui.tui.widgets.lesson_text import Heading, flow_lines, parse_blocks

from .conftest import AppFactory
from .test_lesson import open_lesson, wait_for

LESSON = """# A title

Some *text* with `code` and a [link](#somewhere).

- a first item long enough to wrap over several lines at a narrow width, with words
- a second item
  1. nested and numbered, also long enough to wrap at thirty columns
  2. two

> **Note**: a quote that also wraps when the width is small enough for it.

| key | what it means, at some length |
|---|---|
| `Timeout` | how long one invocation may run before Lambda stops it |
"""


def _lines(width: int) -> list[str]:
    nodes = [node for node, _ in parse_blocks(MarkdownIt("gfm-like").parse(LESSON))]
    return [line.plain for line in flow_lines(nodes, width)]


def test_every_line_fits_the_width_and_list_items_hang_under_their_bullet() -> None:
    for width in (20, 30, 47, 80):
        lines = _lines(width)
        assert all(cell_len(line) <= width for line in lines), (width, lines)
    lines = _lines(30)
    first = next(i for i, line in enumerate(lines) if line.startswith("• a first item"))
    assert lines[first + 1].startswith("  ") and lines[first + 1].strip()  # hanging indent
    assert any(line.startswith("   1. nested") for line in lines)  # numbered, indented
    assert any(line.startswith("▌") and "Note" in line for line in lines)
    assert lines[0].strip() == "A title" and lines[0].startswith(" ")  # the H1 is centred


def test_a_table_keeps_its_frame_and_every_row_the_same_width() -> None:
    for width in (24, 40, 74):
        rows = [line for line in _lines(width) if line and line[0] in "┌├│└"]
        assert rows and len({cell_len(row) for row in rows}) == 1, rows
        assert rows[0].startswith("┌") and rows[-1].startswith("└")


def test_headings_are_kept_for_the_contents() -> None:
    blocks = parse_blocks(MarkdownIt("gfm-like").parse("# One\n\ntext\n\n## Two\n"))
    assert [node.content.plain for node, _ in blocks if isinstance(node, Heading)] == [
        "One", "Two"]


async def test_clicking_a_link_in_the_text_follows_it(
    make_app: AppFactory, course_root: Any
) -> None:
    lesson = course_root / "lessons" / "01-first-steps.md"
    lesson.write_text(lesson.read_text().replace(
        "A function is code plus configuration.",
        "A function is code plus configuration; [see how to invoke it](#invoke)."))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        await pilot.pause(0.1)
        section = next(s for s in screen.query(LessonSection) if "see how to invoke" in s.text)
        lines = section.text.splitlines()
        y = next(i for i, line in enumerate(lines) if "see how to invoke" in line)
        x = lines[y].index("see how to invoke") + 2
        assert screen.viewer.scroll_y == 0
        await pilot.click(section, offset=(x, y))
        assert await wait_for(pilot, lambda: screen.viewer.scroll_y > 0)
        invoke = next(s for s in screen.query(LessonSection)
                      if s.heading is not None and s.heading.content.plain == "Invoke it")
        # the heading at the top, below its margin
        assert invoke.region.y - invoke.styles.margin.top == screen.viewer.region.y


@pytest.mark.parametrize("size", [(80, 24), (150, 40)])
async def test_choosing_a_heading_in_the_contents_scrolls_to_its_section(
    make_app: AppFactory, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_lesson(app, pilot, "first-steps")
        if size[0] < 100:  # narrow: the contents cover the page until a heading is chosen
            await pilot.press("t")
            await pilot.pause()
        document = screen.viewer.document
        titles = {title: block_id for _, title, block_id in document.table_of_contents}
        assert {"What a function is", "Invoke it", "Summary"} <= set(titles)
        screen.viewer.table_of_contents.post_message(
            Markdown.TableOfContentsSelected(document, titles["Summary"]))
        summary = document.query_one(f"#{titles['Summary']}")
        assert await wait_for(pilot, lambda: screen.viewer.scroll_y > 0)
        await pilot.pause()
        assert screen.viewer.scroll_y == min(
            screen.viewer.max_scroll_y, summary.virtual_region.y - summary.styles.margin.top)
        assert not screen.viewer.show_table_of_contents or size[0] >= 100


class FooterApp(App[None]):
    BINDINGS = [Binding("x", "extra", "Extra"), Binding("z", "other", "Other")]

    def __init__(self) -> None:
        super().__init__()
        self.extra_allowed = True

    def compose(self) -> ComposeResult:
        yield LabFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None: shown, disabled (False would hide it)
        return (True if self.extra_allowed else None) if action == "extra" else True

    def action_extra(self) -> None:
        pass

    def action_other(self) -> None:
        pass


async def test_the_footer_is_rebuilt_only_when_its_keys_change() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(LabFooter)
        keys = list(footer.children)
        assert [key.key for key in keys if hasattr(key, "key")][:2] == ["x", "z"]
        app.screen.refresh_bindings()  # the same keys: the same widgets
        await pilot.pause(0.1)
        assert list(footer.children) == keys
        app.extra_allowed = False  # one key disabled: rebuilt, and it shows
        app.screen.refresh_bindings()
        await pilot.pause(0.1)
        assert list(footer.children) != keys
        assert next(k for k in footer.children if getattr(k, "key", "") == "x").has_class("-disabled")


async def test_opening_a_lesson_restyles_its_blocks_and_footer_keys_once(
    make_app: AppFactory, monkeypatch: Any
) -> None:
    """Issue #21: each heading's section was restyled when made (add_class), every block
    again when the document took focus, and every footer key twice when mounted (compact
    set, then bound to the footer's), and the whole screen on its first resume: 49
    restyles in the longest lesson, now 3."""
    from textual.css.stylesheet import Stylesheet
    from textual.widgets._footer import FooterKey

    from labtui.tui.screens.lesson import LessonScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        restyled: list[object] = []
        original = Stylesheet.update_nodes

        def update_nodes(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
            nodes = list(nodes)
            restyled.extend(nodes)
            original(self, nodes, animate)

        monkeypatch.setattr(Stylesheet, "update_nodes", update_nodes)
        app.open_lesson("first-steps")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, LessonScreen) and app.screen.loaded:
                break
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.loaded
        blocks = [n for n in restyled if isinstance(n, LessonSection)]
        assert len(blocks) <= len(screen.query(LessonSection))  # (styled as mounted)
        keys = [n for n in restyled if isinstance(n, FooterKey)]
        assert len(keys) <= len(screen.query(FooterKey))


def test_lessons_link_only_what_they_write_as_links() -> None:
    """A bare address in prose stays text (linkify is off: it was 40 % of parsing the
    longest lesson, issue #21); [text](url) links still are links."""
    from labtui.tui.widgets.lesson_document import LessonDocument

    parser = LessonDocument("")._parser()
    tokens = parser.parse("See example.com and https://example.com or [the docs](https://d.example).\n")
    links = [child.attrs["href"] for token in tokens for child in token.children or []
             if child.type == "link_open"]
    assert links == ["https://d.example"]
