"""Hypothesis: any JSON at any API route is answered with a JSON status, never a 5xx, and no
secret leaks into a student's answers."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.store import ClassroomStore

ROUTES = ["/join", "/api/student/check", "/api/student/answer", "/api/student/heartbeat",
          "/api/instructor/unlock", "/api/instructor/announce", "/api/instructor/quiz/start",
          "/api/instructor/quiz/end", "/api/instructor/end"]
KEYS = st.sampled_from(["name", "code", "exercise_id", "passed", "points", "max_points",
                        "results", "quiz_id", "question_id", "answer", "item", "module_id",
                        "text", "count", "student_id"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=5),
                                                                      children, max_size=5),
    max_leaves=12)


class LiveServer:
    """The app on 127.0.0.1 in a background thread, so plain urllib can call it."""

    def __init__(self, app: web.Application) -> None:
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app)
        self.port = 0
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.runner.setup())
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(30)

    def post(self, path: str, body: bytes, token: str) -> tuple[int, str]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, course: Any) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("fuzz") / "classroom.sqlite3"
    store = ClassroomStore(f"sqlite:///{path}")
    room = ClassroomRoom.open(store, "fuzz", course)
    instructor = store.new_instructor_token(room.room_id)
    _, student = store.join(room.room_id, "Fuzzy")
    server = LiveServer(ClassroomServer(room).make_app())
    try:
        yield {"server": server, "room": room, "instructor": instructor, "student": student}
    finally:
        server.close()
        store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), body=JSON, as_instructor=st.booleans())
def test_any_json_gets_a_json_answer_and_never_a_5xx(
    live: dict[str, Any], route: str, body: Any, as_instructor: bool
) -> None:
    token = live["instructor"] if as_instructor else live["student"]
    if route == "/api/instructor/end":
        token = live["student"]  # ending the room would make the rest of the run trivial
    status, text = live["server"].post(route, json.dumps(body).encode(), token)
    assert status < 500, text
    answer = json.loads(text)
    if status >= 400:
        assert set(answer) == {"error"} and "Traceback" not in answer["error"]
    if not as_instructor:
        assert live["instructor"] not in text


def test_student_answers_never_carry_the_instructor_token(live: dict[str, Any]) -> None:
    server, token = live["server"], live["student"]
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/api/student/state",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    assert live["instructor"] not in text and "Fuzzy" in text
    assert "code" not in json.loads(text)  # nor the room code (students have it already)


def test_instructor_token_is_stored_only_as_a_digest(live: dict[str, Any],
                                                     tmp_path: Path) -> None:
    room = live["room"]
    raw = Path(room.store.url.split(":///", 1)[1]).read_bytes()
    wal = Path(room.store.url.split(":///", 1)[1] + "-wal")
    raw += wal.read_bytes() if wal.is_file() else b""
    assert live["instructor"].encode() not in raw and live["student"].encode() not in raw
