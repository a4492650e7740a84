"""Each jailed student's only way to the room: a Unix socket of their own (issue #15).

The server listens on one socket per student, in a directory only the server's user can
enter, and binds that one socket file into that student's jail. Whatever arrives on it is
that student: the socket, not a token, is the credential, so a token seen anywhere is of
no use from inside a jail, and the socket offers only the student routes (state, check,
answer, heartbeat): no join, no instructor API, no TUI.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from labtui.classroom.store import Student

if TYPE_CHECKING:
    from labtui.classroom.server import ClassroomServer

SOCKET_STUDENT: web.AppKey[Student] = web.AppKey("labtui_socket_student", Student)
STUDENT_ROUTES = ("state", "check", "answer", "heartbeat")


class StudentChannels:
    """The per-student sockets of one server (made on first use, kept until shutdown)."""

    def __init__(self, server: ClassroomServer) -> None:
        self.server = server
        # short: a Unix socket path is at most 107 bytes
        self.directory = Path(tempfile.mkdtemp(prefix="ltc-"))
        os.chmod(self.directory, 0o700)
        self._runners: dict[str, tuple[web.AppRunner, Path]] = {}

    async def socket_for(self, student: Student) -> Path:
        if student.id in self._runners:
            return self._runners[student.id][1]
        from labtui.classroom.server import _json_errors

        app = web.Application(middlewares=[_json_errors],
                              client_max_size=self.server.max_body_bytes)
        app[SOCKET_STUDENT] = student
        server = self.server
        app.add_routes([
            web.get("/api/student/state", server.student_state),
            web.post("/api/student/check", server.student_check),
            web.post("/api/student/answer", server.student_answer),
            web.post("/api/student/heartbeat", server.student_heartbeat),
        ])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        path = self.directory / f"{student.id}.sock"
        await web.UnixSite(runner, str(path)).start()
        os.chmod(path, 0o600)
        self._runners[student.id] = (runner, path)
        return path

    async def close(self) -> None:
        for runner, _ in list(self._runners.values()):
            await runner.cleanup()
        self._runners.clear()
        shutil.rmtree(self.directory, ignore_errors=True)
