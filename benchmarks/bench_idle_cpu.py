"""Idle CPU per screen: labtui in a real pseudo-terminal (80×24), driven by keys, left alone.

For each screen the script waits for it to settle, then reads the process's CPU time
(user + system, /proc/PID/stat; the workbench shell's bash is a child and not counted)
over a quiet window. Budget (design.md §10): any idle screen under 1 % of a core. A bare
Textual app (Header, Static, Footer) idles in the same terminal as the baseline. Each
line also gives the resident memory (VmRSS) on that screen (the exercise screens include
the in-process sandbox: moto, boto3 and the gateway).

    python benchmarks/bench_idle_cpu.py [--window 10]
"""

from __future__ import annotations

import argparse
import os
import pty
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

Bare().run()
"""
# (screen, keys to reach it from the previous one, seconds to settle)
TOUR = [
    ("home", [], 8.0),
    ("lesson", ["c"], 8.0),
    ("home again", ["\x1b"], 2.0),
    ("exercise: task", ["e"], 12.0),
    ("exercise: files", ["2"], 2.0),
    ("exercise: shell", ["3"], 4.0),
    ("exercise: results", ["\x1b", "4"], 2.0),
    ("exercise: trace", ["5"], 2.0),
    ("settings", ["\x1b", "s"], 3.0),
]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


class Terminal:
    """A program on a pty, its output drained (and thrown away) by a thread."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import fcntl
        import termios

        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True)
        os.close(slave)
        self.fd = master
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        try:
            while os.read(self.fd, 65536):
                pass
        except OSError:
            pass

    def keys(self, *keys: str) -> None:
        for key in keys:
            os.write(self.fd, key.encode())
            time.sleep(0.4)  # Esc then a key must not read as Alt+key

    def idle_percent(self, window: float) -> float:
        start = cpu_seconds(self.process.pid)
        time.sleep(window)
        return 100 * (cpu_seconds(self.process.pid) - start) / window

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=10.0, help="seconds measured per screen")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="labtui-bench-idle-"))
    env = {**os.environ, "LABTUI_HOME": str(home), "TERM": "xterm-256color",
           "HOME": str(home), "SHELL": "/bin/bash"}
    try:
        bare = Terminal([sys.executable, "-c", BARE], env)
        time.sleep(3)
        baseline = bare.idle_percent(args.window)
        bare_rss = rss_mib(bare.process.pid)
        bare.close()
        print(f"bare Textual app, idle: {baseline:.2f} % of a core, RSS {bare_rss:.1f} MiB")
        lab = Terminal([sys.executable, "-m", "labtui"], env)
        worst = 0.0
        try:
            for screen, keys, settle in TOUR:
                lab.keys(*keys)
                time.sleep(settle)
                used = lab.idle_percent(args.window)
                worst = max(worst, used)
                rss = rss_mib(lab.process.pid)
                print(f"{screen:20} idle: {used:5.2f} % of a core (target < 1 %), "
                      f"RSS {rss:.1f} MiB ({rss / bare_rss:.2f}x the bare app)")
        finally:
            lab.close()
        print(f"worst screen: {worst:.2f} % of a core; bare app {baseline:.2f} %")
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
