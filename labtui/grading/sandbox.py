"""The sandbox the grader applies solutions to (adapter over :mod:`labtui.account`).

One :class:`~labtui.account.Sandbox` per process, started on first use (or the one the TUI
already runs, via :func:`use_sandbox`). Solutions are graded in a separate account per
learner (``grader-<learner>``), so checking never disturbs the learner's own live account.
An exercise's seeded state is kept as a snapshot: the first check of an exercise seeds it,
later checks restore the snapshot, which is what makes a warm check fast.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtui.course.exercise_model import ExerciseManifest
from labtui.errors import LabError

_LOCK = threading.RLock()
_SANDBOX: Any = None
_OWNED = False
_SEEDED: dict[tuple[str, str], str] = {}  # (account learner id, exercise) -> snapshot name


def use_sandbox(sandbox: Any) -> None:
    """Grade against ``sandbox`` (already started) instead of starting one."""
    global _SANDBOX, _OWNED
    with _LOCK:
        _SANDBOX, _OWNED = sandbox, False
        _SEEDED.clear()


def shared_sandbox() -> Any:
    global _SANDBOX, _OWNED
    with _LOCK:
        if _SANDBOX is None:
            import logging

            from labtui.account import Sandbox

            # The grader prints its own progress; the server's access log is noise here.
            logging.getLogger("werkzeug").setLevel(logging.ERROR)

            _SANDBOX = Sandbox().start()
            _OWNED = True
            atexit.register(stop_shared_sandbox)
        return _SANDBOX


def stop_shared_sandbox() -> None:
    global _SANDBOX, _OWNED
    with _LOCK:
        if _SANDBOX is not None and _OWNED:
            _SANDBOX.stop()
        _SANDBOX, _OWNED = None, False
        _SEEDED.clear()


def grading_learner(learner_id: str) -> str:
    return f"grader-{learner_id}"


def setup_model(manifest: ExerciseManifest, pack_dir: Path) -> Any:
    """The manifest's ``setup:`` block (validated with the manifest, setup_spec.py)."""
    return manifest.setup


def _fingerprint(manifest: ExerciseManifest, pack_dir: Path) -> str:
    setup = manifest.setup.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(setup, sort_keys=True, default=str).encode())
    for path in sorted(pack_dir.glob("seed/**/*")) + sorted(pack_dir.glob("starter/**/*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def fresh_account(manifest: ExerciseManifest, pack_dir: Path, learner_id: str) -> Any:
    """A grading account holding exactly the exercise's seeded state."""
    sandbox = shared_sandbox()
    account = sandbox.learner(grading_learner(learner_id))
    snapshot = f"seed-{manifest.id}-{_fingerprint(manifest, pack_dir)}"
    with _LOCK:
        if _SEEDED.get((account.learner_id, manifest.id)) == snapshot:
            account.restore(snapshot)
            return account
        setup = setup_model(manifest, pack_dir)
        if setup != type(setup)():
            account.seed(setup, pack_dir)
        else:
            account.wipe()
        account.snapshot(snapshot)
        _SEEDED[(account.learner_id, manifest.id)] = snapshot
    return account


def live_account(learner_id: str) -> Any:
    """The learner's own account, graded as it is: in this process's sandbox (the TUI's),
    else the one this process's environment names (a workbench shell's: that sandbox runs
    inside the TUI, which records no server), else in the ``labtui sandbox serve`` server
    recorded in LABTUI_HOME."""
    with _LOCK:
        if _SANDBOX is not None:
            return _SANDBOX.learner(learner_id)
    from labtui.account.identity import account_for_key
    from labtui.account.serve import cli_environment, running_server, sandbox_in_environment

    named = sandbox_in_environment()
    if named is not None and named.get("AWS_ACCESS_KEY_ID"):
        return RemoteAccount(named, account_for_key(named["AWS_ACCESS_KEY_ID"]))
    record = running_server()
    if record is None:
        raise LabError(
            "no sandbox is running to grade live: start one with 'labtui sandbox serve' "
            "(or grade your workspace without --live)"
        )
    from labtui.account.identity import learner_identity

    return RemoteAccount(cli_environment(record), learner_identity(record.learner).account_id)


@dataclass(frozen=True)
class RemoteInvokeResult:
    """The parts of the runner's InvokeResult that behaviour checks read."""

    status: str
    payload: bytes
    error_type: str | None
    duration_ms: float
    max_memory_used_mb: int

    def json(self) -> Any:
        return json.loads(self.payload) if self.payload else None


class RemoteAccount:
    """A learner account in a sandbox served by another process, reached over HTTP."""

    def __init__(self, env: dict[str, str], account_id: str) -> None:
        self._env = env
        self.account_id = account_id

    def env(self) -> dict[str, str]:
        return dict(self._env)

    def invoke(self, function_name: str, event: Any, qualifier: str | None = None) -> Any:
        import base64
        import re

        from labtui.grading.context import sandbox_client

        kwargs: dict[str, Any] = {"FunctionName": function_name, "LogType": "Tail",
                                  "Payload": json.dumps(event).encode()}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        response = sandbox_client("lambda", self._env).invoke(**kwargs)
        payload = response["Payload"].read()
        log = base64.b64decode(response.get("LogResult") or b"").decode("utf-8", "replace")
        duration = re.search(r"Duration: ([\d.]+) ms", log)
        memory = re.search(r"Max Memory Used: (\d+) MB", log)
        error_type = None
        status = "success"
        if response.get("FunctionError"):
            document = json.loads(payload or b"{}")
            error_type = str(document.get("errorType", "Error"))
            timed_out = "Task timed out after" in str(document.get("errorMessage", ""))
            status = "timeout" if timed_out else "error"
        return RemoteInvokeResult(status, payload, error_type,
                                  float(duration.group(1)) if duration else 0.0,
                                  int(memory.group(1)) if memory else 0)
