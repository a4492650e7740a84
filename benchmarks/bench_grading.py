"""Grading benchmarks (design.md §10): prints times and ratios to the budget, asserts nothing.

``labtui check`` warm — the sandbox already running and the exercise already seeded once,
as in watch mode or the TUI — for:

1. a configuration exercise (reserved-concurrency-db: one aws command, state checks and a
   300-call concurrency simulation): budget 1 s;
2. scenario exercises with hours of virtual retries and the learner's real handler
   (async-failure-destination: async retries at ~1 and ~3 minutes; sqs-partial-batch:
   ten messages, visibility timeouts and redrive; kinesis-poison-pill: worked scenario 8):
   budget 2 s.

Also the first (cold) check in a process, which starts the sandbox and seeds the account,
and a ``labtui check`` as a fresh CLI process. Each figure is split into its steps
(restore the seed, run setup.sh, run the checks).

Run: ``python benchmarks/bench_grading.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = [
    ("reserved-concurrency-db", "configuration", 1.0),
    ("async-failure-destination", "scenario", 2.0),
    ("sqs-partial-batch", "scenario", 2.0),
    ("kinesis-poison-pill", "scenario", 2.0),
]


def _steps(exercise: str, solution: Path) -> tuple[float, dict[str, float], bool]:
    from labtui.grading.service import grade

    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    report = grade(exercise, solution_dir=solution,
                   on_progress=lambda step: marks.append((step, time.perf_counter())))
    end = time.perf_counter()
    spans: dict[str, float] = {}
    for (name, at), (_, until) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        spans[name] = until - at
    return end - start, spans, report.passed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("LABTUI_HOME", tempfile.mkdtemp(prefix="labtui-bench-"))
    from labtui.grading.awscli import warm_up
    from labtui.grading.pack import load_pack
    from labtui.grading.sandbox import stop_shared_sandbox

    print(f"labtui check, {args.repeat} warm runs each (median)")
    first = True
    for exercise, kind, budget in CASES:
        solution = load_pack(exercise).solution
        cold, _, passed = _steps(exercise, solution)
        label = "first check in the process (starts the sandbox)" if first else "first check"
        print(f"  {exercise}: {label} {cold:.2f} s, passed={passed}")
        if first:
            warm_up()
            first = False
        totals, per_step = [], {}
        for _ in range(args.repeat):
            total, spans, passed = _steps(exercise, solution)
            totals.append(total)
            for name, seconds in spans.items():
                per_step.setdefault(name, []).append(seconds)
        median = statistics.median(totals)
        steps = ", ".join(f"{name} {statistics.median(v) * 1000:.0f} ms"
                          for name, v in per_step.items())
        print(f"  {exercise} ({kind}) warm: {median * 1000:.0f} ms = {median / budget:.2f}x "
              f"the {budget:g} s budget [{steps}] passed={passed}")
    stop_shared_sandbox()

    solution = load_pack("reserved-concurrency-db").solution
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "labtui", "check", "reserved-concurrency-db", "--solution",
         str(solution), "--json"], capture_output=True, check=False,
    )
    took = time.perf_counter() - start
    print(f"  labtui check reserved-concurrency-db as a fresh process: {took:.2f} s "
          f"(exit {done.returncode}; includes starting moto and seeding)")


if __name__ == "__main__":
    main()
