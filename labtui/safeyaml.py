"""The one YAML loader for every file labtui reads: bounded, safe, with line numbers.

Scenario files, exercise manifests and answers, quiz banks, the course manifest
and lessons' front matter all come through here, so that one rule holds for
all of them:

* only YAML's plain data types (PyYAML's safe constructor);
* a file is at most :data:`MAX_BYTES`;
* aliases may not expand the document past :data:`MAX_VALUES` values. A
  "billion laughs" document (an anchor of nine aliases of an anchor of nine
  aliases, ...) is a few hundred bytes but expands nine-fold per level; the
  composed node graph shares the aliased nodes, so it is cheap to build, but
  anything that walks the data (pydantic, line maps) pays for the expansion.
  We count the expanded size on the shared graph (memoised, linear in the
  file) and refuse the file before anyone walks it. Recursive aliases are
  refused too;
* undecodable bytes, syntax errors and the limits above are a
  :class:`YamlProblem` with a 1-based line and a learner-readable message.

A leaf module: it imports nothing of labtui, so the pure ``lambdasim`` engine
and the content loaders can share it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 2 * 1024 * 1024  # no labtui YAML file is anywhere near this
MAX_VALUES = 100_000  # values after alias expansion; the whole course has a few thousand
MAX_DEPTH = 100  # nesting levels

# libyaml's parser when PyYAML was built with it (about 10x faster); same nodes and marks
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    """A YAML file is unusable: ``line`` (1-based) and ``message`` say where and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def decode(raw: bytes, first_line: int = 1) -> str:
    """UTF-8 text, or a YamlProblem on the line of the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem(
            first_line, f"file is {len(raw):,} bytes; YAML files must stay under {MAX_BYTES:,}"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + first_line
        raise YamlProblem(
            line, f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        ) from None


def read_text(path: Path) -> str:
    """A YAML file's text; OSError is left to the caller (it knows what the file is for)."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    return decode(raw)


def compose(text: str, first_line: int = 1) -> yaml.Node | None:
    """The node graph of one YAML document, checked against the limits above."""
    if len(text) > MAX_BYTES:
        raise YamlProblem(first_line, f"document longer than {MAX_BYTES:,} characters")
    try:
        try:
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.MarkedYAMLError:
            if _FAST_LOADER is yaml.SafeLoader:
                raise
            # libyaml says less ("did not find expected ','"); the pure-Python parser names
            # what it found ("expected ',' or ']', but got '<stream end>'"): parse again.
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise YamlProblem(_error_line(error, text, first_line), _error_text(error)) from None
    except yaml.YAMLError as error:
        raise YamlProblem(first_line, f"YAML error: {error}") from None
    except RecursionError:
        raise YamlProblem(first_line, "YAML nested too deeply") from None
    if node is not None:
        _check_expansion(node, first_line)
    return node


def construct(node: yaml.Node | None) -> Any:
    """Plain Python data (dicts, lists, scalars) from a node graph made by :func:`compose`."""
    if node is None:
        return None
    try:
        return yaml.constructor.SafeConstructor().construct_document(node)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise YamlProblem((mark.line + 1) if mark else 1, f"YAML error: {error.problem}") from None


def load(text: str, first_line: int = 1) -> Any:
    """``yaml.safe_load`` with the limits: plain data, or a YamlProblem."""
    return construct(compose(text, first_line))


def load_file(path: Path) -> Any:
    """Read and load one YAML file (OSError is left to the caller)."""
    return load(read_text(path))


def _error_line(error: yaml.MarkedYAMLError, text: str, first_line: int) -> int:
    """The line to blame. An unclosed bracket or quote is found at the end of the stream,
    one line past the last; the context mark (where the bracket opened) is the better line."""
    mark = error.problem_mark or error.context_mark
    line = mark.line if mark is not None else 0
    last = max(len(text.splitlines()) - 1, 0)
    if line > last or (mark is not None and mark.index >= len(text)):
        context = error.context_mark
        line = context.line if context is not None and context.line <= last else last
    return line + first_line


def _error_text(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    if error.context and "<stream end>" in problem:
        opened = error.context.removeprefix("while parsing ")
        return f"YAML syntax error: {opened} opened here is never closed"
    return f"YAML syntax error: {problem}"


def _check_expansion(root: yaml.Node, first_line: int) -> None:
    """Refuse documents whose aliases expand past MAX_VALUES values, or loop."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        if key in active:
            raise YamlProblem(
                node.start_mark.line + first_line, "YAML alias refers to itself (a loop)"
            )
        if depth > MAX_DEPTH:
            raise YamlProblem(
                node.start_mark.line + first_line, f"YAML nested deeper than {MAX_DEPTH} levels"
            )
        total = 1
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            active.add(key)
            if isinstance(node, yaml.SequenceNode):
                for child in node.value:
                    total += size(child, depth + 1)
            else:
                for key_node, value_node in node.value:
                    total += size(key_node, depth + 1) + size(value_node, depth + 1)
            active.discard(key)
            if total > MAX_VALUES:
                raise YamlProblem(
                    node.start_mark.line + first_line,
                    f"YAML aliases expand this document past {MAX_VALUES:,} values "
                    "(nested anchors and aliases, an 'alias bomb'?)",
                )
        sizes[key] = total
        return total

    size(root, 0)
