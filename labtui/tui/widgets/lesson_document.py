"""The lesson document (issue #21): tables sized to their content, blocks shown in steps.

Textual's grid shrinks every column of a too-wide table toward its longest word, so at 80
columns a table's first column became one word per line while the last kept room to
spare. Here the columns share the width the way a browser's automatic table layout does:
each gets at least its longest word, and the rest of the room goes to the columns in
proportion to how much more they would need to fit on one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from markdown_it import MarkdownIt
from rich.cells import cell_len
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.events import Resize
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownTable, MarkdownTableContent

CELL_PADDING = 2  # the cells' "padding: 0 1" (Textual's MarkdownTableContent CSS)
GUTTER = 1  # its "grid-gutter: 1 1": one column between cells
NARROWEST = 3  # a column never shrinks below one character of text
FIRST_BLOCKS = 12  # top-level blocks painted first: more than a 24-line screen holds
LATER_BLOCKS = 40  # then this many per frame (each step lays the whole document out again)
PAINT_WAIT_S = 0.25


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def column_widths(columns: Sequence[Sequence[str]], width: int) -> list[int]:
    """Widths (padding included) for columns of cell texts in ``width`` cells.

    Every column fits its widest cell if the table fits; otherwise each keeps its longest
    word and the room left is shared in proportion to what each still lacks.
    """
    if not columns:
        return []
    room = max(width - GUTTER * (len(columns) - 1), NARROWEST * len(columns))
    natural = [max((_longest_line(cell) for cell in cells), default=0) + CELL_PADDING
               for cells in columns]
    minimum = [min(max((_longest_word(cell) for cell in cells), default=0) + CELL_PADDING,
                   natural_width) for cells, natural_width in zip(columns, natural, strict=True)]
    if sum(natural) <= room:
        return natural
    if sum(minimum) >= room:  # even the longest words do not fit: shrink them alike
        shares = [room * m / sum(minimum) for m in minimum]
    else:
        spare = room - sum(minimum)
        lacking = [n - m for n, m in zip(natural, minimum, strict=True)]
        shares = [m + spare * gap / sum(lacking) for m, gap in zip(minimum, lacking, strict=True)]
    widths = [max(NARROWEST, int(share)) for share in shares]
    # Whole cells left by rounding go to the columns that lost the largest fractions.
    by_fraction = sorted(range(len(shares)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_fraction[: max(0, room - sum(widths))]:
        widths[index] += 1
    return widths


class SizedTableContent(MarkdownTableContent):
    """A Markdown table grid whose column widths come from ``column_widths``."""

    def on_resize(self, event: Resize) -> None:
        columns = [[header.plain, *(row[i].plain if i < len(row) else "" for row in self.rows)]
                   for i, header in enumerate(self.headers)]
        widths = column_widths(columns, event.size.width)
        self.styles.grid_columns = " ".join(str(w) for w in widths)


class SizedTable(MarkdownTable):
    def compose(self) -> ComposeResult:
        headers, rows = self._get_headers_and_rows()
        self._headers = headers
        self._rows = rows
        yield SizedTableContent(headers, rows)


class LessonDocument(Markdown):
    """The lesson's Markdown document: as Textual's, with sized tables, shown in steps.

    Textual mounts a whole document (up to 200 blocks) before the first frame; styling and
    laying out a long lesson's several hundred widgets kept the screen blank for over a
    second (issue #21). The first screenfuls are mounted and painted first, the rest in
    larger steps after each frame; the contents (and so the restored reading position,
    LessonViewer.Loaded) still come once every block is in place.
    """

    BLOCKS = {**Markdown.BLOCKS, "table_open": SizedTable}

    def update(self, markdown: str) -> AwaitComplete:
        self._theme = self.app.theme
        parser = MarkdownIt("gfm-like") if self._parser_factory is None else self._parser_factory()
        old_blocks = self.query("MarkdownBlock")
        self._markdown = markdown
        self._table_of_contents = None

        async def mount_in_steps() -> None:
            async with self.lock:
                tokens = await asyncio.get_running_loop().run_in_executor(
                    None, parser.parse, markdown)
                blocks = list(self._parse_markdown(tokens))
                with self.app.batch_update():
                    await old_blocks.remove()
                    await self.mount_all(blocks[:FIRST_BLOCKS])
                for start in range(FIRST_BLOCKS, len(blocks), LATER_BLOCKS):
                    await self._painted()
                    if not self.is_attached:  # the lesson was closed meanwhile
                        return
                    await self.mount_all(blocks[start:start + LATER_BLOCKS])
            lines = markdown.splitlines()
            self._last_parsed_line = len(lines) - (1 if lines and lines[-1] else 0)
            self._table_of_contents = None  # in case it was read before every heading was in
            self.post_message(Markdown.TableOfContentsUpdated(
                self, self.table_of_contents).set_sender(self))

        return AwaitComplete(mount_in_steps())

    async def _painted(self) -> None:
        """Until the next frame (bounded: a screen closed meanwhile never paints)."""
        try:
            if not await asyncio.wait_for(self.wait_for_refresh(), PAINT_WAIT_S):
                await asyncio.sleep(0)  # called from our own task: cannot wait for it
        except TimeoutError:
            pass
