"""Tiny helpers shared by the benchmark scripts: repeat, take the median, print ratios."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def median_seconds(action: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_command(args: Sequence[str], env: dict[str, str] | None = None) -> Callable[[], object]:
    def action() -> object:
        return subprocess.run(args, check=True, capture_output=True, env=env)

    return action


def report(name: str, ours: float, baseline: float, baseline_name: str, target: str = "") -> None:
    ratio = ours / baseline if baseline else float("inf")
    line = f"{name}: {ours * 1000:.1f} ms vs {baseline_name} {baseline * 1000:.1f} ms = {ratio:.2f}x"
    if target:
        line += f" (target {target})"
    print(line)


PYTHON = sys.executable
