"""The lesson document (issue #21): a few dozen widgets per lesson, composed at once.

Textual's Markdown widget makes a widget of every paragraph, list item, bullet and table
cell; for the longest lesson that was over 400 widgets, about 2 s of styling and layout
before the lesson could be read (and mounting them in steps only moved the cost). Here
a heading and everything under it up to the next code block is one widget, and a code
block another that scrolls sideways (lesson_blocks), so opening a lesson costs about as
much as wrapping its text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.events import Mount
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets._markdown import TableOfContentsType

from labtui.tui.widgets.lesson_blocks import (
    COMPONENT_CLASSES,
    DOCUMENT_CSS,
    LessonFence,
    LessonSection,
)
from labtui.tui.widgets.lesson_text import Code, Heading, Node, heading_level, parse_blocks


class LessonDocument(Markdown):
    """The lesson's Markdown document, as Textual's but with far fewer widgets."""

    COMPONENT_CLASSES = COMPONENT_CLASSES
    DEFAULT_CSS = DOCUMENT_CSS

    def _parser(self) -> MarkdownIt:
        if self._parser_factory is not None:
            return self._parser_factory()
        # Textual's "gfm-like" without linkify, which searched every run of text for bare
        # web addresses: 40 % of parsing the longest lesson (issue #21). Lessons write their
        # links as [text](url); addresses stand in code, where linkify never looks.
        return MarkdownIt("gfm-like").disable("linkify")

    def compose(self) -> ComposeResult:
        """The blocks of the Markdown given to the constructor, built in one go.

        Parsed here rather than in a thread: parsing the longest lesson takes about 8 ms,
        and composed children are mounted with the screen, so the lesson is laid out once
        instead of after an empty document (issue #21).
        """
        markdown = self._initial_markdown or ""
        self._initial_markdown = None
        self._theme = self.app.theme
        self._markdown = markdown
        yield from self.build_blocks(parse_blocks(self._parser().parse(markdown)))
        self._set_parsed(markdown)

    def _on_mount(self, event: Mount) -> None:  # type: ignore[override]
        # Markdown's own handler would replace the composed blocks (update) in a task. (The
        # viewer fills its contents panel from table_of_contents once this is mounted.)
        event.prevent_default()
        Widget._on_mount(self, event)

    def watch_has_focus(self, _has_focus: bool) -> None:
        # Textual restyles a widget and everything in it when its focus changes; no style
        # of a block depends on the document's focus, so the document alone is restyled
        # (the lesson's blocks were restyled each time it took focus: issue #21).
        self.app.stylesheet.update_nodes([self], animate=True)

    def _set_parsed(self, markdown: str) -> None:
        lines = markdown.splitlines()
        self._last_parsed_line = len(lines) - (1 if lines and lines[-1] else 0)
        self._table_of_contents = None

    def update(self, markdown: str) -> AwaitComplete:
        self._theme = self.app.theme
        parser = self._parser()
        old_blocks = self.query_children()
        self._markdown = markdown
        self._table_of_contents = None

        async def replace_blocks() -> None:
            async with self.lock:
                tokens = await asyncio.get_running_loop().run_in_executor(
                    None, parser.parse, markdown)
                blocks = list(self.build_blocks(parse_blocks(tokens)))
                with self.app.batch_update():
                    await old_blocks.remove()
                    await self.mount_all(blocks)
            self._set_parsed(markdown)
            self.post_message(Markdown.TableOfContentsUpdated(
                self, self.table_of_contents).set_sender(self))

        return AwaitComplete(replace_blocks())

    def build_blocks(self, blocks: Iterable[tuple[Node, Token]]) -> Iterable[Widget]:
        """A section for each heading and what follows it, up to the next code block."""
        section: list[tuple[Node, Token]] = []

        def close_section() -> Iterable[Widget]:
            if section:
                yield LessonSection(self, section)
                section.clear()

        for node, token in blocks:
            if isinstance(node, Heading | Code):
                yield from close_section()
            if isinstance(node, Code):
                yield LessonFence(self, node.token, node.code)
            else:
                section.append((node, token))
        yield from close_section()

    @property
    def table_of_contents(self) -> TableOfContentsType:
        """Every heading, with the id of the section it starts (the contents panel's list)."""
        if self._table_of_contents is None:
            self._table_of_contents = [
                (heading_level(child.heading), child.heading.content.plain, child.id)
                for child in self.children
                if isinstance(child, LessonSection) and child.heading is not None
            ]
        return self._table_of_contents
