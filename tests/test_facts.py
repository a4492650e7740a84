"""facts.py agrees with the parameter sheet of lambda-spec.md."""

from __future__ import annotations

import dataclasses

import pytest

from labtui import facts
from labtui.course.lessons import render_facts

# (name, default, min, max, rule) straight from the parameter sheet
SHEET = [
    ("memory_mb", 128, 128, 10240, "R-1.1"),
    ("timeout_s", 3, 1, 900, "R-1.2"),
    ("ephemeral_mb", 512, 512, 10240, "R-1.3"),
    ("async_max_retries", 2, 0, 2, "R-3.2"),
    ("async_max_event_age_s", 21600, 60, 21600, "R-3.4"),
    ("sqs_batch_size", 10, 1, 10000, "R-4.1"),
    ("batching_window_s", 0, 0, 300, "R-4.1"),
    ("stream_batch_size", 100, 1, 10000, "R-4.9"),
    ("parallelization_factor", 1, 1, 10, "R-4.8"),
    ("stream_max_retries", -1, -1, 10000, "R-4.10"),
    ("esm_max_concurrency", 1000, 2, 1000, "R-4.6"),
]


@pytest.mark.parametrize(("name", "default", "low", "high", "rule"), SHEET)
def test_parameter_sheet(name: str, default: int, low: int, high: int, rule: str) -> None:
    fact = facts.FACTS[name]
    assert (fact.value, fact.minimum, fact.maximum, fact.rule) == (default, low, high, rule)


def test_single_values() -> None:
    assert facts.SYNC_PAYLOAD_MAX_BYTES == 6_291_456
    assert facts.ASYNC_PAYLOAD_MAX_BYTES == 1_048_576  # D-9: not 256 KB
    assert facts.ASYNC_RETRY_DELAYS_S == (60, 120)
    assert facts.ACCOUNT_CONCURRENCY_DEFAULT == 1000 and facts.UNRESERVED_MIN == 100
    assert facts.SCALE_ENVS_PER_10S == 1000  # D-3: not a 500-3,000 burst
    assert facts.PRICE_GB_S_X86_USD == 0.0000166667 and facts.PRICE_GB_S_ARM_USD == 0.0000133334
    assert facts.FREE_GB_S_PER_MONTH == 400_000 and facts.FREE_REQUESTS_PER_MONTH == 1_000_000
    assert facts.MB_PER_VCPU == 1769 and facts.INIT_LIMIT_S == 10


def test_facts_are_immutable() -> None:
    with pytest.raises(TypeError):
        facts.FACTS["memory_mb"] = facts.FACTS["timeout_s"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.FACTS["memory_mb"].value = 64  # type: ignore[misc]


def test_every_fact_cites_a_rule() -> None:
    for fact in facts.FACTS.values():
        assert fact.rule.startswith("R-"), fact.name


def test_lesson_substitution() -> None:
    text = "max {{fact:memory_mb.max}} MB, default {{ fact:async_max_event_age_s }} s, {{fact:price_gb_s_x86}}"
    assert render_facts(text) == "max 10,240 MB, default 21,600 s, 0.0000166667"
