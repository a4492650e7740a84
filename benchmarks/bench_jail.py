"""What the jail costs (design.md §10): prints times and ratios, asserts nothing.

Each figure is the jailed execution environment against the same environment run as a
plain child process (``jail=False``) on the same machine:

1. cold start: a new environment's first invoke (Init + invoke; goal: the jail adds
   < 50 ms);
2. warm invoke of a trivial handler (goal: stays < 20 ms);
3. a handler's round trip to the sandbox endpoint (through the jail's port relay).

Run: ``python benchmarks/bench_jail.py``
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import median_seconds, report

from labtui import jail
from labtui.runner import ExecutionEnvironment, FunctionConfig

HANDLER = """
import os, socket
def handler(event, context):
    return {"n": event.get("n")}
def round_trip(event, context):
    port = int(os.environ["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
    for _ in range(event["times"]):
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"ping")
            connection.recv(16)
    return "done"
"""


def _echo_server() -> int:
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            connection, _ = server.accept()
            with connection:
                connection.recv(16)
                connection.sendall(b"pong")

    threading.Thread(target=serve, daemon=True).start()
    return int(server.getsockname()[1])


def main() -> None:
    if not jail.support().available:
        print(f"no jail on this machine ({jail.support().reason}): nothing to compare")
        return
    code = Path(tempfile.mkdtemp(prefix="bench-jail-"))
    (code / "app.py").write_text(HANDLER)
    sandbox = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{_echo_server()}"}
    config = FunctionConfig(function_name="bench", handler="app.handler", timeout_s=30)
    trips = FunctionConfig(function_name="bench", handler="app.round_trip", timeout_s=30)

    def cold_once(jailed: bool) -> float:
        started = time.perf_counter()
        environment = ExecutionEnvironment(config, code, sandbox, jail=jailed)
        assert environment.invoke({"n": 1}).ok
        elapsed = time.perf_counter() - started
        environment.shutdown()  # not timed: the same for both
        return elapsed

    def cold() -> tuple[float, float]:
        """Jailed and plain cold starts alternate, so that a load change on a shared
        machine hits both alike; the first pair warms the page cache and the probe."""
        pairs = [(cold_once(True), cold_once(False)) for _ in range(16)][1:]
        return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)

    def warm(jailed: bool, function: FunctionConfig, event: dict[str, int]) -> float:
        environment = ExecutionEnvironment(function, code, sandbox, jail=jailed)
        try:
            return median_seconds(lambda: environment.invoke(event), repeat=50, warmup=3)
        finally:
            environment.shutdown()

    jailed, plain = cold()
    report("cold start, jailed", jailed, plain, "plain child")
    print(f"  the jail adds {(jailed - plain) * 1000:.1f} ms to a cold start (goal < 50 ms)")
    jailed, plain = warm(True, config, {"n": 1}), warm(False, config, {"n": 1})
    report("warm invoke, jailed", jailed, plain, "plain child", "< 20 ms")
    jailed = warm(True, trips, {"times": 20}) / 20
    plain = warm(False, trips, {"times": 20}) / 20
    report("handler -> endpoint connection, jailed", jailed, plain, "plain child")


if __name__ == "__main__":
    main()
