"""Opening a lesson (issue #21): time from the request to the lesson on screen, as ratios.

Headless at 80×24, in one process. For the lesson screen two moments are timed: the
first frame that shows lesson text ("first paint"), and "ready" (every block laid out,
the contents filled, the reading position restored: LessonScreen.loaded). The baseline
is a bare Textual app pushing a screen with one Static holding the same Markdown source,
first frame painted. Runs alternate so machine load hits both alike; medians are printed.
Issue #21's goal is under 0.3 s; this prints the figures and asserts nothing.

    python benchmarks/bench_lesson_open.py [--runs 7] [--lesson failure-handling]
"""

from __future__ import annotations

import argparse
import asyncio
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
    """Records when a frame is first composed for a screen that shows what we wait for."""

    def __init__(self) -> None:
        self.started = 0.0
        self.painted = 0.0
        self.target: Any = None

    def install(self, app: App[Any], shows_text: Any) -> None:
        original = app._display

        def display(screen: Screen[Any], renderable: Any) -> None:
            original(screen, renderable)
            if (renderable is not None and not self.painted and screen is self.target
                    and shows_text(screen)):
                self.painted = time.perf_counter()

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


async def settle(pilot: Any, done: Any, limit_s: float = 30.0) -> None:
    deadline = time.perf_counter() + limit_s
    while not done() and time.perf_counter() < deadline:
        await pilot.pause(0.01)
    if not done():
        raise SystemExit("the screen never finished opening")


async def bare_open(text: str, runs: int) -> list[float]:
    app = BareApp()
    frame = FirstFrame()
    frame.install(app, lambda screen: screen.query(Static).first().region.height > 0)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(runs):
            frame.painted = 0.0
            frame.target = TextScreen(text)
            frame.started = time.perf_counter()
            app.push_screen(frame.target)
            await settle(pilot, lambda: frame.painted)
            times.append(frame.painted - frame.started)
            app.pop_screen()
            await pilot.pause(0.1)
    return times


async def lesson_open(course: Path, lesson: str, runs: int) -> tuple[list[float], list[float]]:
    from labtui.tui.app import create_app
    from labtui.tui.screens import lesson as lesson_module

    app = create_app(course, background_load=False)
    frame = FirstFrame()

    def shows_text(screen: Any) -> bool:
        document = screen.viewer.document
        return bool(document.children) and document.children[0].region.height > 0

    frame.install(app, shows_text)
    ready: list[float] = []
    original_init = lesson_module.LessonScreen.__init__

    def remember(screen: Any, module: Any) -> None:
        original_init(screen, module)
        frame.target = screen

    lesson_module.LessonScreen.__init__ = remember  # type: ignore[method-assign]
    painted, loaded = [], []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        for _ in range(runs):
            frame.painted = 0.0
            frame.target = None
            frame.started = time.perf_counter()
            app.open_lesson(lesson)
            await settle(pilot, lambda: frame.target is not None and frame.target.loaded)
            ready.append(time.perf_counter())
            await settle(pilot, lambda: frame.painted)
            painted.append(frame.painted - frame.started)
            loaded.append(ready[-1] - frame.started)
            app.pop_screen()
            await pilot.pause(0.1)
    lesson_module.LessonScreen.__init__ = original_init  # type: ignore[method-assign]
    return painted, loaded


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lesson", default="failure-handling",
                        help="module id (default: the lesson with the most blocks)")
    parser.add_argument("--course", type=Path, default=Path(__file__).resolve().parents[1])
    options = parser.parse_args()
    from labtui.course.lessons import display_markdown
    from labtui.course.loader import load_course

    course = load_course(options.course)
    module = course.module(options.lesson)
    if module is None or module.lesson is None:
        raise SystemExit(f"no lesson {options.lesson} in {options.course}")
    text = display_markdown(module.lesson.body)
    bare: list[float] = []
    painted: list[float] = []
    loaded: list[float] = []
    for _ in range(options.runs):  # alternate, one open per app, after one warm-up open
        bare += (await bare_open(text, 2))[1:]
        first, ready = await lesson_open(options.course, options.lesson, 2)
        painted.append(first[1])
        loaded.append(ready[1])
    base = statistics.median(bare)
    print(f"lesson {options.lesson}: {len(text.splitlines())} lines, at {SIZE[0]}x{SIZE[1]}, "
          f"medians of {options.runs}")
    print(f"bare Textual app, one Static with the same text, first paint: {base * 1000:.0f} ms")
    for name, samples in (("lesson first paint", painted), ("lesson ready", loaded)):
        value = statistics.median(samples)
        print(f"{name}: {value * 1000:.0f} ms = {value / base:.2f}x the bare app "
              f"(issue #21 goal: under 300 ms)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as home:
        os.environ["LABTUI_HOME"] = home
        asyncio.run(main())
