"""The scenario loader never crashes: any input is a scenario or a list of file:line problems."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui.lambdasim.report import run_scenario_file
from labtui.lambdasim.scenario import ScenarioError, load_scenario

KEYS = [
    "title",
    "description",
    "functions",
    "queues",
    "streams",
    "sqs_mappings",
    "stream_mappings",
    "traffic",
    "faults",
    "expect",
    "name",
    "memory_mb",
    "timeout_s",
    "type",
    "function",
    "queue",
    "count",
    "behaviour",
    "fail",
    "when",
    "batch_size",
    "reserved_concurrency",
    "vpc",
    "cost_estimates",
    "run_until_s",
    "max_events",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20_000),
    st.floats(-1, 1e5, allow_nan=False),
    st.sampled_from(["fn", "q", "sync", "async", "sqs", "always", "", "poison", "x86_64"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    ),
    max_leaves=25,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=documents)
def test_random_documents_load_or_report_problems(tmp_path: Path, document: object) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(
        yaml.safe_dump(
            {"title": "t", "description": "d", **document}
            if isinstance(document, dict)
            else document
        )
    )
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert error.problems
        assert all(problem.startswith(f"{path}:") for problem in error.problems)
        return
    report = run_scenario_file(path)  # a valid scenario also runs
    assert isinstance(report.ok, bool)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_random_text_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "text.yaml"
    path.write_text(text)
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert error.problems
