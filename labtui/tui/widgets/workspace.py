"""The learner's workspace files: a list on the left, an editor with highlighting on the right."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option

LANGUAGES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".sh": "bash", ".json": "json"}
SKIP_PARTS = {"__pycache__", ".git", ".venv", "node_modules"}
MAX_EDIT_BYTES = 512 * 1024
SNIFF_BYTES = 8192


def why_not_editable(path: Path) -> str | None:
    """None when ``path`` is a text file the editor can open; otherwise the reason, in a
    few words (a zip built by ``zip function.zip app.py`` is listed but not editable)."""
    try:
        if path.stat().st_size > MAX_EDIT_BYTES:
            return "too large to edit here; press o to use your $EDITOR"
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        return error.strerror or str(error)
    if b"\0" in head:
        return "a binary file"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the sniff boundary is still text; a file shorter
        # than the sniff has no boundary (`printf 'caf\xe9'` is Latin-1, not cut UTF-8)
        if error.start < len(head) - 3 or len(head) < SNIFF_BYTES:
            return "not UTF-8 text"
    return None


def workspace_files(root: Path) -> list[str]:
    """Relative paths of the files a learner edits, in a stable order."""
    if not root.is_dir():
        return []
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(
            part in SKIP_PARTS or part.startswith(".") for part in relative.parts
        ):
            files.append(relative.as_posix())
    return files


def language_for(name: str) -> str | None:
    from textual._tree_sitter import get_language

    language = LANGUAGES.get(Path(name).suffix.lower())
    return language if language and get_language(language) is not None else None


def shorten_middle(name: str, width: int) -> str:
    """``name`` in at most ``width`` cells, cut in the middle with an ellipsis: the file name
    stays whole while it fits (``common…/__init__.py``), else both ends of it stay
    (``a_very_lo…ame_indeed.py``). The Files list is narrow; a wrapped name broke mid-word."""
    if width <= 0 or len(name) <= width:
        return name
    if width == 1:
        return "…"
    directory, _, base = name.rpartition("/")
    if directory and len(base) + 2 <= width:
        return directory[: width - len(base) - 2] + "…/" + base
    tail = width // 2  # the end holds the extension: it gets the odd cell
    return name[: width - 1 - tail] + "…" + name[len(name) - tail:]


class FileList(OptionList):
    """The workspace's files, one line each however narrow the list: a long name is
    shortened in the middle (the editor's title shows it whole); a file that cannot be
    edited says why on the line under it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)  # a file may be called notes[1].md
        self._files: list[tuple[str, str | None]] = []  # (name, why it cannot be edited)

    def show_files(self, files: list[tuple[str, str | None]]) -> None:
        self._files = list(files)
        self.clear_options()
        self.add_options([Option(self._prompt(name, why), id=name, disabled=why is not None)
                          for name, why in self._files])

    def _name_width(self) -> int:
        """Cells for a name: the list's content less the option's padding (and the vertical
        scrollbar while it shows); 0 before the list is laid out (names are shown whole)."""
        region = self.scrollable_content_region.width
        if not region:
            return 0
        return max(1, region - self.get_component_styles("option-list--option").padding.width)

    def _prompt(self, name: str, why: str | None) -> str:
        short = shorten_middle(name, self._name_width())
        return short if why is None else f"{short}\n({why})"

    def on_resize(self) -> None:
        self._fit_names()

    def watch_show_vertical_scrollbar(self) -> None:
        self._fit_names()  # the scrollbar takes two of the list's cells

    def _fit_names(self) -> None:
        for index, (name, why) in enumerate(self._files):
            prompt = self._prompt(name, why)
            if self.get_option_at_index(index).prompt != prompt:
                self.replace_option_prompt_at_index(index, prompt)


class CodeEditor(TextArea):
    """A code editor whose Esc is the screen's: "esc: stop editing" goes back to the file
    list. (TextArea's own Esc moved focus to the next widget, the tab strip, where Up and
    Enter do nothing: a learner could no longer pick a file.)

    Ctrl+Home and Ctrl+End go to the start and the end of the file, as in other editors
    (TextArea binds neither: a learner adding commands at the end of a starter with
    Ctrl+End typed them above its first line)."""

    BINDINGS = [
        Binding("ctrl+home", "document_start", "Start of file", show=False),
        Binding("ctrl+end", "document_end", "End of file", show=False),
        Binding("ctrl+shift+home", "document_start(True)", "Select to start", show=False),
        Binding("ctrl+shift+end", "document_end(True)", "Select to end", show=False),
    ]

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            event.prevent_default()  # TextArea's handler is skipped; the screen's binding runs

    def action_document_start(self, select: bool = False) -> None:
        self.move_cursor((0, 0), select=select)

    def action_document_end(self, select: bool = False) -> None:
        self.move_cursor(self.document.end, select=select)


class WorkspaceEditor(Horizontal):
    """Pick a file, edit it in place; ctrl+s saves (the screen owns the binding)."""

    class FileOpened(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.root: Path | None = None
        self.current: str | None = None
        self.saved_text = ""

    def compose(self) -> ComposeResult:
        yield FileList(id="file-list")
        editor = CodeEditor.code_editor("", id="editor", soft_wrap=False)
        editor.disabled = True
        yield editor

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    @property
    def modified(self) -> bool:
        return self.current is not None and self.editor.text != self.saved_text

    def load(self, root: Path, select: str | None = None) -> None:
        self.root = root
        files = workspace_files(root)
        editable = self._fill_list(files)
        wanted = select if select in editable else (editable[0] if editable else None)
        if wanted is not None:
            self.query_one("#file-list", OptionList).highlighted = files.index(wanted)
            self.open(wanted)
        else:
            self.current = None
            self.editor.border_title = None
            self.editor.border_subtitle = None
            self.editor.load_text("(this workspace has no files you can edit here)"
                                  if files else "(this workspace has no files)")
            self.editor.disabled = True

    def _fill_list(self, files: list[str]) -> list[str]:
        """List ``files`` (those that cannot be edited greyed out, with why); returns the
        editable ones."""
        assert self.root is not None
        blocked = {name: why for name in files if (why := why_not_editable(self.root / name))}
        self.query_one("#file-list", FileList).show_files(
            [(name, blocked.get(name)) for name in files])
        return [name for name in files if name not in blocked]

    def open(self, name: str, draft: str | None = None) -> None:
        assert self.root is not None
        path = self.root / name
        editor = self.editor
        why = why_not_editable(path)
        text = ""
        if why is None:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                why = str(error)
        if why is not None:
            # the title names the file that could not open, not the one shown before it
            self.current = None
            editor.border_title = name
            editor.border_subtitle = "cannot open"
            editor.set_reactive(TextArea.language, None)  # load_text builds the document
            editor.load_text(f"{name}: cannot open ({why})")
            editor.disabled = True
            return
        self.current = name
        self.saved_text = text
        editor.disabled = False
        editor.border_title = name
        editor.border_subtitle = "esc: stop editing · ctrl+s: save · F5: check"
        # Not `editor.language = ...`: every assignment rebuilt the document from the text
        # shown before and compiled the highlight query again (about 20 ms of CPU for
        # Python), then load_text built it a second time. Once, with the new language:
        editor.set_reactive(TextArea.language, language_for(name))
        editor.load_text(draft if draft is not None else text)
        self.post_message(self.FileOpened(name))

    def changed_on_disk(self) -> bool:
        """True when the open file on disk is no longer what the editor loaded or saved
        (the shell tab, a setup script or another editor wrote it since)."""
        if self.root is None or self.current is None:
            return False
        try:
            return (self.root / self.current).read_text(encoding="utf-8") != self.saved_text
        except (OSError, UnicodeDecodeError):
            return True

    def sync_with_disk(self) -> str | None:
        """Show the workspace as it is on disk now: files the shell made or removed, and the
        open file's new text. Unsaved edits are kept, never replaced; returns the open
        file's name when they were kept over a newer file on disk."""
        if self.root is None:
            return None
        files = workspace_files(self.root)
        if self.current is None:  # nothing was open: open what is there now
            self.load(self.root)
            return None
        listing = self.query_one("#file-list", OptionList)
        if [option.id for option in listing.options] != files:
            self._fill_list(files)
            if self.current in files:
                listing.highlighted = files.index(self.current)
        if not self.changed_on_disk():
            return None
        if self.modified:
            return self.current
        if self.current is None or self.current not in files:  # it was removed
            self.load(self.root)
            return None
        cursor = self.editor.cursor_location
        self.open(self.current)
        last_row = self.editor.document.line_count - 1
        self.editor.move_cursor((min(cursor[0], last_row), cursor[1]))
        return None

    def save(self) -> str | None:
        """Write the open file; returns its name, or None when nothing was open."""
        if self.root is None or self.current is None:
            return None
        text = self.editor.text
        (self.root / self.current).write_text(text, encoding="utf-8")
        self.saved_text = text
        return self.current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != self.current:
            if self.modified:
                self.save()
            self.open(event.option.id)
        self.editor.focus()
