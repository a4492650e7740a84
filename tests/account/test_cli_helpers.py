"""`labtui sandbox serve` / `labtui aws` helpers."""

from __future__ import annotations

import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtui.account import serve
from labtui.account.awscli_bridge import v1_arguments
from labtui.account.identity import learner_identity
from labtui.cli import main


def test_v2_binary_format_flag_is_dropped_both_spellings() -> None:
    arguments = [
        "lambda",
        "invoke",
        "--function-name",
        "f",
        "--cli-binary-format",
        "raw-in-base64-out",
        "--payload",
        "{}",
        "out.json",
    ]
    assert v1_arguments(arguments) == [
        "lambda",
        "invoke",
        "--function-name",
        "f",
        "--payload",
        "{}",
        "out.json",
    ]
    assert v1_arguments(["--cli-binary-format=raw-in-base64-out", "s3", "ls"]) == ["s3", "ls"]


@given(st.lists(st.text(alphabet="abc-=", min_size=1, max_size=6), max_size=8))
def test_other_arguments_pass_through_untouched(arguments: list[str]) -> None:
    kept = [a for a in arguments if not a.startswith("--cli-binary-format")]
    if len(kept) == len(arguments):
        assert v1_arguments(arguments) == arguments


def test_export_lines_work_with_eval(tmp_path: Path) -> None:
    lines = serve.export_lines(
        {"AWS_ENDPOINT_URL": "http://127.0.0.1:1234", "AWS_SECRET_ACCESS_KEY": "a b'c"}
    )
    script = (
        "AWS_PROFILE=x\neval $(cat lines.txt)\n"
        'echo "$AWS_ENDPOINT_URL|$AWS_SECRET_ACCESS_KEY|${AWS_PROFILE-unset}"'
    )
    (tmp_path / "lines.txt").write_text(lines)
    output = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "http://127.0.0.1:1234|a b'c|unset"


def test_labtui_aws_starts_a_sandbox_when_none_runs(capfd: pytest.CaptureFixture[str]) -> None:
    import os

    saved = dict(os.environ)  # the CLI runs in this process and sets AWS_* for itself
    try:
        assert main(["aws", "sts", "get-caller-identity", "--output", "text"]) == 0
        output = capfd.readouterr()
        assert "started a sandbox in the background" in output.err
        assert learner_identity("local").account_id in output.out
    finally:
        os.environ.clear()
        os.environ.update(saved)
        assert main(["sandbox", "stop"]) == 0
    assert serve.running_server() is None


def test_sandbox_stop_without_a_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "stop"]) == 1
    assert "no sandbox is running" in capsys.readouterr().out


def _wait_for_server(stop: threading.Event) -> serve.ServerRecord | None:
    for _ in range(300):
        record = serve.running_server()
        if record is not None:
            return record
        stop.wait(0.05)
    return None


def test_serve_foreground_records_itself_and_cleans_up() -> None:
    stop = threading.Event()
    lines: list[str] = []
    server = threading.Thread(
        target=serve.serve_foreground, kwargs={"announce": lines.append, "stop_event": stop}
    )
    server.start()
    try:
        record = _wait_for_server(stop)
        assert record is not None and record.endpoint_url.startswith("http://127.0.0.1:")
        exports = "\n".join(lines)
        assert f"export AWS_ENDPOINT_URL={record.endpoint_url};" in exports
        assert "export AWS_CONFIG_FILE=" in exports and "unset AWS_PROFILE" in exports
    finally:
        stop.set()
        server.join(timeout=30)
    assert serve.running_server() is None


def test_unknown_exercise_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    (content / "lessons" / "course.yaml").write_text("{}")
    monkeypatch.setenv("LABTUI_CONTENT", str(content))
    with pytest.raises(Exception, match="no exercise 'nope'"):
        serve._load_setup("nope")


def _stuck(process: subprocess.Popen[str]) -> str:
    """Why a process that should have ended has not: its signal state (SigIgn/SigBlk:
    an ignored or blocked SIGINT is inherited across exec), every thread's Python stack
    (py-spy, when installed) and the end of its stderr. Kills it."""
    import shutil
    import sys

    report = []
    try:
        status = Path(f"/proc/{process.pid}/status").read_text().splitlines()
        report += [line for line in status if line.startswith(("State", "Sig", "Shd"))]
    except OSError:
        pass
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is not None:
        try:
            dump = subprocess.run([spy, "dump", "--pid", str(process.pid)],
                                  capture_output=True, text=True, timeout=60)
            report.append(dump.stdout + dump.stderr)
        except (OSError, subprocess.TimeoutExpired) as error:
            report.append(f"py-spy: {error}")
    else:
        report.append("(install py-spy for the threads' stacks)")
    process.kill()
    _, err = process.communicate(timeout=30)
    report.append("stderr: " + err[-3000:])
    return "\n".join(report)


def _exit_code(process: subprocess.Popen[str], bound_s: float, after: str) -> int:
    """The process's exit code once it ends; the test fails with where it is stuck if it
    has not ended ``bound_s`` after ``after`` (a bound, not a speed check)."""
    try:
        return process.wait(timeout=bound_s)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no exit {bound_s:g} s after {after}; where it is stuck:\n{_stuck(process)}")


@pytest.mark.parametrize("sigint", ["as-inherited", "ignored-by-the-parent"])
def test_ctrl_c_stops_the_foreground_sandbox_cleanly(sigint: str, labtui_home: Path) -> None:
    import os
    import signal
    import sys

    command = [sys.executable, "-m", "labtui", "sandbox", "serve"]
    if sigint == "ignored-by-the-parent":
        # As a shell without job control starts a background job (`bash -c 'cmd &'`, a
        # script): SIGINT ignored, which exec keeps. Ctrl-C did nothing to such a sandbox.
        command = ["bash", "-c", 'trap "" INT; exec "$@"', "bash", *command]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("unset AWS_PROFILE"):
                break
        assert any(line.startswith("export AWS_ENDPOINT_URL=http://127.0.0.1:") for line in lines)
        assert _wait_for_server(threading.Event()) is not None
        process.send_signal(signal.SIGINT)
        assert _exit_code(process, 30, "SIGINT") == 0
        assert "# sandbox stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert serve.running_server() is None
    assert not (labtui_home / "sandbox" / "server.json").exists()
    assert not list((labtui_home / "sandbox").glob("run-*"))  # the work directory went too


# serve_foreground in the main thread with a stop Event whose wait is hit by SIGTERM while
# it holds the Event's lock, as Event.wait holds it around each of its waits.
_SIGTERM_IN_WAIT = """
import os, signal, threading
from labtui.account import serve

class Event(threading.Event):
    def wait(self, timeout=None):
        with self._cond:
            os.kill(os.getpid(), signal.SIGTERM)
        return super().wait(timeout)

serve.serve_foreground(stop_event=Event(), announce=lambda line: print(line, flush=True))
"""


def test_sigterm_while_the_main_thread_holds_the_stop_events_lock(labtui_home: Path) -> None:
    import os
    import sys

    # The SIGTERM handler used to call stop.set(), which waited for that very lock: the
    # sandbox never stopped (`labtui sandbox stop` sends SIGTERM).
    process = subprocess.Popen(
        [sys.executable, "-c", _SIGTERM_IN_WAIT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    code = _exit_code(process, 60, "SIGTERM")
    assert process.stdout is not None
    assert code == 0 and "# sandbox stopped" in process.stdout.read()
    assert not (labtui_home / "sandbox" / "server.json").exists()
    assert not list((labtui_home / "sandbox").glob("run-*"))


def test_serve_seeds_the_exercise_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    (content / "lessons" / "course.yaml").write_text("{}")
    pack = content / "sandbox" / "demo"
    pack.mkdir(parents=True)
    (pack / "exercise.yaml").write_text(
        "id: demo\nsetup:\n  queues:\n    - {name: jobs, visibility_timeout: 45}\n"
    )
    monkeypatch.setenv("LABTUI_CONTENT", str(content))
    stop = threading.Event()
    server = threading.Thread(
        target=serve.serve_foreground,
        kwargs={"exercise": "demo", "announce": lambda line: None, "stop_event": stop},
    )
    server.start()
    try:
        record = _wait_for_server(stop)
        assert record is not None
        import boto3

        environment = serve.cli_environment(record)
        sqs = boto3.client(
            "sqs",
            endpoint_url=environment["AWS_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
        )
        url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        assert attributes["Attributes"]["VisibilityTimeout"] == "45"
    finally:
        stop.set()
        server.join(timeout=30)


def test_the_first_function_pack_loads() -> None:
    setup, pack_dir = serve._load_setup("first-function")
    assert pack_dir.name == "first-function"
    assert setup.functions == [] and setup.roles == []  # it starts from an empty account


def test_snapshot_restore_and_reset_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    (content / "lessons" / "course.yaml").write_text("{}")
    (content / "sandbox" / "demo").mkdir(parents=True)
    (content / "sandbox" / "demo" / "exercise.yaml").write_text(
        "id: demo\nsetup:\n  queues:\n    - {name: seeded}\n"
    )
    monkeypatch.setenv("LABTUI_CONTENT", str(content))
    stop = threading.Event()
    server = threading.Thread(
        target=serve.serve_foreground,
        kwargs={"exercise": "demo", "announce": lambda line: None, "stop_event": stop},
    )
    server.start()
    try:
        record = _wait_for_server(stop)
        assert record is not None
        environment = serve.cli_environment(record)
        sqs = boto3.client(
            "sqs",
            endpoint_url=environment["AWS_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
        )

        def queues() -> list[str]:
            return sorted(u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", []))

        sqs.create_queue(QueueName="step-1")
        assert main(["sandbox", "snapshot", "after-step-1"]) == 0
        sqs.create_queue(QueueName="step-2")
        assert main(["sandbox", "restore", "after-step-1"]) == 0
        assert queues() == ["seeded", "step-1"]
        assert main(["sandbox", "reset"]) == 0
        assert queues() == ["seeded"]
        assert main(["sandbox", "restore", "nope"]) == 2
        output = capsys.readouterr()
        assert "restored snapshot after-step-1" in output.out
        assert "no snapshot named 'nope'" in output.err
        # A key this server never issued is refused before it reaches any account.
        stranger = urllib.request.Request(
            record.endpoint_url + "/labtui-api/reset",
            data=b"{}",
            method="POST",
            headers={
                "Authorization": "AWS4-HMAC-SHA256 Credential=AKIALABSTRANGER00000/"
                "20250101/us-east-1/labtui/aws4_request, Signature=x"
            },
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(stranger, timeout=30)
        assert refused.value.code == 403
        assert queues() == ["seeded"]
    finally:
        stop.set()
        server.join(timeout=30)
