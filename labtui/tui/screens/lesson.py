"""The lesson reader: Markdown, a table of contents, reading position remembered, try-it blocks."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.events import Mount
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Markdown, MarkdownViewer, Static
from textual.widgets._markdown import MarkdownTableOfContents

from labtui import safeyaml
from labtui.course.lessons import display_markdown
from labtui.course.loader import Module
from labtui.tui.screens.base import LabScreen
from labtui.tui.screens.dialogs import ChoiceScreen, ScenarioScreen
from labtui.tui.widgets.lesson_blocks import LessonSection
from labtui.tui.widgets.lesson_document import LessonDocument

_TRYIT = re.compile(r"^```tryit[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SAVE_EVERY_S = 0.5
WIDE = 110


def lesson_markdown(body: str) -> tuple[str, list[dict[str, Any]]]:
    """The body as shown, with each ``tryit`` block turned into a short call to action."""
    try_its: list[dict[str, Any]] = []

    def replace(match: re.Match[str]) -> str:
        try:
            spec = safeyaml.load(match.group(1))
        except safeyaml.YamlProblem:
            spec = None
        if not isinstance(spec, dict):
            return "> **Try it**: this block is broken (see the course problems)."
        try_its.append(spec)
        number = len(try_its)
        if "exercise" in spec:
            what = f"open the exercise `{spec['exercise']}`"
        else:
            what = f"run the scenario `{spec.get('scenario', '?')}`"
        caption = f" {spec['caption']}" if spec.get("caption") else ""
        return f"> **▶ Try it {number}** (press `y`): {what}.{caption}\n"

    shown = _TRYIT.sub(replace, display_markdown(body))
    return shown, try_its


_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tables_as_lists(markdown: str) -> str:
    """Plain mode: each table row becomes a list item, "header: cell; header: cell".

    Screen readers read a list in order; a grid of box-drawn cells they do not.
    """
    lines = markdown.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if (line.lstrip().startswith("|") and index + 1 < len(lines)
                and _TABLE_RULE.match(lines[index + 1].strip())):
            headers = _cells(line)
            index += 2
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                pairs = zip(headers, _cells(lines[index]), strict=False)
                out.append("- " + "; ".join(f"{h}: {c}" if h else c for h, c in pairs))
                index += 1
            continue
        out.append(line)
        index += 1
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


class LessonViewer(MarkdownViewer):
    """A MarkdownViewer that says when its document has been laid out (Loaded)."""

    class Loaded(Message):
        pass

    def compose(self) -> ComposeResult:
        # As MarkdownViewer's, with the lesson's document (tables sized to their content),
        # its blocks composed with it: mounted with the screen, laid out once (issue #21)
        document = LessonDocument(self._markdown or "", parser_factory=self._parser_factory,
                                  open_links=False)
        document.can_focus = True
        yield document
        yield MarkdownTableOfContents(document)

    _loaded = False

    def _on_mount(self, event: Mount) -> None:  # type: ignore[override]
        # MarkdownViewer's handler would parse and mount the document again (update).
        # By now the document's blocks are mounted: the contents can be filled.
        event.prevent_default()
        Widget._on_mount(self, event)  # (prevent_default skips it too: scrollbar settings)
        self.table_of_contents.table_of_contents = self.document.table_of_contents

    def on_resize(self) -> None:
        # Loaded once the first layout has measured the blocks: the reading position can
        # be restored in the frame that follows (issue #21).
        if not self._loaded and self.virtual_size.height > 0:
            self._loaded = True
            self.post_message(self.Loaded())

    async def _on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        """Links are the lesson screen's to follow (anchors, other lessons), not files."""
        message.prevent_default()  # MarkdownViewer would treat the href as a file path

    def _on_markdown_table_of_contents_updated(
        self, message: Markdown.TableOfContentsUpdated, attempt: int = 0
    ) -> None:
        try:
            super()._on_markdown_table_of_contents_updated(message)
        except NoMatches:
            # The contents panel is not composed yet (the screen is still mounting, e.g. when
            # resuming into a lesson while the course loads): fill it once it exists.
            if attempt < 50:
                self.call_after_refresh(
                    self._on_markdown_table_of_contents_updated, message, attempt + 1
                )

    def _on_markdown_table_of_contents_selected(
        self, message: Markdown.TableOfContentsSelected
    ) -> None:
        message.stop()
        if self.app.size.width < WIDE:  # the contents covered the page: show the section
            self.show_table_of_contents = False
            # (focus would scroll the document back to its top: the jump was lost)
            self.document.focus(scroll_visible=False)
        block = self.document.query_one(f"#{message.block_id}")
        # once the page is laid out again without the contents
        self.call_after_refresh(self.scroll_to_widget, block, top=True, animate=False)


class LessonScreen(LabScreen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("t", "toggle_toc", "Contents"),
        Binding("y", "try_it", "Try it"),
        Binding("e", "exercises", "Exercise"),
        Binding("q", "quiz", "Quiz"),
        Binding("d", "mark_done", "Mark read"),
        Binding("n", "next_lesson", "Next"),
        Binding("b", "previous_lesson", "Prev", show=False),
    ]

    place = "lesson"

    def __init__(self, module: Module) -> None:
        super().__init__(classes="lesson-screen")
        self.module = module
        assert module.lesson is not None
        self.markdown, self.try_its = lesson_markdown(module.lesson.body)
        self.loaded = False
        self._restoring = False  # the first Loaded message is restoring the position
        self._dirty = False
        self._saved_position = 0.0

    def compose(self) -> ComposeResult:
        if self.lab.plain:
            self.markdown = tables_as_lists(self.markdown)
        yield from self.compose_header()
        yield Static(self._links_text(), id="lesson-links")
        yield LessonViewer(self.markdown, show_table_of_contents=False, open_links=False,
                           id="lesson-viewer")
        yield from self.compose_footer()

    def _links_text(self) -> Text:
        front = self.module.front
        text = Text(f"{self.module.number} {self.module.title}", style="bold")
        if front is not None:
            text.append(f"  ·  about {front.minutes} min", style="dim")
        parts = []
        if self.try_its:
            parts.append(f"{len(self.try_its)} try-it (y)")
        if front is not None and front.exercises:
            parts.append(f"{len(front.exercises)} exercise(s) (e)")
        if parts:
            text.append("  ·  " + "  ·  ".join(parts), style="dim")
        return text

    @property
    def viewer(self) -> LessonViewer:
        return self.query_one(LessonViewer)

    def on_mount(self) -> None:
        self.title = self.module.title
        self.lab.announce_plain(f"Lesson {self.module.number}: {self.module.title}. "
                                "Page down to read, t for contents, escape to go back.")
        progress = self.lab.store.lesson_progress(self.lab.learner_id).get(self.module.id)
        self._saved_position = progress.position if progress else 0.0
        self.viewer.show_table_of_contents = self.app.size.width >= WIDE and not self.lab.plain
        # Focused before the first layout: focusing later restyled and laid out the whole
        # document again, and scrolled it to its top (issue #21).
        self.viewer.document.focus(scroll_visible=False)
        self.watch(self.viewer, "scroll_y", self._scrolled, init=False)
        self.set_interval(SAVE_EVERY_S, self.save_position)
        self.lab.store.set_lesson_position(self.lab.learner_id, self.module.id,
                                           self._saved_position)

    def on_lesson_viewer_loaded(self, message: LessonViewer.Loaded) -> None:
        # Loaded can come more than once before the first restore runs: restore (and say
        # "Back where you left") once, not once per message (issue #21)
        if self.loaded or self._restoring:
            return
        self._restoring = True
        self._restore_position()

    def _restore_position(self) -> None:
        self.viewer.scroll_to(y=self._saved_position, animate=False, immediate=True)
        self.loaded = True
        self.set_timer(1.0, self._complete_if_it_fits)

    def _complete_if_it_fits(self) -> None:
        viewer = self.viewer
        if viewer.virtual_size.height > 0 and viewer.max_scroll_y == 0:  # all on screen: read
            self._complete("Lesson marked as read.")
        if self._saved_position:
            self.lab.announce(f"Back where you left {self.module.title}.")

    def _scrolled(self, _: float) -> None:
        if self.loaded:
            self._dirty = True

    def save_position(self) -> None:
        """Reading position, at most twice a second (and on leaving)."""
        if not self._dirty:
            return
        self._dirty = False
        viewer = self.viewer
        self.lab.store.set_lesson_position(self.lab.learner_id, self.module.id, viewer.scroll_y)
        if viewer.max_scroll_y > 0 and viewer.scroll_y >= viewer.max_scroll_y - 1:
            self._complete("You reached the end: lesson marked as read.")

    def _complete(self, message: str) -> None:
        progress = self.lab.store.lesson_progress(self.lab.learner_id).get(self.module.id)
        if progress is not None and progress.completed:
            return
        self.lab.store.complete_lesson(self.lab.learner_id, self.module.id)
        self.lab.announce(message)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        href = event.href
        if href.startswith("#"):
            self.goto_anchor(href[1:])
        elif href.startswith(("http://", "https://")):
            self.app.open_url(href)
        else:  # "<module-id>#<anchor>" (as quiz refs write it) or "NN-<module-id>.md"
            target = href.split("#", 1)[0].removesuffix(".md")
            for module_id in (target, target.split("-", 1)[-1]):
                if self.lab.course.module(module_id) is not None:
                    self.lab.open_lesson(module_id)
                    return
            self.lab.announce(f"This link leads nowhere in the course: {href}")

    def goto_anchor(self, anchor: str) -> bool:
        """Scroll to a heading by its explicit ``{#anchor}`` (hidden from the reader)."""
        headings = self.module.lesson.headings if self.module.lesson else []
        title = next((h.title for h in headings if h.anchor == anchor), None)
        document = self.viewer.document
        for _, label, block_id in document.table_of_contents:
            if title is not None and label.strip() == title:
                document.query_one(f"#{block_id}").scroll_visible(top=True, animate=False)
                return True
        return document.goto_anchor(anchor)

    @property
    def place_target(self) -> str:
        return self.module.id

    @property
    def topic_module(self) -> str:
        return self.module.id

    def leave(self) -> None:
        self._dirty = True
        self.save_position()

    # actions ----------------------------------------------------------------
    def action_back(self) -> None:
        self.leave()
        self.app.pop_screen()

    def action_toggle_toc(self) -> None:
        viewer = self.viewer
        # Narrow (80×24): the contents take the whole width, so headings are not cut to
        # 30 characters; choosing one closes them again (LessonViewer).
        viewer.table_of_contents.styles.width = "100%" if self.app.size.width < WIDE else 34
        viewer.show_table_of_contents = not viewer.show_table_of_contents
        if viewer.show_table_of_contents:  # its tree takes the keys (the panel itself can't)
            trees = viewer.table_of_contents.query("Tree")
            (trees.first() if trees else viewer.table_of_contents).focus()
        else:
            viewer.document.focus()

    def action_mark_done(self) -> None:
        self._complete(f"{self.module.title} marked as read.")

    def action_try_it(self) -> None:
        if not self.try_its:
            self.lab.announce("This lesson has no try-it blocks.")
            return
        if len(self.try_its) == 1:
            self.run_try_it(0)
            return
        choices = []
        for index, spec in enumerate(self.try_its):
            what = (f"Exercise {spec['exercise']}" if "exercise" in spec
                    else f"Scenario {spec.get('scenario')}")
            choices.append((str(index), f"{index + 1}. {what}"))
        self.app.push_screen(ChoiceScreen("Try it", choices, self.nearest_try_it()),
                             self._chosen_try_it)

    def nearest_try_it(self) -> int:
        """The try-it block at or below the top of the screen (the one the learner sees)."""
        markers = [number for number, line in enumerate(self.markdown.splitlines())
                   if line.startswith("> **▶ Try it ")]
        if not markers:
            return 0
        top_line = 0
        scroll_y = round(self.viewer.scroll_y)
        for block in self.viewer.document.children:
            region = block.virtual_region
            if region.bottom > scroll_y:
                top_line = (block.source_line_at(scroll_y - region.y)
                            if isinstance(block, LessonSection)
                            else getattr(block, "source_range", (0, 0))[0])
                break
        return next((i for i, line in enumerate(markers) if line >= top_line), len(markers) - 1)

    def _chosen_try_it(self, choice: str | None) -> None:
        if choice is not None:
            self.run_try_it(int(choice))

    def run_try_it(self, index: int) -> None:
        spec = self.try_its[index]
        if "exercise" in spec:
            self.lab.open_exercise(str(spec["exercise"]))
            return
        name = str(spec.get("scenario", ""))
        path = self.lab.course.scenarios.get(name) or (
            self.lab.course.root / "sandbox" / "scenarios" / name
        )
        if not path.is_file():
            self.lab.announce(f"The scenario {name} is not in this course yet.", severity="warning")
            return
        self.app.push_screen(ScenarioScreen(path, str(spec.get("caption", ""))))

    def action_exercises(self) -> None:
        front = self.module.front
        exercises = list(front.exercises) if front else []
        if not exercises:
            self.lab.announce("This module has no exercises.")
        elif len(exercises) == 1:
            self.lab.open_exercise(exercises[0])
        else:
            passed = self.lab.store.passed_exercises(self.lab.learner_id)
            choices = []
            for exercise_id in exercises:
                state = ("done" if exercise_id in passed else "to do"
                         if exercise_id in self.lab.course.exercises else "coming soon")
                choices.append((exercise_id, f"{exercise_id} ({state})"))
            self.app.push_screen(ChoiceScreen("Exercises", choices), self._chosen_exercise)

    def _chosen_exercise(self, choice: str | None) -> None:
        if choice is not None:
            self.lab.open_exercise(choice)

    def action_quiz(self) -> None:
        self.lab.open_registered("quiz", module_id=self.module.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quiz":
            return "quiz" in self.lab.screen_factories
        if action == "try_it":
            return bool(self.try_its)
        if action == "exercises":
            return bool(self.module.front and self.module.front.exercises)
        if action in ("next_lesson", "previous_lesson"):
            return self._neighbour(1 if action == "next_lesson" else -1) is not None
        return True

    def _neighbour(self, step: int) -> Module | None:
        modules = self.lab.course.modules
        index = next((i for i, m in enumerate(modules) if m.id == self.module.id), None)
        if index is None or not 0 <= index + step < len(modules):
            return None
        return modules[index + step]

    def _go(self, step: int) -> None:
        neighbour = self._neighbour(step)
        if neighbour is None:
            return
        self.leave()
        self.app.pop_screen()
        self.lab.open_lesson(neighbour.id)

    def action_next_lesson(self) -> None:
        self._go(1)

    def action_previous_lesson(self) -> None:
        self._go(-1)

    def on_screen_resume(self) -> None:
        if self.is_active:  # not when a jump closes screens above it and this one too
            self.lab.remember_screen("lesson", self.module.id)
