"""A real browser: headless Chromium joins as a student (the TUI over textual-serve) and opens
the instructor dashboard; screenshots of both are saved.

Skipped when Chromium is not installed (``apt-get install -y chromium``). Loopback only: the
browser resolves no host name but 127.0.0.1 and has background networking off. Set
LABTUI_SCREENSHOT_DIR to keep the PNGs (default: the test's tmp directory).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from labtui.classroom.hosting import student_command, student_environment
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.store import ClassroomStore, Student

from .chromium import CHROMIUM, Browser
from .test_server import _wrong

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                 "(apt-get install -y chromium)")]


@pytest.fixture
async def served(tmp_path: Path, course: Any) -> AsyncIterator[tuple[str, ClassroomRoom, str]]:
    store = ClassroomStore(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    room = ClassroomRoom.open(store, "browser-demo", course)
    token = store.new_instructor_token(room.room_id)
    api: dict[str, str] = {}

    def env_for(student: Student, student_token: str) -> dict[str, str]:
        return {**student_environment("browser-demo", student, student_token, api["url"]),
                "LABTUI_CONTENT": str(REPO), "LABTUI_CLASSROOM_POLL_S": "1"}

    app = ClassroomServer(room).make_app(host_tui=True, tui_command=student_command(),
                                         env_for=env_for)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    api["url"] = str(client.make_url("")).rstrip("/")
    try:
        yield api["url"], room, token
    finally:
        await client.close()
        store.close()


def _screenshot_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("LABTUI_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _busy_room(room: ClassroomRoom) -> None:
    """A few more students with results and quiz answers, so the dashboard has content."""
    store = room.store
    room.unlock()
    quiz = room.start_quiz("lambda-fundamentals", 3, seed=7)
    for n, name in enumerate(("Bo Chen", "Cy Okafor", "Dee Ruiz")):
        student, _ = store.join(room.room_id, name)
        for attempt in range(n + 1):
            store.record_check(student.id, "first-function", passed=attempt == 2,
                               points=attempt + 1, max_points=3, results=[])
        for question_id in quiz.question_ids[: n + 1]:
            question = room.question(question_id)
            room.answer(student, quiz.id, question_id, question.answer if n != 1 else
                        _wrong(room, question_id))
        store.heartbeat(student.id, "exercise:first-function")
    store.announce(room.room_id, "Module 2 is open: start the function-configuration lesson")


async def test_a_student_in_the_browser_and_the_instructor_dashboard(
    browser: Browser, served: tuple[str, ClassroomRoom, str], tmp_path: Path
) -> None:
    url, room, token = served
    out = _screenshot_dir(tmp_path)
    # the student: join page -> form -> their own lab in the page
    await browser.goto(f"{url}/")
    await browser.evaluate(
        f"document.getElementById('name').value = 'Ana Lima';"
        f"document.getElementById('code').value = {json.dumps(room.room.code)};"
        "document.querySelector('form').submit(); true")
    await browser.wait_for("location.pathname === '/tui' && document.readyState === 'complete'")
    for _ in range(480):  # the lab in the page reports in: its process runs as Ana
        if any(s.name == "Ana Lima" and s.current_item for s in room.store.students(room.room_id)):
            break
        await asyncio.sleep(0.25)
    else:
        pytest.fail("the student's lab never reported to the room")
    await asyncio.sleep(4)  # let the terminal paint the home screen
    student_png = await browser.screenshot(out / "classroom-student-tui.png")

    _busy_room(room)
    await browser.goto(f"{url}/dashboard#token={token}")
    await browser.wait_for("document.querySelectorAll('#students tr').length === 5")
    assert await browser.evaluate("location.hash") == ""  # the token left the address bar
    names = await browser.evaluate(
        "[...document.querySelectorAll('#students tr td:first-child')].map(c => c.textContent)")
    assert names == ["Ana Lima", "Bo Chen", "Cy Okafor", "Dee Ruiz"]
    assert "leaderboard" in (await browser.evaluate("document.body.innerText")).lower()
    dashboard_png = await browser.screenshot(out / "classroom-dashboard.png")

    # a wrong (or rotated) token: the dashboard says so where the instructor can see it
    await browser.evaluate("sessionStorage.clear(); true")
    await browser.goto("about:blank")  # a fresh load (a changed #fragment alone is not one)
    await browser.goto(f"{url}/dashboard#token=not-the-token")
    await browser.wait_for("document.getElementById('login').hidden === false")
    message = await browser.evaluate(
        "(() => { const e = document.getElementById('login-message');"
        " return e.offsetParent !== null ? e.textContent : 'hidden'; })()")
    assert message == "That token was not accepted."

    for png in (student_png, dashboard_png):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
