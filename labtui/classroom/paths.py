"""Where a classroom keeps its files: one directory per room under LABTUI_HOME."""

from __future__ import annotations

from pathlib import Path

from labtui.classroom.store import validate_room_name


def room_dir(room: str) -> Path:
    from labtui.paths import labtui_home

    path = labtui_home() / "classroom" / "rooms" / validate_room_name(room)
    path.mkdir(parents=True, exist_ok=True)
    return path


def student_home(room: str, student_id: str) -> Path:
    """The LABTUI_HOME of one student's labtui process: progress, workspaces, sandbox."""
    if not student_id.startswith("st-") or not student_id[3:].isalnum():
        raise ValueError(f"not a student id: {student_id!r}")
    path = room_dir(room) / "students" / student_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def instructor_key_path() -> Path:
    from labtui.certificates.keys import instructor_key_path as path

    return path()
