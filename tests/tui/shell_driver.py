"""Driving the workbench shell from Pilot as a learner would: type a command, wait for the
prompt to come back, read what the command printed."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import traceback
from typing import Any

from textual import events
from textual.keys import _character_to_key

from labtui.tui.terminal_session import TerminalSession
from labtui.tui.widgets.terminal import ShellTerminal

PROMPT_MARK = "(sandbox) "
# Bounds, not timing assertions: a command that never returns fails the test at the bound.
COMMAND_BOUND_S = float(os.environ.get("LABTUI_TEST_BOUND_S", "180"))


async def wait_until(pilot: Any, condition: Any, bound_s: float = COMMAND_BOUND_S,
                     show: Any = None) -> None:
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting (the bound, not a speed check)\n"
                                 + (show() if show else "") + _state_of(pilot))
        await pilot.pause(0.05)


def _processes_of(session: TerminalSession) -> str:
    """The shell's process, who owns its terminal, and every process of its session: their
    state and what they wait in (a shell that never takes its terminal back shows here)."""
    lines = [f"shell pid {session.process.pid if session.process else None}, "
             f"exit code {session.exit_code}"]
    try:
        lines.append(f"terminal foreground process group: {os.tcgetpgrp(session.fd or -1)}")
    except OSError as error:
        lines.append(f"terminal foreground process group: {error}")
    sid = session.process.pid if session.process else -1
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                stat = handle.read()
            with open(f"/proc/{entry}/wchan", encoding="utf-8") as handle:
                wchan = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # its session
            lines.append(f"  pid {entry} {stat[stat.index('('):stat.rindex(')') + 1]} "
                         f"state {fields[0]} ppid {fields[1]} pgrp {fields[2]} "
                         f"tpgid {fields[5]} wchan {wchan}")
    lines.append("screen tail: " + " | ".join([t for t in session.text_lines() if t.strip()][-4:]))
    return "\n".join(lines)


def _state_of(pilot: Any) -> str:
    """What a failure report needs to say why nothing came: the screen, its notices, the
    workers and every thread's stack (a worker stuck on a lock shows here)."""
    app = pilot.app
    parts = [f"screen: {app.screen!r}", f"focused: {app.focused!r}"]
    parts += [f"notice: {n.message}" for n in app._notifications]
    for terminal in app.screen.query(ShellTerminal):
        parts.append(f"terminal placeholder: {getattr(terminal, '_placeholder', None)!r}")
        if terminal.session is not None:
            parts.append(_processes_of(terminal.session))
    screen = app.screen
    for name in ("workspace", "sandbox_endpoint", "sandbox_error"):
        parts.append(f"{name}: {getattr(screen, name, '-')!r}")
    parts += [f"worker: {w!r} {w.state} {w.error!r}" for w in app.workers]
    for ident, frame in sys._current_frames().items():
        parts.append(f"--- thread {ident}\n" + "".join(traceback.format_stack(frame)[-12:]))
    return "\n".join(parts)


async def type_line(pilot: Any, line: str) -> None:
    """Type ``line`` and Enter as key events, in order, through the app (bindings, focus and
    the terminal's key handling all see them, as with ``pilot.press``), without Pilot's wait
    for an idle process after each key: that wait costs 40 ms to 2 s a key while the sandbox
    works, minutes for a README. Waiting on the shell's output is the caller's part."""
    driver = pilot.app._driver
    for char in line:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)
    enter = events.Key("enter", "\r")
    enter.set_sender(pilot.app)
    driver.send_message(enter)
    await pilot.pause()


def foreground_command(session: TerminalSession) -> str:
    """The name of the program that owns the shell's terminal ("" at the prompt). A job
    owns the terminal from bash's fork, before it has exec'd its program: a Ctrl-C in that
    window is caught by bash's own handler in the child and lost (so in any terminal); a
    test that means to interrupt ``sleep`` waits until the foreground is ``sleep``."""
    if session.fd is None or not session.foreground_busy():
        return ""
    try:
        with open(f"/proc/{os.tcgetpgrp(session.fd)}/comm", encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _at_prompt(session: TerminalSession) -> bool:
    screen = session.screen
    line = screen.display[screen.cursor.y]
    return line.startswith(PROMPT_MARK) and line.rstrip().endswith(("$", "#")) and (
        not session.foreground_busy())


async def open_shell(app: Any, pilot: Any, exercise: str = "hello-function") -> TerminalSession:
    """Open ``exercise`` in the workbench, go to its Shell tab (3), wait for the prompt."""
    app.open_exercise(exercise)
    await pilot.pause()
    await pilot.press("3")
    return await shell_ready(app, pilot)


async def shell_ready(app: Any, pilot: Any) -> TerminalSession:
    """The exercise's shell, once it shows its first prompt."""
    def started() -> bool:
        terminal = app.screen.query(ShellTerminal)
        return bool(terminal) and terminal.first().session is not None
    await wait_until(pilot, started)
    session = app.screen.query_one(ShellTerminal).session
    assert session is not None
    await wait_until(pilot, lambda: _at_prompt(session))
    return session


def _lines(session: TerminalSession) -> list[str]:
    lines = session.text_lines()
    while lines and not lines[-1]:
        lines.pop()
    return lines


def commands_of(block: str) -> list[list[str]]:
    """A README block as commands, each its lines (a line ending in a backslash goes on)."""
    commands: list[list[str]] = []
    current: list[str] = []
    for line in block.splitlines():
        current.append(line)
        if not line.rstrip().endswith("\\"):
            commands.append(current)
            current = []
    if current:
        commands.append(current)
    return commands


def _joined(lines: list[str]) -> str:
    return "".join(lines).replace(" ", "")


def _bare_prompt(session: TerminalSession) -> bool:
    """The shell waits at an empty prompt (which may follow output with no newline)."""
    screen = session.screen
    y = screen.cursor.y
    joined = "".join(line.rstrip() for line in screen.display[max(0, y - 1):y + 1])
    return bool(re.search(r"\(sandbox\) [^ ]+ [#$]$", joined)) and not session.foreground_busy()


async def run(pilot: Any, session: TerminalSession, block: str) -> str:
    """Type each command of ``block`` as a learner would, each once the prompt is back,
    and return what appeared from the first command on."""
    before = len(_lines(session))
    for command in commands_of(block):
        start = len(_lines(session))
        tail = command[-1].replace(" ", "")[-12:]  # the echo wraps at the width
        seen = _joined(_lines(session)).count(tail)
        for line in command:
            await type_line(pilot, line)

        def echoed(start: int = start, tail: str = tail, seen: int = seen) -> bool:
            # after the lines that were there, or once more anywhere: a shell redrawn at a
            # new width (SIGWINCH) can rewrap what was there into fewer lines
            lines = _lines(session)
            return tail in _joined(lines[start - 1:]) or _joined(lines).count(tail) > seen

        def show() -> str:
            return (f"{session.text()}\n[bare prompt {_bare_prompt(session)}, focus "
                    f"{pilot.app.focused!r} screen {pilot.app.screen!r}]")

        await wait_until(pilot, echoed, show=show)
        await wait_until(pilot, lambda: _bare_prompt(session), show=show)
    await asyncio.sleep(0)
    text = _lines(session)
    return "\n".join(text[max(0, before - 1):]).strip()


async def run_whole(pilot: Any, session: TerminalSession, text: str) -> str:
    """Type ``text`` as one paste of lines (a heredoc), then wait for the prompt once."""
    before = len(_lines(session))
    lines = text.splitlines()
    for line in lines:
        await type_line(pilot, line)
    tail = lines[-1].replace(" ", "")[-12:]

    def echoed() -> bool:
        return tail in "".join(_lines(session)[before - 1:]).replace(" ", "")

    await wait_until(pilot, echoed, show=session.text)
    await wait_until(pilot, lambda: _bare_prompt(session), show=session.text)
    return "\n".join(_lines(session)[max(0, before - 1):]).strip()
