"""Run a learner's ``setup.sh`` fast: ``aws`` commands execute inside this process.

The bundled AWS CLI (v1, from PyPI) takes most of a second to start, so a five-command
``setup.sh`` would take five seconds as separate processes. Instead the script runs under
bash with a tiny ``aws`` shim first on ``PATH``; the shim forwards its arguments and working
directory over a Unix socket to :class:`AwsCliBridge`, which runs them with one warm
``awscli`` driver against the sandbox endpoint and sends back the exit code and output.
Every command and its result is recorded, so a failing command can be shown to the learner
with AWS's own error message (design.md §7).

Like ``labtui aws``, the bridge accepts AWS CLI v2 syntax: ``--cli-binary-format`` is
dropped (v1 already sends ``--payload`` text as raw bytes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import socketserver
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_DRIVER_LOCK = threading.Lock()  # one command at a time per process: cwd and stdio are global
_DRIVER: Any = None

_SHIM = """#!{python} -IS
import json, os, socket, sys
request = json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd()}}).encode()
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
    connection.connect({socket_path!r})
    connection.sendall(len(request).to_bytes(4, "big") + request)
    chunks = []
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
reply = json.loads(b"".join(chunks))
sys.stdout.write(reply["stdout"])
sys.stderr.write(reply["stderr"])
sys.exit(reply["rc"])
"""


@dataclass(frozen=True)
class CommandRecord:
    """One ``aws`` command as the learner wrote it, and what AWS answered."""

    argv: tuple[str, ...]
    rc: int
    stdout: str
    stderr: str

    @property
    def shown(self) -> str:
        return "aws " + " ".join(_quote(a) for a in self.argv)

    @property
    def error_line(self) -> str:
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()]
        return (errors or lines or [f"exit status {self.rc}"])[-1]


def _quote(argument: str) -> str:
    import shlex

    return shlex.quote(argument)


def _driver() -> Any:
    global _DRIVER
    if _DRIVER is None:
        from awscli.clidriver import create_clidriver

        _DRIVER = create_clidriver()
    return _DRIVER


def normalise_argv(argv: list[str]) -> list[str]:
    """Drop the v2-only ``--cli-binary-format`` option (design.md §8)."""
    kept: list[str] = []
    skip = False
    for argument in argv:
        if skip:
            skip = False
            continue
        if argument == "--cli-binary-format":
            skip = True
            continue
        if argument.startswith("--cli-binary-format="):
            continue
        kept.append(argument)
    return kept


def run_in_process(argv: list[str], cwd: str, env: Mapping[str, str]) -> CommandRecord:
    """Run one ``aws`` command line against the endpoint and credentials in ``env``."""
    args = normalise_argv(argv)
    if not args or "help" in args[:3]:
        return CommandRecord(tuple(argv), 2, "", "aws help is not available in a setup script\n")
    if "--endpoint-url" not in args and env.get("AWS_ENDPOINT_URL"):
        args += ["--endpoint-url", env["AWS_ENDPOINT_URL"]]
    if "--region" not in args:
        args += ["--region", env.get("AWS_DEFAULT_REGION", "us-east-1")]
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
    with _DRIVER_LOCK:
        driver = _driver()
        driver.session.set_credentials(
            env.get("AWS_ACCESS_KEY_ID", "testing"),
            env.get("AWS_SECRET_ACCESS_KEY", "testing"),
            env.get("AWS_SESSION_TOKEN"),
        )
        previous = os.getcwd()
        try:
            os.chdir(cwd)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = int(driver.main(args) or 0)
                except SystemExit as stop:  # argparse usage errors
                    rc = stop.code if isinstance(stop.code, int) else 2
        finally:
            os.chdir(previous)
    out.flush()
    err.flush()
    return CommandRecord(
        tuple(argv), rc, out_bytes.getvalue().decode("utf-8", "replace"),
        err_bytes.getvalue().decode("utf-8", "replace"),
    )


class AwsCliBridge:
    """A Unix-socket server plus an ``aws`` shim directory, for the life of a ``with`` block."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.records: list[CommandRecord] = []
        self._dir = Path(tempfile.mkdtemp(prefix="labtui-aws-"))
        self.bin_dir = self._dir / "bin"
        self.socket_path = str(self._dir / "aws.sock")
        self._server: socketserver.UnixStreamServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> AwsCliBridge:
        bridge = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                connection: socket.socket = self.request
                size = int.from_bytes(_recv_exactly(connection, 4), "big")
                request = json.loads(_recv_exactly(connection, size))
                record = run_in_process(list(request["argv"]), str(request["cwd"]), bridge.env)
                bridge.records.append(record)
                reply = {"rc": record.rc, "stdout": record.stdout, "stderr": record.stderr}
                connection.sendall(json.dumps(reply).encode())

        self._server = socketserver.ThreadingUnixStreamServer(self.socket_path, Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.bin_dir.mkdir()
        shim = self.bin_dir / "aws"
        shim.write_text(_SHIM.format(python=sys.executable, socket_path=self.socket_path))
        shim.chmod(0o755)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)

    def failed(self) -> list[CommandRecord]:
        return [record for record in self.records if record.rc != 0]


def _recv_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("aws shim closed the connection")
        data += chunk
    return data


def warm_up() -> None:
    """Import and build the CLI driver now (about half a second), not during the first check."""
    with _DRIVER_LOCK:
        _driver()
