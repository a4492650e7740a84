"""The server's grader: takes submissions from the queue and grades each exactly as
``labtui check EXERCISE --solution DIR --json`` grades it, in a fresh labtui home (so a fresh
sandbox account) that is thrown away afterwards.

Each grading runs in its own jail (:mod:`labtui.classroom.jailed`: only the submission and
its fresh home writable, labtui and the course read-only, no network, memory and processes
capped) or, where no jail can be built, as a plain child process; either way with a clean
environment (no database URL, no tokens, no instructor paths) and a time limit, and it dies
with the grader that started it, so a grader killed mid-job leaves nothing behind and its
lease lets another grader retry.

:class:`GradingPool` is the bounded pool inside ``classroom serve``;
:func:`run_worker` is ``labtui classroom worker`` (any machine that reaches the database).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labtui.classroom.archive import ArchiveError, unpack_workspace
from labtui.classroom.store import ClassroomStore
from labtui.classroom.submissions import DEFAULT_LEASE_S, Job, SubmissionQueue, Verdict

log = logging.getLogger("labtui.classroom.grader")
GRADE_TIMEOUT_S = 300.0
IDLE_POLL_S = 0.5
Grade = Callable[[Job], Verdict]
_PR_SET_PDEATHSIG = 1


class GraderFailure(Exception):
    """The grader itself could not produce a verdict (not the student's fault)."""


def grade_job(job: Job, content_root: Path | None = None) -> Verdict:
    """Unpack the submission and grade it with ``labtui check`` in a fresh home."""
    scratch = Path(tempfile.mkdtemp(prefix="labtui-grade-"))
    try:
        solution, home = scratch / "solution", scratch / "home"
        solution.mkdir()
        home.mkdir()
        try:
            unpack_workspace(job.archive, solution)
        except ArchiveError as error:
            return Verdict(False, 0, max_points(job.exercise_id), [], error=error.message)
        if content_root is None:
            from labtui.course.resolver import content_root as resolve

            content_root = resolve()
        argv = [sys.executable, "-m", "labtui", "check", job.exercise_id, "--solution",
                str(solution), "--json", "--learner", "grader"]
        from labtui.jail import support

        if support().available:  # issue #15: the submission is graded in its own jail
            from labtui.classroom.jailed import grader_spec, jailed_output

            spec = grader_spec(argv, scratch=scratch, home=home, content=content_root)
            try:
                return _verdict(job, jailed_output(spec, GRADE_TIMEOUT_S))
            except subprocess.TimeoutExpired:
                raise GraderFailure(f"grading took longer than {GRADE_TIMEOUT_S:.0f} s") \
                    from None
        return _verdict(job, _run(argv, _clean_env(home, content_root), scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def max_points(exercise_id: str) -> int:
    """The exercise's maximum from the course (never from a request)."""
    from labtui.grading.pack import load_pack

    return sum(int(check.points) for check in load_pack(exercise_id).manifest.checks)


def _clean_env(home: Path, content_root: Path) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "HOME": str(home), "LABTUI_HOME": str(home), "TMPDIR": str(home),
           "LABTUI_CONTENT": str(content_root)}
    if os.environ.get("PYTHONPATH"):  # a source checkout (tests, development)
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _load_prctl() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_die_with_parent if _prctl is not None else None)
    try:
        stdout, stderr = process.communicate(timeout=GRADE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise GraderFailure(f"grading took longer than {GRADE_TIMEOUT_S:.0f} s") from None
    finally:
        with contextlib.suppress(ProcessLookupError):  # anything the check left running
            os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def _verdict(job: Job, done: subprocess.CompletedProcess[str]) -> Verdict:
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = None
    if not isinstance(report, dict):
        # exit 2 without JSON: a mistake before grading started (the message is stderr's
        # last line); anything else is the grader's own failure
        line = (done.stderr.strip().splitlines() or [""])[-1]
        if done.returncode == 2 and line.startswith("labtui: error:"):
            return Verdict(False, 0, max_points(job.exercise_id), [],
                           error=line.removeprefix("labtui: error:").strip())
        raise GraderFailure(f"labtui check exited {done.returncode}: {line[:300]}")
    if report.get("error"):
        return Verdict(False, 0, max_points(job.exercise_id), [], error=str(report["error"]))
    results = [{k: r.get(k) for k in ("id", "title", "passed", "points", "max_points",
                                      "expected", "actual", "rule")}
               for r in report.get("results", []) if isinstance(r, dict)]
    return Verdict(bool(report.get("passed")), int(report.get("points") or 0),
                   int(report.get("max_points") or 0), results)


def process_one(queue: SubmissionQueue, worker: str, grade: Grade,
                lease_s: float = DEFAULT_LEASE_S) -> bool:
    """Claim one job, grade it while renewing the lease, record the verdict. False: idle."""
    job = queue.claim(worker, lease_s)
    if job is None:
        return False
    stop = threading.Event()

    def keep_lease() -> None:
        while not stop.wait(lease_s / 3):
            if not queue.renew(job, lease_s):
                return

    renewer = threading.Thread(target=keep_lease, name=f"lease-{job.id}", daemon=True)
    renewer.start()
    try:
        verdict = grade(job)
    except GraderFailure as error:
        log.warning("submission %s: %s", job.id, error)
        queue.give_up(job, str(error))
        return True
    except Exception as error:  # the grader's bug: this job fails, the pool keeps going
        log.exception("submission %s could not be graded", job.id)
        queue.give_up(job, f"internal grader error: {type(error).__name__}")
        return True
    finally:
        stop.set()
        renewer.join()
    if not queue.finish(job, verdict):
        log.warning("submission %s: the lease was lost; another grader has it", job.id)
    return True


class GradingPool:
    """``workers`` grader threads in this process; each runs one grading at a time, so at
    most ``workers`` gradings (child processes) run at once however many are queued."""

    def __init__(self, store: ClassroomStore, workers: int, *, grade: Grade | None = None,
                 lease_s: float = DEFAULT_LEASE_S, name: str | None = None) -> None:
        self.queue = SubmissionQueue(store)
        self.workers = workers
        self.grade: Grade = grade or grade_job
        self.lease_s = lease_s
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> GradingPool:
        for number in range(self.workers):
            thread = threading.Thread(target=self._loop, args=(f"{self.name}:{number}",),
                                      name=f"labtui-grader-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wake(self) -> None:
        """A submission arrived: idle graders look at once instead of at their next poll."""
        self._wake.set()

    def _loop(self, worker: str) -> None:
        while not self._stop.is_set():
            try:
                busy = process_one(self.queue, worker, self.grade, self.lease_s)
            except Exception:  # a database hiccup: wait and try again, never die
                log.exception("grader %s: the queue could not be read", worker)
                busy = False
            if not busy:
                self._wake.wait(IDLE_POLL_S)
                self._wake.clear()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)


def run_worker(database_url: str, workers: int, lease_s: float = DEFAULT_LEASE_S) -> int:
    """``labtui classroom worker``: grade jobs from the room database until interrupted."""
    store = ClassroomStore(database_url)
    pool = GradingPool(store, workers, lease_s=lease_s).start()
    print(f"grading worker {pool.name}: {workers} grader(s) on {store.engine.url.render_as_string(hide_password=True)}; "
          "Ctrl+C to stop", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        pool.stop()
        store.close()
    return 0
