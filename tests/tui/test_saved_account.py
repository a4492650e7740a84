"""The workbench's live account survives kill -9 of the process that runs the sandbox, and
only `labtui exercise reset` starts it over (issue #21). Real processes: moto's state is
per process, so a restart is a new process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

LAB = """
import io, json, sys, time, zipfile
from pathlib import Path
from labtui.grading.pack import load_pack
from labtui.tui.services import RealSandbox, exercise_account
step = sys.argv[1]
pack = load_pack("sqs-partial-batch")
account_id = exercise_account("me", "sqs-partial-batch")
box = RealSandbox()
box.start(account_id)
state = box.open_account(account_id, pack.manifest.setup, pack.path)
account = box._server().learner(account_id)
sqs, lam = account.client("sqs"), account.client("lambda")
queues = sorted(u.rsplit("/", 1)[1] for u in sqs.list_queues().get("QueueUrls", []))
timeout = lam.get_function_configuration(FunctionName="payments-worker")["Timeout"]
print(json.dumps({"state": state, "queues": queues, "timeout": timeout}), flush=True)
if step == "work":
    sqs.create_queue(QueueName="my-own-queue")
    lam.update_function_configuration(FunctionName="payments-worker", Timeout=25)
    # the gateway noted both changes before answering; wait until they are on disk
    # (bounded by the test's readline)
    while not box._keeper.settled():
        time.sleep(0.05)
    print(json.dumps({"saved": True}), flush=True)
    time.sleep(600)  # killed here with SIGKILL: no clean stop, no save on exit
box.stop()
"""


def _lab(step: str, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", LAB, step], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "LABTUI_HOME": str(home)})


def _line(process: subprocess.Popen[str]) -> dict[str, object]:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=30)
        assert process.stderr is not None
        raise AssertionError(process.stderr.read()[-3000:])
    return dict(json.loads(line))


def _look(home: Path) -> dict[str, object]:
    process = _lab("look", home)
    try:
        return _line(process)
    finally:
        process.wait(timeout=120)


def test_the_account_survives_kill_9_and_only_reset_starts_it_over(tmp_path: Path) -> None:
    worker = _lab("work", tmp_path)
    try:
        first = _line(worker)
        assert first == {"state": "seeded", "queues": ["payments", "payments-dlq"], "timeout": 30}
        assert _line(worker) == {"saved": True}
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    again = _look(tmp_path)
    assert again == {"state": "restored", "timeout": 25,
                     "queues": ["my-own-queue", "payments", "payments-dlq"]}

    reset = subprocess.run([sys.executable, "-m", "labtui", "exercise", "reset",
                            "sqs-partial-batch", "--yes"], env={**os.environ, "LABTUI_HOME": str(tmp_path)},
                           capture_output=True, text=True, timeout=120, check=False)
    assert reset.returncode == 0, reset.stderr
    assert _look(tmp_path) == {"state": "seeded", "queues": ["payments", "payments-dlq"],
                               "timeout": 30}
