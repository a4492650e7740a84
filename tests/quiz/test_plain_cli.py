"""`labtui quiz` / `labtui exam` in plain text: scriptable through stdin, JSON on stdout."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from labtui.cli import main
from labtui.course.loader import load_course
from labtui.progress.store import ProgressStore
from labtui.quiz.plain import run_exam
from labtui.quiz.session import ExamSession

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


def test_stopped_quiz_reports_answered_and_is_no_best_score(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path))
    feed(monkeypatch, "A\n")  # one answer, then end of input
    assert main(["quiz", "basics", "--seed", "0", "--json"]) == 0
    captured = capsys.readouterr()
    assert "Stopped: 1 of 2 answered (1 right so far)" in captured.err
    result = json.loads(captured.out)
    assert result["finished"] is False and result["score"] is None and result["answered"] == 1
    store = ProgressStore(tmp_path / "progress.sqlite3")
    attempts = store.quiz_attempts("me", "practice")
    assert [a.finished_at for a in attempts] == [None]


def test_cli_exam_refuses_one_letter_for_a_choose_two_question(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path))
    course = load_course(MINI)
    multi = next(q for q in course.all_questions() if isinstance(q.answer, list))
    store = ProgressStore(tmp_path / "progress.sqlite3")
    session = ExamSession.start(store, course, "SAA-C03", seed=3)
    index = next(i for i, q in enumerate(session.questions) if q.id == multi.id)
    session.goto(index)
    out = io.StringIO()
    lines = iter(["A", "A B", "quit"])
    run_exam(session, lambda: next(lines, None), out)
    text = out.getvalue()
    assert "(choose 2: give 2 letters" in text
    assert "choose TWO options (you chose 1)" in text
    assert session.answer_of(index) == ["A", "B"]


def test_review_ends_with_a_summary_and_the_next_due_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LABTUI_HOME", str(tmp_path))
    feed(monkeypatch, "B\n")  # wrong: makes a review card for the first question
    assert main(["quiz", "basics", "--seed", "0", "--count", "1"]) == 0
    capsys.readouterr()
    store = ProgressStore(tmp_path / "progress.sqlite3")
    (card_id, _data, _due), = store.review_cards("me")
    # make it due now, then review it rightly
    store.upsert_review_card("me", card_id, _data, "2000-01-01T00:00:00+00:00")
    feed(monkeypatch, "A\n")
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert "Reviewed 1 card: 1 remembered, 0 to see again soon." in out
    assert "Next card due in " in out
