"""The in-process aws CLI bridge that setup.sh scripts talk to (labtui.grading.awscli)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from labtui.grading.apply import SolutionError, _child_env, apply_solution
from labtui.grading.awscli import AwsCliBridge, normalise_argv


def test_v2_binary_format_flag_is_dropped() -> None:
    argv = ["lambda", "invoke", "--cli-binary-format", "raw-in-base64-out", "--payload", "{}",
            "--cli-binary-format=raw-in-base64-out", "out.json"]
    assert normalise_argv(argv) == ["lambda", "invoke", "--payload", "{}", "out.json"]


@pytest.mark.sandbox
def test_bash_function_and_shim_pass_arguments_output_and_exit_codes(
    sandbox: Any, tmp_path: Path
) -> None:
    env = sandbox.learner("bridge-test").env()
    script = tmp_path / "s.sh"
    script.write_text(
        "aws sqs create-queue --queue-name 'odd name-check' >/dev/null 2>&1 || echo rejected\n"
        "aws sqs create-queue --queue-name bridge-q --attributes '{\"VisibilityTimeout\": \"45\"}' "
        "--query QueueUrl --output text > url.txt\n"
        "URL=$(cat url.txt)\n"
        "aws sqs get-queue-attributes --queue-url \"$URL\" --attribute-names VisibilityTimeout "
        "--query Attributes.VisibilityTimeout --output text\n"
        "env aws sqs list-queues --query 'length(QueueUrls)' --output text\n"  # the Python shim
        "aws lambda get-function --function-name nope || echo \"rc=$?\"\n"
    )
    with AwsCliBridge(env) as bridge:
        done = subprocess.run(["bash", str(script)], cwd=tmp_path, capture_output=True, text=True,
                              env=_child_env(env, tmp_path, str(bridge.bin_dir)) | bridge.child_env(),
                              check=False)
    lines = done.stdout.split()
    assert "rejected" in lines and "45" in lines and "rc=255" in lines, done
    assert (tmp_path / "url.txt").read_text().strip().endswith("/bridge-q")  # cwd honoured
    assert "ResourceNotFoundException" in done.stderr
    assert [r.argv[:2] for r in bridge.failed()] == [("sqs", "create-queue"), ("lambda", "get-function")]


def test_bridge_refuses_a_caller_without_the_token() -> None:
    import socket

    with AwsCliBridge({}) as bridge:
        with socket.create_connection(("127.0.0.1", bridge.port)) as connection:
            connection.sendall(b"wrong-token\x001\x00/\x00sts\x00")
            assert connection.recv(100) == b""  # closed without running anything
        assert bridge.records == []


@pytest.mark.sandbox
def test_setup_sh_stops_at_the_first_failing_command(sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "setup.sh").write_text(
        "aws sqs create-queue --queue-name first >/dev/null\n"
        "aws lambda put-function-concurrency --function-name ghost --reserved-concurrent-executions 5\n"
        "aws sqs create-queue --queue-name never >/dev/null\n"
    )
    account = sandbox.learner("stop-test")
    account.wipe()
    with pytest.raises(SolutionError) as error:
        apply_solution(tmp_path, account.env())
    assert "aws lambda put-function-concurrency --function-name ghost" in error.value.message
    urls = account.client("sqs").list_queues().get("QueueUrls", [])
    assert [u.rsplit("/", 1)[-1] for u in urls] == ["first"]


@pytest.mark.sandbox
def test_a_kept_driver_does_not_collect_a_handler_per_command(
    sandbox: Any, tmp_path: Path
) -> None:
    """AWS CLI v1 added a file:// argument handler on every command; the driver a session
    keeps for its setup scripts ran each argument of its 300th command through 300 of them.
    file:// still reads the file on every command."""
    from labtui.grading.awscli import _driver, run_in_process

    env = sandbox.learner("handlers-test").env()
    (tmp_path / "attributes.json").write_text('{"VisibilityTimeout": "45"}')

    def handlers() -> int:
        emitter = _driver().session.get_component("event_emitter")
        return len(list(emitter._emitter._handlers.prefix_search("load-cli-arg.sqs.x")))

    counts = []
    for number in range(4):
        record = run_in_process(["sqs", "create-queue", "--queue-name", f"handlers-{number}",
                                 "--attributes", "file://attributes.json"], str(tmp_path), env)
        assert record.rc == 0, record.stderr
        counts.append(handlers())
    assert counts == counts[:1] * 4, counts
    url = run_in_process(["sqs", "get-queue-url", "--queue-name", "handlers-3"], str(tmp_path),
                         env).stdout
    attributes = run_in_process(["sqs", "get-queue-attributes", "--queue-url",
                                 url.split('"')[3], "--attribute-names", "VisibilityTimeout"],
                                str(tmp_path), env)
    assert '"45"' in attributes.stdout, attributes
