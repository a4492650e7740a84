"""Runs the course's aws commands against a sandbox; started by test_no_egress.py.

Runs inside a network namespace with only loopback, with the egress guard
(egress_guard/sitecustomize.py) loaded in this process and in every Python child.
Usage: ``python egress_driver.py REPO OUT.json``. Writes what each path did to OUT.json.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(sys.argv[1])
OUT = Path(sys.argv[2])
sys.path.insert(0, str(REPO))

from labtui.account.aws_access import process_environment  # noqa: E402
from labtui.grading.awscli import run_in_process  # noqa: E402
from labtui.grading.sandbox import shared_sandbox  # noqa: E402
from tests.account.doc_commands import DocCommand, commands_in, course_markdown  # noqa: E402

COMMAND_BUDGET_S = 4  # a waiter polling a placeholder resource is cut short


def _placeholder_files(argv: tuple[str, ...], cwd: Path) -> None:
    for argument in argv:
        for scheme in ("fileb://", "file://"):
            if argument.startswith(scheme):
                path = cwd / argument[len(scheme):]
                if path.exists() or not path.parent.is_dir():
                    continue
                if scheme == "fileb://":
                    with zipfile.ZipFile(path, "w") as archive:
                        archive.writestr("app.py", "def lambda_handler(e, c):\n    return e\n")
                else:
                    path.write_text("{}")


class _OverBudget(Exception):
    pass


def _on_alarm(*_: Any) -> None:
    raise _OverBudget


def _run_each_in_process(commands: list[DocCommand], env: dict[str, str], cwd: Path) -> list[Any]:
    """Every command through the setup-script path (grading/awscli.run_in_process)."""
    signal.signal(signal.SIGALRM, _on_alarm)
    results = []
    for command in commands:
        _placeholder_files(command.argv, cwd)
        signal.alarm(COMMAND_BUDGET_S)
        started = time.monotonic()
        try:
            record = run_in_process(list(command.argv), str(cwd), env)
            rc, err = record.rc, record.stderr
        except _OverBudget:
            rc, err = -1, "over budget (a waiter on a placeholder)"
        finally:
            signal.alarm(0)
        results.append({"where": command.where, "argv": list(command.argv), "rc": rc,
                        "stderr": err[-400:], "seconds": round(time.monotonic() - started, 2)})
    return results


def _child(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    try:
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True,
                              timeout=60, check=False)
        return {"rc": done.returncode, "stderr": done.stderr[-400:]}
    except subprocess.TimeoutExpired:
        return {"rc": -1, "stderr": "timed out"}


def main() -> None:
    from labtui.tui.services import RealSandbox

    guard_dir = str(Path(__file__).resolve().parent / "egress_guard")
    python_path = os.pathsep.join([guard_dir, str(REPO)])
    sandbox = shared_sandbox()
    learner = sandbox.learner("egress")
    env = learner.env()
    home = Path(tempfile.mkdtemp(prefix="labtui-egress-home-"))
    work = Path(tempfile.mkdtemp(prefix="labtui-egress-work-"))
    base = {**os.environ, "PYTHONPATH": python_path, "LABTUI_HOME": str(home)}
    base.pop("LABTUI_SANDBOX_ENDPOINT", None)
    report: dict[str, Any] = {}

    # The control: the bug of issue #19. CLI v1 with only AWS_ENDPOINT_URL sends SQS
    # calls to https://queue.amazonaws.com; the guard must see it, or it sees nothing.
    log = Path(os.environ["LABTUI_EGRESS_LOG"])
    report["control"] = _child(
        [sys.executable, "-m", "awscli", "sqs", "list-queues"], process_environment(env, base),
        work)
    report["control_log"] = log.read_text() if log.exists() else ""
    log.write_text("")

    commands = [c for p in course_markdown(REPO) for c in commands_in(p, sandbox.endpoint_url)
                if c.argv and not c.service.startswith(".")]
    report["in_process"] = _run_each_in_process(commands, env, work)

    first_per_service: dict[str, DocCommand] = {}
    for command in commands:
        first_per_service.setdefault(command.service, command)
    # `labtui aws` in a terminal: finds the recorded server (the path issue #19 found).
    (home / "sandbox").mkdir(parents=True)
    # As `sandbox serve` leaves it: the learner's key file (its secret) beside the record.
    (home / "sandbox" / "keys").mkdir(mode=0o700)
    key_file = f"{learner.access_key_id}.json"
    shutil.copy2(sandbox.keys_dir / key_file, home / "sandbox" / "keys" / key_file)
    (home / "sandbox" / "server.json").write_text(json.dumps({
        "pid": os.getpid(), "port": sandbox.port, "learner": "egress",
        "region": sandbox.region}))
    console = RealSandbox()
    os.chdir(work)  # the console runs where labtui runs; the placeholder files are here
    report["labtui_aws"], report["console"] = [], []
    for service, command in sorted(first_per_service.items()):
        argv = list(command.argv)
        shown = {"service": service, "where": command.where, "argv": argv}
        ran = _child([sys.executable, "-m", "labtui", "aws", *argv], base, work)
        report["labtui_aws"].append({**shown, **ran})
        output = console.run_aws(argv, "egress")
        report["console"].append({**shown, "rc": output.exit_code,
                                  "stderr": output.stderr[-400:]})
    # `labtui aws` inside a shell the workbench or a grader built (the marker path)
    report["labtui_aws_marked"] = _child(
        [sys.executable, "-m", "labtui", "aws", "sqs", "list-queues"],
        process_environment(env, base), work)
    # SDK clients: the learner's, the grader's and the live async engine's
    from labtui.account.live_async_targets import TargetWriter
    from labtui.grading.context import sandbox_client

    queue = learner.client("sqs").create_queue(QueueName="egress-sdk")["QueueUrl"]
    sandbox_client("sqs", env).get_queue_attributes(QueueUrl=queue)
    TargetWriter(lambda _account: env).client(learner.account_id, "us-east-1", "sqs").list_queues()
    report["sdk"] = "ok"
    report["egress_log"] = log.read_text() if log.exists() else ""
    OUT.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
