"""Turn pydantic validation errors into ``file:line: message`` problems."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from labtui.course.problems import Problem
from labtui.course.yamlsource import Location, YamlDocument

ModelT = TypeVar("ModelT", bound=BaseModel)


def _describe(location: Location) -> str:
    parts = []
    for part in location:
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(parts).lstrip(".")


def validate(
    model: type[ModelT],
    data: object,
    document: YamlDocument,
    path: Path,
    base: Location = (),
) -> tuple[ModelT | None, list[Problem]]:
    """Validate ``data`` (found at ``base`` in ``document``); collect every error."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = (*base, *(p for p in item["loc"] if isinstance(p, (str, int))))
            line = document.line_of(location)
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = f"unknown key '{location[-1]}'"
            where = _describe(location[len(base) :])
            problems.append(Problem(path, line, f"{where}: {message}" if where else message))
        return None, problems
