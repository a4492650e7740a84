"""No background sandbox outlives the shell it serves (issue #19).

``labtui aws`` with no sandbox running starts ``labtui sandbox serve`` in the background,
owned by the terminal's session leader (its shell). When that shell dies, even by
SIGKILL with no chance to clean up, the sandbox stops and removes its record. Inside a
shell that already names a sandbox (a grader's setup.sh, the workbench shell),
``labtui aws`` uses that one and starts nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _gone(pid: int) -> bool:
    """Ended (a zombie nobody reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state in ("Z", "X")


def _wait_until(condition: Any, limit_s: float = 90) -> bool:
    deadline = time.monotonic() + limit_s  # a bound on the wait, not a speed assertion
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "LABTUI_SANDBOX_ENDPOINT"}
    return {**env, "LABTUI_HOME": str(home),
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)}


@pytest.mark.slow
@pytest.mark.sandbox
def test_sigkilling_the_owning_shell_stops_the_background_sandbox(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = (f'"{sys.executable}" -m labtui aws sts get-caller-identity --output text '
              '> out.txt 2> err.txt; echo done > ready; exec sleep 600')
    shell = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=_clean_env(home),
                             start_new_session=True)  # the shell leads its session
    record_path = home / "sandbox" / "server.json"
    try:
        assert _wait_until(lambda: (tmp_path / "ready").exists()), "labtui aws never finished"
        assert "started a sandbox in the background" in (tmp_path / "err.txt").read_text()
        server_pid = json.loads(record_path.read_text())["pid"]
        assert server_pid != shell.pid and not _gone(server_pid)
        time.sleep(1.5)  # the server outlives the `labtui aws` that started it
        assert not _gone(server_pid)
    finally:
        shell.send_signal(signal.SIGKILL)
        shell.wait(timeout=30)
    stopped = _wait_until(lambda: _gone(server_pid))
    if not stopped:
        os.kill(server_pid, signal.SIGKILL)  # a failing run must not leave it behind either
    assert stopped, "the sandbox outlived its shell"
    assert not record_path.exists()


@pytest.mark.sandbox
def test_labtui_aws_in_a_setup_script_uses_the_graded_account(tmp_path: Path) -> None:
    from labtui.grading.apply import apply_solution
    from labtui.grading.sandbox import shared_sandbox

    learner = shared_sandbox().learner("owner-test")
    (tmp_path / "setup.sh").write_text(
        "labtui aws sqs create-queue --queue-name made-by-labtui-aws "
        "--cli-binary-format raw-in-base64-out > /dev/null\n")
    apply_solution(tmp_path, learner.env())
    urls = learner.client("sqs").list_queues().get("QueueUrls", [])
    assert any(url.endswith("/made-by-labtui-aws") for url in urls), urls
    from labtui.paths import labtui_home

    assert not (labtui_home() / "sandbox" / "server.json").exists()  # nothing started


@pytest.mark.sandbox
def test_labtui_aws_uses_the_sandbox_its_shell_names(tmp_path: Path) -> None:
    from labtui.account.aws_access import process_environment
    from labtui.grading.sandbox import shared_sandbox

    learner = shared_sandbox().learner("owner-marked")
    learner.client("sqs").create_queue(QueueName="named-by-the-shell")
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-m", "labtui", "aws", "sqs", "list-queues", "--output", "text"],
        env=process_environment(learner.env(), _clean_env(home)), capture_output=True,
        text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "named-by-the-shell" in done.stdout
    assert "started a sandbox" not in done.stderr
    assert not (home / "sandbox" / "server.json").exists()
