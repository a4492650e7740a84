"""A student's labtui process in classroom mode (browser: started by the server; terminal: join).

The process talks to the room only through :class:`ClassroomClient` and its own token; its
progress, workspaces and sandbox account live in its own LABTUI_HOME and learner id.
"""

from __future__ import annotations

import json
import os
from typing import Any

from labtui.classroom.client import ClassroomClient, ClassroomUnavailable, ReportingGrading, join
from labtui.errors import LabError

URL_ENV = "LABTUI_CLASSROOM_URL"
TOKEN_ENV = "LABTUI_CLASSROOM_TOKEN"
LEARNER_ENV = "LABTUI_LEARNER"


def run_student_from_env() -> int:
    """What textual-serve runs per connection: ``python -m labtui.classroom.student``."""
    url, token = os.environ.get(URL_ENV, ""), os.environ.get(TOKEN_ENV, "")
    learner = os.environ.get(LEARNER_ENV, "")
    if not (url and token and learner):
        raise LabError(f"this command is started by 'labtui classroom serve' ({URL_ENV}, "
                       f"{TOKEN_ENV} and {LEARNER_ENV} are missing)")
    return run_student(make_client(url, token), learner)


def make_client(url: str, token: str) -> ClassroomClient:
    """A client with its durable outbox in this student's labtui home (one per room+token)."""
    import hashlib

    from labtui.classroom.outbox import Outbox
    from labtui.paths import labtui_home

    digest = hashlib.sha256(f"{url.rstrip('/')} {token}".encode()).hexdigest()[:16]
    return ClassroomClient(url, token, outbox=Outbox(labtui_home() / "classroom" / "outbox"
                                                     / digest))


def run_student(client: ClassroomClient, learner_id: str, plain: bool = False) -> int:
    from labtui.progress.store import ProgressStore
    from labtui.tui.classroom import create_classroom_app
    from labtui.tui.services import RealGrading, RealSandbox, RealSimulator, Services

    state = client.state(fresh=True) or {}
    name = str((state.get("student") or {}).get("name") or learner_id)
    store = ProgressStore.open_default()
    store.ensure_learner(learner_id, name)
    from labtui.classroom.live_account import FILE_NAME, PersistentSandbox
    from labtui.paths import labtui_home

    # the account survives a closed tab and a restart (saved in this student's own home)
    sandbox = PersistentSandbox(RealSandbox(), learner_id, labtui_home() / FILE_NAME)
    services = Services(grading=ReportingGrading(RealGrading(), client), sandbox=sandbox,
                        simulator=RealSimulator(), classroom=client)
    app = create_classroom_app(client, store=store, services=services, learner_id=learner_id,
                               plain=plain)
    try:
        result = app.run()
    finally:
        services.sandbox.stop()
        store.close()
    return int(result or 0)


def join_from_terminal(url: str, *, code: str, name: str) -> int:
    """Join (or rejoin with the saved token) and open the lab in this terminal."""
    client, learner = _saved_or_new(url.rstrip("/"), code, name)
    return run_student(client, learner)


def _saved_or_new(url: str, code: str, name: str) -> tuple[ClassroomClient, str]:
    from labtui.paths import labtui_home

    saved_path = labtui_home() / "classroom" / "joined.json"
    saved: dict[str, Any] = {}
    if saved_path.is_file():
        try:
            saved = json.loads(saved_path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            saved = {}
    key = f"{url} {name.strip()}"
    entry = saved.get(key)
    if isinstance(entry, dict) and entry.get("token"):
        client = make_client(url, str(entry["token"]))
        try:
            client.request("GET", "/api/student/state")
            return client, f"classroom-{entry['student_id']}"
        except ClassroomUnavailable as error:
            if error.status is None:  # the room is down: work offline, the outbox keeps
                return client, f"classroom-{entry['student_id']}"  # what we send
            # a different room now: join afresh
    joined = join(url, code=code, name=name)
    saved[key] = {"token": joined["token"], "student_id": joined["student_id"],
                  "room": joined["room"]}
    saved_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(saved_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds secrets
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(saved, handle, indent=2)
    return make_client(url, str(joined["token"])), f"classroom-{joined['student_id']}"


def main() -> int:
    import sys

    try:
        return run_student_from_env()
    except LabError as error:
        print(f"labtui: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except Exception as error:  # the server log gets one line; the details go to a file
        from labtui.crashlog import write_crash_report

        print(f"labtui: internal error: {type(error).__name__}: {error} "
              f"(details: {write_crash_report(error)})", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
