"""`labtui quiz` / `labtui exam` in plain text: scriptable through stdin, JSON on stdout."""

from __future__ import annotations

import io
import json

import pytest

from labtui.cli import main

from .conftest import MINI


@pytest.fixture(autouse=True)
def mini_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABTUI_CONTENT", str(MINI))


def feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_quiz_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    feed(monkeypatch, "A\n150\n")
    assert main(["quiz", "basics", "--seed", "0", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["questions"] == 2 and result["correct"] == 2
    assert "Correct." in captured.err  # feedback went to stderr


def test_quiz_bad_input_is_explained_not_fatal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed(monkeypatch, "Z\nA\nlots\n150\n")
    assert main(["quiz", "basics", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "no option Z" in out and "type a number" in out


def test_unknown_module_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quiz", "nope"]) == 2
    assert "no module 'nope'" in capsys.readouterr().err


def test_exam_quit_resume_submit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed(monkeypatch, "f\nquit\n")
    assert main(["exam", "DVA-C02", "--seed", "1"]) == 0
    assert "Exam saved" in capsys.readouterr().out
    feed(monkeypatch, "submit\nyes\n")
    code = main(["exam", "DVA-C02", "--json"])
    captured = capsys.readouterr()
    assert "Resuming your unfinished DVA-C02 exam" in captured.err
    result = json.loads(captured.out)
    assert result["exam"] == "DVA-C02" and result["passed"] is False and code == 1
    assert result["scaled"] == 100  # nothing answered
