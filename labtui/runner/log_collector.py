"""The child's stdout+stderr, read in a thread and cut into per-invocation pieces.

After each invocation the runtime writes an end mark (``END_OF_INVOKE_MARK`` + request
id) to the log pipe; the text before it belongs to that invocation (R-6.5).
"""

from __future__ import annotations

import os
import threading

from labtui.runner.protocol import END_OF_INVOKE_MARK

_LOG_SETTLE_S = 2.0
_BUFFER_LIMIT = 4 * 1024 * 1024
_TRUNCATED = "[labtui: earlier output truncated]\n"


class LogCollector:
    """Reads the child's stdout+stderr in a thread and hands out per-invocation text."""

    def __init__(self) -> None:
        self._text = ""
        self._done = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self, fd: int) -> None:
        self._thread = threading.Thread(target=self._read, args=(fd,), daemon=True)
        self._thread.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                with self._changed:
                    self._text += chunk.decode(errors="replace")
                    if len(self._text) > _BUFFER_LIMIT:
                        # A handler printing without end must not fill the lab's memory.
                        self._text = _TRUNCATED + self._text[-_BUFFER_LIMIT // 2 :]
                    self._changed.notify_all()
        with self._changed:
            self._done = True
            self._changed.notify_all()

    def take(self, request_id: str) -> str:
        """The output up to the end mark of ``request_id`` (waits briefly for it)."""
        mark = f"{END_OF_INVOKE_MARK}{request_id}\n"
        with self._changed:
            self._changed.wait_for(lambda: mark in self._text or self._done, _LOG_SETTLE_S)
            before, found, after = self._text.partition(mark)
            self._text = after if found else ""
            return before

    def take_all(self) -> str:
        with self._changed:
            self._changed.wait_for(lambda: self._done, _LOG_SETTLE_S)
            text, self._text = self._text, ""
            return _strip_marks(text)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=1)


def _strip_marks(text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(END_OF_INVOKE_MARK))
