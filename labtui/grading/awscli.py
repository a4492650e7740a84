"""Run a learner's ``setup.sh`` fast: ``aws`` commands execute inside this process.

The bundled AWS CLI (v1, from PyPI) takes most of a second to start, so a five-command
``setup.sh`` would take five seconds as separate processes. Instead the script runs under
bash with ``aws`` defined as an exported shell function: it sends its arguments and working
directory over a loopback TCP connection (bash's ``/dev/tcp``, no new process) to
:class:`AwsCliBridge`, which runs them with one warm ``awscli`` driver against the sandbox
endpoint and answers with the exit code and where it wrote the output. A small Python
``aws`` executable on ``PATH`` does the same for callers that are not bash functions
(``xargs aws``, ``env aws``).
Every command and its result is recorded, so a failing command can be shown to the learner
with AWS's own error message (design.md §7).

Like ``labtui aws``, the bridge accepts AWS CLI v2 syntax: ``--cli-binary-format`` is
dropped (v1 already sends ``--payload`` text as raw bytes).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import secrets
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

# Request: NUL-terminated fields: token, argument count, cwd, arguments. A fixed file
# descriptor (9) keeps the function valid in bash 3.2 (macOS), which lacks {fd} redirections.
# Reply: one line "rc n"; the output is in $LABTUI_AWS_DIR/n.out and n.err.
BASH_FUNCTION = r"""aws() {
  local reply rc n
  exec 9<>"/dev/tcp/127.0.0.1/$LABTUI_AWS_PORT" || return 255
  printf '%s\0' "$LABTUI_AWS_TOKEN" "$#" "$PWD" "$@" >&9
  IFS= read -r -u 9 reply
  exec 9>&-
  rc=${reply%% *}; n=${reply#* }
  [[ -s $LABTUI_AWS_DIR/$n.out ]] && cat "$LABTUI_AWS_DIR/$n.out"
  [[ -s $LABTUI_AWS_DIR/$n.err ]] && cat "$LABTUI_AWS_DIR/$n.err" >&2
  return "${rc:-255}"
}"""

# `labtui aws ...` in a script is the same command as `aws ...`: this account, recorded, and
# no second sandbox started in the background (one used to outlive the script: issue #19).
# A function where bash functions are exported, and an executable beside the aws shim for
# everything else (a jail's launcher may not pass BASH_FUNC_* variables on).
LABTUI_FUNCTION = r"""labtui() {
  if [[ ${1-} == aws ]]; then shift; aws "$@"; else command labtui "$@"; fi
}"""
LABTUI_SHIM = r"""#!/bin/sh
here=$(dirname "$0")
if [ "${1-}" = aws ]; then shift; exec "$here/aws" "$@"; fi
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$here" | paste -sd: -)
exec labtui "$@"
"""

_SHIM = """#!{python} -IS
import os, socket, sys
fields = [os.environ["LABTUI_AWS_TOKEN"], str(len(sys.argv) - 1), os.getcwd(), *sys.argv[1:]]
with socket.create_connection(("127.0.0.1", int(os.environ["LABTUI_AWS_PORT"]))) as connection:
    connection.sendall(b"".join(f.encode() + b"\\0" for f in fields))
    chunks = []
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
rc, n = b"".join(chunks).decode().strip().split(" ", 1)
folder = os.environ["LABTUI_AWS_DIR"]
for suffix, stream in ((".out", sys.stdout.buffer), (".err", sys.stderr.buffer)):
    with open(os.path.join(folder, n + suffix), "rb") as handle:
        stream.write(handle.read())
sys.exit(int(rc))
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
        from labtui.account.awscli_bridge import awscli_driver

        _DRIVER = awscli_driver()
    return _DRIVER


def normalise_argv(argv: list[str]) -> list[str]:
    """Drop the v2-only ``--cli-binary-format`` option (design.md §8); one rule for
    ``labtui aws`` and setup scripts alike."""
    from labtui.account.aws_access import v1_arguments

    return v1_arguments(argv)


def run_in_process(argv: list[str], cwd: str, env: Mapping[str, str]) -> CommandRecord:
    """Run one ``aws`` command line against the endpoint and credentials in ``env``."""
    from labtui.account.aws_access import SandboxTarget, cli_arguments

    if not normalise_argv(argv) or "help" in argv[:3]:
        return CommandRecord(tuple(argv), 2, "", "aws help is not available in a setup script\n")
    target = SandboxTarget.from_env(env)
    args = cli_arguments(argv, target)
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
    with _DRIVER_LOCK:
        driver = _driver()
        driver.session.set_credentials(
            target.access_key_id, target.secret_access_key, target.session_token
        )
        # No file of the machine either: with AWS_CONFIG_FILE hidden (below) botocore falls
        # back to ~/.aws/config, and a setup script's `aws configure set region ...` wrote
        # into the learner's own config file. Pinned in the session, whatever the
        # environment says; `aws configure set` in a setup script now changes nothing.
        for variable in ("config_file", "credentials_file"):
            driver.session.set_config_variable(variable, os.devnull)
        previous, previous_argv = os.getcwd(), sys.argv
        # The driver runs in this process, and botocore reads AWS_PROFILE, AWS_REGION and
        # the like from os.environ: a learner's real profile must not reach it (with
        # AWS_PROFILE set, every setup.sh command failed: "The config profile ... could not
        # be found"). The machine's AWS_* variables are hidden while it runs.
        hidden = {k: os.environ.pop(k) for k in list(os.environ)
                  if k.startswith("AWS_") and k != "AWS_DATA_PATH"}
        try:
            os.chdir(cwd)
            sys.argv = ["aws", *args]  # argparse names the program after argv[0] in messages
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = int(driver.main(args) or 0)
                except SystemExit as stop:  # argparse usage errors
                    rc = stop.code if isinstance(stop.code, int) else 2
        finally:
            os.chdir(previous)
            sys.argv = previous_argv
            os.environ.update(hidden)
    out.flush()
    err.flush()
    return CommandRecord(
        tuple(argv), rc, out_bytes.getvalue().decode("utf-8", "replace"),
        err_bytes.getvalue().decode("utf-8", "replace"),
    )


class AwsCliBridge:
    """A loopback server plus the ``aws`` function and shim, for the life of a ``with`` block."""

    def __init__(self, env: Mapping[str, str], *, confined_to: Path | None = None) -> None:
        self.env = dict(env)
        # The commands run here, outside the script's jail: with ``confined_to`` they may
        # name no file (or working directory) outside that folder, or a jailed script
        # could copy the lab's own files into the sandbox (design.md §6.1).
        self.confined_to = confined_to.resolve() if confined_to is not None else None
        self.records: list[CommandRecord] = []
        self._dir = Path(tempfile.mkdtemp(prefix="labtui-aws-"))
        self.bin_dir = self._dir / "bin"
        self.token = secrets.token_hex(16)
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None
        self._numbers = itertools.count(1)  # next() is atomic: safe for `aws ... &` jobs

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def child_env(self) -> dict[str, str]:
        """What the script's environment needs: the exported function, port and token."""
        return {
            "BASH_FUNC_aws%%": "() " + BASH_FUNCTION.removeprefix("aws() "),
            "BASH_FUNC_labtui%%": "() " + LABTUI_FUNCTION.removeprefix("labtui() "),
            "LABTUI_AWS_PORT": str(self.port),
            "LABTUI_AWS_TOKEN": self.token,
            "LABTUI_AWS_DIR": str(self._dir),
        }

    def __enter__(self) -> AwsCliBridge:
        bridge = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                bridge._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self.bin_dir.mkdir()
        shim = self.bin_dir / "aws"
        shim.write_text(_SHIM.format(python=sys.executable))
        shim.chmod(0o755)
        labtui = self.bin_dir / "labtui"
        labtui.write_text(LABTUI_SHIM)
        labtui.chmod(0o755)
        return self

    def _serve(self, connection: socket.socket) -> None:
        fields = _read_fields(connection, self.token)
        if fields is None:
            return
        cwd, argv = fields
        outside = self._outside(cwd, argv)
        if outside:
            message = f"aws: error: {outside} is outside the setup script's folder\n"
            record = CommandRecord(tuple(argv), 255, "", message)
        else:
            record = run_in_process(argv, cwd, self.env)
        self.records.append(record)
        number = next(self._numbers)
        out = self._dir / f"{number}.out"
        err = self._dir / f"{number}.err"
        out.write_text(record.stdout, encoding="utf-8")
        err.write_text(record.stderr, encoding="utf-8")
        connection.sendall(f"{record.rc} {number}\n".encode())

    def _outside(self, cwd: str, argv: list[str]) -> str | None:
        """The first file the command would touch outside ``confined_to`` (None: none).

        Checked: the working directory, every ``file://``/``fileb://`` value, and every
        argument shaped like a path (absolute, ``~``, or with ``..``) whose folder exists
        on this machine, such as an ``s3 cp`` or ``lambda invoke`` output file. A log group
        name such as ``/aws/lambda/f`` names no existing folder and passes."""
        root = self.confined_to
        if root is None:
            return None
        checks = [(cwd, True)]
        for argument in argv:
            value = argument.partition("=")[2] if argument.startswith("--") else argument
            if value.startswith(("fileb://", "file://")):
                checks.append((value.split("://", 1)[1], True))
            elif value.startswith(("/", "~")) or ".." in value.split("/"):
                checks.append((value, False))
        for candidate, always in checks:
            path = Path(cwd) / os.path.expanduser(candidate)
            resolved = path.resolve()
            if resolved == root or root in resolved.parents or str(resolved) == os.devnull:
                continue
            if always or resolved.parent.exists():
                return candidate
        return None

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        import shutil

        shutil.rmtree(self._dir, ignore_errors=True)

    def failed(self) -> list[CommandRecord]:
        return [record for record in self.records if record.rc != 0]


def _read_fields(connection: socket.socket, token: str) -> tuple[str, list[str]] | None:
    """token, count, cwd, then count arguments, each NUL-terminated; None if not ours."""
    buffer = b""
    fields: list[str] = []
    needed = 3
    while len(fields) < needed:
        while b"\0" not in buffer:
            chunk = connection.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        field, buffer = buffer.split(b"\0", 1)
        fields.append(field.decode("utf-8", "replace"))
        if len(fields) == 1 and not secrets.compare_digest(fields[0], token):
            return None
        if len(fields) == 2:
            needed = 3 + int(fields[1])
    return fields[2], fields[3:]


def warm_up() -> None:
    """Import and build the CLI driver now (about half a second), not during the first check."""
    with _DRIVER_LOCK:
        _driver()
