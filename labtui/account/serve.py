"""``labtui sandbox serve`` and ``labtui aws``: a sandbox for the learner's own terminal.

The foreground server records itself in ``$LABTUI_HOME/sandbox/server.json`` so that
``labtui aws`` and ``--print-env`` find it. ``--print-env`` prints the ``export`` lines
of the running sandbox, starting one in the background first if none runs, so that
``eval $(labtui sandbox serve --print-env)`` works in a single shell.
"""

from __future__ import annotations

import json
import os
import select
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

from labtui.account.aws_access import SANDBOX_MARKER, SandboxTarget, sandbox_environment
from labtui.account.code_store import remove_tree
from labtui.account.identity import DEFAULT_LEARNER, DEFAULT_REGION, learner_identity
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
    target = SandboxTarget.for_learner(
        record.endpoint_url, learner_identity(record.learner), record.region
    )
    return sandbox_environment(target, _state_dir() / "aws")


def export_lines(environment: dict[str, str]) -> str:
    """Shell lines for a second terminal; each ends in ';' so ``eval $(...)`` works."""
    lines = [f"export {name}={shlex.quote(value)};" for name, value in environment.items()]
    lines.append(f"unset {' '.join(_UNSET)};")
    if "AWS_ENDPOINT_URL" in environment:
        # AWS CLI v1 ignores AWS_ENDPOINT_URL for sqs (and rds, emr): its
        # overridesslcommonname customization sets https://queue.amazonaws.com unless
        # --endpoint-url is given, so `aws sqs ...` would go to real AWS. v2 accepts it too.
        lines.append('aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; };')
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
    owner_pid: int | None = None,
) -> None:
    """Run a sandbox until Ctrl-C/SIGTERM (or ``stop_event``), recording it in LABTUI_HOME.

    With ``owner_pid`` it also stops when that process ends (a background sandbox must
    not outlive the shell it serves: issue #19)."""
    from labtui.account.sandbox import Sandbox

    stop = stop_event or threading.Event()
    owner = OwnerWatch(owner_pid) if owner_pid else None
    previous = _catch_stop_signals() if threading.current_thread() is threading.main_thread() else {}
    sandbox = Sandbox(default_learner=learner, work_dir=_state_dir() / f"run-{os.getpid()}")
    record: ServerRecord | None = None
    try:
        sandbox.start(port)
        sandbox.learner(learner)  # known to the server from the start (control calls)
        record = ServerRecord(os.getpid(), sandbox.port, learner, DEFAULT_REGION)
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
            if owner is not None and not owner.alive():
                announce(f"# the process that owned this sandbox ({owner.pid}) ended")
                break
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM: stop cleanly below
    finally:
        if previous:
            # The clean-up is bounded, but a second Ctrl-C must not wait for it: with the
            # default action the kernel ends the process at once, whatever the threads do.
            for number in previous:
                signal.signal(number, signal.SIG_DFL)
        try:
            if record is not None and running_record_is(record):
                _record_path().unlink(missing_ok=True)
            sandbox.stop()
            remove_tree(sandbox.work_dir)
            announce("# sandbox stopped")
        finally:
            for number, handler in previous.items():
                if handler is not None:  # None: set outside Python, cannot be put back
                    signal.signal(number, handler)


def _catch_stop_signals() -> dict[int, Any]:
    """Ctrl-C (SIGINT) and SIGTERM raise KeyboardInterrupt in the main thread from now on;
    returns the handlers they had.

    Installed whatever SIGINT was before: a shell without job control (a script, ``cmd &``
    in ``bash -c``, a test runner started that way) starts its background jobs with SIGINT
    ignored, and an ignored signal stays ignored across exec, so Python never installs its
    own handler: Ctrl-C did nothing to a sandbox started from such a process, which then
    outlived its terminal (issue #19). SIGTERM raises rather than setting an
    Event: a handler runs between two bytecodes of the main thread, possibly while that
    thread holds the Event's lock inside ``wait``, and ``Event.set`` would then wait for
    that lock forever."""
    previous: dict[int, Any] = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, signal.default_int_handler)
    return previous


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


def sandbox_in_environment() -> dict[str, str] | None:
    """The ``AWS_*`` of this process when its environment names a running sandbox (set by
    whoever built it: a workbench shell, a grader's setup.sh, ``--print-env``), else None."""
    from urllib.parse import urlsplit

    endpoint = os.environ.get(SANDBOX_MARKER, "")
    parts = urlsplit(endpoint)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1") or not parts.port:
        return None
    if not _port_open(parts.port):
        return None
    environment = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    environment["AWS_ENDPOINT_URL"] = endpoint  # the sandbox, whatever else was exported
    environment[SANDBOX_MARKER] = endpoint
    return environment


class OwnerWatch:
    """Whether a process (not necessarily our parent) is still running.

    A pidfd (Linux 5.3+) names that very process, so a recycled pid cannot keep the
    sandbox alive; elsewhere, signal 0 asks the kernel whether the pid exists."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._gone = False
        self._fd: int | None = None
        try:
            self._fd = os.pidfd_open(pid)
        except ProcessLookupError:
            self._gone = True
        except (AttributeError, OSError):
            self._fd = None

    def alive(self) -> bool:
        if self._gone:
            return False
        if self._fd is not None:
            readable, _, _ = select.select([self._fd], [], [], 0)
            self._gone = bool(readable)  # a pidfd turns readable when the process exits
        else:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self._gone = True
            except PermissionError:
                pass  # exists, owned by someone else
        return not self._gone


def default_owner() -> int:
    """Whose life a background sandbox follows: the session leader (the terminal's shell,
    so ``$(labtui aws ...)`` and scripts share one sandbox), or our parent when we lead
    the session ourselves or the session is init's."""
    session = os.getsid(0)
    return os.getppid() if session in (0, 1, os.getpid()) else session


def start_background(
    port: int = 0, exercise: str | None = None, owner_pid: int | None = None
) -> ServerRecord:
    """Start ``labtui sandbox serve`` as a detached process that ends with ``owner_pid``
    (default: :func:`default_owner`); return once it answers."""
    log = (_state_dir() / "server.log").open("ab")
    command = [sys.executable, "-m", "labtui", "sandbox", "serve", "--port", str(port),
               "--owner-pid", str(owner_pid or default_owner())]
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
    request = urllib.request.Request(
        record.endpoint_url + CONTROL_PREFIX + action,
        data=json.dumps({"name": name or ""}).encode(),
        method="POST",
        headers=_signed_headers(
            record, CONTROL_PREFIX + action, json.dumps({"name": name or ""}).encode()
        ),
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


def _signed_headers(record: ServerRecord, path: str, body: bytes) -> dict[str, str]:
    """SigV4 headers for a control call, signed with the learner's own secret (the
    gateway verifies them like any AWS request)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    identity = learner_identity(record.learner)
    request = AWSRequest(
        method="POST",
        url=record.endpoint_url + path,
        data=body,
        headers={"Content-Type": "application/json"},
    )
    credentials = Credentials(identity.access_key_id, identity.secret_access_key)
    SigV4Auth(credentials, "labtui", record.region).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}
