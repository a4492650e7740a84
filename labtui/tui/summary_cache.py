"""A small JSON cache of the course summary, so the home screen shows without parsing YAML.

The key is the content directory plus the name, size and modification time of
every entry of lessons/, quizzes/ and sandbox/; any change to the course makes a
new key. The summary written is the one from the fully loaded course, so on the
next start the home screen also knows the problem count and quiz sizes at once.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from labtui.tui.course_view import CourseSummary, ModuleSummary

VERSION = 1


def content_key(root: Path) -> list[Any]:
    entries: list[Any] = [VERSION, str(root)]
    for folder in ("lessons", "quizzes", "sandbox"):
        try:
            with os.scandir(root / folder) as listing:
                for entry in listing:
                    stat = entry.stat()
                    entries.append([folder, entry.name, stat.st_mtime_ns, stat.st_size])
        except OSError:
            entries.append([folder, None])
    return sorted(entries, key=repr)


def load_summary(path: Path, key: list[Any]) -> CourseSummary | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") != json.loads(json.dumps(key)):
            return None
        raw = data["summary"]
        return CourseSummary(
            title=str(raw["title"]),
            modules=[ModuleSummary(**module) for module in raw["modules"]],
            exercise_ids=frozenset(raw["exercise_ids"]), planned=frozenset(raw["planned"]),
            problems=int(raw["problems"]), complete=False,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_summary(path: Path, key: list[Any], summary: CourseSummary) -> None:
    data = {
        "key": key,
        "summary": {
            "title": summary.title,
            "modules": [
                {name: getattr(module, name) for name in ModuleSummary.__slots__}
                for module in summary.modules
            ],
            "exercise_ids": sorted(summary.exercise_ids),
            "planned": sorted(summary.planned),
            "problems": summary.problems,
        },
    }
    try:
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps(data), encoding="utf-8")
        staging.replace(path)  # atomic: a crash never leaves half a cache
    except OSError:
        pass  # a cache that cannot be written only costs speed
