"""A shell on a pseudo-terminal, emulated with pyte: the model behind the workbench shell.

POSIX only (``pty_available()``); on Windows the workbench keeps its line console. The
session outlives the widget that shows it: leaving the exercise and coming back finds the
same shell, with its working directory, variables and screen (the app owns the sessions
and closes them on exit).

Output is read when the event loop says the pty is readable (``loop.add_reader``), never
by polling, so an idle shell costs no CPU.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyte

SCROLLBACK_LINES = 5000
READ_CHUNK = 65536
# Private DEC modes as pyte stores them (mode number << 5).
CURSOR_KEYS_MODE = 1 << 5  # DECCKM: arrows send ESC O x
BRACKETED_PASTE_MODE = 2004 << 5


def pty_available() -> bool:
    if sys.platform == "win32":
        return False
    try:
        import fcntl  # noqa: F401
        import pty  # noqa: F401
        import termios  # noqa: F401
    except ImportError:
        return False
    return True


class ScrollbackScreen(pyte.Screen):
    """pyte's screen, keeping the lines that scroll off the top (like HistoryScreen, but
    without its paging, which rewrites the visible buffer)."""

    def __init__(self, columns: int, lines: int, on_reply: Callable[[str], None]) -> None:
        self.scrollback: deque[Any] = deque(maxlen=SCROLLBACK_LINES)  # pyte rows (x -> Char)
        self._on_reply = on_reply
        super().__init__(columns, lines)

    def index(self) -> None:
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y == bottom and top == 0:
            # The row itself, not a copy: pyte's index() drops it from the buffer and never
            # touches it again. Copying its cells was 40 % of emulating a flood of output,
            # and a slow drain is what made keys typed meanwhile echo twice (issue #21).
            self.scrollback.append(self.buffer[top])
        super().index()

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        old_columns = self.columns
        super().resize(lines, columns)
        # pyte sets the default tab stops (every 8 columns) only when the screen is made:
        # a shell started narrow (the 20-column floor) and widened had none past column 16,
        # so every tab there jumped to the right edge (#21: REPORT lines, --output text).
        # New columns get default stops, as xterm gives them; the program's own are kept.
        self.tabstops.update(range(-(-old_columns // 8) * 8, self.columns, 8))

    def erase_in_display(self, how: int = 0, *args: Any, **kwargs: Any) -> None:
        super().erase_in_display(how, *args, **kwargs)
        if how == 3:  # ED 3, "erase saved lines": `clear` sends it, xterm drops its scrollback
            self.scrollback.clear()

    def write_process_input(self, data: str) -> None:
        # Answers to the program's queries (cursor position, device attributes).
        self._on_reply(data)


# What a terminal's shell must start with, whatever labtui was started with: a shell
# passes on every signal ignored at its start to all its commands, and a Textual thread may
# block signals. labtui started in the background of a script, under nohup or from a
# program that ignores SIGINT made Ctrl-C in the workbench shell do nothing at all.
_DEFAULT_SIGNALS = ("SIGINT", "SIGQUIT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGHUP", "SIGTERM",
                    "SIGCHLD", "SIGPIPE", "SIGWINCH")


def _take_controlling_terminal() -> None:  # pragma: no cover - runs in the child
    # After setsid (start_new_session), stdin is the pty slave: make it the session's
    # controlling terminal so Ctrl-C reaches the foreground job and job control works.
    import fcntl
    import termios

    for name in _DEFAULT_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, ())
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class TerminalSession:
    """One shell process on a pty, and the emulated screen it draws on."""

    def __init__(
        self,
        argv: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        *,
        columns: int = 80,
        lines: int = 24,
    ) -> None:
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env)
        self.screen = ScrollbackScreen(columns, lines, self._reply)
        self.stream = pyte.Stream(self.screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.process: subprocess.Popen[bytes] | None = None
        self.fd: int | None = None
        self.exit_code: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.listeners: list[Callable[[], None]] = []
        self.generation = 0  # bumped on every change of the screen

    # --- life -----------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        import fcntl
        import pty
        import termios

        master, slave = pty.openpty()
        self._set_size(master)
        attributes = termios.tcgetattr(slave)
        attributes[3] |= termios.ECHO  # let the shell's line editor see what is typed
        termios.tcsetattr(slave, termios.TCSANOW, attributes)
        try:
            self.process = subprocess.Popen(  # an argv list, no shell string
                self.argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=self.cwd,
                env=self.env,
                start_new_session=True,
                preexec_fn=_take_controlling_terminal,  # runs after fork, before exec
                close_fds=True,
            )
        except OSError:
            os.close(master)
            raise
        finally:
            os.close(slave)
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self.fd = master
        self._loop = loop
        loop.add_reader(master, self._readable)

    @property
    def alive(self) -> bool:
        return self.fd is not None and self.exit_code is None

    def close(self) -> None:
        """End the shell and everything it started (its whole session gets SIGHUP)."""
        self._stop_reading()
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGHUP)
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=2)
        if process is not None and self.exit_code is None:
            self.exit_code = process.poll()

    def _stop_reading(self) -> None:
        if self.fd is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self.fd)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None

    # --- bytes in and out ---------------------------------------------------------------
    def _readable(self) -> None:
        assert self.fd is not None
        try:
            data = os.read(self.fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:  # EIO: the last process holding the pty has gone
            data = b""
        if not data:
            self._ended()
            return
        self.feed(data)

    def feed(self, data: bytes) -> None:
        self.stream.feed(self._decoder.decode(data))
        self._changed()

    def _ended(self) -> None:
        self._stop_reading()
        process = self.process
        code = process.wait(timeout=5) if process is not None else 0
        self.exit_code = code
        self.feed(f"\r\n[the shell ended (exit {code}): press Enter to start a new one]\r\n"
                  .encode())

    def _changed(self) -> None:
        self.generation += 1
        for listener in list(self.listeners):
            listener()

    def write(self, data: bytes) -> None:
        """Send keystrokes; a full pty buffer (a huge paste) waits briefly, never drops."""
        import select

        while data and self.fd is not None:
            try:
                written = os.write(self.fd, data)
            except BlockingIOError:
                select.select([], [self.fd], [], 1.0)
                continue
            except OSError:
                return
            data = data[written:]

    def write_text(self, text: str) -> None:
        self.write(text.encode("utf-8"))

    def _reply(self, text: str) -> None:
        self.write_text(text)

    # --- size -------------------------------------------------------------------------
    def resize(self, columns: int, lines: int) -> None:
        columns, lines = max(columns, 2), max(lines, 1)
        if (columns, lines) == (self.screen.columns, self.screen.lines):
            return
        self.screen.resize(lines, columns)
        if self.fd is not None:
            self._set_size(self.fd)  # the kernel sends SIGWINCH to the foreground job
        self._changed()

    def _set_size(self, fd: int) -> None:
        import fcntl
        import struct
        import termios

        size = struct.pack("HHHH", self.screen.lines, self.screen.columns, 0, 0)
        with contextlib.suppress(OSError):
            fcntl.ioctl(fd, termios.TIOCSWINSZ, size)

    # --- reading the screen -----------------------------------------------------------
    @property
    def cursor_keys_application(self) -> bool:
        return CURSOR_KEYS_MODE in self.screen.mode

    @property
    def bracketed_paste(self) -> bool:
        return BRACKETED_PASTE_MODE in self.screen.mode

    def foreground_busy(self) -> bool:
        """True while a command (not the shell's prompt) owns the terminal."""
        if self.fd is None or self.process is None:
            return False
        try:
            return os.tcgetpgrp(self.fd) != self.process.pid
        except OSError:
            return False

    def text_lines(self) -> list[str]:
        """Scrollback then screen, as plain text (trailing spaces dropped)."""
        rows = ["".join(row[x].data for x in range(max(row, default=-1) + 1)).rstrip()
                for row in self.screen.scrollback]
        rows += [line.rstrip() for line in self.screen.display]
        return rows

    def text(self) -> str:
        return "\n".join(self.text_lines()).rstrip("\n")
