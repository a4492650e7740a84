"""Issue 23: a handler's child started with ``start_new_session=True`` outlived a clean stop
of the sandbox. In a jail, stopping the sandbox ends every process its handlers started."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from labtui import jail
from labtui.account import Sandbox
from tests.account.conftest import TRUST, zipped

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not jail.support().available,
                       reason=f"no jail on this machine: {jail.support().reason}"),
]

DETACH = """
import subprocess, sys
def handler(event, context):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", event["marker"]],
                     start_new_session=True)
    return "detached"
"""


def _pids(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def _running(marker: str) -> bool:
    return bool(_pids(marker))


def _within(seconds: float, condition: object) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_stopping_the_sandbox_ends_a_detached_child(tmp_path: Path) -> None:
    marker = f"labtui-detached-{uuid.uuid4().hex}"
    with Sandbox(work_dir=tmp_path / "sandbox") as sandbox:
        learner = sandbox.learner("detacher")
        learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
        client = learner.client("lambda")
        client.create_function(
            FunctionName="detach", Role=f"arn:aws:iam::{learner.account_id}:role/r",
            Runtime="python3.13", Handler="app.handler", Code={"ZipFile": zipped({"app.py": DETACH})},
        )
        response = client.invoke(FunctionName="detach",
                                 Payload=json.dumps({"marker": marker}).encode())
        assert json.loads(response["Payload"].read()) == "detached"
        assert _within(10, lambda: _running(marker))
    gone = _within(10, lambda: not _running(marker))
    for pid in _pids(marker):  # leave nothing behind, then fail
        os.kill(pid, 9)
    assert gone
