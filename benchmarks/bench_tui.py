"""TUI start-up: time from process start to the home screen being ready, and peak RSS.

Compared with a bare Textual app (Header, Static, Footer) on the same machine, both
headless, each in a fresh interpreter, best of N runs (the least disturbed by other
load). labtui is timed twice: the app made by create_app, and the ``labtui`` command as a
learner starts it (argument parsing and run_app included). Prints ratios; the budget
(design.md §10) is ≤ 1.3× and < 80 MiB.

    python benchmarks/bench_tui.py [--runs 7] [--course PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Both children report the moment their first screen has been composed, mounted and
# rendered (call_after_refresh on the screen's mount): seconds since the parent spawned
# them and peak RSS so far; then they leave at once (os._exit), so nothing that would
# run after "ready" (such as labtui's background course load) is counted or waited for.
REPORT = """
def report_ready():
    import os, resource, sys, time
    print("READY_S", time.time() - float(os.environ["BENCH_SPAWNED_AT"]))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print("RSS_KIB", usage.ru_maxrss)
    print("CPU_S", usage.ru_utime + usage.ru_stime)
    heavy = [m for m in sys.modules if m.split(".")[0] in ("moto", "boto3", "botocore")]
    print("HEAVY", len(heavy), flush=True)
    os._exit(0)
"""

BARE = REPORT + """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

    def on_mount(self):
        self.call_after_refresh(report_ready)

Bare().run(headless=True)
"""

# A full start that stays until the background course load has finished, as a real
# session does: it leaves the course-summary cache a returning learner starts from.
LABTUI_FULL = """
import os
from pathlib import Path
from labtui.tui.app import LabApp, create_app

app = create_app(Path(os.environ["BENCH_COURSE"]) if os.environ.get("BENCH_COURSE") else None)
original = LabApp.on_lab_app_course_loaded
def loaded(self, message):
    original(self, message)
    self.exit()
LabApp.on_lab_app_course_loaded = loaded
app.run(headless=True)
print("READY_S", 0)
print("RSS_KIB", 0)
print("CPU_S", 0)
"""

LABTUI = REPORT + """
import os
from pathlib import Path
from labtui.tui.app import create_app
from labtui.tui.screens.home import HomeScreen

app = create_app(Path(os.environ["BENCH_COURSE"]) if os.environ.get("BENCH_COURSE") else None)

original = HomeScreen.on_mount
def on_mount(self):
    original(self)
    self.call_after_refresh(report_ready)
HomeScreen.on_mount = on_mount
app.run(headless=True)
"""

# The learner's start: the ``labtui`` command (its argument parsing, run_app's crash log),
# headless, with the same moment of "ready".
LABTUI_CLI = REPORT + """
import os
from textual.app import App
from labtui.tui.screens.home import HomeScreen

run = App.run
App.run = lambda self, *args, **kwargs: run(self, headless=True)
original = HomeScreen.on_mount
def on_mount(self):
    original(self)
    self.call_after_refresh(report_ready)
HomeScreen.on_mount = on_mount
os.environ["LABTUI_CONTENT"] = os.environ["BENCH_COURSE"]
from labtui.cli import main
main([])
"""


def run_once(code: str, env: dict[str, str]) -> tuple[float, float, int]:
    env = {**env, "BENCH_SPAWNED_AT": repr(time.time())}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False, timeout=120)
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    values = dict(line.split(None, 1) for line in done.stdout.splitlines() if " " in line)
    heavy = int(values.get("HEAVY", "0"))
    if heavy:
        raise SystemExit(f"moto/boto3 were imported before the home screen ({heavy} modules)")
    return float(values["READY_S"]), float(values["CPU_S"]), int(values["RSS_KIB"])


def _default_course() -> Path:
    from labtui.course.resolver import content_root

    return content_root()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--course", type=Path, default=None,
                        help="course directory (default: the resolver's, i.e. the real course)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "LABTUI_HOME": home}
        # Byte-code as an installed package has it (pip compiles on install): this machine
        # sets PYTHONDONTWRITEBYTECODE, which would recompile labtui's modules on every
        # start. A private cache directory keeps the checkout clean; both apps use it.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(home) / "pycache")
        # A still copy of the course, as installed from a wheel: the checkout may be edited
        # while the benchmark runs, and every edit would (rightly) invalidate the cache.
        source = options.course.resolve() if options.course else _default_course()
        course = Path(home) / "course"
        for folder in ("lessons", "quizzes", "sandbox"):
            if (source / folder).is_dir():
                shutil.copytree(source / folder, course / folder,
                                ignore=shutil.ignore_patterns("__pycache__"))
        env["BENCH_COURSE"] = str(course)
        run_once(BARE, env)  # warm the OS file cache and the byte-code cache for both
        run_once(LABTUI, env)  # (leaves at "ready": no course summary cached yet)
        first_wall, first_cpu, first_rss = run_once(LABTUI, env)  # no summary cache yet
        run_once(LABTUI_FULL, env)  # a whole session: writes the summary cache
        results: dict[str, list[tuple[float, float, int]]] = {
            "bare": [], "labtui": [], "cli": []}
        for _ in range(options.runs):  # interleaved, so load changes hit all alike
            results["bare"].append(run_once(BARE, env))
            results["labtui"].append(run_once(LABTUI, env))
            results["cli"].append(run_once(LABTUI_CLI, env))
    best = {name: (min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs))
            for name, runs in results.items()}
    median = {name: sorted(r[0] for r in runs)[len(runs) // 2] for name, runs in results.items()}
    for name, label in (("bare", "bare Textual app ready  "), ("labtui", "labtui home screen ready"),
                        ("cli", "the labtui command      ")):
        wall, cpu, rss = best[name]
        print(f"{label}: wall best {wall * 1000:5.0f} ms (median {median[name] * 1000:5.0f} ms)"
              f"  CPU best {cpu * 1000:5.0f} ms  peak RSS {rss / 1024:5.1f} MiB")
    (bare_wall, bare_cpu, _), (lab_wall, lab_cpu, lab_rss) = best["bare"], best["labtui"]
    print(f"ratio wall (best) {lab_wall / bare_wall:.2f}x   ratio wall (median) "
          f"{median['labtui'] / median['bare']:.2f}x   ratio CPU (best) {lab_cpu / bare_cpu:.2f}x"
          "   (budget <= 1.30x)")
    cli_wall, cli_cpu, _ = best["cli"]
    print(f"the labtui command (argument parsing and run_app included): ratio wall (best) "
          f"{cli_wall / bare_wall:.2f}x   ratio wall (median) "
          f"{median['cli'] / median['bare']:.2f}x   ratio CPU (best) {cli_cpu / bare_cpu:.2f}x")
    print(f"peak RSS at home {lab_rss / 1024:.1f} MiB (budget < 80 MiB); moto/boto3 not imported")
    print(f"first start ever (no summary cache yet): wall {first_wall * 1000:.0f} ms "
          f"({first_wall / bare_wall:.2f}x), CPU {first_cpu * 1000:.0f} ms "
          f"({first_cpu / bare_cpu:.2f}x), peak RSS {first_rss / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
