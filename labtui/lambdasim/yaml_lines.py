"""Line numbers for YAML keys, so that every problem reads ``file:line: message``."""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]


def line_map(root: yaml.Node | None) -> dict[Path_, int]:
    lines: dict[Path_, int] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def line_for(lines: dict[Path_, int], loc: Path_) -> int:
    """The line of the deepest known prefix of ``loc`` (union tags are skipped)."""
    best: Path_ = ()
    current: Path_ = ()
    for part in loc:
        candidate = (*current, part)
        if candidate in lines:
            current = candidate
            best = current
    return lines.get(best, 1)


def key_path(lines: dict[Path_, int], loc: tuple[Any, ...]) -> str:
    """A readable key path; parts absent from the file (pydantic's union tags) are left out,
    except a last part, which names a missing key."""
    parts: list[str] = []
    current: Path_ = ()
    for position, part in enumerate(loc):
        candidate = (*current, part)
        if candidate in lines:
            current = candidate
        elif position != len(loc) - 1:
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "scenario"
