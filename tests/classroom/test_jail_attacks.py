"""A jailed browser student attacks the room (issue #15 item 1), and fails.

Each attack runs as code in the student's jail exactly as the server builds it for their
labtui (the same spec from ``ClassroomServer``, the same socket), with the attacker's program
in place of labtui: what a student's setup.sh, handler or shell would run. Also: a real
student labtui comes up in its jail and reaches the room only through its socket; a fork
bomb and a memory bomb in one jail leave another student's jail and the server responsive.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from labtui.classroom.hosting import TUI_SERVICES, student_command, student_environment
from labtui.classroom.paths import room_dir, student_home
from labtui.classroom.room import ClassroomRoom
from labtui.classroom.server import ClassroomServer
from labtui.classroom.store import ClassroomStore, Student
from labtui.jail import JailSpec, run, start, support

from .test_hosting import _connect, _current_item, _join, _until

REPO = Path(__file__).resolve().parents[2]
needs_jail = pytest.mark.skipif(not support().available,
                                reason=f"no jail on this machine: {support().reason}")


@pytest.fixture
async def jailed_room(tmp_path: Path, course: Any, monkeypatch: pytest.MonkeyPatch
                      ) -> AsyncIterator[dict[str, Any]]:
    home = tmp_path / "instructor-home"
    monkeypatch.setenv("LABTUI_HOME", str(home))
    monkeypatch.setenv("LABTUI_CLASSROOM_DB", "postgresql+psycopg://teacher:s3cret@db/room")
    database = home / "classroom" / "classroom.sqlite3"
    store = ClassroomStore(f"sqlite:///{database}")
    room = ClassroomRoom.open(store, "jailed", course)
    token = store.new_instructor_token(room.room_id)
    key = home / "keys" / "instructor-ed25519.pem"
    key.parent.mkdir(parents=True)
    key.write_text("-----BEGIN PRIVATE KEY-----\nINSTRUCTOR-SECRET\n-----END PRIVATE KEY-----\n")
    server = ClassroomServer(room)

    def env_for(student: Student, student_token: str) -> dict[str, str]:
        return {**student_environment("jailed", student, student_token, "unused"),
                "LABTUI_CLASSROOM_POLL_S": "0.5"}

    app = server.make_app(host_tui=True, tui_command=student_command(), env_for=env_for,
                          jail_content=REPO)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield {"client": client, "room": room, "server": server, "app": app, "key": key,
               "database": database, "token": token}
    finally:
        await client.close()
        store.close()


async def _spec(env: dict[str, Any], name: str) -> tuple[Student, JailSpec]:
    """The jail the server builds for this student's labtui, with its socket live."""
    from labtui.classroom.hosting import SPEC_FOR

    room: ClassroomRoom = env["room"]
    student, _ = room.store.join(room.room_id, name)
    spec = await env["app"][SPEC_FOR](student, {"COLUMNS": "80", "ROWS": "24"})
    return student, spec


ATTACK = textwrap.dedent('''
    import glob, json, os, socket, sys
    targets = json.loads(sys.argv[1])
    found = {}
    for name, path in targets["files"].items():
        try:
            with open(path, "rb") as handle:
                found[name] = handle.read(200).decode(errors="replace")
        except OSError as error:
            found[name] = "refused: " + type(error).__name__
    environs = []
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            environs.append(open(path, "rb").read().decode(errors="replace"))
        except OSError:
            pass
    found["environs"] = "\\n".join(environs) + "\\n" + "\\n".join(f"{k}={v}" for k, v in os.environ.items())
    found["visible_students"] = sorted(os.listdir(targets["students_dir"])) \\
        if os.path.isdir(targets["students_dir"]) else []
    for name, port in targets["ports"].items():
        probe = socket.socket()
        probe.settimeout(3)
        try:
            probe.connect(("127.0.0.1", port))
            found[name] = "connected"
        except OSError as error:
            found[name] = "refused: " + type(error).__name__
        finally:
            probe.close()
    for name, path in targets["sockets"].items():
        probe = socket.socket(socket.AF_UNIX)
        try:
            probe.connect(path)
            found[name] = "connected"
        except OSError as error:
            found[name] = "refused: " + type(error).__name__
        finally:
            probe.close()
    # the student's own channel works, and says who they are whatever they claim
    from labtui.classroom.client import ClassroomClient
    own = ClassroomClient(os.environ["LABTUI_CLASSROOM_URL"], "x", timeout=10)
    found["me"] = own.request("GET", "/api/student/state")["student"]["name"]
    print(json.dumps(found))
''')


@needs_jail
@pytest.mark.slow
async def test_a_jailed_student_cannot_reach_the_instructor_the_database_or_another_student(
    jailed_room: dict[str, Any],
) -> None:
    room: ClassroomRoom = jailed_room["room"]
    client: TestClient[Any, Any] = jailed_room["client"]
    ana, ana_spec = await _spec(jailed_room, "Ana")
    bo, bo_spec = await _spec(jailed_room, "Bo")
    bo_home = student_home("jailed", bo.id)
    (bo_home / "notes.txt").write_text("BO-PRIVATE-NOTES")
    bo_socket = next(p for p in bo_spec.read_only if p.endswith(".sock"))
    # Bo's sandbox listens inside his jail, as his labtui's sandbox does
    bo_sandbox = start(dataclasses.replace(bo_spec, argv=(sys.executable, "-c", (
        "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', 45123)); s.listen(); "
        "print('up', flush=True); time.sleep(120)"))), stdout=subprocess.PIPE)
    # an unjailed process of the instructor's, with secrets in its environment
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                              env={**os.environ, "LABTUI_CLASSROOM_TOKEN": "VICTIM-TOKEN"})
    try:
        assert bo_sandbox.popen.stdout is not None
        assert bo_sandbox.popen.stdout.readline().strip() == b"up"
        targets = {
            "files": {"key": str(jailed_room["key"]), "database": str(jailed_room["database"]),
                      "bo_notes": str(bo_home / "notes.txt"),
                      "bo_progress": str(bo_home / "progress.sqlite3")},
            "students_dir": str(room_dir("jailed") / "students"),
            "ports": {"bo_sandbox": 45123, "room_http": int(client.port or 0)},
            "sockets": {"bo_socket": bo_socket},
        }
        attack = dataclasses.replace(ana_spec, argv=(sys.executable, "-c", ATTACK,
                                                     json.dumps(targets)))
        code, out, err = await asyncio.to_thread(run, attack, 120)
        assert code == 0, err
        found = json.loads(out)
    finally:
        victim.kill()
        victim.wait()
        bo_sandbox.close()
    assert found["key"].startswith("refused") and found["database"].startswith("refused")
    assert found["bo_notes"].startswith("refused") and found["bo_progress"].startswith("refused")
    assert found["visible_students"] == [ana.id]  # only her own home
    for secret in ("INSTRUCTOR-SECRET", "VICTIM-TOKEN", "s3cret", jailed_room["token"],
                   "BO-PRIVATE-NOTES"):
        assert secret not in json.dumps(found), secret
    assert found["bo_sandbox"].startswith("refused") and found["room_http"].startswith("refused")
    assert found["bo_socket"].startswith("refused")
    assert found["me"] == "Ana"
    # what she could do through her socket was Ana's: Bo's records are untouched
    assert room.store.check_results(room.room_id) == []


BOMB = {
    "fork": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    "memory": "chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 1024 * 1024))\n",
}


@needs_jail
@pytest.mark.slow
@pytest.mark.parametrize("bomb", sorted(BOMB))
async def test_a_bomb_in_one_jail_leaves_the_others_and_the_server_responsive(
    jailed_room: dict[str, Any], bomb: str,
) -> None:
    client: TestClient[Any, Any] = jailed_room["client"]
    _, ana_spec = await _spec(jailed_room, "Ana")
    _, bo_spec = await _spec(jailed_room, "Bo")
    bomber = start(dataclasses.replace(ana_spec, argv=(sys.executable, "-c", BOMB[bomb])))
    try:
        # let it grow to its limit: 256 forks take milliseconds, 1 GiB a few tenths
        await asyncio.sleep(1 if bomb == "fork" else 3)
        # Bo's program starts and finishes while the bomb is still running (checked below
        # for the fork bomb): its jail's task and memory limits left room for everyone.
        # No wall-clock bound: a loaded test machine must not make this flaky.
        # (a shell, not Python: among the bomb's spinning processes Python's start-up took
        # half a minute of the whole test suite's two cores; the claim is the same)
        code, out, _ = await asyncio.to_thread(run, dataclasses.replace(
            bo_spec, argv=("/bin/sh", "-c", "echo bo is fine")), 120)
        assert code == 0 and out.strip() == "bo is fine"
        response = await client.get("/")
        assert response.status == 200
        if bomb == "memory":  # the kernel stopped it at the jail's limit
            await asyncio.to_thread(bomber.popen.wait, 30)
            assert bomber.poll() is not None
        else:  # processes capped: the jail holds at most its task limit
            assert bomber.poll() is None and bomber.enforces_tasks
    finally:
        bomber.close()


@needs_jail
@pytest.mark.slow
async def test_a_student_labtui_runs_in_its_jail_and_reports_through_its_socket(
    jailed_room: dict[str, Any],
) -> None:
    client: TestClient[Any, Any] = jailed_room["client"]
    room: ClassroomRoom = jailed_room["room"]
    student_id, token = await _join(client, room, "Ana")
    page = await _connect(client, token)
    try:
        await _until(lambda: _current_item(room, student_id) == "home",
                     "the jailed lab's first heartbeat", page)
        (service,) = client.app[TUI_SERVICES]
        assert service._process.confined.jailed
        with open(f"/proc/{service._process.pid}/cmdline", "rb") as cmdline:
            assert b"bwrap" in cmdline.read()
    finally:
        await page.close()
    await _until(lambda: not client.app[TUI_SERVICES], "the jailed process to stop")


def test_serve_refuses_a_network_host_without_isolation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    import importlib

    from labtui.cli import main

    support_module = importlib.import_module("labtui.jail.availability")
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path))
    monkeypatch.setenv("LABTUI_CONTENT", str(REPO))
    monkeypatch.setattr(support_module, "_CACHED", support_module.JailSupport(
        False, "bubblewrap (bwrap) is not installed"))
    assert main(["classroom", "serve", "--room", "open", "--host", "0.0.0.0",
                 "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert "no jail for students here (bubblewrap (bwrap) is not installed)" in err
    assert "--no-isolation" in err and "refusing --host 0.0.0.0" in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_jail
@pytest.mark.slow
def test_a_submission_is_graded_in_a_jail_that_sees_no_instructor_files(
    tmp_path: Path,
) -> None:
    from labtui.classroom.archive import pack_workspace
    from labtui.classroom.grader import grade_job
    from labtui.classroom.submissions import Job

    key = tmp_path / "keys" / "instructor-ed25519.pem"
    key.parent.mkdir()
    key.write_text("INSTRUCTOR-SECRET\n")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    # a setup script that tries to print the key (its last line becomes the verdict's error)
    (workspace / "setup.sh").write_text(f"cat {key} >&2 || true\ncat {key} >&2\nexit 1\n")
    verdict = grade_job(Job(1, "st-x", "first-function", pack_workspace(workspace), 1, "t"))
    assert verdict.passed is False and verdict.error is not None
    assert "INSTRUCTOR-SECRET" not in verdict.error and "No such file" in verdict.error
