"""What a snapshot and a restore of one account cost (labtui/account/moto_state.py), as
ratios against a deep copy of the same state (how snapshots were taken before); and what a
new account's IAM backend costs with the managed policies copied (managed_policies.py)
against moto building them. Prints CPU times and ratios, asserts nothing.

The grader restores an exercise's seeded account before every check, and a snapshot is
taken once per exercise and process; every account a request names builds an IAM backend.
"""

from __future__ import annotations

import copy
import os
import statistics
import time
from collections.abc import Callable

EXERCISES = ("sqs-partial-batch", "order-pipeline", "vpc-nat-egress")
RUNS = 9


def _cpu_ms(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.process_time()
        action()
        samples.append(time.process_time() - start)
    return statistics.median(samples) * 1000


def bench_snapshot(exercise: str) -> None:
    from labtui.account import moto_state
    from labtui.grading.pack import load_pack
    from labtui.grading.sandbox import fresh_account

    pack = load_pack(exercise)
    account = fresh_account(pack.manifest, pack.path, f"bench-{exercise}")
    _, entries = moto_state.live_entries(account.account_id)
    shared = {id(registry): registry for registry in moto_state._backend_dicts()}
    snapshot = moto_state.capture(account.account_id)
    deep = _cpu_ms(lambda: copy.deepcopy(list(entries), dict(shared)))
    capture = _cpu_ms(lambda: moto_state.capture(account.account_id))
    restore = _cpu_ms(lambda: moto_state.restore(snapshot))
    print(f"{exercise:16} deep copy {deep:6.1f} ms | capture {capture:6.1f} ms "
          f"({capture / deep:.2f}x) | restore {restore:6.1f} ms ({restore / deep:.2f}x) | "
          f"{len(snapshot.data) / 1e6:.1f} MB")


def bench_iam_backend() -> None:
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"  # as the sandbox sets it
    from moto.iam.models import IAMBackend

    from labtui.account import managed_policies

    numbers = iter(range(400_000_000_000, 500_000_000_000))
    IAMBackend("global", str(next(numbers)))
    built = _cpu_ms(lambda: IAMBackend("global", str(next(numbers))))
    managed_policies.install()
    IAMBackend("global", str(next(numbers)))  # the first one builds the set to copy
    copied = _cpu_ms(lambda: IAMBackend("global", str(next(numbers))))
    print(f"new IAM backend: moto builds {built:.1f} ms | copied {copied:.1f} ms "
          f"({copied / built:.2f}x)")


def main() -> None:
    from labtui.grading.sandbox import shared_sandbox, stop_shared_sandbox

    bench_iam_backend()
    shared_sandbox()
    try:
        for exercise in EXERCISES:
            bench_snapshot(exercise)
    finally:
        stop_shared_sandbox()


if __name__ == "__main__":
    main()
