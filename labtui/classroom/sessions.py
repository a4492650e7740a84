"""Sessions of a room: an ended room reopens only as a new session (issue #16).

Reopening an ended room in place would mix two classes' records (and, before this, every
join got 409). ``serve --room lab1 --new-session`` renames the ended session to ``lab1-s1``
(then ``-s2`` ...), with its students, verdicts, quizzes and files, so it can still be
exported on its own (``gradebook --room lab1-s1``); ``lab1`` starts empty with a new code.
Without the flag, serving an ended room is refused with a line that says this.
"""

from __future__ import annotations

import shutil

from sqlalchemy import delete, select, update

from labtui.classroom import schema as t
from labtui.classroom.store import ClassroomError, ClassroomStore, validate_room_name

MAX_SESSIONS = 999


def prepare_room(store: ClassroomStore, name: str, *, new_session: bool) -> str | None:
    """Make ``name`` ready to serve; returns the archived session's name, if one was made."""
    validate_room_name(name)
    with store._tx() as db:
        row = db.execute(select(t.rooms.c.id, t.rooms.c.ended_at)
                         .where(t.rooms.c.name == name)).first()
    if row is None or row[1] is None:
        return None
    if not new_session:
        raise ClassroomError(
            f"room {name!r} ended on {str(row[1])[:16].replace('T', ' ')} UTC; its records are "
            f"kept. Start a new session under the same name with --new-session (the ended one "
            f"is kept as {name}-s1, ...), or pick another --room name")
    archived = _free_name(store, name)
    with store._tx() as db:
        db.execute(update(t.rooms).where(t.rooms.c.id == row[0]).values(name=archived))
    _move_files(name, archived)
    return archived


def _free_name(store: ClassroomStore, name: str) -> str:
    with store._tx() as db:
        taken = set(db.execute(select(t.rooms.c.name)
                               .where(t.rooms.c.name.like(f"{name}-s%"))).scalars())
    for number in range(1, MAX_SESSIONS + 1):
        candidate = f"{name}-s{number}"
        if candidate not in taken:
            return validate_room_name(candidate)
    raise ClassroomError(f"room {name!r} has {MAX_SESSIONS} sessions already")


def _move_files(name: str, archived: str) -> None:
    """Students' homes (progress, workspaces, sandboxes) follow their session."""
    from labtui.paths import labtui_home

    rooms = labtui_home() / "classroom" / "rooms"
    if (rooms / name).is_dir() and not (rooms / archived).exists():
        shutil.move(str(rooms / name), str(rooms / archived))


def set_issuer(store: ClassroomStore, room_id: int, issuer: str) -> None:
    """``serve --issuer``: who the room's certificates name (instructor, organisation)."""
    issuer = " ".join(issuer.split())[:200]
    if not issuer:
        raise ClassroomError("--issuer: give a name, e.g. \"Dana Ruiz, Acme Training\"", 422)
    with store._tx() as db:
        db.execute(delete(t.room_info).where(t.room_info.c.room_id == room_id))
        db.execute(t.room_info.insert().values(room_id=room_id, issuer=issuer))


def issuer_of(store: ClassroomStore, room_id: int) -> str | None:
    with store._tx() as db:
        value = db.execute(select(t.room_info.c.issuer)
                           .where(t.room_info.c.room_id == room_id)).scalar_one_or_none()
    return None if value is None else str(value)
