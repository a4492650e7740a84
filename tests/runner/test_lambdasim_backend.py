"""The runner as lambdasim's HandlerBackend: the engine drives real learner code."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtui.lambdasim import AsyncConfig, FunctionSpec, HandlerBackend, Simulation
from labtui.runner import FunctionConfig
from labtui.runner.lambdasim_backend import RunnerHandlerBackend


@pytest.fixture
def backend(code_dir: Path) -> RunnerHandlerBackend:
    return RunnerHandlerBackend(FunctionConfig(function_name="f", handler="app.boom"), code_dir)


def test_it_is_a_handler_backend(backend: RunnerHandlerBackend) -> None:
    assert isinstance(backend, HandlerBackend)


def test_sync_invoke_runs_the_real_handler(code_dir: Path) -> None:
    backend = RunnerHandlerBackend(
        FunctionConfig(function_name="greeter", handler="app.lambda_handler"), code_dir
    )
    sim = Simulation(seed=1)
    sim.add_function(FunctionSpec("greeter", memory_mb=256, timeout_s=3, behaviour=backend))
    try:
        call = sim.invoke_sync("greeter", {"name": "Vinod"}, at=0)
        sim.run()
    finally:
        backend.shutdown()
    assert call.response is not None
    assert call.response.status_code == 200
    assert call.response.payload["message"] == "hello, Vinod"
    assert call.response.payload["memory_mb"] == "256"


def test_async_retries_run_the_failing_handler_three_times(backend: RunnerHandlerBackend) -> None:
    # R-3.2: one attempt plus two retries, each a real run of the learner's code.
    sim = Simulation(seed=1)
    sim.add_function(FunctionSpec("f", behaviour=backend))
    sim.put_event_invoke_config("f", AsyncConfig(max_retries=2))
    try:
        event = sim.invoke_async("f", {"name": "x"}, at=0)
        sim.run()
    finally:
        backend.shutdown()
    assert event.attempts == 3
    assert event.state == "dropped"  # R-3.10: no DLQ or destination configured
    assert event.condition == "RetriesExhausted"
