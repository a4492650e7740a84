"""Lesson tables whose columns are sized to their content (issue #21: readable at 80×24).

Textual's grid shrinks every column of a too-wide table toward its longest word, so at 80
columns a table's first column became one word per line while the last kept room to
spare. Here the columns share the width the way a browser's automatic table layout does:
each gets at least its longest word, and the rest of the room goes to the columns in
proportion to how much more they would need to fit on one line.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownTable, MarkdownTableContent

CELL_PADDING = 2  # the cells' "padding: 0 1" (Textual's MarkdownTableContent CSS)
GUTTER = 1  # its "grid-gutter: 1 1": one column between cells
NARROWEST = 3  # a column never shrinks below one character of text


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
    """The lesson's Markdown document: as Textual's, with sized tables."""

    BLOCKS = {**Markdown.BLOCKS, "table_open": SizedTable}
