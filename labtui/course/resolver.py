"""Find the course content: ``LABTUI_CONTENT`` → the copy inside the wheel → the checkout."""

from __future__ import annotations

import os
from pathlib import Path

from labtui.errors import ContentError

_CONTENT_DIRS = ("lessons", "quizzes", "sandbox")


def _looks_like_content(path: Path) -> bool:
    return (path / "lessons" / "course.yaml").is_file()


def content_root() -> Path:
    """The directory that holds lessons/, quizzes/ and sandbox/."""
    override = os.environ.get("LABTUI_CONTENT")
    if override:
        path = Path(override).expanduser().resolve()
        if not _looks_like_content(path):
            raise ContentError(
                f"LABTUI_CONTENT={override} has no lessons/course.yaml; point it at a course "
                "directory (the one that holds lessons/, quizzes/ and sandbox/)"
            )
        return path
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / "_content"
    if _looks_like_content(installed):
        return installed
    checkout = package_dir.parent
    if _looks_like_content(checkout):
        return checkout
    raise ContentError(
        "course content not found: set LABTUI_CONTENT to a directory with lessons/, "
        "quizzes/ and sandbox/"
    )
