"""Runnable shell blocks: the lesson and README commands that CI runs as written.

A fenced block whose info string is ``sh run`` or ``bash run`` is a step the learner
types; the test suite runs every such block of a file, in order, in one workspace
against a fresh sandbox account (tests/course/test_runnable_blocks.py), so a command
that does not work as written fails CI with the file and line (issue #19). Options
follow ``run`` as ``key=value``:

- ``expect-error=CODE``: the block is meant to fail; it must exit non-zero and print
  ``CODE`` (an AWS error code such as ``ResourceConflictException``, or any text the
  failure prints).

A block of any language with ``file=NAME`` in its info string (```` ```json file=trust.json ````)
is a file the text asks the learner to save: the runner writes it into the workspace at
that point, so the commands after it find it.

Only the info string is read here (no shell, no AWS): the linter reports malformed
ones, the test runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from labtui.course.problems import Problem

SHELLS = ("sh", "bash")
RUN = "run"
OPTIONS = ("expect-error",)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*(.*)$")
_ERROR_TEXT = re.compile(r"^[A-Za-z0-9_.:-]+$")


@dataclass(frozen=True, slots=True)
class RunnableBlock:
    """One ``sh run`` block (commands) or ``file=NAME`` block (a file's text), in order."""

    path: Path
    line: int  # the fence's line; the first command is on line + 1
    code: str
    expect_error: str | None = None
    file: str | None = None  # a file=NAME block: the workspace path to write ``code`` to

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _parse_info(info: str) -> tuple[bool, dict[str, str], list[str]]:
    """(is it a run or file block, its options, what is wrong with it)."""
    words = info.split()
    named = [w.partition("=")[2] for w in words[1:] if w.startswith("file=")]
    if named and RUN not in words[1:2]:
        name = named[0]
        safe = name and not name.startswith("/") and ".." not in Path(name).parts
        return True, {"file": name}, [] if safe else [
            f"file={name}: give a path inside the workspace, such as file=trust.json"]
    if RUN not in words[1:2]:
        return False, {}, []
    wrong: list[str] = []
    if words[0] not in SHELLS:
        wrong.append(f"'run' blocks are shell: write ```sh run, not ```{words[0]} run")
    options: dict[str, str] = {}
    for word in words[2:]:
        key, equals, value = word.partition("=")
        if key not in OPTIONS:
            wrong.append(f"unknown run option '{key}' (known: {', '.join(OPTIONS)})")
        elif not equals or not _ERROR_TEXT.match(value):
            wrong.append(f"{key} needs a value such as {key}=ResourceConflictException")
        else:
            options[key] = value
    return True, options, wrong


def runnable_blocks(path: Path, text: str) -> tuple[list[RunnableBlock], list[Problem]]:
    """Every ``sh run`` block of a Markdown file, in order, and the malformed ones."""
    blocks: list[RunnableBlock] = []
    problems: list[Problem] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, info, start = match.group(1), match.group(2).strip(), index + 1
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        is_run, options, wrong = _parse_info(info)
        problems += [Problem(path, start, message) for message in wrong]
        if is_run and not wrong:
            code = "\n".join(lines[index + 1:end]) + "\n"
            blocks.append(RunnableBlock(path, start, code, options.get("expect-error"),
                                        options.get("file")))
        elif is_run and end >= len(lines):
            problems.append(Problem(path, start, "run block is never closed"))
        index = end + 1
    return blocks, problems


_RUN_INFO = re.compile(r"^( {0,3}(?:`{3,}|~{3,})[ \t]*[\w+-]+)[ \t]+(?:run\b|file=)[^\n]*$",
                       re.MULTILINE)


def plain_fences(markdown: str) -> str:
    """``markdown`` with the run options taken off fence info strings, for display: the
    reader sees ```` ```bash ```` (and its highlighting), not ```` ```bash run ````."""
    return _RUN_INFO.sub(r"\1", markdown)
