"""Load and faults: 30 students join, check exercises and answer a live quiz at once.

Each simulated student is a thread using the real student client (urllib over loopback) and
the real reporting grading wrapper, which submits the workspace; the server's grading pool
grades each submission from the archive it received (scoring a file in it instead of running
a sandbox); meanwhile the instructor polls the dashboard. Run on SQLite and on PostgreSQL. Bounded: every HTTP
call has a timeout and the whole run a deadline.
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
import threading
import urllib.request
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from labtui.classroom.archive import unpack_workspace
from labtui.classroom.client import ClassroomClient, ReportingGrading, join
from labtui.classroom.grader import GradingPool
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.store import ClassroomStore
from labtui.classroom.submissions import Job, SubmissionQueue, Verdict
from labtui.tui.services import CheckRow, GradeView

STUDENTS = 30
CHECKS_EACH = 3
QUESTIONS = 4
MODULE = "lambda-fundamentals"
DEADLINE_S = 240


class StandInGrader:
    """The student's side without a sandbox: attempt n writes attempt.txt = n into the
    workspace (which is what gets submitted) and shows a local result."""

    def __init__(self, home: Path) -> None:
        self.calls = 0
        self.home = home

    def workspace(self, exercise_id: str, learner_id: str) -> Path:
        path = self.home / learner_id / exercise_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def grade(self, exercise_id: str, learner_id: str, store: Any,
              on_progress: Any = None) -> GradeView:
        self.calls += 1
        (self.workspace(exercise_id, learner_id) / "attempt.txt").write_text(str(self.calls))
        return GradeView(results=[CheckRow(id="c0", title="check", passed=True, points=1,
                                           max_points=1)])


def grade_by_attempt(job: Job) -> Verdict:
    """The server's side, minus the sandbox: reads the submitted workspace (attempt n scores
    n of 3 points), so what counts is what the server unpacked, not what the student said."""
    with tempfile.TemporaryDirectory() as folder:
        unpack_workspace(job.archive, Path(folder))
        points = min(int((Path(folder) / "attempt.txt").read_text()), 3)
    return Verdict(points == 3, points, 3, [])


@pytest.fixture
async def live_room(store_url: str, course: Any) -> AsyncIterator[tuple[str, ClassroomRoom, str]]:
    store = ClassroomStore(store_url)
    room = ClassroomRoom.open(store, "load", course)
    token = store.new_instructor_token(room.room_id)
    pool = GradingPool(store, 3, grade=grade_by_attempt).start()
    client = TestClient(TestServer(ClassroomServer(room, on_submit=pool.wake).make_app(),
                                   host="127.0.0.1"))
    await client.start_server()
    try:
        yield str(client.make_url("")).rstrip("/"), room, token
    finally:
        await client.close()
        pool.stop()
        store.close()


def _answer_for(room: ClassroomRoom, question: dict[str, Any], n: int) -> Any:
    """Student n answers right when n is even, else a (valid) wrong answer."""
    real = room.question(question["id"])
    if n % 2 == 0:
        return real.answer
    if real.type == "numeric":
        return float(real.answer) + 1000.0  # type: ignore[arg-type]
    options = list(real.options or {})
    if real.type == "ordering":
        return list(reversed(real.answer))  # type: ignore[arg-type]
    if isinstance(real.answer, list):
        # as many options as the answer has ("choose TWO"), at least one of them wrong
        count = len(real.answer)
        wrong = [o for o in options if o not in real.answer][:1]
        return wrong + [o for o in options if o not in wrong][: count - len(wrong)]
    return next(o for o in options if o != real.answer)


@pytest.mark.slow
async def test_thirty_students_at_once_lose_no_answers_and_the_dashboard_stays_consistent(
    live_room: tuple[str, ClassroomRoom, str], tmp_path: Path,
) -> None:
    url, room, token = live_room
    instructor = ClassroomClient(url, token, timeout=30)
    start = threading.Barrier(STUDENTS + 1, timeout=60)
    done = threading.Event()
    snapshots: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, Any] = {}

    def student(n: int) -> dict[str, Any]:
        joined = join(url, code=room.room.code, name=f"Student {n:02d}", timeout=30)
        client = ClassroomClient(url, str(joined["token"]), timeout=30)
        start.wait()  # everyone joined: the instructor starts the quiz, then all go at once
        grading = ReportingGrading(StandInGrader(tmp_path), client)  # type: ignore[arg-type]
        for _ in range(CHECKS_EACH):
            grading.grade("first-function", f"learner-{n}", store=None)  # type: ignore[arg-type]
            assert grading.last_report_error is None, grading.last_report_error
        news = client.poll()
        assert news.quiz is not None
        sent = {}
        for question in news.quiz["questions"]:
            answer = _answer_for(room, question, n)
            client.answer(news.quiz["id"], question["id"], answer)
            sent[question["id"]] = answer
        client.heartbeat("exercise:first-function")
        return {"id": joined["student_id"], "sent": sent}

    def watch_dashboard() -> None:
        while not done.is_set():
            view = instructor.request("GET", "/api/instructor/room")
            snapshots.append(view)
            problems.extend(_inconsistencies(view, seen))

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=STUDENTS + 4) as pool:
        students = [loop.run_in_executor(pool, student, n) for n in range(STUDENTS)]
        await loop.run_in_executor(pool, _when_all_joined, room)  # then the quiz starts
        quiz = await loop.run_in_executor(pool, instructor.request, "POST",
                                          "/api/instructor/quiz/start",
                                          {"module_id": MODULE, "count": QUESTIONS})
        watcher = loop.run_in_executor(pool, watch_dashboard)
        await loop.run_in_executor(pool, start.wait)
        results = await asyncio.wait_for(asyncio.gather(*students), DEADLINE_S)
        done.set()
        await asyncio.wait_for(watcher, 60)

    assert problems == []
    assert len(snapshots) >= 2
    # no lost answers: every answer every student sent is stored, as sent
    stored = room.store.quiz_answers(quiz["id"])
    assert len(stored) == STUDENTS * QUESTIONS
    by_key = {(a.student_id, a.question_id): a for a in stored}
    for result in results:
        for question_id, sent in result["sent"].items():
            answer = by_key[(result["id"], question_id)].answer
            assert answer == sent or sorted(answer) == sorted(sent) or answer == float(sent)
    # no lost submissions either: each graded once by the server, and the final dashboard
    # agrees with the store
    await loop.run_in_executor(None, _when_all_graded, room)
    assert len(room.store.check_results(room.room_id)) == STUDENTS * CHECKS_EACH
    final = await loop.run_in_executor(None, instructor.request, "GET", "/api/instructor/room")
    assert len(final["students"]) == STUDENTS
    assert all(s["exercises"]["first-function"]["attempts"] == CHECKS_EACH
               and s["exercises"]["first-function"]["status"] == "passed"
               for s in final["students"])
    assert final["quiz"]["total_answers"] == STUDENTS * QUESTIONS
    for question in final["quiz"]["questions"]:
        assert question["answers"] == STUDENTS
        assert question["correct"] == STUDENTS // 2  # the even-numbered students
    assert len(final["quiz"]["leaderboard"]) == STUDENTS
    top = final["quiz"]["leaderboard"][0]
    assert top["points"] == QUESTIONS and top["name"].endswith(("0", "2", "4", "6", "8"))
    # and the gradebook agrees
    rows = list(csv.DictReader(io.StringIO(await loop.run_in_executor(None, _gradebook, url,
                                                                      token))))
    assert len(rows) == STUDENTS
    assert all(r["first-function:points"] == "3" for r in rows)


def _gradebook(url: str, token: str) -> str:
    request = urllib.request.Request(f"{url}/api/instructor/gradebook?format=csv",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.read().decode())


def _when_all_graded(room: ClassroomRoom) -> None:
    import time

    queue = SubmissionQueue(room.store)
    deadline = time.monotonic() + DEADLINE_S
    while queue.counts(room.room_id)["done"] < STUDENTS * CHECKS_EACH:
        if time.monotonic() > deadline:
            raise AssertionError(f"not all graded: {queue.counts(room.room_id)}")
        time.sleep(0.1)


def _when_all_joined(room: ClassroomRoom) -> None:
    import time

    deadline = time.monotonic() + 60
    while len(room.store.students(room.room_id)) < STUDENTS:
        if time.monotonic() > deadline:
            raise AssertionError("students did not all join")
        time.sleep(0.05)


def _inconsistencies(view: dict[str, Any], seen: dict[str, Any]) -> list[str]:
    """What must hold in every dashboard snapshot, and between consecutive snapshots."""
    found = []
    quiz = view.get("quiz")
    if quiz is not None:
        total = sum(q["answers"] for q in quiz["questions"])
        if total != quiz["total_answers"]:
            found.append(f"answers per question {total} != total {quiz['total_answers']}")
        for question in quiz["questions"]:
            if sum(question["distribution"].values()) != question["answers"]:
                found.append(f"distribution of {question['id']} does not add up")
            if question["correct"] > question["answers"]:
                found.append("more correct answers than answers")
        if sum(e["answered"] for e in quiz["leaderboard"]) != quiz["total_answers"]:
            found.append("leaderboard does not add up to the answers")
        points = [e["points"] for e in quiz["leaderboard"]]
        if points != sorted(points, reverse=True):
            found.append("leaderboard out of order")
        previous = seen.get("answers", 0)
        if quiz["total_answers"] < previous:
            found.append("answers went backwards")
        seen["answers"] = quiz["total_answers"]
    attempts = {s["id"]: s["exercises"]["first-function"]["attempts"] for s in view["students"]}
    for student_id, count in attempts.items():
        if count < seen.get(student_id, 0):
            found.append(f"{student_id}'s attempts went backwards")
        seen[student_id] = count
    return found
