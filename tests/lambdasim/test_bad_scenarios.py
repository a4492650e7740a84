"""Every bad scenario is refused at load time: one ``file:line: message`` line, exit 2.

Each case is one mistake a learner (or an attacker) can write; before the loader
resolved everything, these hung, ran out of memory, crashed with a traceback or
were accepted silently (issue 18).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labtui.cli import main

HEAD = "title: t\ndescription: d\n"

CASES: list[tuple[str, str, int, str]] = [
    (
        "self-redrive",
        "functions: [{name: f}]\nqueues:\n  - name: q\n"
        "    redrive: {dead_letter_queue: q, max_receive_count: 2}\n",
        6,
        "queue 'q' cannot be its own dead-letter queue",
    ),
    (
        "redrive-cycle",
        "queues:\n  - {name: a, redrive: {dead_letter_queue: b, max_receive_count: 2}}\n"
        "  - {name: b, redrive: {dead_letter_queue: a, max_receive_count: 2}}\n",
        4,
        "redrive cycle a -> b -> a",
    ),
    (
        "undeclared-dlq",
        "queues:\n  - name: q\n    redrive: {dead_letter_queue: nowhere, max_receive_count: 2}\n",
        5,
        "unknown dead-letter queue 'nowhere' (declare it under queues:)",
    ),
    (
        "traffic-alias",
        "functions: [{name: f}]\ntraffic:\n  - {type: sync, function: f, qualifier: live}\n",
        5,
        "ResourceNotFoundException: Function not found: "
        "arn:aws:lambda:us-east-1:123456789012:function:f:live",
    ),
    (
        "traffic-version",
        "functions: [{name: f, publish_versions: 1}]\n"
        "traffic:\n  - {type: rate, function: f, qualifier: '2', per_second: 1, duration_s: 1}\n",
        5,
        "function:f:2 (it has $LATEST, 1)",
    ),
    (
        "sqs-mapping-qualifier",
        "functions: [{name: f}]\nqueues: [{name: q}]\n"
        "sqs_mappings:\n  - {function: f, queue: q, qualifier: live}\n",
        6,
        "Function not found",
    ),
    (
        "stream-mapping-qualifier",
        "functions: [{name: f}]\nstreams: [{name: s}]\n"
        "stream_mappings:\n  - {function: f, stream: s, qualifier: '3'}\n",
        6,
        "Function not found",
    ),
    (
        "destination-function",
        "functions:\n  - name: f\n    async_config:\n"
        "      on_failure: arn:aws:lambda:us-east-1:123456789012:function:ghost\n",
        6,
        "the on_failure destination names function 'ghost'",
    ),
    (
        "huge-count",
        "functions: [{name: f}]\ntraffic:\n  - {type: sync, function: f, count: 1000000000000}\n",
        5,
        "at most 10,000,000 calls",
    ),
    (
        "huge-stream",
        "streams: [{name: s}]\ntraffic:\n  - {type: stream, stream: s, count: 100000000}\n",
        5,
        "at most 1,000,000 messages and records",
    ),
    (
        "huge-rate",
        "functions: [{name: f}]\n"
        "traffic:\n  - {type: rate, function: f, per_second: 100000, duration_s: 1000}\n",
        4,
        "the traffic makes 100,000,000 calls; a scenario may make at most 10,000,000",
    ),
    (
        "negative-at",
        "functions: [{name: f}]\ntraffic: [{type: sync, function: f, at_s: -1}]\n",
        4,
        "traffic[0].at_s: Input should be greater than or equal to 0",
    ),
    (
        "negative-interval",
        "functions: [{name: f}]\ntraffic: [{type: sync, function: f, interval_s: -1}]\n",
        4,
        "traffic[0].interval_s: Input should be greater than or equal to 0",
    ),
    (
        "negative-duration",
        "functions:\n  - {name: f, behaviour: {duration_ms: -5}}\n",
        4,
        "functions[0].behaviour.duration_ms: Input should be greater than or equal to 0",
    ),
    (
        "negative-init",
        "functions:\n  - {name: f, behaviour: {init_duration_ms: -5}}\n",
        4,
        "functions[0].behaviour.init_duration_ms: Input should be greater than or equal to 0",
    ),
    (
        "negative-visibility",
        "queues:\n  - {name: q, visibility_timeout_s: -1}\n",
        4,
        "queues[0].visibility_timeout_s: Input should be greater than or equal to 0",
    ),
    (
        "negative-run-until",
        "run_until_s: -5\n",
        3,
        "run_until_s: Input should be greater than or equal to 0",
    ),
    (
        "negative-account",
        "account: {concurrency: -1}\n",
        3,
        "account.concurrency: Input should be greater than or equal to 1",
    ),
    (
        "nan",
        "functions:\n  - {name: f, behaviour: {duration_ms: .nan}}\n",
        4,
        "functions[0].behaviour.duration_ms: Input should be a finite number",
    ),
    (
        "cost-memory-0",
        "cost_estimates:\n  - {label: x, invocations: 1, billed_duration_ms: 1, memory_mb: 0}\n",
        4,
        "cost_estimates[0].memory_mb: Input should be greater than or equal to 128",
    ),
    (
        "cost-memory-20000",
        "cost_estimates:\n  - {label: x, invocations: 1, billed_duration_ms: 1, memory_mb: 20000}\n",
        4,
        "cost_estimates[0].memory_mb: Input should be less than or equal to 10240",
    ),
    (
        "fault-window",
        "functions: [{name: f}]\n"
        "faults:\n  - function: f\n    kind: error\n    start_s: 10\n    end_s: 5\n",
        8,
        "the fault window ends (end_s 5) before it starts (start_s 10)",
    ),
    (
        "poison-negative",
        "queues: [{name: q}]\n"
        "traffic:\n  - type: sqs\n    queue: q\n    count: 10\n    poison:\n      - 3\n      - -1\n",
        10,
        "poison index -1 is not one of the 10 generated messages (indexes 0-9)",
    ),
    (
        "poison-past-end",
        "streams: [{name: s}]\ntraffic:\n  - {type: stream, stream: s, count: 10, poison: [99]}\n",
        5,
        "poison index 99 is not one of the 10 generated records",
    ),
    (
        "union-one-line",
        "functions:\n  - name: f\n    behaviour:\n      duration_ms: abc\n",
        6,
        "functions[0].behaviour.duration_ms: Input should be a number or a mapping",
    ),
    (
        "range-at-key",
        "functions:\n  - name: f\n    architecture: arm64\n    timeout_s: 901\n",
        6,
        "ValidationException: 1 validation error detected: Value '901' at 'timeout'",
    ),
    (
        "reserved-at-key",
        "functions:\n  - name: f\n\n    reserved_concurrency: 950\n",
        6,
        "decreases account's UnreservedConcurrentExecution below its minimum",
    ),
    (
        "unclosed-bracket",
        "functions: [{name: f}\n",
        3,
        "YAML syntax error: a flow sequence opened here is never closed",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_scenario_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + text)
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{path}:{line}: "), err
    assert message in err[0]


def test_two_bad_fields_are_two_lines_each_at_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + "functions:\n  - name: f\n    memory_mb: 64\n    timeout_s: 901\n")
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [e.split(": ", 1)[0] for e in err] == [f"{path}:5", f"{path}:6"]
    assert "'memorySize'" in err[0] and "'timeout'" in err[1]


def test_invalid_utf8_is_the_files_fault_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(HEAD.encode() + b"functions:\n  - name: caf\xe9\n")
    assert main(["simulate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{path}:4: not valid UTF-8 (byte 0xe9); save the file as UTF-8\n"
    )


@pytest.mark.parametrize("levels", [3, 8, 20])
def test_alias_bomb_is_refused_before_anything_walks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], levels: int
) -> None:
    # Each level holds nine aliases of the one before: 9**levels values once expanded.
    text = HEAD + 'functions: &l0 [{name: "x"}, {name: "y"}, {name: "z"}]\n'
    for level in range(1, levels + 1):
        text += f"x{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    if levels == 3:  # 3 * 9**3 values: small enough to load; the stray keys are the errors
        assert len(err) == levels
        assert all("Extra inputs are not permitted" in line for line in err)
    else:
        # x5 (line 8) is the first level past the bound: 3 * 9**5 = 177,147 values
        assert err == [
            f"{path}:8: YAML aliases expand this document past 100,000 values "
            "(nested anchors and aliases, an 'alias bomb'?)"
        ]


def test_a_recursive_alias_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(HEAD + "functions: &a [*a]\n")
    assert main(["simulate", str(path)]) == 2
    assert "YAML alias refers to itself" in capsys.readouterr().err
