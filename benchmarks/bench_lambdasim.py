"""lambdasim benchmarks (issue 5): printed as figures and ratios, never asserted.

    python benchmarks/bench_lambdasim.py            # full run (1 M events for memory)
    python benchmarks/bench_lambdasim.py --quick    # smaller numbers

1. simulated invocations per second with behaviour models (target >= 200,000/s),
   sync and async, trace off / streamed to a file / kept in memory;
2. wall time of a six-hour asynchronous retry scenario (design.md §10: < 2 s);
3. peak memory for 100 k vs 1 M events: flat when the trace is streamed or off;
4. engine overhead per invocation relative to a plain Python loop doing the same
   bookkeeping (heap of completions, warm environment stack, counters).

CPU time (``time.process_time``) is reported besides wall time because the
machine is shared; the rate uses CPU time.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from labtui.lambdasim import (
    AsyncConfig,
    BehaviourModel,
    Duration,
    Fault,
    FunctionSpec,
    Simulation,
)


def _steady(sim: Simulation, n: int, mode: str, rate: float = 1000.0) -> None:
    """n arrivals, ``rate`` per second, generated one at a time (as scenarios do)."""
    engine = sim.engine
    invoke = sim.invoke_sync if mode == "sync" else sim.invoke_async
    sent = 0

    def arrive(_: Any) -> None:
        nonlocal sent
        invoke("fn")
        sent += 1
        if sent < n:
            engine.schedule(sent / rate, arrive)

    engine.schedule(0.0, arrive)


def _world(trace: Any = "off", keep_history: bool = False) -> Simulation:
    sim = Simulation(seed=0, trace=trace, keep_history=keep_history)
    sim.add_function(FunctionSpec("fn", behaviour=BehaviourModel(duration=Duration("fixed", 100))))
    return sim


def throughput(n: int, mode: str, trace: str) -> tuple[float, float]:
    """(invocations per CPU second, wall seconds)."""
    with tempfile.TemporaryFile("w+") as handle:
        sim = _world(handle if trace == "file" else trace if trace == "memory" else "off")
        _steady(sim, n, mode)
        wall, cpu = time.perf_counter(), time.process_time()
        sim.run()
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
    assert sim.engine.counters.invocations == n
    return n / cpu, wall


def six_hour_retries(events: int) -> tuple[float, int, float]:
    """Async events against a function failing with service errors for 6 h (R-3.3 backoff
    until MaximumEventAgeInSeconds) plus function errors (R-3.2 retries)."""
    sim = Simulation(seed=0, trace="memory")
    sim.add_function(FunctionSpec("fn", behaviour=BehaviourModel(duration=Duration("fixed", 50))))
    sim.put_event_invoke_config("fn", AsyncConfig(on_failure="failures"))
    sim.add_fault("fn", Fault(0, 21_600, "system_error"))
    for i in range(events):
        sim.invoke_async("fn", {"i": i}, at=i * 0.01)
    wall = time.perf_counter()
    sim.run()
    wall = time.perf_counter() - wall
    return wall, len(sim.trace), sim.now / 3600


def plain_loop(n: int) -> float:
    """The same bookkeeping without the engine: CPU seconds for n invocations."""
    heap: list[tuple[float, int, int]] = []
    idle: list[int] = []
    counters = {"invocations": 0, "successes": 0, "cold": 0, "warm": 0}
    rng = random.Random(0)
    envs = 0
    start = time.process_time()
    for seq, i in enumerate(range(n)):
        now = i / 1000.0
        while heap and heap[0][0] <= now:
            _, _, env = heapq.heappop(heap)
            counters["invocations"] += 1
            counters["successes"] += 1
            idle.append(env)
        if idle:
            env = idle.pop()
            counters["warm"] += 1
        else:
            envs += 1
            env = envs
            counters["cold"] += 1
        duration = 100.0 if rng.random() >= 0.0 else 0.0
        heapq.heappush(heap, (now + duration / 1000.0, seq, env))
    while heap:
        heapq.heappop(heap)
        counters["invocations"] += 1
    return time.process_time() - start


def memory_child(n: int, trace: str) -> None:
    """Run in a subprocess: print peak RSS (KiB, VmHWM) after n async events.

    VmHWM, not ru_maxrss: on Linux ru_maxrss survives execve, so a child would
    report the parent's peak.
    """
    if trace == "file":
        with tempfile.TemporaryFile("w+") as handle:
            sim = _world(handle)
            _steady(sim, n, "async")
            sim.run()
    else:
        sim = _world("memory" if trace == "memory" else "off")
        _steady(sim, n, "async")
        sim.run()
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"rss_kib": int(peak.split()[1])}))


def memory(n: int, trace: str) -> float:
    output = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(n), trace],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(json.loads(output)["rss_kib"]) / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory-child", nargs=2, metavar=("N", "TRACE"))
    args = parser.parse_args()
    if args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
        return
    n = 50_000 if args.quick else 200_000
    print(f"1. throughput, behaviour models, {n:,} invocations (target >= 200,000/s)")
    for mode in ("sync", "async"):
        for trace in ("off", "file", "memory"):
            rate, wall = throughput(n, mode, trace)
            print(
                f"   {mode:<5} trace {trace:<6} {rate:>10,.0f} invocations/CPU-s "
                f"(wall {wall:.2f} s, {rate / 200_000:.2f}x target)"
            )
    events = 100 if args.quick else 1_000
    wall, trace_events, hours = six_hour_retries(events)
    print(
        f"2. six-hour async retry scenario: {events:,} events, {trace_events:,} trace events, "
        f"{hours:.1f} simulated hours in {wall:.2f} s wall (target < 2 s)"
    )
    big = 200_000 if args.quick else 1_000_000
    small = big // 10
    print("3. peak RSS, async events (memory must not grow with history)")
    for trace in ("off", "file"):
        low, high = memory(small, trace), memory(big, trace)
        print(
            f"   trace {trace:<6} {small:>9,} events {low:7.1f} MiB   {big:>9,} events "
            f"{high:7.1f} MiB   growth {high / low:.2f}x"
        )
    low, high = memory(small // 2, "memory"), memory(small, "memory")
    print(
        f"   trace memory {small // 2:>7,} events {low:7.1f} MiB   {small:>9,} events "
        f"{high:7.1f} MiB   (kept trace grows with history, as documented)"
    )
    plain = plain_loop(n)
    rate, _ = throughput(n, "sync", "off")
    engine_cpu = n / rate
    print(
        f"4. overhead: engine {engine_cpu / n * 1e6:.2f} us/invocation vs plain loop "
        f"{plain / n * 1e6:.2f} us = {engine_cpu / plain:.2f}x"
    )


if __name__ == "__main__":
    main()
