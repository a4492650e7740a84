"""A browser student's sandbox account survives a closed tab and a server restart (#16).

Their labtui saves the account (moto's state for their account id and the gateway's Lambda
extras, as :mod:`labtui.account.moto_state` captures it) into their own labtui home when it
quits (the server asks it to on disconnect) and every two minutes while it runs, and restores it
the first time its sandbox starts. The file is a pickle: it lives in the student's own home
and is only ever loaded by their own labtui, inside their own jail, so a student who edits it
can only change their own account. moto's service registries are saved by name (module and
attribute), never as objects, so the file restores into a fresh process.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import pickle
import sys
import threading
import weakref
from collections import defaultdict
from pathlib import Path
from typing import Any

log = logging.getLogger("labtui.classroom")
FILE_NAME = "classroom-account.pickle"
FORMAT = 1
SAVE_EVERY_S = 120.0  # a save deep-copies the account (IAM managed policies: MBs)


def _registry_names(backend_dicts: tuple[Any, ...]) -> dict[int, tuple[str, str]]:
    """Where each moto BackendDict lives (module, attribute): how a new process finds it."""
    wanted = {id(bd) for bd in backend_dicts}
    found: dict[int, tuple[str, str]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("moto.") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if id(value) in wanted and id(value) not in found:
                found[id(value)] = (name, attribute)
    return found


def save(sandbox: Any, learner_id: str, path: Path) -> bool:
    from labtui.account import moto_state

    account = sandbox.learner(learner_id)
    gateway, extras = sandbox.gateway, sandbox.extras
    if gateway is None or extras is None:
        return False
    gateway.state_lock.acquire_write()
    try:
        snapshot = moto_state.capture(account.account_id)
        kept = extras.capture(account.account_id)
    finally:
        gateway.state_lock.release_write()
    names = _registry_names(snapshot.backend_dicts)
    registries = {id(bd) for bd in snapshot.backend_dicts}

    class Saver(pickle.Pickler):
        def persistent_id(self, obj: Any) -> Any:
            if id(obj) in registries:
                return ("registry", *names[id(obj)])
            return None

        def reducer_override(self, obj: Any) -> Any:
            # moto caches some objects in weak dictionaries (their callbacks are local
            # functions): saved as the plain mapping they hold now
            if isinstance(obj, weakref.WeakValueDictionary | weakref.WeakKeyDictionary):
                return type(obj), (dict(obj),)
            if isinstance(obj, defaultdict) and getattr(obj.default_factory, "__name__",
                                                        "") == "<lambda>":
                # defaultdict(lambda: {}): the same as defaultdict(dict) when it makes an
                # empty builtin container
                made = obj.default_factory()  # type: ignore[misc]
                if type(made) in (dict, list, set, int) and not made:
                    return defaultdict, (type(made),), None, None, iter(obj.items())
            return NotImplemented

    buffer = io.BytesIO()
    Saver(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump({
        "format": FORMAT, "account_id": account.account_id,
        "registries": [names[id(bd)] for bd in snapshot.backend_dicts],
        "entries": snapshot.entries, "extras": kept})
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(buffer.getvalue())
    os.replace(temporary, path)  # a crash mid-save keeps the previous file
    return True


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
        moto_state.restore(moto_state.MotoSnapshot(account.account_id, registries,
                                                   tuple(data["entries"])))
        extras.restore(account.account_id, data["extras"])
    finally:
        gateway.state_lock.release_write()
    return True


class PersistentSandbox:
    """The TUI's sandbox port (``RealSandbox``), plus: the classroom learner's account is
    restored when the sandbox first starts, saved every two minutes and when the lab quits."""

    def __init__(self, inner: Any, learner_id: str, path: Path) -> None:
        self.inner, self.learner_id, self.path = inner, learner_id, path
        self._started = False
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _server(self) -> Any:
        server = self.inner._server()
        with self._lock:
            if not self._started:
                self._started = True
                if restore(server, self.learner_id, self.path):
                    log.info("restored the sandbox account from %s", self.path)
                threading.Thread(target=self._autosave, name="labtui-account-save",
                                 daemon=True).start()
        return server

    def _autosave(self) -> None:
        while not self._stop.wait(SAVE_EVERY_S):
            self.save()

    def save(self) -> None:
        sandbox = self.inner._sandbox
        if sandbox is None:
            return
        try:
            save(sandbox, self.learner_id, self.path)
        except Exception:  # never let saving break the lab; the last good file stays
            log.exception("the sandbox account could not be saved")

    def start(self, learner_id: str) -> str:
        self._server()
        return str(self.inner.start(learner_id))

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            started = self._started
        if started:
            self.save()
        self.inner.stop()

    def __getattr__(self, name: str) -> Any:  # run_aws, snapshot, restore: the same
        attribute = getattr(self.inner, name)
        if callable(attribute) and name in ("run_aws", "snapshot", "restore"):
            self._server()
        return attribute
