"""Generate the 30 REPORT lines of report-line-forensics with lambdasim (deterministic).

The story: ``invoice-renderer`` was load-tested at three memory sizes, ten calls each,
like a power-tuning session. lambdasim decides which calls are cold (a new environment
after each configuration change, a second environment for overlapping calls, and a fresh
one after more than ``idle_reclaim_s`` of quiet); the handler model below decides how long
each call takes and how much memory its environment has used so far. Billed Duration
includes Init Duration on cold starts, as Lambda has billed the Init phase since
1 August 2025 (lesson 12).

Run ``python sandbox/report-line-forensics/make_report_lines.py`` to print the lines;
``starter/report-lines.log`` holds exactly this output (a test keeps them equal).
"""

from __future__ import annotations

import math
import random
from typing import Any

FUNCTION = "invoice-renderer"
SEED = 20251101
SIZES_MB = (256, 512, 1024)
# Page rendering is CPU-bound: ms per page at each size (more memory = more CPU, R-1.1).
MS_PER_PAGE = {256: 30.0, 512: 24.0, 1024: 8.0}
BASE_MEMORY_MB = 128.0  # runtime + libraries after Init
MB_PER_PAGE = 2.0
# Seconds after each phase starts, and whether the call overlaps the previous one. The
# quiet spell before the last calls is longer than lambdasim's idle reclaim (600 s).
PHASES: dict[int, list[float]] = {
    256: [0, 5, 10, 15, 20, 20, 25, 30, 35, 40],
    512: [0, 5, 10, 15, 20, 25, 30, 35, 35 + 900, 40 + 900],
    1024: [0, 5, 10, 15, 20, 25, 30, 35, 40, 45],
}
PHASE_GAP_S = 3600.0


class InvoiceRenderer:
    """A lambdasim HandlerBackend: duration from pages and memory; memory grows per env."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.peak: dict[str, float] = {}

    def bind(self, rng: random.Random) -> None:
        return None  # keep our own seeded stream: the lines must not depend on engine draws

    def start_environment(self, env: Any) -> Any:
        from labtui.lambdasim import InitResult

        self.peak[env.env_id] = BASE_MEMORY_MB + self.rng.uniform(0, 6)
        return InitResult(self.rng.uniform(395.0, 445.0))

    def stop_environment(self, env: Any) -> None:
        self.peak.pop(env.env_id, None)

    def invoke(self, env: Any, event: Any, context: Any) -> Any:
        from labtui.lambdasim import HandlerResult

        pages = int(event["pages"])
        duration = pages * MS_PER_PAGE[env.memory_mb] * self.rng.uniform(0.9, 1.1) + 12.0
        used = BASE_MEMORY_MB + pages * MB_PER_PAGE + self.rng.uniform(0, 4)
        self.peak[env.env_id] = max(self.peak.get(env.env_id, 0.0), used)
        return HandlerResult("ok", duration, {"pages": pages},
                             max_memory_mb=math.ceil(self.peak[env.env_id]))


def report_line(response: Any) -> str:
    """R-6.5: the REPORT line; Billed Duration = Duration (+ Init Duration), rounded up to 1 ms."""
    # From the printed (2-decimal) figures, so a reader can redo the sum from the line itself.
    shown = round(round(response.duration_ms, 2) + round(response.init_duration_ms, 2), 2)
    billed = math.ceil(shown)
    line = (f"REPORT RequestId: {response.request_id}\tDuration: {response.duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {response.memory_size_mb} MB\t"
            f"Max Memory Used: {response.max_memory_used_mb} MB")
    if response.init_duration_ms:
        line += f"\tInit Duration: {response.init_duration_ms:.2f} ms"
    return line


def generate() -> list[str]:
    from labtui.lambdasim import EngineOptions, FunctionSpec, Simulation

    sim = Simulation(seed=SEED, options=EngineOptions(account_id="123456789012"))
    backend = InvoiceRenderer()
    pages = random.Random(SEED + 1)
    calls: list[Any] = []
    for phase, memory in enumerate(SIZES_MB):
        start = phase * PHASE_GAP_S
        spec = FunctionSpec(FUNCTION, memory_mb=memory, timeout_s=30, behaviour=backend)
        # A configuration change replaces $LATEST's environments: the next call is cold.
        sim.run(until=start)
        if phase == 0:
            sim.add_function(spec)
        else:
            sim.update_function(spec)
        for offset in PHASES[memory]:
            event = {"invoice": f"inv-{len(calls) + 1:03d}", "pages": pages.randint(12, 40)}
            calls.append(sim.invoke_sync(FUNCTION, event, at=start + offset))
    sim.run()
    return [report_line(call.response) for call in calls]


if __name__ == "__main__":
    print("\n".join(generate()))
