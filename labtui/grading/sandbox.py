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
from pathlib import Path
from typing import Any

from labtui.course.exercise_model import ExerciseManifest

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
    """The learner's own account in the running sandbox (graded as it is)."""
    return shared_sandbox().learner(learner_id)
