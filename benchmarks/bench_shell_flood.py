"""The workbench shell under a flood of output: how fast the emulator drains it.

While the shell's output waits to be emulated (pyte), a command that has finished cannot
print its prompt, and keys the learner types meanwhile are echoed by the kernel before
that prompt and shown again by readline after it ("typing during clear garbles the
screen", issue #21). The faster the drain, the shorter that window.

Two measurements, each against a baseline on this machine:
- emulating `seq 1 N` (text already in memory) with the session's screen, against pyte's
  own Screen (no scrollback) and against the scrollback that copied every row's cells;
- a real TerminalSession on a pty running `seq 1 N` in an asyncio loop (as in the TUI):
  the time until the command has ended.

    python benchmarks/bench_shell_flood.py [--lines 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import pyte

from labtui.tui.terminal_session import ScrollbackScreen, TerminalSession


class CopyingScrollback(ScrollbackScreen):
    """The scrollback before issue #21: each row's cells copied into a list."""

    def index(self) -> None:
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y == bottom and top == 0:
            row = self.buffer[top]
            self.scrollback.append([row[x] for x in range(self.columns)])
        pyte.Screen.index(self)


def _emulate(screen: Any, text: str) -> float:
    stream = pyte.Stream(screen)
    started = time.perf_counter()
    stream.feed(text)
    return time.perf_counter() - started


async def _drain(lines: int) -> float:
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as folder:
        session = TerminalSession(["seq", "1", str(lines)], Path(folder),
                                  {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color"},
                                  columns=79, lines=19)
        started = time.perf_counter()
        session.start(loop)
        while session.exit_code is None:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        session.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    text = "".join(f"{n}\r\n" for n in range(1, args.lines + 1))
    bare = min(_emulate(pyte.Screen(79, 19), text) for _ in range(3))
    copying = min(_emulate(CopyingScrollback(79, 19, lambda _: None), text) for _ in range(3))
    kept = min(_emulate(ScrollbackScreen(79, 19, lambda _: None), text) for _ in range(3))
    print(f"emulating seq 1 {args.lines} ({len(text) / 1e6:.1f} MB) at 79x19:")
    print(f"  pyte Screen, no scrollback   {bare:6.2f} s  1.00x")
    print(f"  scrollback copying each row  {copying:6.2f} s  {copying / bare:.2f}x")
    print(f"  scrollback keeping the row   {kept:6.2f} s  {kept / bare:.2f}x "
          f"({copying / kept:.1f}x faster than copying)")
    drained = asyncio.run(_drain(args.lines))
    ScrollbackScreen.index = CopyingScrollback.index  # type: ignore[method-assign]
    drained_copying = asyncio.run(_drain(args.lines))
    print(f"a real shell session draining it: {drained:.2f} s, with the copying scrollback "
          f"{drained_copying:.2f} s ({drained_copying / drained:.1f}x)")


if __name__ == "__main__":
    main()
