"""What one save of a live account costs (labtui/account/saved_account.py): prints times,
asserts nothing. The workbench saves a learner's account shortly after each change, so a
kill -9 loses at most that delay; this says how short the delay can be made cheaply.

Accounts: first-function's and order-pipeline's seeded state with the reference solution
applied (a small and a large exercise). Parts of one save: the time under the gateway's
write lock (moto's state serialised: requests wait meanwhile), and write + fsync.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

EXERCISES = ("first-function", "order-pipeline")
RUNS = 9


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def bench(exercise: str, folder: Path) -> None:
    from labtui.account import saved_account
    from labtui.grading.apply import apply_solution
    from labtui.grading.pack import load_pack
    from labtui.grading.sandbox import setup_model, shared_sandbox

    pack = load_pack(exercise)
    sandbox = shared_sandbox()
    learner = f"bench-save-{exercise}"
    account = sandbox.learner(learner)
    account.seed(setup_model(pack.manifest, pack.path), pack.path)
    apply_solution(pack.solution, account.env(), lambda _message: None)
    path = folder / f"{exercise}.pickle"
    saved_account.save(sandbox, learner, path)  # warm-up: imports, registry lookup
    lock = sandbox.gateway.state_lock
    held: list[float] = []
    acquire, release = lock.acquire_write, lock.release_write

    def timed_acquire() -> None:
        acquire()
        held.append(time.perf_counter())

    def timed_release() -> None:
        held[-1] = time.perf_counter() - held[-1]
        release()

    whole: list[float] = []
    lock.acquire_write, lock.release_write = timed_acquire, timed_release
    try:
        cpu_start = time.process_time()
        for _ in range(RUNS):
            start = time.perf_counter()
            saved_account.save(sandbox, learner, path)
            whole.append(time.perf_counter() - start)
        cpu = (time.process_time() - cpu_start) / RUNS
    finally:
        lock.acquire_write, lock.release_write = acquire, release
    data = path.read_bytes()
    write: list[float] = []
    for _ in range(RUNS):
        start = time.perf_counter()
        saved_account._write_atomically(folder / "write.pickle", data)
        write.append(time.perf_counter() - start)
    print(f"{exercise}: one save {_median_ms(whole)} wall, {cpu * 1000:.1f} ms CPU "
          f"(under the gateway's write lock {_median_ms(held)}, write + fsync "
          f"{_median_ms(write)}), file {len(data) / 1024:.0f} KiB")
    account.wipe()


def main() -> None:
    from labtui.grading.sandbox import stop_shared_sandbox

    with tempfile.TemporaryDirectory() as folder:
        try:
            for exercise in EXERCISES:
                bench(exercise, Path(folder))
        finally:
            stop_shared_sandbox()


if __name__ == "__main__":
    main()
