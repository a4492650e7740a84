"""The lines ``labtui sandbox serve`` prints send every command of a plain PyPI ``aws``
(v1) to the sandbox: v1 ignores AWS_ENDPOINT_URL for SQS and would call
https://queue.amazonaws.com, real AWS (found running ``aws sqs create-queue`` after
pasting the lines)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from labtui.account import serve


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", ["sqs list-queues", "lambda list-functions"])
def test_pasted_lines_send_aws_v1_to_the_sandbox(tmp_path: Path, command: str) -> None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if aws is None:
        pytest.skip("no aws CLI installed")
    endpoint = f"http://127.0.0.1:{_closed_port()}"  # nothing listens: the error names it
    lines = serve.export_lines({"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                                "AWS_ACCESS_KEY_ID": "AKIALABTEST", "AWS_SECRET_ACCESS_KEY": "x",
                                "AWS_MAX_ATTEMPTS": "1"})
    (tmp_path / "lines.txt").write_text(lines)
    script = f'PATH="{Path(aws).parent}:$PATH"\neval $(cat lines.txt)\naws {command}'
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert f'Could not connect to the endpoint URL: "{endpoint}/' in done.stderr, done.stderr
    assert "amazonaws.com" not in done.stderr
