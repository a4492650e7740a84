"""Load YAML while remembering the line of every value.

Pydantic reports errors by location (``("questions", 3, "answer")``); authors
need a line number. :func:`load_yaml` returns the plain data and a map from
each location to the 1-based line where it starts, so any validation error can
be reported as ``file:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labtui import safeyaml
from labtui.course.problems import Problem

Location = tuple[str | int, ...]

MAX_CONTENT_BYTES = safeyaml.MAX_BYTES  # no course file is anywhere near this


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """The line of the deepest known prefix of ``location`` (1 if none)."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1


class YamlLoadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_text(path: Path) -> str:
    """Read a content file as UTF-8, turning every failure into a :class:`YamlLoadError`."""
    try:
        size = path.stat().st_size
        if size > MAX_CONTENT_BYTES:
            raise YamlLoadError(
                Problem(
                    path,
                    0,
                    f"file is {size:,} bytes; content files must stay under "
                    f"{MAX_CONTENT_BYTES:,} bytes",
                )
            )
        raw = path.read_bytes()
    except OSError as error:
        raise YamlLoadError(Problem(path, 0, f"cannot read file: {error.strerror}")) from error
    try:
        return safeyaml.decode(raw)
    except safeyaml.YamlProblem as problem:
        raise YamlLoadError(Problem(path, problem.line, problem.message)) from None


def parse_yaml(text: str, path: Path, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; ``first_line`` offsets lines (for front matter).

    Parsing goes through ``labtui.safeyaml`` (the one bounded loader: alias expansion,
    size, nesting), so a hostile file is refused before anything walks it."""
    try:
        node = safeyaml.compose(text, first_line)
    except safeyaml.YamlProblem as problem:
        raise YamlLoadError(Problem(path, problem.line, problem.message)) from None
    document = YamlDocument(data=None)
    if node is None:
        return document
    try:
        document.data = _construct(node, (), document.lines, first_line)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        line = (mark.line if mark else 0) + first_line
        raise YamlLoadError(Problem(path, line, f"YAML error: {error.problem}")) from error
    return document


def _construct(node: yaml.Node, location: Location, lines: dict[Location, int], first: int) -> Any:
    lines.setdefault(location, node.start_mark.line + first)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                key = str(key)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            child = (*location, key if isinstance(key, (str, int)) else str(key))
            lines[child] = key_node.start_mark.line + first
            result[key] = _construct(value_node, child, lines, first)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*location, index), lines, first)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node)


_SCALARS = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(
            None, None, "a mapping or list cannot be used as a key", node.start_mark
        )
    return _SCALARS.construct_object(node, deep=True)


def load_yaml_file(path: Path) -> YamlDocument:
    return parse_yaml(read_text(path), path)
