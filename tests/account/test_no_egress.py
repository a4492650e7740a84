"""Nothing labtui starts can reach real AWS (issue #19, design.md §4).

Every ``aws`` / ``labtui aws`` command written in a lesson or exercise README runs
against a sandbox, through the setup-script path, and the first command of every
service also through ``labtui aws`` and the workbench console, all inside a network
namespace that has only loopback (bubblewrap ``--unshare-net``), with a guard in every
Python process that refuses and records any lookup or connection beyond loopback.
The test fails if anything tried to leave. A control run of the bug (AWS CLI v1 given
only ``AWS_ENDPOINT_URL``, which it ignores for SQS) shows the guard does catch a leak.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _loopback_only_prefix() -> list[str]:
    """A command prefix that runs a process in a network namespace with only loopback."""
    bwrap = shutil.which("bwrap")
    if bwrap:
        probe = [bwrap, "--unshare-net", "--dev-bind", "/", "/", "--die-with-parent", "--"]
        if subprocess.run([*probe, "true"], capture_output=True, check=False).returncode == 0:
            return probe
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True,
                                  check=False).returncode == 0:
        return [unshare, "-rn"]
    pytest.skip("no way to make a network namespace here (bwrap or unshare -rn)")


def _connect_failures(stderr: str) -> bool:
    return "Could not connect to the endpoint URL" in stderr and "127.0.0.1" not in stderr


@pytest.mark.slow
@pytest.mark.sandbox
def test_every_documented_aws_command_stays_on_loopback(tmp_path: Path) -> None:
    log = tmp_path / "egress.log"
    out = tmp_path / "report.json"
    env = {**os.environ, "LABTUI_EGRESS_LOG": str(log),
           "PYTHONPATH": os.pathsep.join([str(HERE / "egress_guard"), str(REPO)])}
    for name in [k for k in env if k.startswith("AWS_")]:
        del env[name]
    driver = subprocess.run(
        [*_loopback_only_prefix(), sys.executable, str(HERE / "egress_driver.py"),
         str(REPO), str(out)],
        env=env, capture_output=True, text=True, timeout=1200, check=False,
    )
    assert driver.returncode == 0, driver.stderr[-3000:]
    report = json.loads(out.read_text())

    # the guard sees a leak when there is one (else this test could not fail)
    assert "queue.amazonaws.com" in report["control_log"], report["control"]
    assert report["control"]["rc"] != 0

    assert report["egress_log"] == "", "something tried to leave:\n" + report["egress_log"]
    in_process = report["in_process"]
    assert len(in_process) > 200  # every documented command, not a sample
    services = {r["argv"][0] for r in in_process}
    assert {"lambda", "iam", "sqs", "sts", "ec2", "s3api", "logs"} <= services
    leaked = [r for r in in_process + report["labtui_aws"] + report["console"]
              if _connect_failures(r["stderr"])]
    assert not leaked, leaked
    # most commands were answered by the sandbox (a result or an AWS error), not stopped
    # before sending (an inline `aws lambda wait function-updated` lacks its arguments)
    answered = [r for r in in_process if r["rc"] == 0 or "An error occurred (" in r["stderr"]]
    assert len(answered) > len(in_process) * 0.7, len(answered)
    for path in ("labtui_aws", "console"):
        assert {r["service"] for r in report[path]} == services
        by_service = {r["service"]: r for r in report[path]}
        assert by_service["sqs"]["rc"] == 0 or "AWS.SimpleQueueService" in by_service["sqs"][
            "stderr"], by_service["sqs"]
        assert by_service["sts"]["rc"] == 0, by_service["sts"]
    assert report["labtui_aws_marked"]["rc"] == 0, report["labtui_aws_marked"]
    assert report["sdk"] == "ok"
