"""Classroom operations (issue #16): the outbox, the kept instructor token, new sessions,
the roster, ended sessions, the browser's join errors and a database outage."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from labtui.classroom.client import ClassroomClient
from labtui.classroom.outbox import Outbox
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.sessions import prepare_room
from labtui.classroom.store import ClassroomError, ClassroomStore
from labtui.classroom.submissions import SubmissionQueue
from labtui.errors import LabError

from .conftest import _fresh_postgres_database
from .test_server import bearer, join

PACKS = Path(__file__).resolve().parents[2] / "sandbox"


@pytest.fixture
async def classroom(
    tmp_path: Path, course: Any
) -> AsyncIterator[tuple[TestClient[Any, Any], ClassroomRoom, str]]:
    store = ClassroomStore(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    room = ClassroomRoom.open(store, "ops", course)
    token = store.new_instructor_token(room.room_id)
    client = TestClient(TestServer(ClassroomServer(room).make_app(), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client, room, token
    finally:
        await client.close()
        store.close()


class RoomInAThread:
    """A real server on a real port that can be stopped and started again (same port)."""

    def __init__(self, room: ClassroomRoom, port: int) -> None:
        self.room, self.port = room, port
        self._runner: web.AppRunner | None = None
        self._loop: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import asyncio

        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._runner = web.AppRunner(ClassroomServer(self.room).make_app())
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
            self._loop.run_until_complete(site.start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(30)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
            self._loop = None


@pytest.fixture
def room_server(tmp_path: Path, course: Any) -> Iterator[RoomInAThread]:
    store = ClassroomStore(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    room = ClassroomRoom.open(store, "outbox", course)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = RoomInAThread(room, port)
    try:
        yield server
    finally:
        server.stop()
        store.close()


def test_checks_made_while_the_room_is_down_are_delivered_once_on_reconnect(
    room_server: RoomInAThread, tmp_path: Path
) -> None:
    room = room_server.room
    ana, token = room.store.join(room.room_id, "Ana")
    outbox_dir = tmp_path / "home" / "outbox"
    client = ClassroomClient(room_server.url, token, timeout=2, outbox=Outbox(outbox_dir))
    workspace = PACKS / "first-function" / "solution"
    # the server is not running: the student's check waits, visibly
    assert client.submit_check("first-function", workspace, {"passed": True, "points": 100,
                                                             "max_points": 100}) == 1
    assert client.submit_check("first-function", workspace) == 2
    assert client.poll().undelivered == 2
    # the student's labtui restarts: a new client over the same outbox still has both
    restarted = ClassroomClient(room_server.url, token, timeout=5, outbox=Outbox(outbox_dir))
    assert restarted.outbox is not None and restarted.outbox.pending() == 2
    room_server.start()
    # a crash after a delivery but before its file was deleted: it is sent again
    first = sorted(outbox_dir.glob("*.json"))[0]
    duplicate = outbox_dir / ("0" + first.name)
    duplicate.write_bytes(first.read_bytes())
    news = restarted.poll()
    assert news.undelivered == 0 and news.reachable
    submissions = SubmissionQueue(room.store).for_student(ana.id)
    assert len(submissions) == 2  # three deliveries, two submissions: exactly once each
    assert {s.status for s in submissions} == {"waiting"}  # pending: the server grades them
    assert room.store.check_results(room.room_id) == []  # nothing self-reported counts


def test_a_refused_message_is_dropped_with_its_reason_not_retried_forever(
    room_server: RoomInAThread, tmp_path: Path
) -> None:
    room = room_server.room
    _, token = room.store.join(room.room_id, "Ana")
    room_server.start()
    client = ClassroomClient(room_server.url, token, outbox=Outbox(tmp_path / "outbox"))
    with pytest.raises(LabError, match="ended"):  # no such quiz running: refused for good
        client.answer(99, "q-x", "A")
    assert client.outbox is not None and client.outbox.pending() == 0


def test_the_instructor_token_survives_restarts_and_rotates_on_request(
    tmp_path: Path, course: Any, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from labtui.cli import main

    url = f"sqlite:///{tmp_path / 'room.sqlite3'}"
    with ClassroomStore(url) as store:
        room = ClassroomRoom.open(store, "kept", course)
        token = store.instructor_token_if_new(room.room_id)
        assert token is not None
        # a restart, or a second server on the same database: no new token, the old works
        assert store.instructor_token_if_new(room.room_id) is None
        assert store.instructor_token_ok(room.room_id, token)
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
    assert main(["classroom", "token", "--room", "kept", "--rotate", "--database-url", url]) == 0
    new = capsys.readouterr().out.split("no longer works): ")[1].split()[0]
    with ClassroomStore(url) as store:
        room_id = store.room("kept").id
        assert store.instructor_token_ok(room_id, new)
        assert not store.instructor_token_ok(room_id, token)


def test_an_ended_room_reopens_only_as_a_new_session(tmp_path: Path, course: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
    with ClassroomStore(f"sqlite:///{tmp_path / 'room.sqlite3'}") as store:
        old = ClassroomRoom.open(store, "lab1", course)
        ana, _ = store.join(old.room_id, "Ana")
        store.record_check(ana.id, "first-function", passed=True, points=100, max_points=100,
                           results=[])
        store.end_room(old.room_id)
        with pytest.raises(ClassroomError, match="--new-session"):
            prepare_room(store, "lab1", new_session=False)
        assert prepare_room(store, "lab1", new_session=True) == "lab1-s1"
        fresh = ClassroomRoom.open(store, "lab1", course)
        assert fresh.room_id != old.room_id and fresh.room.ended_at is None
        assert store.students(fresh.room_id) == []
        store.join(fresh.room_id, "Ana")  # the same name is free in the new session
        archived = store.room("lab1-s1")
        assert [s.name for s in store.students(archived.id)] == ["Ana"]
        assert len(store.check_results(archived.id)) == 1
        assert prepare_room(store, "lab1", new_session=False) is None  # open: nothing to do


async def test_an_ended_session_changes_no_more(classroom: Any) -> None:
    client, room, token = classroom
    ana = await join(client, room, "Ana")
    assert (await client.post("/api/instructor/end", json={}, headers=bearer(token))).status \
        == 200
    again = await client.post("/api/instructor/end", json={}, headers=bearer(token))
    assert again.status == 409 and "already ended" in (await again.json())["error"]
    seen = room.store.students(room.room_id)[0].last_seen_at
    for path, body, who in [("/api/student/heartbeat", {"item": "home"}, ana),
                            ("/api/instructor/unlock", {}, token),
                            ("/api/instructor/announce", {"text": "late"}, token)]:
        response = await client.post(path, json=body, headers=bearer(who))
        assert response.status == 409, path
    assert room.store.students(room.room_id)[0].last_seen_at == seen
    assert len(room.room.unlocked) == 1
    assert [text for _, text, _ in room.store.announcements(room.room_id)] == \
        ["The instructor ended this session. Thank you!"]


async def test_a_browser_join_error_is_the_join_page_with_the_reason(classroom: Any) -> None:
    client, _, _ = classroom
    response = await client.post("/join", data={"name": "Ana", "code": "WRONG1"})
    text = await response.text()
    assert response.status == 403 and response.content_type == "text/html"
    assert "wrong room code" in text and "<form" in text and '{"error"' not in text


async def test_the_instructor_renames_and_removes_students_and_sees_look_alikes(
    classroom: Any,
) -> None:
    client, room, token = classroom
    await join(client, room, "Ana")
    cyrillic = await join(client, room, "Аna")  # a Cyrillic А
    await join(client, room, "bo")
    view = await (await client.get("/api/instructor/room", headers=bearer(token))).json()
    flagged = {s["name"]: s["similar_to"] for s in view["students"]}
    assert flagged["Ana"] == ["Аna"] and flagged["Аna"] == ["Ana"] and flagged["bo"] == []
    ids = {s["name"]: s["id"] for s in view["students"]}
    renamed = await client.post("/api/instructor/student/rename", headers=bearer(token),
                                json={"student_id": ids["bo"], "name": "Bo Berg"})
    assert renamed.status == 200
    taken = await client.post("/api/instructor/student/rename", headers=bearer(token),
                              json={"student_id": ids["bo"], "name": "Ana"})
    assert taken.status == 409
    removed = await client.post("/api/instructor/student/remove", headers=bearer(token),
                                json={"student_id": ids["Аna"]})
    assert removed.status == 200
    assert sorted(s.name for s in room.store.students(room.room_id)) == ["Ana", "Bo Berg"]
    # the removed student's token no longer opens anything
    gone = await client.get("/api/student/state", headers=bearer(cyrillic))
    assert gone.status == 403
    student = await client.post("/api/instructor/student/remove", headers=bearer(cyrillic),
                                json={"student_id": ids["Ana"]})
    assert student.status == 403


@pytest.mark.slow
async def test_a_database_outage_answers_503_and_recovers(postgres_url: str,
                                                          course: Any) -> None:
    from sqlalchemy import create_engine, text

    url = _fresh_postgres_database(postgres_url)
    store = ClassroomStore(url)
    room = ClassroomRoom.open(store, "pg", course)
    token = store.new_instructor_token(room.room_id)
    client = TestClient(TestServer(ClassroomServer(room).make_app(), host="127.0.0.1"))
    await client.start_server()
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    database = url.rsplit("/", 1)[1]
    try:
        assert (await client.get("/api/instructor/room", headers=bearer(token))).status == 200
        with admin.connect() as connection:  # the database goes away for this room
            connection.execute(text(f"ALTER DATABASE {database} ALLOW_CONNECTIONS false"))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    f"WHERE datname = '{database}'"))
        down = await client.get("/api/instructor/room", headers=bearer(token))
        assert down.status == 503 and down.headers["Retry-After"] == "5"
        assert "not reachable" in json.loads(await down.text())["error"]
        with admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {database} ALLOW_CONNECTIONS true"))
        assert (await client.get("/api/instructor/room", headers=bearer(token))).status == 200
    finally:
        await client.close()
        store.close()
        admin.dispose()
