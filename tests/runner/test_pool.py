"""Warm reuse per function version and configuration (R-6.2), and event round trips."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui.runner import EnvironmentPool, EnvironmentsExhausted, FunctionConfig

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def test_configuration_change_starts_a_new_environment(
    pool: EnvironmentPool, code_dir: Path
) -> None:
    config = FunctionConfig(function_name="f", handler="app.lambda_handler")
    first = pool.invoke(config, code_dir, {})
    warm = pool.invoke(config, code_dir, {})
    bigger = pool.invoke(dataclasses.replace(config, memory_mb=512), code_dir, {})
    assert first.cold_start and not warm.cold_start
    assert bigger.cold_start and bigger.json()["memory_mb"] == "512"
    assert pool.started == 2


def test_idle_environments_are_reclaimed(code_dir: Path) -> None:
    pool = EnvironmentPool({}, idle_reclaim_s=0.0)
    try:
        config = FunctionConfig(function_name="f", handler="app.echo")
        pool.invoke(config, code_dir, {})
        again = pool.invoke(config, code_dir, {})
        assert again.cold_start and pool.started == 2
    finally:
        pool.shutdown()
    assert pool.idle_count() == 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=json_values)
def test_any_json_event_round_trips(pool: EnvironmentPool, code_dir: Path, event: object) -> None:
    config = FunctionConfig(function_name="echo", handler="app.echo")
    result = pool.invoke(config, code_dir, event)
    assert result.ok
    assert result.json() == event


def test_idle_environments_make_room_under_the_cap(code_dir: Path) -> None:
    pool = EnvironmentPool({}, max_environments=1)
    try:
        first = FunctionConfig(function_name="a", handler="app.echo")
        second = FunctionConfig(function_name="b", handler="app.echo")
        pool.invoke(first, code_dir, {})
        assert pool.invoke(second, code_dir, {}).ok
        assert pool.idle_count() == 1  # the idle environment of "a" was reclaimed
        assert pool.invoke(first, code_dir, {}).cold_start
    finally:
        pool.shutdown()


def test_all_environments_busy_is_reported(code_dir: Path) -> None:
    import threading

    pool = EnvironmentPool({}, max_environments=1, wait_for_room_s=0.2)
    slow = FunctionConfig(function_name="slow", handler="app.slow", timeout_s=5)
    holder = threading.Thread(target=pool.invoke, args=(slow, code_dir, {"seconds": 2}))
    holder.start()
    try:
        for _ in range(200):
            if pool.busy_count():
                break
            threading.Event().wait(0.01)
        with pytest.raises(EnvironmentsExhausted):
            pool.invoke(FunctionConfig(function_name="other", handler="app.echo"), code_dir, {})
    finally:
        holder.join()
        pool.shutdown()
