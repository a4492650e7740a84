"""Classroom grading queue (issue #15 item 2): 30 students press Check at once.

30 submissions (half the reference solution, half the starter of first-function) enter the
room's queue at the same moment; a grading pool of ``--graders`` real graders (each one a
``labtui check`` child in a fresh home) works through them. Printed:

- the baseline: one submission graded alone (the same machine, the same grader);
- the time until all 30 are graded, as a ratio to 30 x the baseline (below 1: the pool
  overlaps gradings; about 1/graders at best on enough cores);
- queue latency (submitted -> a grader took it): mean and max, also as multiples of the
  baseline (a student's wait is about their place in the queue x baseline / graders);
- that every submission was graded exactly once.

Run: ``python benchmarks/bench_classroom_queue.py [--students 30] [--graders 2]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--graders", type=int, default=2)
    args = parser.parse_args()

    from labtui.classroom.archive import pack_workspace
    from labtui.classroom.grader import GradingPool, grade_job
    from labtui.classroom.room import ClassroomRoom
    from labtui.classroom.store import ClassroomStore
    from labtui.classroom.submissions import Job, SubmissionQueue
    from labtui.course.loader import load_course

    pack = ROOT / "sandbox" / "first-function"
    archives = [pack_workspace(pack / "solution"), pack_workspace(pack / "starter")]
    singles = []
    for archive in archives * 2:
        started = time.perf_counter()
        grade_job(Job(0, "st-bench", "first-function", archive, 1, "bench"))
        singles.append(time.perf_counter() - started)
    baseline = statistics.median(singles)

    with tempfile.TemporaryDirectory() as folder:
        store = ClassroomStore(f"sqlite:///{folder}/room.sqlite3")
        room = ClassroomRoom.open(store, "bench", load_course(ROOT))
        students = [store.join(room.room_id, f"S{n}")[0] for n in range(args.students)]
        queue = SubmissionQueue(store)
        pool = GradingPool(store, args.graders).start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.students) as executor:
            list(executor.map(lambda n: queue.submit(students[n].id, "first-function",
                                                     archives[n % 2], f"bench-{n:04d}-key"),
                              range(args.students)))
        while queue.counts(room.room_id)["done"] + queue.counts(room.room_id)["failed"] \
                < args.students:
            time.sleep(0.05)
        total = time.perf_counter() - started
        pool.stop()
        counts = queue.counts(room.room_id)
        verdicts = store.check_results(room.room_id)
        store.close()

    once = len(verdicts) == args.students and len({v.student_id for v in verdicts}) == len(
        verdicts)
    print(f"one submission graded alone (baseline): {baseline:.2f} s")
    print(f"{args.students} at once, {args.graders} graders: all graded in {total:.1f} s = "
          f"{total / (args.students * baseline):.2f}x of {args.students} x baseline")
    print(f"queue latency: mean {counts['mean_wait_s']:.1f} s "
          f"({counts['mean_wait_s'] / baseline:.1f}x baseline), max {counts['max_wait_s']:.1f} s "
          f"({counts['max_wait_s'] / baseline:.1f}x baseline)")
    print(f"done {counts['done']}, failed {counts['failed']}; each graded exactly once: {once}")
    return 0 if once and counts["failed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
