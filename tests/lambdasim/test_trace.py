"""The trace: streamed and in-memory traces agree; the timeline line format."""

from __future__ import annotations

import io
import json

from labtui.lambdasim import Simulation, TraceEvent, format_event, timeline

from .helpers import function, model


def _run(trace: object) -> Simulation:
    sim = Simulation(seed=4, trace=trace)  # type: ignore[arg-type]
    sim.add_function(function(behaviour=model(fail="always")))
    sim.invoke_async("fn", {"quote": 'he said "no"\n'})
    sim.invoke_sync("fn", at=100)
    sim.run()
    return sim


def test_streamed_trace_equals_memory_trace() -> None:
    stream = io.StringIO()
    _run(stream)
    streamed = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert streamed == [event.as_dict() for event in _run("memory").trace]
    assert len(streamed) > 5


def test_trace_off_records_nothing_but_counts() -> None:
    sim = _run("off")
    assert sim.trace == []
    assert sim.summary().invocations == 4


def test_timeline_sorts_by_time_and_formats_one_line_per_event() -> None:
    events = timeline(_run("memory").trace)
    assert [e.time for e in events] == sorted(e.time for e in events)
    retry = next(e for e in events if e.kind == "invoke" and e.attempt == 2)
    line = format_event(retry)
    assert line.startswith("t=+60.")
    assert "invoke fn:$LATEST env-1 req-" in line and "attempt 2 error" in line


def test_format_event_minimal() -> None:
    assert format_event(TraceEvent(1.5, "dropped")) == "t=+1.500s dropped"
