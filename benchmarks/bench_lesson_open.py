"""Opening a lesson (issue #21): time from the request to the lesson on screen, as ratios.

Headless at 80×24, in one process. For the lesson screen two moments are timed: the
first frame that shows lesson text ("first paint"), and "ready": the first frame painted
once every block is laid out, the contents filled and the reading position restored
(LessonScreen.loaded). Both are stamped inside the app as the frame is drawn, not by
polling (a Pilot pause visits every widget and lays the screen out: it slowed what it
measured). Wall time and the process's CPU time (what load on a shared machine does not
inflate) are both printed. The baseline is a bare Textual app pushing a screen with one
Static holding the same Markdown source, first frame painted. Runs alternate so machine
load hits both alike; medians are printed. Issue #21's goal is under 0.3 s; this prints
the figures and asserts nothing.

    python benchmarks/bench_lesson_open.py [--runs 7] [--opens 3] [--no-freeze]
                                           [--lesson failure-handling]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

SIZE = (80, 24)


class FirstFrame:
    """Records when a frame is first drawn for a screen that shows what we wait for
    (``painted``), and the first drawn once it is ``ready`` (wall and CPU clocks)."""

    def __init__(self) -> None:
        self.started = self.started_cpu = 0.0
        self.painted = self.painted_cpu = 0.0
        self.ready = self.ready_cpu = 0.0
        self.target: Any = None

    def start(self) -> None:
        self.painted = self.ready = 0.0
        self.started, self.started_cpu = time.perf_counter(), time.process_time()

    def install(self, app: App[Any], shows_text: Any, is_ready: Any = None) -> None:
        original = app._display

        def display(screen: Screen[Any], renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or screen is not self.target:
                return
            if not self.painted and shows_text(screen):
                self.painted, self.painted_cpu = time.perf_counter(), time.process_time()
            if self.painted and not self.ready and (is_ready is None or is_ready(screen)):
                self.ready, self.ready_cpu = time.perf_counter(), time.process_time()

        app._display = display  # type: ignore[method-assign]


class TextScreen(Screen[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text, markup=False)


class BareApp(App[None]):
    pass


async def settle(done: Any, limit_s: float = 30.0) -> None:
    """Wait without touching the app (it runs in this loop) until ``done()``."""
    deadline = time.perf_counter() + limit_s
    while not done() and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
    if not done():
        raise SystemExit("the screen never finished opening")


Samples = tuple[list[float], list[float]]  # wall, CPU


async def bare_open(text: str, runs: int) -> Samples:
    app = BareApp()
    frame = FirstFrame()
    frame.install(app, lambda screen: screen.query(Static).first().region.height > 0)
    wall, cpu = [], []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(runs):
            frame.target = TextScreen(text)
            frame.start()
            app.push_screen(frame.target)
            await settle(lambda: frame.painted)
            wall.append(frame.painted - frame.started)
            cpu.append(frame.painted_cpu - frame.started_cpu)
            app.pop_screen()
            await pilot.pause(0.1)
    return wall, cpu


async def lesson_open(course: Path, lesson: str, runs: int,
                      freeze: bool) -> tuple[Samples, Samples]:
    """Opens as a learner's session makes them: the course loaded in the background first,
    and (unless ``freeze`` is off) what then exists frozen out of the garbage collector's
    full passes, as run_app asks (LabApp.freeze_after_load)."""
    from labtui.tui.app import LabApp, create_app
    from labtui.tui.screens import lesson as lesson_module

    app = create_app(course, resume=False)
    app.freeze_after_load = freeze
    course_loaded = asyncio.Event()
    original_loaded = LabApp.on_lab_app_course_loaded

    def loaded(self: Any, message: Any) -> None:
        original_loaded(self, message)
        course_loaded.set()

    LabApp.on_lab_app_course_loaded = loaded  # type: ignore[method-assign]
    frame = FirstFrame()

    def shows_text(screen: Any) -> bool:
        document = screen.viewer.document
        return bool(document.children) and document.children[0].region.height > 0

    frame.install(app, shows_text, lambda screen: screen.loaded)
    original_init = lesson_module.LessonScreen.__init__

    def remember(screen: Any, module: Any) -> None:
        original_init(screen, module)
        frame.target = screen

    lesson_module.LessonScreen.__init__ = remember  # type: ignore[method-assign]
    painted: Samples = ([], [])
    ready: Samples = ([], [])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await asyncio.wait_for(course_loaded.wait(), 60)
            await pilot.pause(0.2)
            for _ in range(runs):
                frame.target = None
                frame.start()
                app.open_lesson(lesson)
                await settle(lambda: frame.ready)
                painted[0].append(frame.painted - frame.started)
                painted[1].append(frame.painted_cpu - frame.started_cpu)
                ready[0].append(frame.ready - frame.started)
                ready[1].append(frame.ready_cpu - frame.started_cpu)
                app.pop_screen()
                await pilot.pause(0.1)
    finally:
        lesson_module.LessonScreen.__init__ = original_init  # type: ignore[method-assign]
        LabApp.on_lab_app_course_loaded = original_loaded  # type: ignore[method-assign]
        gc.unfreeze()  # each app starts from the same collector state
        gc.collect()
    return painted, ready


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lesson", default="failure-handling",
                        help="module id (default: the lesson with the most blocks)")
    parser.add_argument("--course", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--opens", type=int, default=3,
                        help="opens timed per app, after one warm-up open (default 3)")
    parser.add_argument("--no-freeze", action="store_true",
                        help="leave the garbage collector as tests do (no freeze after load)")
    options = parser.parse_args()
    from labtui.course.lessons import display_markdown
    from labtui.course.loader import load_course

    course = load_course(options.course)
    module = course.module(options.lesson)
    if module is None or module.lesson is None:
        raise SystemExit(f"no lesson {options.lesson} in {options.course}")
    text = display_markdown(module.lesson.body)
    bare: Samples = ([], [])
    painted: Samples = ([], [])
    loaded: Samples = ([], [])
    opens = options.opens + 1
    for _ in range(options.runs):  # alternate apps; each opens once to warm up, then times
        wall, cpu = await bare_open(text, opens)
        bare[0].extend(wall[1:])
        bare[1].extend(cpu[1:])
        gc.collect()
        first, ready = await lesson_open(options.course, options.lesson, opens,
                                         not options.no_freeze)
        for into, samples in ((painted, first), (loaded, ready)):
            into[0].extend(samples[0][1:])
            into[1].extend(samples[1][1:])
    base = statistics.median(bare[0]), statistics.median(bare[1])
    print(f"lesson {options.lesson}: {len(text.splitlines())} lines, at {SIZE[0]}x{SIZE[1]}, "
          f"medians of {options.runs} apps x {options.opens} opens; collector "
          f"{'as in tests' if options.no_freeze else 'frozen after load, as run_app asks'}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"bare Textual app, one Static with the same text, first paint: "
          f"{base[0] * 1000:.0f} ms wall, {base[1] * 1000:.0f} ms CPU")
    for name, samples in (("lesson first paint", painted), ("lesson ready", loaded)):
        wall_s, cpu_s = statistics.median(samples[0]), statistics.median(samples[1])
        print(f"{name}: {wall_s * 1000:.0f} ms wall = {wall_s / base[0]:.2f}x the bare app, "
              f"{cpu_s * 1000:.0f} ms CPU = {cpu_s / base[1]:.2f}x "
              f"(issue #21 goal: under 300 ms)")
    # the slow opens (a full garbage collection falls in some): the 90th percentile
    tail = [sorted(kind)[int(len(kind) * 0.9)] for kind in loaded]
    print(f"lesson ready, 90th percentile: {tail[0] * 1000:.0f} ms wall, "
          f"{tail[1] * 1000:.0f} ms CPU")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as home:
        os.environ["LABTUI_HOME"] = home
        asyncio.run(main())
