"""The classic first lab (curriculum.md `first-function`), as a learner types it.

Two ways: ``labtui aws ...`` with the v2-only ``--cli-binary-format`` flag as written,
and the plain PyPI ``aws`` (v1) after ``eval $(labtui sandbox serve --print-env)``,
without that flag. Both must return the handler's real output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import TRUST

APP = """\
def lambda_handler(event, context):
    name = event.get("name", "world")
    return {
        "message": f"hello, {name}",
        "memory_mb": int(context.memory_limit_in_mb),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
"""

ZIP = (
    "zip -q function.zip app.py"
    if shutil.which("zip")
    else (f"{sys.executable} -m zipfile -c function.zip app.py")
)

LAB = f"""
set -euo pipefail
$AWS iam create-role --role-name lab-lambda-role \\
  --assume-role-policy-document file://trust.json > /dev/null
$AWS iam attach-role-policy --role-name lab-lambda-role \\
  --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
ROLE_ARN=$($AWS iam get-role --role-name lab-lambda-role --query Role.Arn --output text)
{ZIP}
$AWS lambda create-function --function-name lab-hello \\
  --runtime python3.13 --handler app.lambda_handler --architectures arm64 \\
  --memory-size 128 --timeout 5 --role "$ROLE_ARN" \\
  --zip-file fileb://function.zip > /dev/null
$AWS lambda wait function-active-v2 --function-name lab-hello
$AWS lambda invoke --function-name lab-hello $BINARY_FORMAT \\
  --payload '{{"name": "Vinod"}}' first.json > /dev/null
$AWS lambda update-function-configuration --function-name lab-hello \\
  --memory-size 512 --timeout 10 > /dev/null
$AWS lambda wait function-updated-v2 --function-name lab-hello
VER=$($AWS lambda publish-version --function-name lab-hello --query Version --output text)
$AWS lambda create-alias --function-name lab-hello --name prod --function-version "$VER" \\
  > /dev/null
$AWS lambda invoke --function-name lab-hello:prod $BINARY_FORMAT \\
  --payload '{{"name": "Vinod"}}' prod.json > /dev/null
$AWS lambda get-function-configuration --function-name lab-hello:prod > prod-config.json
"""


def _workspace(root: Path, name: str) -> Path:
    workspace = root / name
    (workspace / "home").mkdir(parents=True)
    (workspace / "app.py").write_text(APP)
    (workspace / "trust.json").write_text(TRUST)
    return workspace


def _environment(workspace: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["LABTUI_HOME"] = str(workspace / "home")
    # A profile that exists nowhere: the printed lines must unset it (or `aws` would fail).
    environment["AWS_PROFILE"] = "someone-elses-real-profile"
    labtui_parent = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (labtui_parent, environment.get("PYTHONPATH")) if p
    )
    return environment


def _run_lab(workspace: Path, prelude: str, environment: dict[str, str]) -> None:
    script = prelude + LAB
    completed = subprocess.run(
        ["bash", "-c", script],
        cwd=workspace,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def _check_outputs(workspace: Path) -> None:
    first = json.loads((workspace / "first.json").read_text())
    assert first["message"] == "hello, Vinod"
    assert first["memory_mb"] == 128
    assert 2500 < first["remaining_ms"] < 5000  # counts down from the 5 s timeout
    prod = json.loads((workspace / "prod.json").read_text())
    assert prod["message"] == "hello, Vinod"
    assert prod["memory_mb"] == 512
    assert 5000 < prod["remaining_ms"] < 10000  # from the new 10 s timeout
    config = json.loads((workspace / "prod-config.json").read_text())
    assert config["Architectures"] == ["arm64"] and config["Runtime"] == "python3.13"
    assert config["MemorySize"] == 512 and config["Timeout"] == 10


@pytest.mark.slow
@pytest.mark.sandbox
def test_first_function_through_labtui_aws_and_plain_aws_v1(tmp_path: Path) -> None:
    python = sys.executable
    labtui_aws = _workspace(tmp_path, "labtui-aws")
    plain_aws = _workspace(tmp_path, "plain-aws")
    env_a, env_b = _environment(labtui_aws), _environment(plain_aws)
    aws_v1 = shutil.which("aws") or f"{python} -m awscli"
    try:
        # 1. `labtui aws`, v2 syntax as written; the background sandbox comes from serve.
        started = subprocess.run(
            [python, "-m", "labtui", "sandbox", "serve", "--print-env"],
            env=env_a,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stderr
        assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in started.stdout
        _run_lab(
            labtui_aws,
            f'AWS="{python} -m labtui aws"\n'
            'BINARY_FORMAT="--cli-binary-format raw-in-base64-out"\n',
            env_a,
        )
        _check_outputs(labtui_aws)
        # 2. Plain PyPI aws (v1) after eval $(...), without the v2-only flag.
        _run_lab(
            plain_aws,
            f"eval $({python} -m labtui sandbox serve --print-env)\n"
            f'AWS="{aws_v1}"\nBINARY_FORMAT=""\n',
            env_b,
        )
        _check_outputs(plain_aws)
    finally:
        for environment in (env_a, env_b):
            subprocess.run(
                [python, "-m", "labtui", "sandbox", "stop"],
                env=environment,
                capture_output=True,
                timeout=60,
            )
