"""``labtui aws ...``: the bundled AWS CLI (v1, from PyPI) against the sandbox.

Lab commands are written for AWS CLI v2. The one v2-only flag they use,
``--cli-binary-format raw-in-base64-out``, is rejected by v1 before any request is
sent; v1 already sends ``--payload`` text as-is, which is what that flag asks v2 to
do, so dropping it keeps the command's meaning.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

_V2_ONLY_FLAGS_WITH_VALUE = ("--cli-binary-format",)


def v1_arguments(arguments: Sequence[str]) -> list[str]:
    """``arguments`` without the v2-only flags (both ``--flag value`` and ``--flag=value``)."""
    result: list[str] = []
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
            continue
        if argument in _V2_ONLY_FLAGS_WITH_VALUE:
            skip_next = True
            continue
        if any(argument.startswith(flag + "=") for flag in _V2_ONLY_FLAGS_WITH_VALUE):
            continue
        result.append(argument)
    return result


def run_aws(
    arguments: Sequence[str], sandbox_env: Mapping[str, str], cwd: str | None = None
) -> int:
    """Run the bundled CLI with the sandbox environment; returns its exit code.

    The inherited environment keeps PATH and the like, but every AWS_* variable is
    replaced, so no profile or real credential on the machine is used."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(sandbox_env)
    environment.setdefault("AWS_PAGER", "")
    command = [sys.executable, "-m", "awscli", *v1_arguments(arguments)]
    endpoint = sandbox_env.get("AWS_ENDPOINT_URL")
    if endpoint and not any(
        a == "--endpoint-url" or a.startswith("--endpoint-url=") for a in arguments
    ):
        # CLI v1 pins some services (sqs in us-east-1: https://queue.amazonaws.com) unless
        # --endpoint-url is given, ignoring AWS_ENDPOINT_URL; pass it explicitly.
        command += ["--endpoint-url", endpoint]
    return subprocess.call(command, env=environment, cwd=cwd)


def run_aws_here(arguments: Sequence[str], sandbox_env: Mapping[str, str]) -> int:
    """Like :func:`run_aws`, but in this process (one interpreter start less per command;
    for ``labtui aws``, whose process exists only to run the CLI)."""
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(sandbox_env)
    os.environ.setdefault("AWS_PAGER", "")
    from awscli.clidriver import create_clidriver

    return int(create_clidriver().main(v1_arguments(arguments)))
