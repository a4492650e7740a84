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
from typing import Any

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
    for name in [k for k in os.environ if k.startswith("AWS_") and k != "AWS_DATA_PATH"]:
        del os.environ[name]
    os.environ.update(sandbox_env)
    os.environ.setdefault("AWS_PAGER", "")
    return int(awscli_driver().main(v1_arguments(arguments)))


def awscli_driver() -> Any:
    """A fresh AWS CLI v1 driver that finds its own data files.

    awscli announces its data directory through ``AWS_DATA_PATH``, set once when the
    package is first imported; anything that later rebuilds ``os.environ`` loses it and
    the CLI fails with "Unable to load data for: cli". Adding the directory to the
    session's loader directly makes the driver independent of that variable.
    """
    import awscli
    from awscli.clidriver import create_clidriver

    driver = create_clidriver()
    data_dir = os.path.join(os.path.dirname(awscli.__file__), "data")
    loader = driver.session.get_component("data_loader")
    if data_dir not in loader.search_paths:
        loader.search_paths.append(data_dir)
    return driver
