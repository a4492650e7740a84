"""Between Textual and the terminal: key names to the bytes a terminal sends, and pyte's
character cells to Rich segments."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style

_CSI_KEYS = {
    "up": "A", "down": "B", "right": "C", "left": "D", "home": "H", "end": "F",
}
_TILDE_KEYS = {
    "insert": "2", "delete": "3", "pageup": "5", "pagedown": "6",
    "f5": "15", "f6": "17", "f7": "18", "f8": "19", "f9": "20", "f10": "21",
    "f11": "23", "f12": "24",
}
_SS3_KEYS = {"f1": "P", "f2": "Q", "f3": "R", "f4": "S"}
_PLAIN_KEYS = {
    "enter": "\r", "tab": "\t", "shift+tab": "\x1b[Z", "backspace": "\x7f",
    "ctrl+h": "\x08", "ctrl+backspace": "\x08", "ctrl+space": "\x00", "ctrl+@": "\x00",
}
_MODIFIER_CODES = {"shift": 2, "alt": 3, "shift+alt": 4, "ctrl": 5, "shift+ctrl": 6,
                   "ctrl+alt": 7, "shift+ctrl+alt": 8}


def key_bytes(key: str, character: str | None, *, application_cursor: bool = False) -> str:
    """What an xterm sends for Textual key ``key`` ("" for keys it would not send)."""
    if key in _PLAIN_KEYS:
        return _PLAIN_KEYS[key]
    *modifiers, base = key.split("+")
    modifier = "+".join(sorted(m if m != "meta" else "alt" for m in modifiers))
    code = _MODIFIER_CODES.get(modifier)
    if base in _CSI_KEYS:
        letter = _CSI_KEYS[base]
        if code:
            return f"\x1b[1;{code}{letter}"
        return f"\x1bO{letter}" if application_cursor else f"\x1b[{letter}"
    if base in _TILDE_KEYS:
        number = _TILDE_KEYS[base]
        return f"\x1b[{number};{code}~" if code else f"\x1b[{number}~"
    if base in _SS3_KEYS:
        return f"\x1b[1;{code}{_SS3_KEYS[base]}" if code else f"\x1bO{_SS3_KEYS[base]}"
    if character:
        if modifier == "alt" or (modifier.startswith("alt") and len(character) == 1):
            return "\x1b" + character
        return character
    if modifier == "ctrl" and len(base) == 1 and base.isalpha():
        return chr(ord(base.lower()) - 96)
    return ""


_NAMED = {
    "black": "black", "red": "red", "green": "green", "brown": "yellow", "yellow": "yellow",
    "blue": "blue", "magenta": "magenta", "cyan": "cyan", "white": "white",
}


def _color(name: str) -> str | None:
    if name == "default":
        return None
    if name.startswith("bright"):
        base = _NAMED.get(name[6:])
        return f"bright_{base}" if base else None
    if name in _NAMED:
        return _NAMED[name]
    if len(name) == 6:
        try:
            int(name, 16)
        except ValueError:
            return None
        return f"#{name}"
    return None


@lru_cache(maxsize=1024)
def cell_style(fg: str, bg: str, bold: bool, italics: bool, underscore: bool,
               strikethrough: bool, reverse: bool) -> Style:
    return Style(color=_color(fg), bgcolor=_color(bg), bold=bold or None,
                 italic=italics or None, underline=underscore or None,
                 strike=strikethrough or None, reverse=reverse or None)


def row_segments(row: Any, columns: int, cursor_x: int | None = None) -> list[Segment]:
    """One pyte row (a mapping or list of Char) as segments, runs of one style merged."""
    segments: list[Segment] = []
    text: list[str] = []
    current: Style | None = None
    for x in range(columns):
        char = row[x] if x < len(row) or isinstance(row, dict) else None
        if char is None:
            data, style = " ", cell_style("default", "default", False, False, False, False, False)
        else:
            data = char.data or ""
            style = cell_style(char.fg, char.bg, char.bold, char.italics, char.underscore,
                               char.strikethrough, char.reverse)
        if x == cursor_x:
            style = style + Style(reverse=not style.reverse)
        if not data:  # the right half of a wide character: the left half covers it
            continue
        if style != current and text:
            segments.append(Segment("".join(text), current))
            text = []
        current = style
        text.append(data)
    if text:
        segments.append(Segment("".join(text), current))
    return segments
