"""A browser student's sandbox account survives a closed tab and a server restart (#16).

Their labtui saves the account (moto's state for their account id and the gateway's Lambda
extras, as :mod:`labtui.account.moto_state` captures it) into their own labtui home when it
quits (the server asks it to on disconnect) and every two minutes while it runs, and restores it
the first time its sandbox starts. The file is a pickle: it lives in the student's own home
and is only ever loaded by their own labtui, inside their own jail, so a student who edits it
can only change their own account. moto's service registries are saved by name (module and
attribute), never as objects, so the file restores into a fresh process. (``save`` and
``restore`` live in :mod:`labtui.account.saved_account`, which the workbench uses too.)
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from labtui.account.saved_account import FORMAT, restore, save

__all__ = ["FILE_NAME", "FORMAT", "SAVE_EVERY_S", "PersistentSandbox", "restore", "save"]

log = logging.getLogger("labtui.classroom")
FILE_NAME = "classroom-account.pickle"
SAVE_EVERY_S = 120.0  # a save deep-copies the account (IAM managed policies: MBs)


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
