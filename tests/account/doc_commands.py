"""Every ``aws ...`` / ``labtui aws ...`` command written in the course's Markdown.

Used by the no-egress test: lessons (``lessons/*.md``) and exercise READMEs
(``sandbox/*/README.md``), in fenced code blocks and inline code spans. Each command
becomes an argv (after ``aws``) that can run against the sandbox: shell variables and
``$(...)`` become placeholders, heredoc bodies and comments are skipped.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")
_INLINE = re.compile(r"`((?:labtui )?aws [^`]+)`")
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_]+)['\"]?")
_SUBST = re.compile(r"\$\(([^()]*)\)")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_OPERATORS = {"|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "(", ")"}


@dataclass(frozen=True)
class DocCommand:
    """One command: where it is written, and its arguments after ``aws``."""

    path: Path
    line: int
    argv: tuple[str, ...]
    via_labtui: bool  # written as `labtui aws ...`

    @property
    def service(self) -> str:
        return self.argv[0] if self.argv else ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def course_markdown(root: Path) -> list[Path]:
    return sorted(root.glob("lessons/*.md")) + sorted(root.glob("sandbox/*/README.md"))


def _placeholder(name: str, endpoint: str) -> str:
    upper = name.upper()
    if "ARN" in upper:
        return "arn:aws:iam::000000000000:role/labtui-placeholder"
    if "URL" in upper:
        return f"{endpoint}/000000000000/labtui-placeholder"
    return "labtui-placeholder"


def _argv_from(text: str, endpoint: str) -> list[tuple[list[str], bool]]:
    """Commands in one logical shell line: (argv after aws, written with labtui)."""
    found: list[tuple[list[str], bool]] = []
    for inner in _SUBST.findall(text):
        found += _argv_from(inner, endpoint)
    text = _SUBST.sub("labtui-placeholder", text)
    text = _VARIABLE.sub(lambda m: _placeholder(m.group(1), endpoint), text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;<>()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote in prose: not a command
        return found
    segment: list[str] = []
    for token in [*tokens, ";"]:
        if token in _OPERATORS or set(token) <= set("|&;<>()"):
            words = list(segment)
            while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
                words.pop(0)  # VAR=value before the command
            if words[:2] == ["labtui", "aws"]:
                found.append((words[2:], True))
            elif words[:1] == ["aws"]:
                found.append((words[1:], False))
            segment = []
        else:
            segment.append(token)
    return found


def commands_in(path: Path, endpoint: str) -> list[DocCommand]:
    lines = path.read_text(encoding="utf-8").splitlines()
    result: list[DocCommand] = []
    in_fence, fence_mark, heredoc = False, "", ""
    pending, start = "", 0
    for number, line in enumerate(lines, start=1):
        fence = _FENCE.match(line)
        if fence and (not in_fence or fence.group(2).startswith(fence_mark)):
            in_fence = not in_fence
            fence_mark = fence.group(2) if in_fence else ""
            pending, heredoc = "", ""
            continue
        if not in_fence:
            for span in _INLINE.findall(line):
                result += [DocCommand(path, number, tuple(a), v)
                           for a, v in _argv_from(span, endpoint) if a]
            continue
        if heredoc:
            if line.strip() == heredoc:
                heredoc = ""
            continue
        if not pending:
            start = number
        stripped = line.rstrip()
        marker = _HEREDOC.search(stripped)
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        if marker:
            heredoc = marker.group(1)
        text = pending.strip()
        pending = ""
        if text.startswith("$ "):
            text = text[2:]
        result += [DocCommand(path, start, tuple(a), v) for a, v in _argv_from(text, endpoint) if a]
    return result
