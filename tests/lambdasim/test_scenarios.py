"""Scenario files, the loader's error reporting and `labtui simulate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labtui.cli import main
from labtui.lambdasim.report import ScenarioError, render_text, run_scenario_file
from labtui.lambdasim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "sandbox" / "scenarios"
SHIPPED = [
    "sync-throttle-reserved.yaml",
    "async-retries-destination.yaml",
    "async-dlq-no-retries.yaml",
    "reserved-zero-async.yaml",
    "sqs-partial-batch.yaml",
    "sqs-whole-batch-failure.yaml",
    "kinesis-bisect-poison.yaml",
    "provisioned-spillover.yaml",
    "cost-monthly.yaml",
    "vpc-reachability.yaml",
    "sqs-invalid-partial-response.yaml",  # worked scenario 7
    "concurrency-pool-shared.yaml",  # worked scenario 11
]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_meets_its_expectations(name: str) -> None:
    report = run_scenario_file(SCENARIOS / name)
    assert report.title and report.description
    assert report.expectations or report.cost_estimates or report.reachability
    failed = [e for e in report.expectations if not e.met]
    assert failed == []
    assert report.ok
    text = render_text(report, trace=True)
    assert report.title in text and "Result: as expected" in text
    assert json.loads(json.dumps(report.as_dict(), default=str))["ok"] is True


def test_scenario_1_numbers() -> None:
    report = run_scenario_file(SCENARIOS / "sync-throttle-reserved.yaml")
    assert report.summary is not None
    assert (report.summary.successes, report.summary.throttles) == (100, 50)


def test_scenario_8_file_reproduces_the_bisect_sequence() -> None:
    report = run_scenario_file(SCENARIOS / "kinesis-bisect-poison.yaml")
    assert report.simulation is not None
    poller = report.simulation.stream_pollers[0]
    assert [f"{i[0]}-{i[-1]}" for _, i, _ in poller.invocations] == [
        "0-99",
        "0-49",
        "0-24",
        "25-49",
        "25-37",
        "25-31",
        "32-37",
        "32-34",
        "35-37",
        "35-36",
        "37-37",
        "37-37",
        "37-37",
        "38-49",
        "50-99",
    ]


def test_scenario_12_reasons() -> None:
    report = run_scenario_file(SCENARIOS / "vpc-reachability.yaml")
    verdicts = {r.label.split(" ")[0]: r.result.reachable for r in report.reachability}
    assert verdicts == {"internet": False, "S3": True, "DynamoDB": False, "orders": True}


def test_cost_scenario_totals() -> None:
    report = run_scenario_file(SCENARIOS / "cost-monthly.yaml")
    totals = [round(cost.total_usd, 2) for _, cost, _ in report.cost_estimates]
    assert totals == [3.00, 3.60, 0.40]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
title: broken
description: several mistakes
functions:
  - name: ok-fn
    memory_mb: 20000
  - name: typo-fn
    colour: blue
traffic:
  - type: sync
    function: missing-fn
expect:
  widgets: 1
""",
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    problems = error.value.problems
    assert f"{path}:7: functions[1].colour: Extra inputs are not permitted" in problems
    assert f"{path}:10: unknown function 'missing-fn'" in problems
    assert any(p.startswith(f"{path}:12: unknown expectation 'widgets'") for p in problems)


def test_aws_wording_for_out_of_range_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
title: ranges
description: out of range
functions:
  - name: fn
    memory_mb: 20000
""",
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert error.value.problems == [
        f"{path}:5: ValidationException: 1 validation error detected: Value '20000' at "
        "'memorySize' failed to satisfy constraint: Member must have value less than or "
        "equal to 10240"
    ]


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    # The parser finds an unclosed bracket at the end of the stream, one line past the
    # file; the learner needs the line where the bracket opened.
    path = _write(tmp_path, "title: x\ndescription: [unclosed\n")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert error.value.problems == [
        f"{path}:2: YAML syntax error: a flow sequence opened here is never closed"
    ]


def test_strict_types_are_not_coerced(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "title: x\ndescription: y\nfunctions:\n  - name: f\n    timeout_s: '3'\n"
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert error.value.problems == [
        f"{path}:5: functions[0].timeout_s: Input should be a valid integer"
    ]


def test_cli_simulate_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", str(SCENARIOS / "sync-throttle-reserved.yaml"), "--trace"])
    out = capsys.readouterr().out
    assert code == 0
    assert "throttles (429)" in out and "Result: as expected" in out
    assert (
        "throttle checkout:$LATEST" in out
        and "ReservedFunctionConcurrentInvocationLimitExceeded" in out
    )


def test_cli_simulate_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SCENARIOS / "async-retries-destination.yaml")
    assert main(["simulate", path, "--json"]) == 0
    assert "trace" not in json.loads(capsys.readouterr().out)  # kept only when asked for
    code = main(["simulate", path, "--json", "--trace"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["summary"]["invocations"] == 3
    assert [e["attempt"] for e in data["trace"] if e["kind"] == "invoke"] == [1, 2, 3]
    assert data["deliveries"][0]["payload"]["requestContext"]["approximateInvokeCount"] == 3


def test_text_output_lists_deliveries(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", str(SCENARIOS / "async-dlq-no-retries.yaml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "dlq event payload -> arn:aws:sqs:us-east-1:123456789012:receipts-dlq" in out


def test_cli_invalid_scenario_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "title: x\n")
    assert main(["simulate", str(path)]) == 2
    assert f"{path}:1: description: Field required" in capsys.readouterr().err


def test_cli_unmet_expectation_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path,
        """\
title: wrong expectation
description: the numbers are off
functions:
  - name: fn
traffic:
  - {type: sync, function: fn, count: 2}
expect:
  invocations: 3
""",
    )
    assert main(["simulate", str(path)]) == 1
    assert "FAIL invocations: expected 3, got 2" in capsys.readouterr().out


def test_seed_changes_random_outcomes_but_is_repeatable(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
title: random failures
description: half the calls fail
functions:
  - name: fn
    behaviour: {fail: {when: probability, probability: 0.5}}
traffic:
  - {type: rate, function: fn, per_second: 10, duration_s: 20}
""",
    )
    first = run_scenario_file(path, seed=1)
    again = run_scenario_file(path, seed=1)
    other = run_scenario_file(path, seed=2)
    assert first.summary and again.summary and other.summary
    assert first.summary.errors == again.summary.errors
    assert [e.as_dict() for e in first.trace] == [e.as_dict() for e in again.trace]
    assert first.summary.invocations == 200
    assert [e.as_dict() for e in first.trace] != [e.as_dict() for e in other.trace]


def test_a_world_that_never_settles_stops_at_max_events(tmp_path: Path) -> None:
    # MaximumRetryAttempts -1 blocks the shard forever; the run stops, reported.
    path = _write(
        tmp_path,
        """\
title: blocked shard
description: infinite retries on a poison record
functions:
  - name: fn
    behaviour: {fail: {when: contains, needle: poison}}
streams:
  - {name: s}
stream_mappings:
  - {function: fn, stream: s}
traffic:
  - {type: stream, stream: s, count: 3, poison: [0]}
max_events: 500
""",
    )
    report = run_scenario_file(path)
    assert not report.settled and not report.ok
    assert report.summary is not None and report.summary.successes == 0
    text = render_text(report)
    assert "RUN CUT SHORT: max_events (500) reached" in text
    assert "stream 's' shardId-000000000000 is blocked by a failing batch" in text
    assert "MaximumRetryAttempts -1 (infinite), R-4.10" in text


def test_scaled_clock_gives_the_same_outcome_as_the_virtual_clock() -> None:
    from labtui.lambdasim import ScaledClock, Simulation

    from .helpers import function

    results = []
    for clock in (None, ScaledClock(scale=10_000.0)):
        sim = Simulation(seed=0, clock=clock)
        sim.add_function(function())
        calls = [sim.invoke_sync("fn", at=i * 0.5) for i in range(4)]
        sim.run()
        results.append([(c.response.status, c.response.env_id) for c in calls if c.response])
    assert results[0] == results[1]


def test_live_simulation_serves_calls_from_other_threads() -> None:
    import threading

    from labtui.lambdasim import AsyncConfig, LiveSimulation, Simulation

    from .helpers import function, model

    sim = Simulation(seed=0)
    sim.add_function(function("ok"))
    sim.add_function(function("bad", behaviour=model(fail="always")))
    sim.put_event_invoke_config("bad", AsyncConfig(on_failure="failures"))
    live = LiveSimulation(sim, scale=100_000.0)  # 3 simulated minutes of retries: ~2 ms
    try:
        responses: list[object] = []
        workers = [
            threading.Thread(target=lambda: responses.append(live.invoke_sync("ok", {})))
            for _ in range(3)
        ]
        for worker in workers:
            worker.start()
        event = live.submit(lambda s: s.invoke_async("bad", {"n": 1}))
        for worker in workers:
            worker.join(timeout=10)
        assert [getattr(r, "status_code", None) for r in responses] == [200, 200, 200]
        for _ in range(1000):
            if live.submit(lambda s: event.state) == "failed":
                break
            threading.Event().wait(0.01)
        assert live.submit(lambda s: (event.state, event.attempts)) == ("failed", 3)
        assert live.submit(lambda s: len(s.queue("failures").messages)) == 1
    finally:
        live.stop()


def test_schema_skeleton_in_the_docs_is_valid(tmp_path: Path) -> None:
    import textwrap

    from labtui.lambdasim import scenario_models

    doc = scenario_models.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\n\n``expect``", 1)[0]
    text = textwrap.dedent(block)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("vpc:"))
    text = "\n".join(lines[:start] + lines[start + 2 :])  # the vpc example elides its network
    path = _write(tmp_path, text)
    loaded = load_scenario(path)
    assert loaded.model.functions[0].behaviour.fail is not None
    assert run_scenario_file(path).summary is not None


def test_package_docstring_example_runs() -> None:
    import textwrap

    import labtui.lambdasim as package

    doc = package.__doc__ or ""
    example = textwrap.dedent(doc.split("::\n\n", 1)[1].split("\n\nAlso:", 1)[0])
    namespace: dict[str, object] = {}
    exec(example, namespace)  # the documented calls are real API
    sim = namespace["sim"]
    sim.send_sqs_messages("payments", ["ok", "poison"])  # type: ignore[attr-defined]
    sim.put_stream_records("orders", [("k", "poison")])  # type: ignore[attr-defined]
    sim.invoke_async("checkout", {"poison": True}, qualifier="live")  # type: ignore[attr-defined]
    assert sim.run(max_events=100_000)  # type: ignore[attr-defined]
    # the model raises (no partial response), so the good message goes down with the poison
    dlq = sim.queue("payments-dlq").messages  # type: ignore[attr-defined]
    assert sorted(m.body for m in dlq) == ["ok", "poison"]
