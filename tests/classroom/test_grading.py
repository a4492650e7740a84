"""Server-side grading (issue #15 item 2): a check is a submission the server grades.

- a right and a wrong workspace get the verdicts ``labtui check`` gives them;
- forged points, an unknown exercise or another student's id change nothing;
- many students and duplicate deliveries at once: every submission graded exactly once,
  also with two grading pools (two servers) on one database;
- hostile archives are refused before anything runs.
"""

from __future__ import annotations

import base64
import io
import secrets
import tarfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from labtui.classroom.archive import ArchiveError, pack_workspace, unpack_workspace
from labtui.classroom.grader import GradingPool, grade_job, max_points
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.store import ClassroomStore
from labtui.classroom.submissions import Job, SubmissionQueue, Verdict

PACKS = Path(__file__).resolve().parents[2] / "sandbox"
DEADLINE_S = 180


def _wait_until_graded(queue: SubmissionQueue, room_id: int, count: int) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        counts = queue.counts(room_id)
        if counts["done"] + counts["failed"] >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"not graded in time: {queue.counts(room_id)}")


@pytest.mark.sandbox
@pytest.mark.slow
def test_right_and_wrong_submissions_get_the_verdicts_labtui_check_gives(
    tmp_path: Path, course: Any
) -> None:
    from labtui.grading.service import grade

    store = ClassroomStore(f"sqlite:///{tmp_path / 'room.sqlite3'}")
    room = ClassroomRoom.open(store, "grading", course)
    ana, _ = store.join(room.room_id, "Ana")
    queue = SubmissionQueue(store)
    folders = {"right": PACKS / "first-function" / "solution",
               "wrong": PACKS / "first-function" / "starter"}
    # the student's labtui claims a perfect score for the wrong one: it is not believed
    for label, folder in folders.items():
        queue.submit(ana.id, "first-function", pack_workspace(folder), f"key-{label}-0001",
                     {"passed": True, "points": 100_000, "max_points": 100_000})
    pool = GradingPool(store, workers=2).start()
    try:
        _wait_until_graded(queue, room.room_id, 2)
    finally:
        pool.stop()
    by_points = sorted(store.check_results(room.room_id), key=lambda c: c.points)
    expected = sorted((grade("first-function", solution_dir=f) for f in folders.values()),
                      key=lambda r: r.points)
    assert [(c.passed, c.points, c.max_points) for c in by_points] == \
        [(r.passed, r.points, r.max_points) for r in expected]
    assert by_points[0].passed is False and by_points[1].passed is True
    assert {c.max_points for c in by_points} == {max_points("first-function")} == {100}
    store.close()


def test_a_broken_solution_is_a_failing_verdict_with_the_reason(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "app.py").write_text("def lambda_handler(event, context)\n    return 1\n")
    job = Job(1, "st-x", "first-function", pack_workspace(workspace), 1, "test")
    verdict = grade_job(job)
    assert verdict.passed is False and verdict.points == 0 and verdict.max_points == 100
    assert verdict.error is not None and "SyntaxError" in verdict.error


class CountingGrader:
    """Records every grading; answers like a grader that passes even-numbered students."""

    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()
        self.lock = threading.Lock()

    def __call__(self, job: Job) -> Verdict:
        with self.lock:
            self.calls[job.id] += 1
        time.sleep(0.02)  # long enough for graders to overlap
        passed = job.archive.endswith(b"0")
        return Verdict(passed, 100 if passed else 10, 100, [])


def test_thirty_students_at_once_each_submission_graded_exactly_once(store_url: str,
                                                                      course: Any) -> None:
    store = ClassroomStore(store_url)
    other_server = ClassroomStore(store_url)  # a second server on the same database
    room = ClassroomRoom.open(store, "busy", course)
    students = [store.join(room.room_id, f"Student {n}")[0] for n in range(30)]
    queue = SubmissionQueue(store)
    grader = CountingGrader()
    pools = [GradingPool(store, 3, grade=grader, name="server-a").start(),
             GradingPool(other_server, 2, grade=grader, name="server-b").start()]

    def submit(n: int) -> list[int]:
        key = f"student-{n}-check-1"
        archive = f"workspace {n % 2}".encode()
        # each delivery is sent twice, as an outbox does after a lost answer
        return [queue.submit(students[n].id, "first-function", archive, key)[0]
                for _ in range(2)]

    try:
        with ThreadPoolExecutor(max_workers=30) as executor:
            ids = list(executor.map(submit, range(30)))
        _wait_until_graded(queue, room.room_id, 30)
    finally:
        for pool in pools:
            pool.stop()
    assert all(first == again for first, again in ids)
    assert len({first for first, _ in ids}) == 30
    assert sorted(grader.calls) == sorted(first for first, _ in ids)
    assert set(grader.calls.values()) == {1}
    verdicts = store.check_results(room.room_id)
    assert len(verdicts) == 30 and len({v.student_id for v in verdicts}) == 30
    counts = queue.counts(room.room_id)
    assert (counts["waiting"], counts["running"], counts["done"]) == (0, 0, 30)
    assert counts["mean_wait_s"] is not None
    other_server.close()
    store.close()


def test_a_lost_claim_cannot_record_a_second_verdict(tmp_path: Path, course: Any) -> None:
    store = ClassroomStore(f"sqlite:///{tmp_path / 'room.sqlite3'}")
    room = ClassroomRoom.open(store, "lease", course)
    ana, _ = store.join(room.room_id, "Ana")
    queue = SubmissionQueue(store)
    queue.submit(ana.id, "first-function", b"x", "key-lease-0001")
    slow = queue.claim("grader-a", lease_s=0.05)
    assert slow is not None and queue.claim("grader-b") is None  # held
    time.sleep(0.1)  # grader-a goes silent; its lease runs out
    retry = queue.claim("grader-b")
    assert retry is not None and retry.attempt == 2
    assert queue.finish(slow, Verdict(True, 100, 100, [])) is False  # the zombie is ignored
    assert queue.finish(retry, Verdict(False, 10, 100, [])) is True
    assert [(c.passed, c.points) for c in store.check_results(room.room_id)] == [(False, 10)]
    # a job abandoned after its retry fails instead of looping forever
    queue.submit(ana.id, "first-function", b"y", "key-lease-0002")
    for worker in ("a", "b"):
        assert queue.claim(worker, lease_s=0.01) is not None
        time.sleep(0.05)
    assert queue.claim("c") is None
    assert [s.status for s in queue.for_student(ana.id)] == ["failed", "done"]
    store.close()


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return buffer.getvalue()


def _member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"x",
            link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, len(data) if kind == tarfile.REGTYPE else 0, link
    return info, data


# Explicit ids: the archives' bytes are not stable across processes (pytest-xdist requires
# every worker to collect the same test names).
@pytest.mark.parametrize("archive", [
    _tar([_member("../escape.py")]),
    _tar([_member("/etc/cron.d/x")]),
    _tar([_member("link", tarfile.SYMTYPE, link="/srv/lab/keys/instructor-ed25519.pem")]),
    _tar([_member("hard", tarfile.LNKTYPE, link="/etc/passwd")]),
    _tar([_member("dev", tarfile.CHRTYPE)]),
    _tar([_member(f"f{n}.txt") for n in range(400)]),
    _tar([_member("big.bin", data=b"\0" * (5 * 1024 * 1024))]),  # compresses to a few KiB
    b"not a tarball at all",
], ids=["parent-path", "absolute-path", "symlink-out", "hardlink-out", "device", "too-many-files",
        "zip-bomb", "not-a-tarball"])
def test_hostile_archives_are_refused_before_anything_runs(tmp_path: Path,
                                                           archive: bytes) -> None:
    with pytest.raises(ArchiveError):
        unpack_workspace(archive, tmp_path)
    assert not (tmp_path.parent / "escape.py").exists()


def test_a_workspace_over_the_limit_cannot_be_submitted(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(secrets.token_bytes(400 * 1024))  # incompressible
    with pytest.raises(ArchiveError, match="too big"):
        pack_workspace(tmp_path)
    (tmp_path / "data.bin").unlink()
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0" * 10)
    target = tmp_path / "out"
    target.mkdir()
    unpack_workspace(pack_workspace(tmp_path), target)
    assert sorted(p.name for p in target.rglob("*")) == ["app.py"]
    assert base64.b64encode(pack_workspace(tmp_path))  # small enough to send
