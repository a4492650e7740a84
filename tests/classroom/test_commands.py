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


def test_certificates_are_signed_by_the_instructor_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    _, bo_id = _room_with_results(url)
    # Bo worked in the browser: his own progress store exists in his student home
    with ProgressStore(student_home("cli-room", bo_id) / "progress.sqlite3") as progress:
        progress.ensure_learner(f"classroom-{bo_id}", "Bo")
        progress.record_exercise_attempt(f"classroom-{bo_id}", "sqs-partial-batch",
                                         passed=True, points=5, max_points=5, results=[])
    key = tmp_path / "instructor.pem"
    out = tmp_path / "certs"
    assert main(["classroom", "certificates", "--room", "cli-room", "--database-url", url,
                 "--key", str(key), "--output", str(out)]) == 0
    assert "2 certificate(s)" in capsys.readouterr().out
    documents = {json.loads(p.read_text())["certificate"]["learner"]: p
                 for p in out.glob("*.json")}
    assert set(documents) == {"Ana", "Bo"}
    assert len(list(out.glob("*.pdf"))) == 2
    ana = json.loads(documents["Ana"].read_text())["certificate"]
    bo = json.loads(documents["Bo"].read_text())["certificate"]
    assert ana["exercises_passed"] == ["first-function"]  # from the room's results
    assert bo["exercises_passed"] == ["sqs-partial-batch"]  # from his own progress
    assert ana["issuer"] == "labtui classroom cli-room"
    from labtui.certificates.keys import load_or_create_private_key, public_key_b64

    public = public_key_b64(load_or_create_private_key(key).public_key())
    for path in documents.values():
        assert main(["certificate", "verify", str(path), "--key", public]) == 0
    forged = json.loads(documents["Ana"].read_text())
    forged["certificate"]["exercises_passed"].append("alias-canary")
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    assert main(["certificate", "verify", str(tmp_path / "forged.json")]) == 1
