"""Hosting: each browser student gets their own labtui process over textual-serve.

These start real ``python -m labtui.classroom.student`` processes behind the websocket (loopback only,
bounded waits) and kill one with SIGKILL mid-exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from labtui.classroom.hosting import TUI_SERVICES, student_command, student_environment
from labtui.classroom.paths import student_home
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.store import ClassroomStore, Student

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 90.0


@pytest.fixture
async def hosted(tmp_path: Path, course: Any) -> AsyncIterator[tuple[TestClient[Any, Any],
                                                                      ClassroomRoom]]:
    store = ClassroomStore(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    room = ClassroomRoom.open(store, "hosted", course)
    api: dict[str, str] = {}

    def env_for(student: Student, token: str) -> dict[str, str]:
        return {**student_environment("hosted", student, token, api["url"]),
                "LABTUI_CONTENT": str(REPO), "LABTUI_CLASSROOM_POLL_S": "0.5"}

    app = ClassroomServer(room).make_app(host_tui=True, tui_command=student_command(),
                                         env_for=env_for)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    api["url"] = str(client.make_url("")).rstrip("/")
    try:
        yield client, room
    finally:
        await client.close()
        store.close()


async def _join(client: TestClient[Any, Any], room: ClassroomRoom, name: str) -> tuple[str, str]:
    response = await client.post("/join", json={"name": name, "code": room.room.code})
    body = await response.json()
    return str(body["student_id"]), str(body["token"])


async def _connect(client: TestClient[Any, Any], token: str) -> aiohttp.ClientWebSocketResponse:
    socket = await client.ws_connect("/tui/ws?width=110&height=32",
                                     headers={"Cookie": f"labtui_student={token}"})
    await socket.send_json(["resize", {"width": 110, "height": 32}])
    return socket


async def _until(condition: Callable[[], Any], what: str,
                 socket: aiohttp.ClientWebSocketResponse | None = None) -> Any:
    """Wait (bounded) for ``condition``; keeps draining the socket so the app can render."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while asyncio.get_running_loop().time() < deadline:
        value = condition()
        if value:
            return value
        if socket is not None and not socket.closed:
            with contextlib.suppress(TimeoutError):
                await socket.receive(timeout=0.2)
        else:
            await asyncio.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _current_item(room: ClassroomRoom, student_id: str) -> str | None:
    return next(s.current_item for s in room.store.students(room.room_id) if s.id == student_id)


def _resume_point(home: Path) -> str | None:
    path = home / "progress.sqlite3"
    if not path.is_file():
        return None
    with sqlite3.connect(path, timeout=5) as db:
        try:
            row = db.execute("SELECT value_json FROM ui_state WHERE key = 'resume'").fetchone()
        except sqlite3.OperationalError:
            return None
    return None if row is None else str(row[0])


async def test_only_a_joined_student_gets_a_lab_process(hosted: Any) -> None:
    client, room = hosted
    page = await client.get("/tui", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/"
    with pytest.raises(aiohttp.WSServerHandshakeError) as missing:
        await client.ws_connect("/tui/ws")
    assert missing.value.status == 401
    _, token = await _join(client, room, "Ana")
    with pytest.raises(aiohttp.WSServerHandshakeError) as forged:
        await client.ws_connect("/tui/ws", headers={"Cookie": "labtui_student=forged"})
    assert forged.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as cross_site:
        await client.ws_connect("/tui/ws", headers={"Cookie": f"labtui_student={token}",
                                                    "Origin": "http://evil.example"})
    assert cross_site.value.status == 403
    assert client.app[TUI_SERVICES] == set()  # no process was started for any of them


@pytest.mark.slow
async def test_a_student_process_killed_mid_exercise_reconnects_to_the_same_state(
    hosted: Any,
) -> None:
    client, room = hosted
    student_id, token = await _join(client, room, "Ana")
    home = student_home("hosted", student_id)
    first = await _connect(client, token)
    # the lab came up as Ana's: its heartbeat reached the room
    await _until(lambda: _current_item(room, student_id) == "home", "the first heartbeat", first)
    await first.send_json(["stdin", "e"])  # open the module's exercise, as a student would
    point = await _until(lambda: _resume_point(home), "the exercise to open", first)
    while "exercise" not in point:
        point = await _until(lambda: "exercise" in (_resume_point(home) or "") and
                             _resume_point(home), "the exercise to open", first)
    assert "first-function" in point
    (home / "mid-exercise-note.txt").write_text("half done")

    (service,) = client.app[TUI_SERVICES]
    first_pid = service._process.pid
    os.kill(first_pid, signal.SIGKILL)
    await _until(lambda: first.closed, "the page's connection to close", first)
    room.store.heartbeat(student_id, "disconnected")

    second = await _connect(client, token)
    try:
        # the new process is Ana's again: same home, so it resumes the exercise she was in
        await _until(lambda: _current_item(room, student_id) == "exercise:first-function",
                     "the new process to resume the exercise", second)
        (service,) = client.app[TUI_SERVICES]
        assert service._process.pid != first_pid
        assert service.extra_env["LABTUI_HOME"] == str(home)
        assert (home / "mid-exercise-note.txt").read_text() == "half done"
        assert [s.name for s in room.store.students(room.room_id)] == ["Ana"]  # not a new student
    finally:
        await second.close()
    await _until(lambda: not client.app[TUI_SERVICES], "the process to stop")
