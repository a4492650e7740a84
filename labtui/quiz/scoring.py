"""Marking one answer."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from labtui.course.models import Question


@dataclass(frozen=True, slots=True)
class Mark:
    correct: bool
    credit: float  # 0..1; below 1 only for ordering questions in practice


_COUNT_WORDS = {2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}


def normalise_answer(question: Question, raw: Any) -> Any:
    """Turn user input ("a, c", ["C","A"], "150") into the shape of ``question.answer``.

    Raises ValueError with a learner-facing message when the input cannot be an answer.
    """
    if question.type == "numeric":
        try:
            return float(str(raw).replace(",", "").replace("$", "").strip())
        except ValueError:
            raise ValueError("type a number, e.g. 150 or 24.47") from None
    if isinstance(raw, str):
        keys = [part.strip().upper() for part in raw.replace(",", " ").split() if part.strip()]
        if len(keys) == 1 and len(keys[0]) > 1 and keys[0].isalpha():
            keys = list(keys[0])  # "AC" -> ["A", "C"]
    else:
        keys = [str(k).strip().upper() for k in raw]
    options = question.options or {}
    unknown = [k for k in keys if k not in options]
    if unknown:
        raise ValueError(f"no option {', '.join(unknown)}; choose from {', '.join(options)}")
    if not keys:
        raise ValueError("no answer given")
    if question.type == "ordering":
        if sorted(keys) != sorted(options):
            raise ValueError(f"list every option once in order, e.g. {' '.join(options)}")
        return keys
    if isinstance(question.answer, list):
        chosen, needed = sorted(set(keys)), len(question.answer)
        if len(chosen) != needed:
            # as the real exam interface does: a multiple-response answer needs exactly N options
            raise ValueError(f"choose {_COUNT_WORDS.get(needed, str(needed))} options "
                             f"(you chose {len(chosen)})")
        return chosen
    if len(keys) != 1:
        raise ValueError("choose one option")
    return keys[0]


def mark(question: Question, answer: Any, *, partial_ordering: bool = True) -> Mark:
    """Mark a normalised answer. Multiple response is all-or-nothing, as in the real exam."""
    expected = question.answer
    if question.type == "numeric":
        assert isinstance(expected, (int, float))
        ok = (
            isinstance(answer, (int, float))
            and abs(answer - expected) <= (question.tolerance or 0) + 1e-9
        )
        return Mark(ok, 1.0 if ok else 0.0)
    if question.type == "ordering":
        assert isinstance(expected, list)
        if list(answer) == expected:
            return Mark(True, 1.0)
        if not partial_ordering:
            return Mark(False, 0.0)
        return Mark(False, _pairs_in_order(expected, list(answer)))
    if isinstance(expected, list):
        ok = isinstance(answer, list) and sorted(answer) == sorted(expected)
        return Mark(ok, 1.0 if ok else 0.0)
    ok = answer == expected
    return Mark(ok, 1.0 if ok else 0.0)


def _pairs_in_order(expected: list[str], given: list[str]) -> float:
    """Share of item pairs the learner put in the right relative order."""
    position = {key: index for index, key in enumerate(given)}
    pairs = list(combinations(expected, 2))
    if not pairs:
        return 0.0
    good = sum(1 for a, b in pairs if a in position and b in position and position[a] < position[b])
    return good / len(pairs)


def describe_answer(question: Question, answer: Any) -> str:
    if answer is None:
        return "(no answer)"
    if question.type == "numeric":
        return f"{answer:g} {question.unit or ''}".strip()
    if isinstance(answer, list):
        joiner = " → " if question.type == "ordering" else ", "
        return joiner.join(answer)
    return str(answer)
