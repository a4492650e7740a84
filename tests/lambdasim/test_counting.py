"""Counters that agree with what happened, runs that say when they were cut (issue 18).

* retries count retries that ran (R-3.2, R-3.4, R-4.10), not retries planned;
* ``sqs_deleted`` counts each message once (R-4.2);
* money matches within half a percent, not within a fixed half cent;
* one convention for simultaneous events: a completion at t frees its environment
  before an arrival at t, so ``count`` and ``rate`` traffic give the same run;
* a run that stops before it settles is an error that says what was cut and why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labtui.cli import main
from labtui.lambdasim import AsyncConfig, FunctionSpec, Simulation
from labtui.lambdasim.report import Expectation, money_matches, run_scenario_file

from .helpers import model

HEAD = "title: t\ndescription: d\n"


def _run(tmp_path: Path, text: str, **options: object):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + text)
    return run_scenario_file(path, **options)  # type: ignore[arg-type]


def test_async_retries_that_expire_before_running_are_not_counted(tmp_path: Path) -> None:
    # R-3.2 retries come 60 s then 120 s after a failure; R-3.4 an event of 100 s expires
    # before the second retry: 2 runs and 1 retry per event, the third is never run.
    report = _run(
        tmp_path,
        "functions:\n  - name: f\n    behaviour: {fail: {when: always}}\n"
        "    async_config: {max_event_age_s: 100, on_failure: failures}\n"
        "traffic:\n  - {type: async, function: f, count: 2}\n",
    )
    s = report.summary
    assert s is not None
    assert (s.invocations, s.retries) == (4, 2)
    assert report.simulation is not None
    assert [d.condition for d in report.simulation.deliveries] == ["EventAgeExceeded"] * 2


def test_stream_retries_are_counted_when_they_run(tmp_path: Path) -> None:
    # R-4.10: one batch retried every ~10 s until its records are 60 s old; the retry
    # planned for 60.6 s never runs (the records expire), so retries = invocations - 1.
    report = _run(
        tmp_path,
        "options: {stream_retry_delay_s: 10}\n"
        "functions:\n  - name: f\n    behaviour: {fail: {when: always}}\n"
        "streams: [{name: s}]\n"
        "stream_mappings: [{function: f, stream: s, max_record_age_s: 60}]\n"
        "traffic: [{type: stream, stream: s, count: 5}]\n",
    )
    s = report.summary
    assert s is not None
    assert s.invocations == 6
    assert s.retries == s.invocations - 1
    assert s.stream_records_skipped == 5


def test_async_invocations_are_first_attempts_plus_retries() -> None:
    sim = Simulation(seed=3, trace="off")
    sim.add_function(FunctionSpec("f", behaviour=model(fail="probability", probability=0.5)))
    sim.put_event_invoke_config("f", AsyncConfig(max_retries=2, max_event_age_s=150))
    for i in range(200):
        sim.invoke_async("f", {"i": i}, at=i * 0.5)
    assert sim.run()
    counters = sim.engine.counters
    assert counters.retries > 0
    assert counters.invocations == 200 + counters.retries


def test_a_message_received_twice_is_deleted_and_counted_once(tmp_path: Path) -> None:
    # The visibility timeout (1 s) runs out while the first batch (1.5 s) still runs, so a
    # second poller receives the same two messages (R-4.3 warns about exactly this). Both
    # batches succeed; two messages were sent, two are deleted.
    report = _run(
        tmp_path,
        "functions: [{name: f, behaviour: {duration_ms: 1500}}]\n"
        "queues: [{name: q, visibility_timeout_s: 1}]\n"
        "sqs_mappings: [{function: f, queue: q}]\n"
        "traffic: [{type: sqs, queue: q, count: 2}]\n",
    )
    s = report.summary
    assert s is not None
    assert s.invocations == 2  # the same two messages, delivered twice
    assert s.sqs_deleted == 2
    assert report.queue_sizes == {"q": 0}


@pytest.mark.parametrize(
    ("actual", "expected", "met"),
    [
        (0.000143, 0.004, False),  # a fixed 0.005 tolerance used to call this a match
        (0.000143, 0.000143, True),
        (3.6, 3.6 * 1.004, True),
        (3.6, 3.6 * 1.006, False),
        (0.0, 0.0, True),
    ],
)
def test_money_matches_within_half_a_percent(actual: float, expected: float, met: bool) -> None:
    assert money_matches(actual, expected) is met
    assert Expectation("cost_usd", expected, actual).met is met


def test_a_cost_estimate_off_by_a_few_cents_of_a_few_dollars_fails(tmp_path: Path) -> None:
    # Worked scenario 10 (R-10): $3.60 on x86; $3.62 is not "the same" amount.
    report = _run(
        tmp_path,
        "cost_estimates:\n"
        "  - {label: a, invocations: 3000000, billed_duration_ms: 120, memory_mb: 512,\n"
        "     expect_total_usd: 3.62}\n",
    )
    assert not report.ok


FORMS = {
    "count": "{type: sync, function: f, count: 1000, interval_s: 0.1}",
    "rate": "{type: rate, function: f, per_second: 10, duration_s: 100}",
}


@pytest.mark.parametrize("duration", [100, 300])
def test_count_and_rate_give_the_same_run(tmp_path: Path, duration: int) -> None:
    # Every call arrives exactly when an earlier one finishes (0.1 s apart, 100 or 300 ms
    # each, no Init time). A completion at t frees its environment before the arrival at t, so with
    # reserved concurrency 1 (100 ms) nothing is throttled and one environment serves all;
    # with 300 ms, three overlap and every third call can run.
    results = {}
    for name, traffic in FORMS.items():
        report = _run(
            tmp_path,
            f"functions: [{{name: f, reserved_concurrency: {1 if duration == 100 else 3}, "
            f"behaviour: {{duration_ms: {duration}, init_duration_ms: 0}}}}]\n"
            f"traffic: [{traffic}]\n",
        )
        s = report.summary
        assert s is not None
        results[name] = (s.invocations, s.throttles, s.cold_starts, s.max_concurrency)
    assert results["count"] == results["rate"]
    reserved = 1 if duration == 100 else 3
    assert results["count"] == (1000, 0, reserved, reserved)


def test_api_calls_follow_the_same_convention() -> None:
    sim = Simulation(trace="off")
    sim.add_function(FunctionSpec("f", reserved_concurrency=1, behaviour=model(100.0, init_ms=0.0)))
    calls = [sim.invoke_sync("f", at=i * 0.1) for i in range(1000)]
    sim.run()
    assert [c.response.status_code for c in calls if c.response] == [200] * 1000
    assert sim.engine.counters.cold_starts == 1


def test_three_million_simultaneous_calls_count_exactly(tmp_path: Path) -> None:
    # R-5.2: 1,000 run at once on the default account; R-2.6: the rest get 429.
    report = _run(
        tmp_path, "functions: [{name: f}]\ntraffic: [{type: sync, function: f, count: 3000000}]\n"
    )
    s = report.summary
    assert s is not None
    assert (s.invocations, s.throttles) == (1000, 2_999_000)
    assert report.settled and report.ok


def test_a_cut_run_is_an_error_that_says_what_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.yaml"
    path.write_text(
        HEAD + "functions: [{name: f}]\n"
        "traffic: [{type: sync, function: f, count: 5000, interval_s: 0.001}]\n"
        "expect: {invocations: 5000}\n"
    )
    assert main(["simulate", str(path), "--max-events", "1000"]) == 1
    captured = capsys.readouterr()
    assert "Result: CUT SHORT" in captured.out
    assert captured.err.startswith("labtui: error: run cut short: max_events (1,000) reached")
    assert "--max-events N" in captured.err
    assert main(["simulate", str(path), "--max-events", "100000", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["settled"] and data["summary"]["invocations"] == 5000


def test_a_visibility_timeout_of_zero_is_a_livelock_reported_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "livelock.yaml"
    path.write_text(
        HEAD + "functions: [{name: f, behaviour: {fail: {when: always}}}]\n"
        "queues: [{name: q, visibility_timeout_s: 0}]\n"
        "sqs_mappings: [{function: f, queue: q}]\n"
        "traffic: [{type: sqs, queue: q, count: 2}]\n"
    )
    assert main(["simulate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "run cut short: livelock: message" in err
    assert "received 10,000 times" in err and "comes back at once" in err
