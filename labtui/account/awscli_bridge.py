"""``labtui aws ...``: the bundled AWS CLI (v1, from PyPI) against the sandbox.

The argv and environment (endpoint, region, keys, v2 flags dropped) come from
:mod:`labtui.account.aws_access`, like every other AWS call labtui starts.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from labtui.account.aws_access import (
    SandboxTarget,
    cli_arguments,
    cli_command,
    process_environment,
    v1_arguments,
)

__all__ = ["awscli_driver", "run_aws", "run_aws_here", "v1_arguments"]


def run_aws(
    arguments: Sequence[str], sandbox_env: Mapping[str, str], cwd: str | None = None
) -> int:
    """Run the bundled CLI with the sandbox environment; returns its exit code.

    The inherited environment keeps PATH and the like, but every AWS_* variable is
    replaced, so no profile or real credential on the machine is used."""
    command = cli_command(arguments, SandboxTarget.from_env(sandbox_env))
    return subprocess.call(command, env=process_environment(sandbox_env), cwd=cwd)


def run_aws_here(arguments: Sequence[str], sandbox_env: Mapping[str, str]) -> int:
    """Like :func:`run_aws`, but in this process (one interpreter start less per command;
    for ``labtui aws``, whose process exists only to run the CLI)."""
    environment = process_environment(sandbox_env)
    os.environ.clear()
    os.environ.update(environment)
    _named_aws()
    target = SandboxTarget.from_env(sandbox_env)
    if _is_logs_tail(arguments):
        from labtui.account.logs_tail import tail

        return tail(arguments[2:], target)
    return int(awscli_driver().main(cli_arguments(arguments, target)))


def _is_logs_tail(arguments: Sequence[str]) -> bool:
    """``aws logs tail`` is a CLI v2 command the bundled v1 lacks (logs_tail.py has it)."""
    return list(arguments[:2]) == ["logs", "tail"]


def _named_aws() -> None:
    """Usage errors say ``aws: error: ...`` as the real CLI's do. argparse names a parser
    after ``sys.argv[0]``: ``__main__.py`` for the shell's aws (``python -m``), ``labtui``
    for ``labtui aws``. Only for processes that exist to run the CLI."""
    import sys

    if sys.argv:
        sys.argv[0] = "aws"
    else:
        sys.argv.append("aws")


def awscli_driver() -> Any:
    """A fresh AWS CLI v1 driver that finds its own data files.

    awscli announces its data directory through ``AWS_DATA_PATH``, set once when the
    package is first imported; anything that later rebuilds ``os.environ`` loses it and
    the CLI fails with "Unable to load data for: cli". Adding the directory to the
    session's loader directly makes the driver independent of that variable.
    """
    import awscli
    from awscli import argparser
    from awscli.clidriver import create_clidriver

    # Every usage error of v1 opens with "Note: AWS CLI version 2 ... is recommended":
    # noise in a lab whose `aws` already takes v2 syntax, read as if the learner ran the
    # wrong CLI. The carriage return before it stays: it writes over argparse's "usage: ".
    argparser.USAGE = argparser.USAGE.replace(f"{argparser.AWS_CLI_V2_MESSAGE}\n\n", "")
    driver = create_clidriver()
    data_dir = os.path.join(os.path.dirname(awscli.__file__), "data")
    loader = driver.session.get_component("data_loader")
    if data_dir not in loader.search_paths:
        loader.search_paths.append(data_dir)
    # Timestamps in ISO 8601, as CLI v2 prints them (aws_access.CLI_CONFIG says why). v1
    # takes the format from the config file it loaded when the driver was built, which for
    # a driver kept in a long-lived process (setup scripts, grading/awscli.py) is whatever
    # that process's environment named then; this sets it after v1 has read its setting,
    # on every command, whatever file was loaded.
    emitter = driver.session.get_component("event_emitter")
    emitter.register_last("session-initialized", _iso8601_timestamps)
    # v1 adds a new file:// / fileb:// argument handler on every command (each main()
    # emits session-initialized), made for a process that runs one command. A driver kept
    # for a session's setup scripts ran every argument of its 300th command through 300
    # handlers, and each client it built copied them all. Added once per driver here; the
    # config it reads (cli_follow_urlparam) is pinned for the driver's life (grading/awscli).
    from awscli.paramfile import register_uri_param_handler

    emitter.unregister("session-initialized", register_uri_param_handler)
    emitter.register("session-initialized", _uri_parameters_once)
    return driver


def _uri_parameters_once(session: Any, **kwargs: Any) -> None:
    from awscli.paramfile import register_uri_param_handler

    session.unregister("session-initialized", _uri_parameters_once)
    register_uri_param_handler(session, **kwargs)


def _iso8601_timestamps(session: Any, **_: Any) -> None:
    from awscli.customizations.scalarparse import iso_format

    factory = session.get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=iso_format)


def main(arguments: Sequence[str] | None = None) -> int:
    """``aws`` inside the workbench shell (``python -m labtui.account.awscli_bridge``): the
    shell's environment names the sandbox (aws_access.sandbox_environment); the argv gets
    what every CLI call gets (explicit endpoint and region, v2 flags dropped)."""
    import sys

    arguments = list(sys.argv[1:] if arguments is None else arguments)
    target = SandboxTarget.from_env(os.environ)
    os.environ.setdefault("AWS_PAGER", "")
    _named_aws()
    try:
        if _is_logs_tail(arguments):
            from labtui.account.logs_tail import tail

            return tail(arguments[2:], target)
        return int(awscli_driver().main(cli_arguments(arguments, target)))
    except KeyboardInterrupt:  # Ctrl-C in the shell: a quiet stop, as the real CLI does
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
