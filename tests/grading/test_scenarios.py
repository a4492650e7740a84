"""Behaviour details the packs rely on: lambdasim scenarios fed from account state, the VPC
model read from EC2, live grading, and the hint discount."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtui.grading.apply import apply_solution
from labtui.grading.network import _sg_rules
from labtui.grading.pack import load_pack
from labtui.grading.results import CheckResult, GradeReport
from labtui.grading.sandbox import setup_model
from labtui.grading.service import grade, next_hint
from labtui.progress.store import ProgressStore


@pytest.mark.sandbox
def test_kinesis_solution_replays_its_seed_and_each_seed_draws_a_new_backlog(
    sandbox: Any,
) -> None:
    # lambda-spec scenario 8 on a generated backlog: the same seed replays the same run.
    solution = load_pack("kinesis-poison-pill").solution
    first = grade("kinesis-poison-pill", solution_dir=solution, seed=11)
    again = grade("kinesis-poison-pill", solution_dir=solution, seed=11)
    other = grade("kinesis-poison-pill", solution_dir=solution, seed=12)
    assert first.passed and again.passed and other.passed, (first.failed(), other.failed())
    assert first.seed == 11 and other.seed == 12

    def shape(report: Any) -> tuple[str, list[str]]:
        c5 = next(r for r in report.results if r.id == "c5")
        invokes = [row.outcome for row in report.trace if row.detail.startswith("invoke")]
        return c5.actual, invokes

    assert shape(first) == shape(again)
    assert shape(first)[0] != shape(other)[0]  # another backlog size or poison position
    assert {"success", "error"} <= set(shape(first)[1])


@pytest.mark.sandbox
def test_sqs_solution_trace_deletes_good_payments_and_redrives_each_poison(sandbox: Any) -> None:
    import re

    report = grade("sqs-partial-batch", solution_dir=load_pack("sqs-partial-batch").solution,
                   seed=5)
    assert report.passed, report.failed()
    c3 = next(r for r in report.results if r.id == "c3")
    match = re.match(r"(\d+) payments, (\d+) poison", c3.actual)
    assert match, c3.actual
    total, poison = int(match.group(1)), int(match.group(2))
    deletes = [row for row in report.trace if row.detail.startswith("sqs-delete")]
    redrives = [row for row in report.trace if row.detail.startswith("sqs-redrive")]
    deleted = sum(int(re.search(r"(\d+)", row.detail.split(" ", 1)[1]).group(1))  # type: ignore[union-attr]
                  for row in deletes)
    assert deleted == total - poison
    assert len(redrives) == poison


@pytest.mark.sandbox
def test_live_grading_reads_the_learners_account_as_it_is(sandbox: Any) -> None:
    pack = load_pack("reserved-concurrency-db")
    account = sandbox.learner("live-learner")
    account.seed(setup_model(pack.manifest, pack.path), pack.path)
    assert not grade(pack.id, learner_id="live-learner", live=True).passed
    apply_solution(pack.solution, account.env())
    assert grade(pack.id, learner_id="live-learner", live=True).passed
    account.wipe()


@pytest.mark.sandbox
def test_recorded_points_carry_the_hint_discount(sandbox: Any, labtui_home: Path) -> None:
    store = ProgressStore(labtui_home / "progress.sqlite3")
    pack = load_pack("reserved-concurrency-db")
    next_hint(pack.id, store)
    next_hint(pack.id, store)
    report = grade(pack.id, solution_dir=pack.solution, store=store)
    assert report.passed and report.points == 100 and report.hints_used == 2
    assert report.score == 60
    assert store.exercise_attempts("me", pack.id)[-1].points == 60


def test_score_discount_bottoms_out_at_zero() -> None:
    result = CheckResult("c1", "t", True, "", "", "", "R-5.3", 10, 10)
    assert [GradeReport("x", [result], hints_used=n).score for n in range(7)] == [
        10, 8, 6, 4, 2, 0, 0]


def test_security_group_rules_are_normalised() -> None:
    rules = _sg_rules([
        {"IpProtocol": "6", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": "sg-1"}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])
    assert (rules[0].protocol, rules[0].from_port, rules[0].security_groups) == ("tcp", 5432, ("sg-1",))
    assert rules[0].covers_port(5432) and not rules[0].covers_port(5433)
    assert rules[1].protocol == "-1" and rules[1].covers_port(22) and rules[1].cidrs == ("0.0.0.0/0",)


@pytest.mark.sandbox
def test_remote_account_runs_behaviour_checks_over_http(sandbox: Any) -> None:
    # What `labtui check --live` uses when the sandbox runs in `labtui sandbox serve`.
    from labtui.grading.sandbox import RemoteAccount
    from labtui.grading.service import run_checks

    pack = load_pack("sqs-partial-batch")
    account = sandbox.learner("remote-learner")
    account.seed(setup_model(pack.manifest, pack.path), pack.path)
    apply_solution(pack.solution, account.env())
    remote = RemoteAccount(account.env(), account.account_id)
    results, trace = run_checks(pack, remote, None, {})
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    assert any(row.function == "payments-worker" for row in trace)
    account.wipe()


def test_live_grading_without_a_sandbox_is_a_clear_error(monkeypatch: Any) -> None:
    from labtui.errors import LabError
    from labtui.grading import sandbox as grading_sandbox

    monkeypatch.setattr(grading_sandbox, "_SANDBOX", None)  # none in this process, none served
    with pytest.raises(LabError, match="labtui sandbox serve"):
        grading_sandbox.live_account("me")


@pytest.mark.sandbox
def test_live_grading_in_a_workbench_shell_grades_the_account_the_shell_names(
    sandbox: Any, monkeypatch: Any
) -> None:
    # README: in the workbench shell, `labtui check ID --live` grades the shell's account.
    # That sandbox runs inside the TUI, which records no `sandbox serve` server: the shell's
    # environment names it (it said "no sandbox is running to grade live").
    from labtui.grading import sandbox as grading_sandbox
    from labtui.grading.context import sandbox_client
    from labtui.grading.sandbox import RemoteAccount

    account = sandbox.learner("shell-learner")
    monkeypatch.setattr(grading_sandbox, "_SANDBOX", None)  # `labtui check` is another process
    for name, value in account.env().items():
        monkeypatch.setenv(name, value)
    live = grading_sandbox.live_account("me")
    assert isinstance(live, RemoteAccount) and live.account_id == account.account_id
    caller = sandbox_client("sts", live.env()).get_caller_identity()
    assert caller["Account"] == account.account_id


def test_handler_time_budget_stops_runaway_learner_code() -> None:
    import time as clock

    from labtui.grading.sim import AccountHandler

    class SlowAccount:
        def invoke(self, function: str, event: Any, qualifier: str | None = None) -> Any:
            clock.sleep(0.05)
            raise AssertionError("unreachable: the fake returns nothing useful")

    handler = AccountHandler(SlowAccount(), "slow", budget_s=0.0)
    result = handler.invoke(None, {}, None)
    assert (result.status, result.error_type) == ("error", "Labtui.GradingTimeBudget")
    assert handler.calls == 1 and handler.exhausted


def test_handler_call_budget_stops_endless_retries_without_running_code() -> None:
    from labtui.grading.sim import AccountHandler

    class CountingAccount:
        runs = 0

        def invoke(self, function: str, event: Any, qualifier: str | None = None) -> Any:
            CountingAccount.runs += 1
            raise RuntimeError("stop here")  # the first call is enough for this test

    handler = AccountHandler(CountingAccount(), "loop", max_calls=0)
    result = handler.invoke(None, {}, None)
    assert (result.status, result.error_type) == ("error", "Labtui.GradingCallBudget")
    assert CountingAccount.runs == 0 and handler.exhausted
