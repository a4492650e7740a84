"""``labtui classroom gradebook`` and ``labtui classroom certificates`` end to end."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from labtui.classroom.paths import student_home
from labtui.classroom.store import ClassroomStore
from labtui.cli import main
from labtui.progress.store import ProgressStore


def _room_with_results(url: str) -> tuple[str, str]:
    with ClassroomStore(url) as store:
        room = store.open_room("cli-room")
        ana, _ = store.join(room.id, "Ana")
        bo, _ = store.join(room.id, "Bo")
        store.record_check(ana.id, "first-function", passed=True, points=3, max_points=3,
                           results=[])
        return ana.id, bo.id


def test_gradebook_csv_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    _room_with_results(url)
    assert main(["classroom", "gradebook", "--room", "cli-room", "--database-url", url]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["name"], r["first-function:points"]) for r in rows] == [("Ana", "3"), ("Bo", "")]


def test_gradebook_of_an_unknown_room_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    assert main(["classroom", "gradebook", "--room", "ghost", "--database-url", url]) == 2
    assert "no classroom room 'ghost'" in capsys.readouterr().err


def test_certificates_are_signed_by_the_instructor_key_from_server_verdicts_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    _, bo_id = _room_with_results(url)
    # Bo's own progress store (his to write) claims a pass the server never graded
    with ProgressStore(student_home("cli-room", bo_id) / "progress.sqlite3") as progress:
        progress.ensure_learner(f"classroom-{bo_id}", "Bo")
        progress.record_exercise_attempt(f"classroom-{bo_id}", "sqs-partial-batch",
                                         passed=True, points=100, max_points=100, results=[])
        progress.complete_lesson(f"classroom-{bo_id}", "lambda-fundamentals")
    out = tmp_path / "certs"
    args = ["classroom", "certificates", "--room", "cli-room", "--database-url", url,
            "--output", str(out), "--issuer", "Dana Ruiz, Acme Training"]
    assert main(args) == 2  # no instructor key yet, and none is made by accident
    assert "certificate key --new" in capsys.readouterr().err and not out.exists()
    assert main(["certificate", "key", "--new", "--classroom"]) == 0
    capsys.readouterr()
    assert main(["certificate", "key", "--public", "--classroom"]) == 0
    public = tmp_path / "instructor-public.pem"  # what the instructor publishes
    public.write_text(capsys.readouterr().out.split("fingerprint:")[0])
    assert main(args) == 0
    assert "2 certificate(s)" in capsys.readouterr().out
    documents = {json.loads(p.read_text())["certificate"]["learner"]: p
                 for p in out.glob("*.json")}
    assert set(documents) == {"Ana", "Bo"}
    assert len(list(out.glob("*.pdf"))) == 2
    ana = json.loads(documents["Ana"].read_text())["certificate"]
    bo = json.loads(documents["Bo"].read_text())["certificate"]
    assert ana["exercises_passed"] == ["first-function"]  # the server's verdict
    assert bo["exercises_passed"] == []  # his own store's claim does not count
    assert bo["modules_completed"] == ["lambda-fundamentals"]  # lessons read: his record
    assert {ana["kind"], bo["kind"]} == {"progress record"}
    assert ana["issuer"] == "Dana Ruiz, Acme Training"
    assert ana["session"]["room"] == "cli-room" and ana["session"]["started"]
    assert ana["certificate_id"] != bo["certificate_id"]
    for path in documents.values():
        assert main(["certificate", "verify", str(path), "--key", str(public)]) == 0
    forged = json.loads(documents["Ana"].read_text())
    forged["certificate"]["exercises_passed"].append("alias-canary")
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    assert main(["certificate", "verify", str(tmp_path / "forged.json"), "--key",
                 str(public)]) == 1
