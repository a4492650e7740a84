"""``labtui sandbox serve`` and ``labtui aws``: a sandbox for the learner's own terminal.

The foreground server records itself in ``$LABTUI_HOME/sandbox/server.json`` so that
``labtui aws`` and ``--print-env`` find it. ``--print-env`` prints the ``export`` lines
of the running sandbox, starting one in the background first if none runs, so that
``eval $(labtui sandbox serve --print-env)`` works in a single shell.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from labtui.account.code_store import remove_tree
from labtui.account.identity import (
    DEFAULT_LEARNER,
    DEFAULT_REGION,
    cli_environment_for,
    learner_identity,
)
from labtui.errors import LabError
from labtui.paths import labtui_home

_START_TIMEOUT_S = 60.0
# Variables that could point a CLI at real AWS credentials or another profile.
_UNSET = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CA_BUNDLE",
)


@dataclass(frozen=True)
class ServerRecord:
    pid: int
    port: int
    learner: str
    region: str

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _state_dir() -> Path:
    path = labtui_home() / "sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _record_path() -> Path:
    return _state_dir() / "server.json"


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def running_server() -> ServerRecord | None:
    """The sandbox server recorded in LABTUI_HOME, if it is still alive."""
    try:
        record = ServerRecord(**json.loads(_record_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    try:
        os.kill(record.pid, 0)
    except (ProcessLookupError, PermissionError):
        return None
    return record if _port_open(record.port) else None


def cli_environment(record: ServerRecord) -> dict[str, str]:
    """What a CLI/SDK needs to talk to the recorded sandbox, and nothing real."""
    return cli_environment_for(
        record.endpoint_url, learner_identity(record.learner), record.region, _state_dir() / "aws"
    )


def export_lines(environment: dict[str, str]) -> str:
    """Shell lines for a second terminal; each ends in ';' so ``eval $(...)`` works."""
    lines = [f"export {name}={shlex.quote(value)};" for name, value in environment.items()]
    lines.append(f"unset {' '.join(_UNSET)};")
    return "\n".join(lines)


def _load_setup(exercise_id: str) -> tuple[Any, Path]:
    from labtui import safeyaml
    from labtui.course.resolver import content_root
    from labtui.course.setup_spec import ExerciseSetup

    pack_dir = content_root() / "sandbox" / exercise_id
    manifest_path = pack_dir / "exercise.yaml"
    if not manifest_path.is_file():
        raise LabError(f"no exercise '{exercise_id}' (looked for {manifest_path})")
    try:
        manifest = safeyaml.load_file(manifest_path) or {}
        setup = ExerciseSetup.model_validate(manifest.get("setup") or {})
    except Exception as error:
        raise LabError(f"{manifest_path}: setup is invalid: {error}") from error
    return setup, pack_dir


def serve_foreground(
    port: int = 0,
    exercise: str | None = None,
    *,
    learner: str = DEFAULT_LEARNER,
    announce: Any = print,
    stop_event: threading.Event | None = None,
) -> None:
    """Run a sandbox until Ctrl-C/SIGTERM (or ``stop_event``), recording it in LABTUI_HOME."""
    from labtui.account.sandbox import Sandbox

    stop = stop_event or threading.Event()
    sandbox = Sandbox(default_learner=learner, work_dir=_state_dir() / f"run-{os.getpid()}")
    sandbox.start(port)
    sandbox.learner(learner)  # known to the server from the start (control calls)
    record = ServerRecord(os.getpid(), sandbox.port, learner, DEFAULT_REGION)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if exercise:
            setup, pack_dir = _load_setup(exercise)
            sandbox.learner(learner).seed(setup, pack_dir)
        account_id = learner_identity(learner).account_id
        announce(f"# labtui sandbox on {record.endpoint_url} (Ctrl-C stops it)")
        announce(f"# your account: {account_id} (offline; nothing here reaches AWS)")
        announce(_jail_line())
        if exercise:
            announce(f"# seeded for exercise {exercise}")
        announce("# paste these lines into another terminal:")
        announce(export_lines(cli_environment(record)))
        # Recorded last: whoever finds the record (labtui aws, --print-env) finds it ready.
        _record_path().write_text(json.dumps(asdict(record)))
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass  # Ctrl-C: stop cleanly below
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if running_record_is(record):
            _record_path().unlink(missing_ok=True)
        sandbox.stop()
        remove_tree(sandbox.work_dir)
        announce("# sandbox stopped")


def _jail_line() -> str:
    """Said once per session: whether learner code runs in a jail (design.md §6.1)."""
    from labtui import jail

    warning = jail.notice()
    if warning is None:
        return "# your handlers run in a jail (bubblewrap): only this endpoint is reachable"
    return f"# NOTE: {warning.removeprefix('labtui: ')}"


def running_record_is(record: ServerRecord) -> bool:
    try:
        return bool(json.loads(_record_path().read_text()).get("pid") == record.pid)
    except (OSError, ValueError):
        return False


def start_background(port: int = 0, exercise: str | None = None) -> ServerRecord:
    """Start ``labtui sandbox serve`` as a detached process; return once it answers."""
    log = (_state_dir() / "server.log").open("ab")
    command = [sys.executable, "-m", "labtui", "sandbox", "serve", "--port", str(port)]
    if exercise:
        command += ["--exercise", exercise]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        env=_child_env(),
    )
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        record = running_server()
        if record is not None and record.pid == process.pid:
            return record
        if process.poll() is not None:
            raise LabError(f"the sandbox did not start; see {_state_dir() / 'server.log'}")
        time.sleep(0.1)
    process.kill()
    raise LabError("the sandbox did not start within a minute")


def _child_env() -> dict[str, str]:
    import labtui

    package_parent = str(Path(labtui.__file__).resolve().parent.parent)
    python_path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**inherited, "LABTUI_HOME": str(labtui_home()), "PYTHONPATH": python_path}


def stop_server() -> bool:
    """Stop the recorded background sandbox; False if none was running."""
    record = running_server()
    if record is None:
        return False
    os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and running_server() is not None:
        time.sleep(0.1)
    return True


def control(action: str, name: str | None = None) -> list[str]:
    """Snapshot, restore or reset the running sandbox's account (or list its snapshots);
    returns the snapshot names. The call is made with the learner's key, so it can only
    ever act on that learner's own account."""
    import urllib.error
    import urllib.request

    from labtui.account.gateway import CONTROL_PREFIX

    record = running_server()
    if record is None:
        raise LabError("no sandbox is running: start one with 'labtui sandbox serve'")
    key = learner_identity(record.learner).access_key_id
    request = urllib.request.Request(
        record.endpoint_url + CONTROL_PREFIX + action,
        data=json.dumps({"name": name or ""}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20250101/{record.region}"
            "/labtui/aws4_request, SignedHeaders=host, Signature=unsigned",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return [str(n) for n in json.loads(response.read())["snapshots"]]
    except urllib.error.HTTPError as error:
        try:
            message = str(json.loads(error.read()).get("message", error.reason))
        except ValueError:
            message = str(error.reason)
        raise LabError(message) from error
