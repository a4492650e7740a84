"""Certificates: issue, verify, detect tampering, trust a chosen issuer, render a PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labtui.certificates.keys import load_or_create_private_key, public_key_b64
from labtui.certificates.pdf import render_pdf
from labtui.certificates.record import build_record, sign, verify
from labtui.cli import main
from labtui.course.loader import load_course
from labtui.progress.store import ProgressStore

MINI = Path(__file__).resolve().parents[1] / "course" / "fixtures" / "mini"


@pytest.fixture
def document(tmp_path: Path) -> dict[str, object]:
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.ensure_learner("me", "Dana")
    store.complete_lesson("me", "basics")
    store.record_exercise_attempt(
        "me", "later-pack", passed=True, points=5, max_points=5, results=[]
    )
    attempt = store.start_quiz_attempt("me", "exam", "DVA-C02", {})
    store.finish_quiz_attempt(attempt, score_raw=0.8, score_scaled=776, passed=True)
    record = build_record(store, load_course(MINI), cert="DVA-C02")
    assert record["learner"] == "Dana" and record["modules_completed"] == ["basics"]
    assert record["exercises_passed"] == ["later-pack"]
    assert record["best_mock_exam"]["scaled"] == 776  # type: ignore[index]
    return sign(record, tmp_path / "key.pem")


def test_valid_and_tampered(document: dict[str, object]) -> None:
    assert verify(document).valid
    forged = json.loads(json.dumps(document))
    forged["certificate"]["best_mock_exam"]["scaled"] = 999
    result = verify(forged)
    assert not result.valid and "altered or forged" in result.reason


def test_trusted_issuer(document: dict[str, object], tmp_path: Path) -> None:
    signer = load_or_create_private_key(tmp_path / "key.pem")
    assert verify(document, public_key_b64(signer.public_key())).valid
    other = load_or_create_private_key(tmp_path / "other.pem")
    result = verify(document, public_key_b64(other.public_key()))
    assert not result.valid and "not by the issuer you trust" in result.reason


def test_key_file_is_private(tmp_path: Path) -> None:
    load_or_create_private_key(tmp_path / "k.pem")
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0


def test_pdf(document: dict[str, object], tmp_path: Path) -> None:
    path = render_pdf(document, tmp_path / "c.pdf")
    assert path.read_bytes().startswith(b"%PDF")


def test_cli_issue_and_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABTUI_CONTENT", str(MINI))
    assert main(["certificate", "--name", "Ravi", "--output", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("labtui-certificate-*"))
    assert [f.suffix for f in files] == [".json", ".pdf"]
    assert main(["certificate", "verify", str(files[0])]) == 0
    assert "valid: signed by key" in capsys.readouterr().out
    files[0].write_text(files[0].read_text().replace("Ravi", "Mallory"))
    assert main(["certificate", "verify", str(files[0])]) == 1
    (tmp_path / "junk.json").write_text("{not json")
    assert main(["certificate", "verify", str(tmp_path / "junk.json")]) == 2
    assert main(["certificate", "--cert", "XYZ-C01", "--output", str(tmp_path)]) == 2


def test_verify_accepts_the_issuers_key_file_and_rejects_junk_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABTUI_CONTENT", str(MINI))
    key = tmp_path / "instructor.pem"
    assert main(["certificate", "--key", str(key), "--output", str(tmp_path)]) == 0
    cert = next(tmp_path.glob("labtui-certificate-*.json"))
    assert main(["certificate", "verify", str(cert), "--key", str(key)]) == 0
    (tmp_path / "bad.pem").write_text(
        "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"
    )
    assert main(["certificate", "verify", str(cert), "--key", str(tmp_path / "bad.pem")]) == 2
    assert "not a readable PEM key" in capsys.readouterr().err
