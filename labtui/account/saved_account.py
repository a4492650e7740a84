"""A learner's live sandbox account, saved to disk as it changes and restored on start.

Quitting loses nothing, and a crash (even ``kill -9``) or a reboot at most the changes of
the last QUIET_S seconds and one save: the account (moto's state for its account id, plus
the gateway's Lambda extras) is written shortly after every request that may have changed
it, to a temp file that is flushed to disk and then renamed over the previous save, so a
save cut short leaves the last good file. ``labtui exercise reset`` deletes it (:func:`forget`), which is
the only way to start an exercise's account over.

The file is a pickle in the learner's own data directory, only ever loaded by their own
labtui. moto's service registries are saved by name (module and attribute), never as
objects, so the file restores into a fresh process. (First written for classroom students,
issue #16; the workbench uses it for everyone, issue #21.)
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import pickle
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("labtui.account")
FORMAT = 1
# When a change is saved (bench_account_save.py: one save costs 20-30 ms wall for
# first-function's and order-pipeline's accounts, half of it under the gateway's write lock).
# A kill -9 loses only what changed in the last QUIET_S plus one save.
QUIET_S = 0.15  # saved once no request has changed the account for this long (one CLI call)
MAX_DELAY_S = 0.5  # under a stream of changes: saved at most this long after the first one
SPACING = 3.0  # ... but a save starts no sooner than SPACING x the last save's time after it
#                ended: saving takes at most a quarter of a core and of the lock's time


def workbench_account(learner_id: str, exercise_id: str) -> str:
    """The sandbox learner id of one learner's live account for one exercise."""
    return f"{learner_id}.{exercise_id}"


def saved_path(account_learner: str) -> Path:
    from labtui.paths import labtui_home

    directory = labtui_home() / "sandbox" / "accounts"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / (re.sub(r"[^A-Za-z0-9._-]", "_", account_learner) + ".pickle")


def forget(account_learner: str) -> bool:
    """Delete the saved account (the next start seeds a fresh one); False if none."""
    path = saved_path(account_learner)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


_NAMES: dict[int, tuple[str, str]] = {}  # BackendDict id -> (module, attribute), this process


def _registry_names(backend_dicts: tuple[Any, ...]) -> dict[int, tuple[str, str]]:
    """Where each moto BackendDict lives (module, attribute): how a new process finds it.
    BackendDicts live as long as their modules, so a lookup is done once per new one."""
    wanted = {id(bd) for bd in backend_dicts}
    if not wanted <= _NAMES.keys():
        for name, module in list(sys.modules.items()):
            if not name.startswith("moto.") or module is None:
                continue
            for attribute, value in list(vars(module).items()):
                if id(value) in wanted and id(value) not in _NAMES:
                    _NAMES[id(value)] = (name, attribute)
    return {key: _NAMES[key] for key in wanted if key in _NAMES}


def save(sandbox: Any, learner_id: str, path: Path) -> bool:
    """Write the account to ``path``. moto's state is pickled as it is, under the gateway's
    write lock (no request changes it meanwhile), without a deep copy first: that copy took
    more time under the lock than the pickling does (bench_account_save.py)."""
    from labtui.account import moto_state

    account = sandbox.learner(learner_id)
    gateway, extras = sandbox.gateway, sandbox.extras
    if gateway is None or extras is None:
        return False
    buffer = io.BytesIO()
    gateway.state_lock.acquire_write()
    try:
        backend_dicts, entries = moto_state.live_entries(account.account_id)
        kept = extras.capture(account.account_id)
        names = _registry_names(backend_dicts)
        by_name = {key: ("registry", *name) for key, name in names.items()}
        moto_state.StatePickler(buffer, by_name).dump({
            "format": FORMAT, "account_id": account.account_id,
            "registries": [names[id(bd)] for bd in backend_dicts],
            "entries": entries, "extras": kept})
    finally:
        gateway.state_lock.release_write()
    _write_atomically(path, buffer.getvalue())
    return True


def _write_atomically(path: Path, data: bytes) -> None:
    """Temp file, flushed to the disk, renamed over ``path``: a crash or power cut at any
    moment leaves either the previous save or this one, never a torn file."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    try:
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)  # the rename itself survives a reboot
    except OSError:
        pass
    finally:
        os.close(directory)


def restore(sandbox: Any, learner_id: str, path: Path) -> bool:
    """Put the saved account back; False (and the account left as it is) if none fits."""
    from labtui.account import moto_state

    if not path.is_file():
        return False
    account = sandbox.learner(learner_id)

    class Loader(pickle.Unpickler):
        def persistent_load(self, pid: Any) -> Any:
            kind, module, attribute = pid
            if kind != "registry" or not module.startswith("moto."):
                raise pickle.UnpicklingError("not a moto registry")
            return getattr(importlib.import_module(module), attribute)

    try:
        data = Loader(io.BytesIO(path.read_bytes())).load()
        if data.get("format") != FORMAT or data.get("account_id") != account.account_id:
            return False
        registries = tuple(getattr(importlib.import_module(m), a) for m, a in data["registries"])
    except Exception as error:  # an old or damaged file: start empty, say so in the log
        log.warning("the saved sandbox account could not be read (%s)", error)
        return False
    gateway, extras = sandbox.gateway, sandbox.extras
    gateway.state_lock.acquire_write()
    try:
        moto_state.install(account.account_id, registries, tuple(data["entries"]))
        extras.restore(account.account_id, data["extras"])
    finally:
        gateway.state_lock.release_write()
    return True


class AccountKeeper:
    """Saves the accounts it keeps shortly after they change, and all of them on stop.

    The gateway calls :meth:`changed` after each request (any request of the JSON/query
    protocols may write); a thread that sleeps until then saves the changed accounts once
    QUIET_S pass without a change (MAX_DELAY_S at most under a stream of changes, spaced by
    SPACING x the cost of a save), so an idle sandbox costs nothing."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self._kept: dict[str, tuple[str, Path]] = {}  # account id -> (learner id, file)
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._saving = False
        self._first_change = 0.0  # monotonic time of the oldest change not yet saved
        self._last_change = 0.0
        self.saves = 0

    def keep(self, learner_id: str, path: Path) -> bool:
        """Save ``learner_id``'s account from now on; True if a saved one was restored."""
        account_id = self.sandbox.learner(learner_id).account_id
        restored = restore(self.sandbox, learner_id, path)
        with self._lock:
            self._kept[account_id] = (learner_id, path)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="labtui-account-save",
                                                daemon=True)
                self._thread.start()
        return restored

    def changed(self, account_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            if account_id not in self._kept:
                return
            if not self._dirty:
                self._first_change = now
            self._dirty.add(account_id)
            self._last_change = now
        self._wake.set()

    def _due(self, saved_at: float, cost: float) -> float:
        """When the changes noted so far are to be saved (monotonic time)."""
        with self._lock:
            due = min(self._last_change + QUIET_S, self._first_change + MAX_DELAY_S)
        return max(due, saved_at + SPACING * cost)

    def _run(self) -> None:
        saved_at, cost = 0.0, 0.0  # when the last save ended, and how long it took
        while True:
            self._wake.wait()
            while not self._stopping:  # each change wakes this loop: the save moves later
                self._wake.clear()
                wait = self._due(saved_at, cost) - time.monotonic()
                if wait <= 0:
                    break
                self._wake.wait(wait)
            if self._stopping:
                return  # stop() saves what is left
            with self._lock:
                if not self._dirty:  # a change the last save already took
                    continue
            started = time.monotonic()
            self.save_changed()
            saved_at = time.monotonic()
            cost = saved_at - started

    def save_changed(self) -> None:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            targets = [self._kept[a] for a in dirty if a in self._kept]
            self._saving = True
        try:
            for learner_id, path in targets:
                try:
                    save(self.sandbox, learner_id, path)
                    self.saves += 1
                except Exception:  # never let saving break the lab; the last good file stays
                    log.exception("the sandbox account of %s could not be saved", learner_id)
        finally:
            with self._lock:
                self._saving = False

    def settled(self) -> bool:
        """Every change noted so far is on disk (nothing waiting, no save running)."""
        with self._lock:
            return not self._dirty and not self._saving

    def stop(self) -> None:
        """Save what changed, then end the thread (the sandbox is stopping)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.save_changed()
