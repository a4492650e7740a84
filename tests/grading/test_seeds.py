"""Generated cases (design.md §7): every run draws its inputs from a seed, the seed is
printed and in --json, ``labtui check ID --seed N`` replays it, and every behaviour pack
ships an attempt written for one example that the generated cases catch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labtui.cli import main
from labtui.grading.context import GradingContext
from labtui.grading.pack import load_pack
from labtui.grading.results import GradeReport
from labtui.grading.service import new_seed

# Behaviour exercises (their checks run handler code or simulate the learner's settings)
# and the wrong attempt in each that was written for the README's example rather than for
# the kind of input: the generated cases must catch it on every seed (test_pack_contract).
EXAMPLE_ATTEMPTS = {
    "first-function": "hard-coded-example",
    "idempotent-async-handler": "hard-coded-example",
    "init-outside-handler": "hard-coded-example",
    "kinesis-poison-pill": "hard-coded-example",
    "layer-share": "hard-coded-example",
    "order-pipeline": "fields-exist-only",  # checks only the README's "missing field" kind
    "s3-trigger-no-recursion": "hard-coded-example",
    "secrets-not-env": "hard-coded-example",
    "sqs-partial-batch": "hard-coded-example",
    "sqs-visibility-timeout": "hard-coded-360-with-window",  # the README's 360 s, copied
}


def _ctx(pack_id: str, seed: int) -> GradingContext:
    pack = load_pack(pack_id)
    return GradingContext(manifest=pack.manifest, pack_dir=pack.path, env={},
                          account_id="123456789012", seed=seed)


def test_a_seed_replays_its_cases_and_another_seed_draws_new_ones() -> None:
    checks = load_pack("sqs-partial-batch").checks["c3"].__globals__
    first = checks["_payments"](_ctx("sqs-partial-batch", 41))
    again = checks["_payments"](_ctx("sqs-partial-batch", 41))
    others = [checks["_payments"](_ctx("sqs-partial-batch", s)) for s in range(42, 52)]
    assert first == again
    assert all(other.bodies != first.bodies for other in others)
    # the number and the positions of poison messages change too, not only the ids
    assert len({(len(o.bodies), tuple(o.bodies.index(p) for p in o.poison)) for o in others}) > 3


def test_cases_of_one_check_do_not_shift_when_another_draws_more() -> None:
    ctx = _ctx("sqs-partial-batch", 7)
    before = ctx.cases("payments").random()
    ctx.cases("something else").random()
    assert ctx.cases("payments").random() == before


def test_new_seeds_are_short_and_vary() -> None:
    seeds = {new_seed() for _ in range(50)}
    assert len(seeds) > 40 and all(1 <= s < 1_000_000 for s in seeds)


def test_report_json_and_text_carry_the_seed() -> None:
    from labtui.grading.commands import format_report
    from labtui.grading.results import CheckResult

    failed = CheckResult("c1", "t", False, "x", "y", "h", "R-1.1", 0, 10)
    report = GradeReport("sqs-partial-batch", [failed], seed=4242)
    assert report.to_json()["seed"] == 4242
    text = format_report(report)
    assert "seed 4242" in text
    assert "labtui check sqs-partial-batch --seed 4242" in text


def test_seed_must_be_a_whole_number(capsys: Any) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["check", "sqs-partial-batch", "--seed", "abc"])
    assert stopped.value.code == 2
    assert "not a whole number" in capsys.readouterr().err


@pytest.mark.parametrize(("pack_id", "attempt"), sorted(EXAMPLE_ATTEMPTS.items()))
def test_every_behaviour_pack_has_an_attempt_written_for_the_example(
    pack_id: str, attempt: str
) -> None:
    wrong = {w.name: w for w in load_pack(pack_id).wrong_attempts()}
    assert attempt in wrong, sorted(wrong)
    assert wrong[attempt].hints, "say which hint the generated case must produce"


@pytest.mark.sandbox
def test_labtui_check_seed_replays_the_same_cases(sandbox: Any, capsys: Any) -> None:
    solution = str(load_pack("sqs-partial-batch").path / "wrong" / "hard-coded-example")
    runs = []
    for _ in range(2):
        assert main(["check", "sqs-partial-batch", "--solution", solution, "--seed", "808",
                     "--json"]) == 1
        document = json.loads(capsys.readouterr().out)
        runs.append(document)
    assert runs[0]["seed"] == runs[1]["seed"] == 808
    c3 = [next(r for r in run["results"] if r["id"] == "c3") for run in runs]
    assert c3[0]["actual"] == c3[1]["actual"] and c3[0]["hint"] == c3[1]["hint"]
    assert Path(solution).is_dir()


def test_unset_async_settings_are_shown_as_the_defaults_they_mean() -> None:
    from labtui import facts
    from labtui.grading.state import async_settings

    retries, age, text = async_settings({"MaximumRetryAttempts": 1})
    assert (retries, age) == (1, facts.ASYNC_MAX_EVENT_AGE_DEFAULT_S)
    assert "None" not in text
    assert f"MaximumEventAgeInSeconds {facts.ASYNC_MAX_EVENT_AGE_DEFAULT_S} (not set: the default)" in text
    retries, age, text = async_settings(None)
    assert (retries, age) == (facts.ASYNC_MAX_RETRIES_DEFAULT, facts.ASYNC_MAX_EVENT_AGE_DEFAULT_S)
    assert async_settings({"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60})[2] == (
        "MaximumRetryAttempts 0, MaximumEventAgeInSeconds 60")
