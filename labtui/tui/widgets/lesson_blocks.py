"""Lesson sections: a heading and everything under it up to the next code block, one widget.

Textual's Markdown widget makes a widget of every paragraph, list item, bullet and table
cell; styling and arranging the longest lesson's 400-odd widgets took about 2 s (issue
#21). A ``LessonSection`` lays its blocks out as lines for its width (lesson_text) and
caches them, so a lesson is a few dozen widgets. A code block is one ``LessonFence`` that
draws its lines itself, so that wide code scrolls sideways. Sections are MarkdownBlocks: links post
Markdown.LinkClicked, and the text can be selected like any Static's. A section that
starts with a heading carries the heading's id: the contents panel scrolls to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markdown_it.token import Token
from rich.style import Style as RichStyle
from textual._slug import slug_for_tcss_id
from textual.app import ComposeResult
from textual.content import Content
from textual.css.types import CSSLocation
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock, MarkdownFence

from labtui.tui.widgets.lesson_text import Heading, Node, flow_lines, heading_level

# The inline styles (Markdown's em, strong, s, code_inline and ours) are component classes
# of the document alone: Textual styles every component class of every widget as a node of
# its own, which for the four on each Markdown block was a large part of opening a lesson.
COMPONENT_CLASSES = {
    "em", "strong", "s", "code_inline", "lesson--bullet", "lesson--quote", "lesson--quote-body",
    "lesson--table-lines", "lesson--table-header", *(f"lesson--h{n}" for n in range(1, 7)),
}
DOCUMENT_CSS = """
LessonDocument {
    &:dark > .code_inline { background: $warning 10%; color: $text-warning 95%; }
    &:light > .code_inline { background: $error 5%; color: $text-error 95%; }
    &:ansi > .code_inline { background: ansi_default !important; }
    & > .em { text-style: italic; }
    & > .strong { text-style: bold; }
    & > .s { text-style: strike; }
    & > .lesson--bullet { color: $text-primary; }
    &:light > .lesson--bullet { color: $text-secondary; }
    & > .lesson--quote { color: $text-primary 50%; }
    &:light > .lesson--quote { color: $text-secondary; }
    & > .lesson--quote-body { background: $boost; }
    & > .lesson--table-lines { color: $foreground 20%; }
    & > .lesson--table-header { color: $primary; text-style: bold; }
""" + "".join(
    f"    & > .lesson--h{n} {{ color: $markdown-h{n}-color; "
    f"background: $markdown-h{n}-background; text-style: $markdown-h{n}-text-style; }}\n"
    for n in range(1, 7)) + "}\n"


DefaultCss = list[tuple[CSSLocation, str, int, str]]
_DEFAULT_CSS: dict[type[Widget], DefaultCss] = {}


def class_default_css(widget: Widget, read: Callable[[], DefaultCss]) -> DefaultCss:
    """The default CSS of the widget's classes, read once per class, not once per widget.

    Textual finds the file of every class of every widget it mounts (inspect.getfile) to
    name its DEFAULT_CSS, though the answer depends on the class alone: for a lesson's
    widgets that was a tenth of opening it (cProfile). (A mixin cannot do this: Textual
    follows only the first base for CSS.)
    """
    css = _DEFAULT_CSS.get(type(widget))
    if css is None:
        css = _DEFAULT_CSS[type(widget)] = read()
    return css


class LessonSection(MarkdownBlock):
    """Blocks drawn as lines that depend only on the width: measured and drawn from one cache."""

    DEFAULT_CSS = """
    /* the lines already fit: nowrap spares Textual wrapping them again at every render */
    LessonSection { margin: 0 0 1 0; text-wrap: nowrap; }
    LessonSection.-h1, LessonSection.-h2 { margin-top: 2; }
    LessonSection.-h3, LessonSection.-h4, LessonSection.-h5, LessonSection.-h6 { margin-top: 1; }
    """

    def __init__(self, markdown: Markdown, blocks: Sequence[tuple[Node, Token]]) -> None:
        first, last = blocks[0][1], blocks[-1][1]
        super().__init__(markdown, first, (first.map[0] if first.map else 0,
                                           last.map[1] if last.map else 0))
        self.nodes = [node for node, _ in blocks]
        self.source_lines = [token.map[0] if token.map else 0 for _, token in blocks]
        self._starts: list[int] = []
        first_node = self.nodes[0]
        self.heading = first_node if isinstance(first_node, Heading) else None
        if self.heading is not None:
            # (not mounted yet: restyling it now, as add_class does by default, is wasted)
            self.add_class(f"-h{heading_level(self.heading)}", update=False)
            self.id = f"heading-{slug_for_tcss_id(self.heading.content.plain)}-{id(self)}"
        self._lines: tuple[int, list[Content]] = (-1, [])

    def _get_default_css(self) -> DefaultCss:
        return class_default_css(self, super()._get_default_css)

    def lines(self, width: int) -> list[Content]:
        if self._lines[0] != width:
            self._starts = []
            self._lines = (width, flow_lines(self.nodes, width, starts=self._starts))
        return self._lines[1]

    def source_line_at(self, y: int) -> int:
        """The source line of the block drawn at line ``y`` of this section."""
        line = self.source_range[0]
        for start, source in zip(self._starts, self.source_lines, strict=False):
            if start > y:
                break
            line = source
        return line

    def compose(self) -> ComposeResult:  # no child widgets: the lines are drawn here
        yield from ()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        width = self.size.width - self.styles.gutter.width
        # Each line already fits, so Textual's own wrapping leaves them as they are.
        return Content("\n").join(self.lines(width)) if width > 0 else Content("")

    @property
    def text(self) -> str:
        """The text as shown at the last width laid out."""
        return "\n".join(line.plain for line in self._lines[1])


RIGHT_ROOM = 2  # columns after a code block's longest line


class LessonFence(ScrollView, can_focus=False):
    """A code block: one widget that draws its highlighted lines and scrolls them sideways.

    Textual's MarkdownFence is a scrolling container around a Label, two widgets per code
    block, and re-laying out a container is the costlier kind: the longest lesson's 20 code
    blocks were a quarter of opening it (issue #21). Here the lines are drawn through the
    line API, cropped at the horizontal scroll offset, so wide code still scrolls sideways
    with its scrollbar, and can be selected and copied whole.
    """

    ALLOW_SELECT = True
    DEFAULT_CSS = """
    LessonFence {
        width: 1fr;
        height: auto;
        margin: 1 0;
        /* a blank line above and below the code, and 2 columns after its longest line,
           are drawn as part of it (render_line): the scrollbar stays at the bottom edge
           and the right margin scrolls away, as around Textual's Label */
        padding: 0 0 0 2;
        /* wider code scrolls sideways, with a scrollbar that says so (Textual's hides it,
           and a cut line looks complete) */
        overflow-x: auto;
        overflow-y: hidden;
        scrollbar-size-horizontal: 1;
        color: rgb(210,210,210);
        background: black 10%;
        &:light { background: white 30%; }
    }
    LessonFence:ansi { background: transparent; margin: 0; padding: 0; }
    """

    def __init__(self, markdown: Markdown, token: Token, code: str) -> None:
        super().__init__(name=token.type, classes=f"level-{token.level}")
        self._markdown = markdown
        self.code = code
        self.lexer = token.info
        self.source_range = (token.map[0], token.map[1]) if token.map else (0, 0)
        self._highlighted_for = self._theme_key()
        self._highlighted_code = self._highlight()
        self._strips: list[Strip] | None = None
        lines = self._highlighted_code.split("\n", allow_blank=True)
        self._code_width = max((line.cell_length for line in lines), default=0)
        self.set_reactive(ScrollView.virtual_size,
                          Size(self._code_width + RIGHT_ROOM, len(lines) + 2))

    def _get_default_css(self) -> DefaultCss:
        return class_default_css(self, super()._get_default_css)

    def _theme_key(self) -> tuple[bool, bool]:
        return self.app.native_ansi_color, self.app.current_theme.dark

    def _highlight(self) -> Content:
        return MarkdownFence.highlight(self.code, self.lexer, *self._highlighted_for)

    @property
    def select_container(self) -> Widget:
        return self._markdown  # a selection runs on through the document, as from any block

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None  # colours may have changed
        if self._theme_key() != self._highlighted_for:  # the code's colours too
            self._highlighted_for = self._theme_key()
            self._highlighted_code = self._highlight()

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips = None
        self.refresh()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract(self.code), "\n"

    def render_line(self, y: int) -> Strip:
        if self._strips is None:
            self._strips = Visual.to_strips(self, self._highlighted_code, max(self._code_width, 1),
                                            None, self.visual_style)
        width = self.scrollable_content_region.width
        fill = RichStyle(bgcolor=self.rich_style.bgcolor)  # blank cells: the background only
        line = y - 1  # (the blank line above the code)
        if not 0 <= line < len(self._strips):
            return Strip.blank(width, fill)
        scroll_x = round(self.scroll_x)
        return self._strips[line].crop_extend(scroll_x, scroll_x + width, fill).apply_offsets(
            scroll_x, line)


def _without_inherited_component_classes(cls: type[Widget]) -> None:
    # Widget.__init_subclass__ does not pass inherit_component_classes on to DOMNode (Textual
    # 8.2), so the flag DOMNode._get_component_classes reads is set after the class is made.
    cls._inherit_component_classes = False


for _class in (LessonSection, LessonFence):
    _without_inherited_component_classes(_class)
