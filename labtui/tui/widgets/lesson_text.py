"""A lesson's Markdown as a small tree of text blocks, laid out as lines for a width.

Textual's Markdown widget builds a widget for every paragraph, list item, bullet and table
cell: a long lesson was over 400 widgets (about 1,450 counting scrollbars), and styling and
laying them out took about two seconds (issue #21). Here paragraphs, lists and quotes are
turned into lines of ``Content`` by plain functions, so a whole run of them (and a whole
table) is one widget whose cost is wrapping text, not one layout per block.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token
from rich.cells import cell_len
from textual.content import Content, Span
from textual.highlight import highlight
from textual.style import Style

BULLETS = ["• ", "▪ ", "‣ ", "⭑ ", "◦ "]  # as Textual's Markdown.BULLETS, by depth
QUOTE_BAR = "▌ "
CELL_PADDING = 2  # one space each side of a table cell's text
GUTTER = 1  # one line character between cells
NARROWEST = 3  # a column never shrinks below one character of text
EMPTY = Content("")
SPACE = Content(" ")

# Component classes (styled in lesson_blocks' CSS) named in the lines built here.
BULLET_STYLE = ".lesson--bullet"
QUOTE_STYLE = ".lesson--quote"
QUOTE_BODY_STYLE = ".lesson--quote-body"
LINE_STYLE = ".lesson--table-lines"
HEADER_STYLE = ".lesson--table-header"


@dataclass
class Paragraph:
    content: Content


@dataclass
class ListBlock:
    ordered: bool
    start: int = 1
    items: list[list[Node]] = field(default_factory=list)


@dataclass
class Quote:
    children: list[Node] = field(default_factory=list)


@dataclass
class Code:
    token: Token

    @property
    def code(self) -> str:
        return self.token.content.rstrip()


@dataclass
class Table:
    headers: list[Content] = field(default_factory=list)
    rows: list[list[Content]] = field(default_factory=list)


@dataclass
class Heading:
    token: Token
    content: Content = EMPTY


@dataclass
class Rule:
    token: Token


Node = Paragraph | ListBlock | Quote | Code | Table | Heading | Rule


def inline_content(token: Token) -> Content:
    """Text with styles and links of an inline token (as Textual's MarkdownBlock builds it)."""
    parts: list[str] = []
    spans: list[Span] = []
    opened: list[tuple[Style | str, int]] = []
    position = 0

    def add(text: str) -> None:
        nonlocal position
        parts.append(text)
        position += len(text)

    def close() -> None:
        if opened:
            style, start = opened.pop()
            spans.append(Span(start, position, style))

    for child in token.children or []:
        kind = child.type
        if kind == "text":
            add(re.sub(r"\s+", " ", child.content))
        elif kind == "hardbreak":
            add("\n")
        elif kind == "softbreak":
            add(" ")
        elif kind == "code_inline":
            opened.append((".code_inline", position))
            add(child.content)
            close()
        elif kind in ("em_open", "strong_open", "s_open"):
            opened.append(("." + kind.removesuffix("_open"), position))
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            opened.append((Style.from_meta({"@click": f"link({href!r})"}), position))
        elif kind == "image":
            add(f"🖼  ({child.attrs.get('alt') or child.content})")
        elif kind.endswith("_close"):
            close()
    return Content("".join(parts), spans=spans)


def parse_blocks(tokens: Sequence[Token]) -> list[tuple[Node, Token]]:
    """The top-level blocks of a token stream, each with the token that opens it."""
    blocks: list[tuple[Node, Token]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        node, index = _parse_node(tokens, index)
        if node is not None:
            blocks.append((node, token))
    return blocks


def _parse_children(tokens: Sequence[Token], index: int, close: str) -> tuple[list[Node], int]:
    children: list[Node] = []
    while index < len(tokens) and tokens[index].type != close:
        node, index = _parse_node(tokens, index)
        if node is not None:
            children.append(node)
    return children, index + 1


def _parse_node(tokens: Sequence[Token], index: int) -> tuple[Node | None, int]:
    """The block starting at ``tokens[index]`` and the index after it."""
    token = tokens[index]
    kind = token.type
    if kind in ("paragraph_open", "heading_open"):
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        content = inline_content(inline) if inline is not None and inline.type == "inline" else EMPTY
        end = index + 1
        while end < len(tokens) and tokens[end].type != kind.replace("_open", "_close"):
            end += 1
        if kind == "heading_open":
            return Heading(token, content), end + 1
        return Paragraph(content), end + 1
    if kind in ("bullet_list_open", "ordered_list_open"):
        ordered = kind == "ordered_list_open"
        block = ListBlock(ordered, int(str(token.attrs.get("start", 1))) if ordered else 1)
        index += 1
        while index < len(tokens) and tokens[index].type == "list_item_open":
            item, index = _parse_children(tokens, index + 1, "list_item_close")
            block.items.append(item)
        return block, index + 1  # past the list's close
    if kind == "blockquote_open":
        children, index = _parse_children(tokens, index + 1, "blockquote_close")
        return Quote(children), index
    if kind in ("fence", "code_block"):
        return Code(token), index + 1
    if kind == "hr":
        return Rule(token), index + 1
    if kind == "table_open":
        return _parse_table(tokens, index)
    return None, index + 1  # html and anything else Textual's Markdown does not show either


def _parse_table(tokens: Sequence[Token], index: int) -> tuple[Table, int]:
    table = Table()
    index += 1
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            table.rows.append([])
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            cell = inline_content(inline) if inline.type == "inline" else EMPTY
            (table.headers if token.type == "th_open" else table.rows[-1]).append(cell)
        index += 1
    table.rows = [row for row in table.rows if row]  # the header's own row
    return table, index + 1


# Layout: nodes to lines of at most ``width`` cells ------------------------------------


def flow_lines(nodes: Sequence[Node], width: int, *, top: bool = True,
               starts: list[int] | None = None) -> list[Content]:
    """Lines for a run of blocks: at the top level (``top``) a blank line between blocks,
    headings and quotes drawn as Textual draws them; inside a list or quote, tight.
    ``starts`` receives the index of each block's first line."""
    lines: list[Content] = []
    for index, node in enumerate(nodes):
        if index and (top or isinstance(node, Code | Quote | Table)):
            lines.append(EMPTY)
        if starts is not None:
            starts.append(len(lines))
        if top and isinstance(node, Heading):
            lines.extend(heading_lines(node, width))
        elif top and isinstance(node, Quote):
            lines.extend(_boxed_quote_lines(node, width))
        else:
            lines.extend(_node_lines(node, width))
    return lines


def heading_level(node: Heading) -> int:
    return int(node.token.tag.removeprefix("h") or 1)


def heading_lines(node: Heading, width: int) -> list[Content]:
    """As Textual's MarkdownH1..H6 (their theme's colour and style; H1 centred)."""
    level = heading_level(node)
    style = f".lesson--h{min(level, 6)}"
    lines = [line.stylize_before(style) for line in node.content.wrap(max(width, 1))]
    if level == 1:  # the margin unstyled: an underline or background stays under the words
        lines = [Content(" " * ((width - line.cell_length) // 2)) + line for line in lines]
    return lines


def _boxed_quote_lines(node: Quote, width: int) -> list[Content]:
    """As Textual's MarkdownBlockQuote: a bar at the left, padding 0 1, a lighter background."""
    bar = Content.styled(QUOTE_BAR[0], QUOTE_STYLE)
    inner = max(width - 3, 1)
    return [bar + (Content(" ") + line.pad_right(max(inner - line.cell_length, 0))
                   + Content(" ")).stylize_before(QUOTE_BODY_STYLE)
            for line in flow_lines(node.children, inner)]


def _node_lines(node: Node, width: int) -> list[Content]:
    width = max(width, 1)
    if isinstance(node, Paragraph | Heading):
        content = node.content if isinstance(node, Paragraph) else node.content.stylize(".strong")
        return content.wrap(width) if content else [EMPTY]
    if isinstance(node, ListBlock):
        return _list_lines(node, width)
    if isinstance(node, Quote):
        bar = Content.styled(QUOTE_BAR, QUOTE_STYLE)
        return [bar + line for line in flow_lines(node.children, width - 2, top=False)]
    if isinstance(node, Code):  # only inside a list or quote: top-level code scrolls sideways
        return highlight(node.code, language=node.token.info or None).fold(width)
    if isinstance(node, Table):
        return table_lines(node, width)
    return [Content("─" * width, spans=[Span(0, width, LINE_STYLE)])]


def _list_lines(block: ListBlock, width: int, depth: int = 0) -> list[Content]:
    if block.ordered:
        numbers = [f"{n}. " for n in range(block.start, block.start + len(block.items))]
        size = max((len(n) for n in numbers), default=0)
        bullets = [n.rjust(size + 1) for n in numbers]
    else:
        bullets = [BULLETS[depth % len(BULLETS)]] * len(block.items)
    lines: list[Content] = []
    for bullet, item in zip(bullets, block.items, strict=True):
        indent = cell_len(bullet)
        body: list[Content] = []
        for index, child in enumerate(item):
            if index and isinstance(child, Code | Quote | Table):
                body.append(EMPTY)
            body.extend(_list_lines(child, width - indent, depth + 1)
                        if isinstance(child, ListBlock) else _node_lines(child, width - indent))
        body = body or [EMPTY]
        lines.append(Content.styled(bullet, BULLET_STYLE) + body[0])
        lines.extend(Content(" " * indent) + line for line in body[1:])
    return lines


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def column_widths(columns: Sequence[Sequence[str]], width: int) -> list[int]:
    """Widths (padding included) for columns of cell texts in ``width`` cells.

    Textual's grid shrank every column of a too-wide table toward its longest word, so at
    80 columns a table's first column became one word per line while the last kept room to
    spare (issue #21). Here the columns share the width the way a browser's automatic table
    layout does: every column fits its widest cell if the table fits; otherwise each keeps
    its longest word and the room left is shared in proportion to what each still lacks.
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
    if sum(minimum) >= room:  # even the longest words do not fit: cut the longest only,
        shares = [min(m, _cap(minimum, room)) for m in minimum]  # so short words stay whole
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


def _cap(widths: Sequence[int], room: int) -> float:
    """The largest width ``c`` such that the columns, none wider than ``c``, fit ``room``."""
    left = float(room)
    ordered = sorted(widths)
    for index, width in enumerate(ordered):
        share = left / (len(ordered) - index)
        if width > share:
            return share
        left -= width
    return float(max(widths, default=0))


def table_lines(table: Table, width: int) -> list[Content]:
    """A table drawn with thin lines around and between its cells, in ``width`` cells."""
    count = max(len(table.headers), max((len(row) for row in table.rows), default=0))
    if not count:
        return []

    def cell(row: Sequence[Content], column: int) -> Content:
        return row[column] if column < len(row) else EMPTY

    columns = [[cell(table.headers, c).plain, *(cell(row, c).plain for row in table.rows)]
               for c in range(count)]
    widths = column_widths(columns, width - 2)  # the two outer lines

    def rule(left: str, middle: str, right: str) -> Content:
        text = left + middle.join("─" * w for w in widths) + right
        return Content(text, spans=[Span(0, len(text), LINE_STYLE)])

    def row_lines(row: Sequence[Content], header: bool) -> list[Content]:
        wrapped = [cell(row, c).wrap(max(w - CELL_PADDING, 1)) for c, w in enumerate(widths)]
        height = max(len(lines) for lines in wrapped)
        # header cells sit at the bottom of their row, as in Textual's tables
        wrapped = [([EMPTY] * (height - len(ls)) if header else []) + ls
                   + ([] if header else [EMPTY] * (height - len(ls))) for ls in wrapped]
        bar = Content.styled("│", LINE_STYLE)
        out = []
        for y in range(height):
            parts = [bar]  # joined once: adding Content piece by piece copied each line's
            for lines, w in zip(wrapped, widths, strict=True):  # spans again and again
                text = lines[y]
                if header:
                    text = text.stylize_before(HEADER_STYLE)
                parts += [SPACE, text.pad_right(max(w - 2 - text.cell_length, 0)), SPACE, bar]
            out.append(EMPTY.join(parts))
        return out

    lines = [rule("┌", "┬", "┐"), *row_lines(table.headers, header=True)]
    for row in table.rows:
        lines += [rule("├", "┼", "┤"), *row_lines(row, header=False)]
    lines.append(rule("└", "┴", "┘"))
    return lines


LayoutFunction = Callable[[int], list[Content]]
