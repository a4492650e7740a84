"""lambdasim benchmarks (issue 5): printed as figures and ratios, never asserted.

    python benchmarks/bench_lambdasim.py            # full run (1 M events for memory)
    python benchmarks/bench_lambdasim.py --quick    # smaller numbers

1. simulated invocations per second with behaviour models (target >= 200,000/s),
   sync and async, trace off / streamed to a file / kept in memory;
2. wall time of a six-hour asynchronous retry scenario (design.md §10: < 2 s);
3. peak memory for 100 k vs 1 M events: flat when the trace is streamed or off;
4. engine overhead per invocation relative to a plain Python loop doing the same
   bookkeeping (heap of completions, warm environment stack, counters): through the
   path scenario files take (traffic generators, target <= 4x) and through the
   Python API (one ``invoke_sync`` handle per call);
5. ``labtui simulate`` as a learner runs it (default options, a fresh process, import
   and file load included): invocations per CPU-second for sync and async traffic
   (target >= 250,000) and CPU seconds and peak RSS of a 10 M-invocation scenario
   (target < 60 s and < 300 MiB; 1 M with --quick).

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


def engine_path(n: int, mode: str) -> float:
    """CPU seconds for n invocations through the scenario traffic generator (trace off),
    the path ``labtui simulate`` takes, with the same arrivals as the plain loop."""
    from labtui.lambdasim.scenario_build import CallGenerator

    sim = _world()
    CallGenerator(sim, mode, "fn", None, None, 0.0, 0.001, n).start()
    start = time.process_time()
    sim.run()
    cpu = time.process_time() - start
    assert sim.engine.counters.invocations == n
    return cpu


def cli_child(path: str) -> None:
    """Run in a subprocess: ``labtui simulate PATH`` in-process (output discarded), then
    print its CPU seconds (startup included) and peak RSS (VmHWM, MiB) as JSON."""
    from contextlib import redirect_stdout

    from labtui.cli import main

    with open(os.devnull, "w") as sink, redirect_stdout(sink):
        code = main(["simulate", path])
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    print(
        json.dumps(
            {"code": code, "cpu_s": time.process_time(), "rss_mib": int(peak.split()[1]) / 1024}
        )
    )


def cli_run(n: int, mode: str) -> dict[str, Any]:
    """``labtui simulate`` on an n-call scenario (1 ms apart, 100 ms each), fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "scenario.yaml")
        with open(path, "w") as handle:
            handle.write(
                f"title: {n:,} {mode} calls\ndescription: benchmark\n"
                f"functions: [{{name: fn, behaviour: {{duration_ms: 100}}}}]\n"
                f"traffic: [{{type: {mode}, function: fn, count: {n}, interval_s: 0.001}}]\n"
                f"expect: {{invocations: {n}}}\n"
            )
        output = subprocess.run(
            [sys.executable, __file__, "--cli-child", path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    result: dict[str, Any] = json.loads(output)
    assert result["code"] == 0, result
    return result


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
    parser.add_argument("--cli-child", metavar="SCENARIO")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
        return
    if args.cli_child:
        cli_child(args.cli_child)
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
    # Engine and plain loop run back to back, five times; the median ratio of the pairs
    # is robust to the load of a shared machine drifting during the run.
    plain_all: list[float] = []
    print("4. overhead per invocation against a plain loop (median of 5 paired runs):")
    for mode in ("sync", "async"):
        ratios: list[float] = []
        engine_all: list[float] = []
        for _ in range(5):
            plain = plain_loop(n)
            engine_cpu = engine_path(n, mode)
            plain_all.append(plain)
            engine_all.append(engine_cpu)
            ratios.append(engine_cpu / plain)
        ratios.sort()
        engine_us = sorted(engine_all)[2] / n * 1e6
        print(
            f"   {mode:<5} scenario path {engine_us:.2f} us, {ratios[2]:.2f}x "
            f"(range {ratios[0]:.2f}-{ratios[-1]:.2f}x, target <= 4x)"
        )
    plain = sorted(plain_all)[len(plain_all) // 2]
    print(f"   plain loop {plain / n * 1e6:.2f} us")
    rate, _ = throughput(n, "sync", "off")
    print(f"   sync  Python API (a handle per call) {1e6 / rate:.2f} us = {n / rate / plain:.2f}x")
    cli_n = 200_000 if args.quick else 1_000_000
    print(f"5. labtui simulate, default options, fresh process (startup included), {cli_n:,} calls")
    for mode in ("sync", "async"):
        result = cli_run(cli_n, mode)
        rate = cli_n / result["cpu_s"]
        print(
            f"   {mode:<5} {rate:>10,.0f} invocations/CPU-s ({rate / 250_000:.2f}x the 250,000 "
            f"target), peak {result['rss_mib']:.0f} MiB"
        )
    big = 1_000_000 if args.quick else 10_000_000
    for mode in ("sync", "async"):
        result = cli_run(big, mode)
        print(
            f"   {mode:<5} {big:,} calls: {result['cpu_s']:.1f} CPU-s "
            f"({result['cpu_s'] / 60:.2f}x the 60 s budget), peak {result['rss_mib']:.0f} MiB "
            f"({result['rss_mib'] / 300:.2f}x the 300 MiB budget)"
        )


if __name__ == "__main__":
    main()
