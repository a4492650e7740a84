"""A learner's setup.sh and setup.py run in a jail (design.md §6.1): the sandbox endpoint
works, nothing else of the network or of the lab's files does, and the aws bridge (which
runs outside the jail) touches no file outside the script's own folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtui import jail
from labtui.grading.apply import apply_solution

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not jail.support().available,
                       reason=f"no jail on this machine: {jail.support().reason}"),
]


def test_setup_sh_reaches_only_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    secret = tmp_path / "lab-data" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("lab secret")
    solution = tmp_path / "solution"
    solution.mkdir()
    # Each escape that works exits 1 and says which; TEST-NET-1 is never a real host.
    (solution / "setup.sh").write_text(
        "set +e\n"
        "if (echo x > /dev/tcp/192.0.2.1/80) 2>/dev/null; then echo network >&2; exit 1; fi\n"
        f"if cat {secret} 2>/dev/null; then echo secret >&2; exit 1; fi\n"
        "if echo pwned > /usr/pwned 2>/dev/null; then echo system >&2; exit 1; fi\n"
        "aws s3 mb s3://loot >/dev/null\n"
        f"aws s3 cp {secret} s3://loot/secret\n"
        "aws s3 cp /etc/hostname s3://loot/hostname\n"
        "echo mine > mine.txt && aws s3 cp mine.txt s3://loot/mine >/dev/null\n"
        "exit 0\n"
    )
    account = sandbox.learner("jail-setup")
    account.wipe()
    apply_solution(solution, account.env())
    listed = account.client("s3").list_objects_v2(Bucket="loot").get("Contents", [])
    assert [item["Key"] for item in listed] == ["mine"]


def test_setup_py_boto3_works_and_the_network_does_not(sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(
        "import socket, sys, boto3\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 443), timeout=3)\n"
        "    sys.exit('network reached')\n"
        "except OSError as error:\n"
        "    assert error.errno == 101, error  # ENETUNREACH\n"
        "boto3.client('sqs').create_queue(QueueName='from-setup-py')\n"
    )
    account = sandbox.learner("jail-setup-py")
    account.wipe()
    apply_solution(tmp_path, account.env())
    urls = account.client("sqs").list_queues().get("QueueUrls", [])
    assert [url.rsplit("/", 1)[-1] for url in urls] == ["from-setup-py"]
