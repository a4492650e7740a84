"""Grading workers on several machines (issue #15 item 3): ``labtui classroom worker`` takes
jobs from the room's PostgreSQL. Two real worker processes; the one holding a job is killed
with SIGKILL in the middle of grading it: the other retries it once, and it is graded
exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from labtui.classroom.archive import pack_workspace
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.store import ClassroomStore
from labtui.classroom.submissions import SubmissionQueue

from .conftest import _fresh_postgres_database

PACKS = Path(__file__).resolve().parents[2] / "sandbox"
DEADLINE_S = 120


def _worker(url: str, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LABTUI_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "labtui", "classroom", "worker",
                             "--database-url", url, "--graders", "1", "--lease", "3"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _until(condition: Any, what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.sandbox
def test_a_worker_killed_mid_job_the_job_is_retried_once_and_graded_once(
    postgres_url: str, tmp_path: Path, course: Any
) -> None:
    url = _fresh_postgres_database(postgres_url)
    store = ClassroomStore(url)
    room = ClassroomRoom.open(store, "remote", course)
    ana, _ = store.join(room.room_id, "Ana")
    queue = SubmissionQueue(store)
    solution = pack_workspace(PACKS / "first-function" / "solution")
    job_id, _ = queue.submit(ana.id, "first-function", solution, "ana-check-00001")
    first = _worker(url, tmp_path / "a")
    second = None
    try:
        def running() -> Any:
            subs = [s for s in queue.in_room(room.room_id) if s.status == "running"]
            return subs[0] if subs else None

        _until(running, "the first worker to take the job")
        os.killpg(first.pid, signal.SIGKILL)  # its grading child dies with it (PDEATHSIG)
        first.wait(10)
        second = _worker(url, tmp_path / "b")
        _until(lambda: queue.counts(room.room_id)["done"] == 1, "the job to be graded")
        graded = queue.for_student(ana.id)[0]
        assert graded.id == job_id and graded.status == "done" and graded.attempts == 2
        verdicts = store.check_results(room.room_id)
        assert [(v.exercise_id, v.passed, v.points) for v in verdicts] == \
            [("first-function", True, 100)]
        time.sleep(1.0)  # nothing more arrives: graded exactly once
        assert len(store.check_results(room.room_id)) == 1
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)
        store.close()
