"""Jails for the classroom (issue #15 item 1): a browser student's whole labtui session, and
each grading of a submission, through the one jail module (:mod:`labtui.jail`).

What a student's jail holds, and nothing else of the host's files: the system's programs and
the Python runtime (read-only, from the jail module), labtui's code and the course
(read-only), the student's own labtui home (writable: progress, workspaces, sandbox account)
and the Unix socket that is their only way to the room (read-only; the server answers on it
as that student, whatever the request says). Not mounted: the instructor's data directory,
signing keys, the room database, other students' homes and sockets. The network namespace
has loopback only, so the student's sandbox (inside their jail) is reachable from their jail
and from nowhere else, and no host port (the room's HTTP port included) is reachable from it.
The environment is built from nothing: no database URL, no instructor token, no other
student's token. Memory and processes are capped across the jail's whole process tree.

Inside, the handlers and setup scripts the student's labtui runs are not jailed again
(bubblewrap cannot nest here: a user namespace cannot map its ids a second time), so
``LABTUI_JAIL=off`` is set: the student's own jail holds them.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import labtui
from labtui.jail import Confined, JailSpec, start

STUDENT_MEMORY_MB = 1024
STUDENT_TASKS = 256
STUDENT_TMP_MB = 256
GRADER_MEMORY_MB = 1024
GRADER_TASKS = 256
GRADER_TMP_MB = 512
_TERMINAL_ENV = ("TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM", "TERM_PROGRAM",
                 "TERM_PROGRAM_VERSION", "COLUMNS", "ROWS")


def code_root() -> Path:
    """The directory labtui's own code is imported from (a checkout or site-packages)."""
    return Path(labtui.__file__).resolve().parent


def base_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "LABTUI_HOME": str(home),
        "PYTHONPATH": str(code_root().parent),
        "LABTUI_JAIL": "off",  # see the module docstring: the outer jail holds everything
    }


def student_spec(*, home: Path, content: Path, socket_path: Path, learner_id: str,
                 terminal_env: dict[str, str]) -> JailSpec:
    env = base_env(home)
    env.update({key: terminal_env[key] for key in _TERMINAL_ENV if key in terminal_env})
    env.update({
        "LABTUI_CONTENT": str(content),
        "LABTUI_LEARNER": learner_id,
        "LABTUI_CLASSROOM_URL": f"unix://{socket_path}",
        "LABTUI_CLASSROOM_TOKEN": "socket",  # the socket is the credential
    })
    return JailSpec(
        argv=(sys.executable, "-m", "labtui.classroom.student"), env=env, cwd=str(home),
        read_only=(str(code_root()), str(content), str(socket_path)), writable=(str(home),),
        tmp_mb=STUDENT_TMP_MB, memory_mb=STUDENT_MEMORY_MB, max_tasks=STUDENT_TASKS,
        hostname="labtui-student")


def grader_spec(argv: list[str], *, scratch: Path, home: Path, content: Path) -> JailSpec:
    env = base_env(home)
    env.update({"LABTUI_CONTENT": str(content), "TMPDIR": "/tmp"})
    return JailSpec(
        argv=tuple(argv), env=env, cwd=str(scratch), read_only=(str(code_root()), str(content)),
        writable=(str(scratch),), tmp_mb=GRADER_TMP_MB, memory_mb=GRADER_MEMORY_MB,
        max_tasks=GRADER_TASKS, hostname="labtui-grader")


class JailedProcess:
    """A jailed program seen through asyncio's ``Process`` interface (what textual-serve
    and the hosting code use: stdin, stdout, stderr streams, ``wait``, ``kill``)."""

    def __init__(self, confined: Confined, stdin: asyncio.StreamWriter,
                 stdout: asyncio.StreamReader, stderr: asyncio.StreamReader) -> None:
        self.confined = confined
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr

    @property
    def pid(self) -> int:
        return self.confined.pid

    @property
    def returncode(self) -> int | None:
        return self.confined.poll()

    async def wait(self) -> int:
        return await asyncio.to_thread(self.confined.wait)

    def kill(self) -> None:
        self.confined.kill()

    def terminate(self) -> None:
        self.confined.kill()

    def close(self) -> None:
        """Kill what is left, release the jail's cgroup, close the pipes."""
        self.confined.close()
        with contextlib.suppress(Exception):
            self.stdin.close()


async def start_jailed(spec: JailSpec) -> JailedProcess:
    confined = await asyncio.to_thread(start, spec, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    popen = confined.popen
    assert popen.stdin is not None and popen.stdout is not None and popen.stderr is not None
    loop = asyncio.get_running_loop()
    readers = []
    for pipe in (popen.stdout, popen.stderr):
        reader = asyncio.StreamReader(limit=2**22, loop=loop)
        protocol_for_reader = asyncio.StreamReaderProtocol(reader)
        await loop.connect_read_pipe(lambda p=protocol_for_reader: p, pipe)  # type: ignore[misc]
        readers.append(reader)
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.streams.FlowControlMixin(loop=loop), popen.stdin)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return JailedProcess(confined, writer, readers[0], readers[1])


def jailed_output(spec: JailSpec, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run ``spec`` to the end in a jail: its exit status and output (timeout: all killed)."""
    from labtui.jail import run

    code, out, err = run(spec, timeout_s)
    return subprocess.CompletedProcess(list(spec.argv), code, out, err)


def describe(process: Any) -> str:
    return "jailed" if getattr(getattr(process, "confined", None), "jailed", False) else "plain"
