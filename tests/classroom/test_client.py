"""The student client: terminal join and rejoin, pacing, and an unreachable room."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from labtui.classroom.client import ClassroomClient, ClassroomUnavailable
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.store import ClassroomStore
from labtui.classroom.student import _saved_or_new


@pytest.fixture
async def room_url(tmp_path: Path, course: Any) -> AsyncIterator[tuple[str, ClassroomRoom]]:
    store = ClassroomStore(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    room = ClassroomRoom.open(store, "client", course)
    client = TestClient(TestServer(ClassroomServer(room).make_app(), host="127.0.0.1"))
    await client.start_server()
    try:
        yield str(client.make_url("")).rstrip("/"), room
    finally:
        await client.close()
        store.close()


async def test_a_terminal_student_rejoins_as_themselves(
    room_url: tuple[str, ClassroomRoom], labtui_home: Path
) -> None:
    url, room = room_url
    code = room.room.code

    def first_and_again() -> tuple[tuple[ClassroomClient, str], tuple[ClassroomClient, str]]:
        return _saved_or_new(url, code, "Ana"), _saved_or_new(url, code, "Ana")

    (first, learner), (again, learner_again) = await asyncio.to_thread(first_and_again)
    assert learner == learner_again and first.token == again.token
    assert [s.name for s in room.store.students(room.room_id)] == ["Ana"]
    saved = labtui_home / "classroom" / "joined.json"
    assert saved.stat().st_mode & 0o077 == 0  # the token file is private
    assert await asyncio.to_thread(first.unlocked_modules) == {room.module_ids()[0]}
    with pytest.raises(ClassroomUnavailable, match="wrong room code"):
        await asyncio.to_thread(_saved_or_new, url, "WRONG1", "Bo")


def test_an_unreachable_room_never_breaks_the_lab() -> None:
    client = ClassroomClient("http://127.0.0.1:9", "token", timeout=1)
    assert client.unlocked_modules() is None  # no pacing known: nothing is locked
    news = client.poll()
    assert news.announcements == [] and news.quiz is None
    client.heartbeat("home")  # best effort, silent
    with pytest.raises(ClassroomUnavailable, match="not reachable"):
        client.answer(1, "q", "A")
