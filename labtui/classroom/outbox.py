"""The student's outbox: submissions and quiz answers wait here until the room has them.

Issue #16: a check pressed while the server is down must not be lost. Each message is one
JSON file written atomically (temporary file, fsync, rename) in the student's own labtui
home, named so that a directory listing is the sending order. Delivery goes oldest first and
stops at the first message the server cannot take now (unreachable, 5xx, 429); a message the
server refuses for good (another 4xx, e.g. the quiz has ended) is dropped with a note. Every
submission carries an idempotency key, so a message delivered but not yet deleted (a crash
between the two) is recognised by the server the second time: delivered exactly once.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RETRY_LATER = {408, 425, 429, 500, 502, 503, 504}

Send = Callable[[str, str, dict[str, Any]], Any]


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.dropped: list[str] = []  # why messages were refused (shown to the student once)

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(18)

    def put(self, method: str, path: str, body: dict[str, Any]) -> Path:
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}.json"
        final = self.directory / name
        temporary = self.directory / f".{name}.tmp"
        data = json.dumps({"method": method, "path": path, "body": body}).encode("utf-8")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
        with contextlib.suppress(OSError):  # the rename survives a power cut too
            directory_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(directory_fd)
            finally:
                os.close(directory_fd)
        return final

    def pending(self) -> int:
        return len(self._messages())

    def _messages(self) -> list[Path]:
        return sorted(p for p in self.directory.glob("*.json") if not p.name.startswith("."))

    def deliver(self, send: Send, unavailable: type[Exception]) -> int:
        """Send what waits, oldest first; returns how many still wait."""
        with self._lock:  # one delivery at a time keeps the order
            for path in self._messages():
                try:
                    message = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    path.unlink(missing_ok=True)  # a torn file never left the temp name
                    continue
                try:
                    send(message["method"], message["path"], message["body"])
                except unavailable as error:
                    status = getattr(error, "status", None)
                    if status is None or status in RETRY_LATER:
                        break
                    self.dropped.append(str(getattr(error, "message", error)))
                path.unlink(missing_ok=True)
            return self.pending()
