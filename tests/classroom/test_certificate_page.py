"""The static verification page (``labtui certificate page``) in headless Chromium: WebCrypto
Ed25519 accepts a certificate signed by the trusted key and refuses a tampered one, one
signed by another key, and a pasted private key. (Here for the shared Chromium fixture.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labtui.certificates.keys import create_private_key, public_key_b64, public_pem
from labtui.certificates.record import build_record, canonical, sign
from labtui.cli import main
from labtui.course.loader import load_course
from labtui.progress.store import ProgressStore

from .chromium import CHROMIUM, Browser

MINI = Path(__file__).resolve().parents[1] / "course" / "fixtures" / "mini"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                 "(apt-get install -y chromium)")]


def _certificate(tmp_path: Path, key: Path) -> dict[str, object]:
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.ensure_learner("me", "Łukasz Dvořák")
    store.complete_lesson("me", "basics")
    attempt = store.start_quiz_attempt("me", "exam", "DVA-C02", {})
    store.finish_quiz_attempt(attempt, score_raw=0.8, score_scaled=776, passed=True)
    record = build_record(store, load_course(MINI), issuer="Σοφία, \"Acme\" \\ 陈伟\n",
                          session={"room": "lab1", "started": "2026-12-01T09:00:00+00:00",
                                   "ended": None})
    return sign(record, key)


async def _check(browser: Browser, certificate: object, key_text: str) -> tuple[str, str]:
    await browser.evaluate(
        f"document.getElementById('cert').value = {json.dumps(json.dumps(certificate))};"
        f"document.getElementById('key').value = {json.dumps(key_text)};"
        "document.getElementById('result').removeAttribute('data-valid');"
        "document.getElementById('verify').click(); true")
    await browser.wait_for("document.getElementById('result').dataset.valid !== undefined")
    valid = await browser.evaluate("document.getElementById('result').dataset.valid")
    text = await browser.evaluate("document.getElementById('result').textContent")
    return str(valid), str(text)


async def test_the_page_verifies_in_the_browser_against_the_trusted_key_only(
    browser: Browser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "verify.html"
    assert main(["certificate", "page", "--output", str(page)]) == 0
    key = create_private_key(tmp_path / "issuer.pem")
    published = public_pem(key.public_key())
    certificate = _certificate(tmp_path, tmp_path / "issuer.pem")
    # the canonical bytes survive names and text JSON must escape
    assert "\\\\" in canonical(certificate["certificate"]).decode()  # type: ignore[arg-type]
    await browser.goto(page.as_uri())

    valid, text = await _check(browser, certificate, published)
    assert valid == "true" and "VALID" in text, text
    shown = await browser.evaluate("document.getElementById('details').textContent")
    assert "Łukasz Dvořák" in shown and "progress record" in shown

    # the raw base64 form of the key works too
    valid, _ = await _check(browser, certificate, public_key_b64(key.public_key()))
    assert valid == "true"

    tampered = json.loads(json.dumps(certificate))
    tampered["certificate"]["modules_completed"].append("advanced")
    valid, text = await _check(browser, tampered, published)
    assert valid == "false" and "altered or forged" in text

    other = create_private_key(tmp_path / "mallory.pem")
    record = {k: v for k, v in certificate["certificate"].items()  # type: ignore[attr-defined]
              if k != "public_key"}
    resigned = sign(record, tmp_path / "mallory.pem")
    valid, text = await _check(browser, resigned, published)
    assert valid == "false" and "not signed by the key you trust" in text
    valid, _ = await _check(browser, resigned, public_pem(other.public_key()))
    assert valid == "true"  # only for someone who trusts Mallory's key

    valid, text = await _check(browser, certificate,
                               (tmp_path / "issuer.pem").read_text())
    assert valid == "false" and "PUBLIC key" in text
