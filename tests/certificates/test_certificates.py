"""Certificates: issue, verify against a trusted key only, detect tampering, completion vs
progress record, keys only made on purpose, Unicode names in the PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labtui.certificates.keys import create_private_key, public_key_b64
from labtui.certificates.pdf import _cjk_font, render_pdf
from labtui.certificates.record import build_record, sign, verify
from labtui.cli import main
from labtui.course.loader import load_course
from labtui.progress.store import ProgressStore

MINI = Path(__file__).resolve().parents[1] / "course" / "fixtures" / "mini"


def _store(tmp_path: Path, *, complete: bool) -> ProgressStore:
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.ensure_learner("me", "Dana")
    store.complete_lesson("me", "basics")
    if complete:
        store.complete_lesson("me", "advanced")
    store.record_exercise_attempt(
        "me", "later-pack", passed=True, points=5, max_points=5, results=[]
    )
    return store


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "key.pem"
    create_private_key(path)
    return path


@pytest.fixture
def trusted(key: Path) -> str:
    from labtui.certificates.keys import load_private_key

    return public_key_b64(load_private_key(key).public_key())


@pytest.fixture
def document(tmp_path: Path, key: Path) -> dict[str, object]:
    store = _store(tmp_path, complete=True)
    attempt = store.start_quiz_attempt("me", "exam", "DVA-C02", {})
    store.finish_quiz_attempt(attempt, score_raw=0.8, score_scaled=776, passed=True)
    record = build_record(store, load_course(MINI), cert="DVA-C02", issuer="Dana Ruiz, Acme")
    assert record["learner"] == "Dana" and record["modules_completed"] == ["basics", "advanced"]
    assert record["exercises_passed"] == ["later-pack"]
    assert record["best_mock_exam"]["scaled"] == 776  # type: ignore[index]
    assert record["kind"] == "certificate of completion"
    assert str(record["certificate_id"]).startswith("LT-") and record["issuer"] == "Dana Ruiz, Acme"
    return sign(record, key)


def test_valid_and_tampered(document: dict[str, object], trusted: str) -> None:
    assert verify(document, trusted).valid
    forged = json.loads(json.dumps(document))
    forged["certificate"]["best_mock_exam"]["scaled"] = 999
    result = verify(forged, trusted)
    assert not result.valid and "altered or forged" in result.reason


def test_a_certificate_signed_by_another_key_fails_even_if_its_signature_holds(
    document: dict[str, object], tmp_path: Path, trusted: str
) -> None:
    other = create_private_key(tmp_path / "mallory.pem")
    # Mallory re-signs the record with her key: internally consistent, and not valid
    record = dict(document["certificate"])  # type: ignore[call-overload]
    record["learner"] = "Mallory"
    forged = sign({k: v for k, v in record.items() if k != "public_key"},
                  tmp_path / "mallory.pem")
    result = verify(forged, trusted)
    assert not result.valid and "not by the issuer you trust" in result.reason
    assert verify(forged, public_key_b64(other.public_key())).valid  # only for Mallory's key


def test_less_than_the_rule_is_a_progress_record(tmp_path: Path, key: Path) -> None:
    record = build_record(_store(tmp_path, complete=False), load_course(MINI))
    assert record["kind"] == "progress record"
    assert record["completion_rule"] == "all 2 modules completed"  # mini has no packs yet
    empty = ProgressStore(tmp_path / "empty.sqlite3")
    empty.ensure_learner("me", "Zed")
    assert build_record(empty, load_course(MINI))["kind"] == "progress record"


def test_key_file_is_private_and_never_replaced(tmp_path: Path) -> None:
    from labtui.errors import LabError

    create_private_key(tmp_path / "k.pem")
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0
    with pytest.raises(LabError, match="exists already"):
        create_private_key(tmp_path / "k.pem")


NAMES = ["Łukasz Dvořák", "陈伟", "Σοφία Παπαδοπούλου", "Дмитрий Кузнецов"]


@pytest.mark.parametrize("name", NAMES)
def test_pdf_draws_every_name_in_its_own_letters(tmp_path: Path, key: Path, name: str) -> None:
    from pypdf import PdfReader

    if name == "陈伟" and _cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-droid-fallback)")
    record = build_record(_store(tmp_path, complete=False), load_course(MINI), learner_name=name)
    path = render_pdf(sign(record, key), tmp_path / "c.pdf")
    text = PdfReader(path).pages[0].extract_text()
    assert name in text and "?" not in text
    assert "Progress record" in text and "Not a completion certificate" in text
    assert "Certificate of completion" not in text


def test_cli_issue_and_verify_only_against_the_published_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABTUI_CONTENT", str(MINI))
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
    # no key yet: issuing says how to make one, and makes none
    assert main(["certificate", "--name", "Ravi", "--output", str(tmp_path)]) == 2
    assert "certificate key --new" in capsys.readouterr().err
    assert main(["certificate", "key", "--new"]) == 0
    assert "fingerprint:" in capsys.readouterr().out
    assert main(["certificate", "key", "--public"]) == 0
    published = tmp_path / "issuer-public.pem"
    published.write_text(capsys.readouterr().out.split("fingerprint:")[0])
    assert main(["certificate", "--name", "Ravi", "--issuer", "Ravi's Academy",
                 "--output", str(tmp_path)]) == 0
    assert "progress record written" in capsys.readouterr().out
    files = sorted(tmp_path.glob("labtui-certificate-*"))
    assert [f.suffix for f in files] == [".json", ".pdf"]
    assert main(["certificate", "verify", str(files[0]), "--key", str(published)]) == 0
    assert "valid: a progress record signed by the key you trust" in capsys.readouterr().out
    files[0].write_text(files[0].read_text().replace("Ravi", "Mallory"))
    assert main(["certificate", "verify", str(files[0]), "--key", str(published)]) == 1
    (tmp_path / "junk.json").write_text("{not json")
    assert main(["certificate", "verify", str(tmp_path / "junk.json"), "--key",
                 str(published)]) == 2
    assert main(["certificate", "--cert", "XYZ-C01", "--output", str(tmp_path)]) == 2


def test_a_typo_in_a_key_path_fails_clearly_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LABTUI_CONTENT", str(MINI))
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path / "home"))
    assert main(["certificate", "key", "--new", "--key", str(tmp_path / "instructor.pem")]) == 0
    capsys.readouterr()
    typo = tmp_path / "instuctor.pem"
    assert main(["certificate", "--key", str(typo), "--output", str(tmp_path)]) == 2
    assert f"no signing key at {typo}" in capsys.readouterr().err
    assert not typo.exists() and not list(tmp_path.glob("labtui-certificate-*"))
    assert main(["certificate", "--key", str(tmp_path / "instructor.pem"),
                 "--output", str(tmp_path)]) == 0
    cert = next(tmp_path.glob("labtui-certificate-*.json"))
    assert main(["certificate", "verify", str(cert), "--key", str(typo)]) == 2
    assert "no such key file" in capsys.readouterr().err
    (tmp_path / "bad.pem").write_text(
        "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"
    )
    assert main(["certificate", "verify", str(cert), "--key", str(tmp_path / "bad.pem")]) == 2
    assert "not a readable PEM key" in capsys.readouterr().err
