"""Marking: single, multiple response all-or-nothing, numeric tolerance, ordering."""

from __future__ import annotations

import pytest

from labtui.course.models import Question
from labtui.quiz.scoring import mark, normalise_answer

from .conftest import make_question


def numeric() -> Question:
    return Question.model_validate(
        {
            "id": "q-13-cost-001",
            "module": "basics",
            "domains": ["DVA:4.3"],
            "difficulty": 2,
            "type": "numeric",
            "stem": "Monthly cost in USD?",
            "answer": 24.47,
            "unit": "USD",
            "tolerance": 0.05,
            "explain": {"working": "..."},
            "refs": ["basics#what"],
        }
    )


def ordering() -> Question:
    return Question.model_validate(
        {
            "id": "q-05-order-001",
            "module": "basics",
            "domains": ["DVA:4.3"],
            "difficulty": 2,
            "type": "ordering",
            "stem": "Put the phases in order.",
            "options": {"A": "a", "B": "b", "C": "c", "D": "d"},
            "answer": ["B", "C", "D", "A"],
            "explain": {k: "." for k in "ABCD"},
            "refs": ["basics#what"],
        }
    )


def test_single() -> None:
    q = make_question("q-01-x-001", ["DVA:1.2"])
    assert mark(q, normalise_answer(q, "b")).correct
    assert not mark(q, normalise_answer(q, "A")).correct
    with pytest.raises(ValueError, match="choose one option"):
        normalise_answer(q, "A B")
    with pytest.raises(ValueError, match="no option Z"):
        normalise_answer(q, "Z")


def test_multiple_response_is_all_or_nothing() -> None:
    q = make_question("q-01-x-002", ["DVA:1.2"], "multi")
    assert mark(q, normalise_answer(q, "c, a")).correct
    assert mark(q, normalise_answer(q, "AC")).correct
    assert not mark(q, normalise_answer(q, "A D")).correct
    assert mark(q, normalise_answer(q, ["A", "D"])).credit == 0.0


@pytest.mark.parametrize("raw", ["A", "A C D", ["C"], "A A"])
def test_multiple_response_refuses_the_wrong_number_of_choices(raw: object) -> None:
    # as the real exam interface does: "Choose TWO" takes exactly two (issue 22)
    q = make_question("q-01-x-002", ["DVA:1.2"], "multi")
    with pytest.raises(ValueError, match="choose TWO options"):
        normalise_answer(q, raw)


def test_numeric_tolerance() -> None:
    q = numeric()
    assert mark(q, normalise_answer(q, "$24.50")).correct
    assert mark(q, normalise_answer(q, "24.42")).correct
    assert not mark(q, normalise_answer(q, "24.53")).correct
    assert not mark(q, normalise_answer(q, "30")).correct
    with pytest.raises(ValueError, match="type a number"):
        normalise_answer(q, "lots")


def test_ordering_partial_credit_in_practice_only() -> None:
    q = ordering()
    assert mark(q, normalise_answer(q, "B C D A")).correct
    swapped = mark(q, normalise_answer(q, "C B D A"))  # one adjacent swap: 5 of 6 pairs right
    assert not swapped.correct and swapped.credit == pytest.approx(5 / 6)
    assert mark(q, ["C", "B", "D", "A"], partial_ordering=False).credit == 0.0
    with pytest.raises(ValueError, match="every option once"):
        normalise_answer(q, "B C")
