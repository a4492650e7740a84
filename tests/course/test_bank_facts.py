"""The shipped question bank agrees with lambda-spec.md (issue 20).

Two checks a linter cannot make from the schema alone:
- a keyed (correct) option never states a claim from the discrepancy register (D-x): the
  outdated claims may appear only as distractors;
- every per-GB-second price quoted anywhere in a question is one of the prices in facts.py
  (R-10), so a typo or an old rate cannot hide in an explanation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labtui import facts
from labtui.course.loader import load_course
from labtui.course.models import Question

ROOT = Path(__file__).resolve().parents[2]

# (register id, pattern of the outdated claim as a learner would read it)
OUTDATED = [
    ("D-1", r"64 MB steps"),
    ("D-2", r"4 KB (per|for each) variable"),
    ("D-3", r"burst of 500|500[-–]3,000|500 (more )?(environments )?per minute"),
    ("D-5", r"CacheScope"),
    ("D-9", r"(?<!from )(?<!was )256 KB"),
    ("D-13", r"needs? cloudwatch:PutMetricData"),
]
_RATE = re.compile(r"0\.0000\d+")


def _bank() -> list[Question]:
    return load_course(ROOT).all_questions()


def _keyed_texts(question: Question) -> list[str]:
    options = question.options or {}
    keys = [question.answer] if isinstance(question.answer, str) else question.answer
    if question.type == "ordering" or not isinstance(keys, list):
        return []
    return [options[key] for key in keys if isinstance(key, str) and key in options]


def _all_text(question: Question) -> str:
    parts = [question.stem, question.context or "", question.formula or ""]
    parts += list((question.options or {}).values()) + list(question.explain.values())
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        ("D-1", "Above 3,008 MB memory moves in 64 MB steps."),
        ("D-3", "Lambda scales by 500 per minute after the burst."),
        ("D-9", "Asynchronous events are limited to 256 KB."),
        ("D-13", "The role needs cloudwatch:PutMetricData for metrics."),
    ],
)
def test_outdated_patterns_recognise_the_claims(rule: str, sentence: str) -> None:
    pattern = dict(OUTDATED)[rule]
    assert re.search(pattern, sentence)


def test_history_is_not_mistaken_for_the_claim() -> None:
    assert not re.search(dict(OUTDATED)["D-9"], "The limit was raised from 256 KB to 1 MB.")


def test_no_keyed_answer_states_an_outdated_claim() -> None:
    keyed = [(q.id, text) for q in _bank() for text in _keyed_texts(q)]
    offenders = [
        f"{qid}: {rule} in {text!r}"
        for qid, text in keyed
        for rule, pattern in OUTDATED
        if re.search(pattern, text)
    ]
    assert len(keyed) > 200 and offenders == []


def test_every_quoted_rate_is_a_price_in_facts() -> None:
    prices = {
        f"{fact.value:.10f}".rstrip("0")
        for fact in facts.FACTS.values()
        if fact.unit == "USD" and isinstance(fact.value, float)
    }
    quoted = [(q.id, rate) for q in _bank() for rate in _RATE.findall(_all_text(q))]
    wrong = [f"{qid}: {rate}" for qid, rate in quoted if rate.rstrip("0") not in prices]
    assert len(quoted) > 10 and wrong == []
