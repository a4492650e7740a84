"""Every AWS CLI and SDK call labtui makes or starts against the sandbox is built here.

Nothing may reach real AWS (design.md §4). Three things have to be right on every
call, and each used to be repeated by hand in the console, ``labtui aws``, setup
scripts, the grader and the live async engine (issue #19: two of them forgot one):

- the **endpoint**: passed explicitly. AWS CLI v1 ignores ``AWS_ENDPOINT_URL`` for the
  services whose endpoint it pins (SQS in us-east-1 goes to
  ``https://queue.amazonaws.com``), so every CLI argv gets ``--endpoint-url``, and every
  SDK client gets ``endpoint_url=``;
- the **region** and **credentials**: the learner's own key and secret (identity.py), never
  a profile, config file or credential of the machine (every inherited ``AWS_*`` is dropped
  and the config files are the lab's: :data:`CLI_CONFIG` and an empty credentials file);
- **v2 syntax**: lab commands are written for CLI v2; its one v2-only flag the labs use,
  ``--cli-binary-format``, is dropped (v1 already sends ``--payload`` text as-is, which is
  what that flag asks v2 to do);
- **v2 output**: timestamps in ISO 8601, as v2 prints them (:data:`CLI_CONFIG`).

A :class:`SandboxTarget` says where and as whom; the functions below turn it into an
environment, an argv, or a client.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtui.account.identity import LearnerIdentity

DEFAULT_REGION = "us-east-1"
_V2_ONLY_FLAGS_WITH_VALUE = ("--cli-binary-format",)
# Commands that never send a request (and must not get --endpoint-url appended).
_LOCAL_ONLY = ("help", "configure", "--version", "history")
# Set in every environment built here: `labtui aws` run inside it (a workbench shell, a
# grader's setup.sh) uses this sandbox instead of finding or starting another one.
SANDBOX_MARKER = "LABTUI_SANDBOX_ENDPOINT"
# The config file of every CLI started here (and of the learner's own aws, through the
# export lines of `labtui sandbox serve`). AWS CLI v2 prints timestamps in ISO 8601
# (2026-12-07T13:42:20.123000+00:00); v1 prints what the service sent, an epoch number for
# a mapping's LastModified or a Kinesis record's ApproximateArrivalTimestamp, unless this
# setting is in its config file (no variable or flag sets it; v2 reads it too). The file
# holds nothing else: no profile but the default one, no region, no credential.
CLI_CONFIG = "[default]\ncli_timestamp_format = iso8601\n"


@dataclass(frozen=True, slots=True)
class SandboxTarget:
    """Where a call goes (a loopback endpoint and region) and as whom (one account's keys)."""

    endpoint_url: str
    region: str
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    @classmethod
    def for_learner(
        cls, endpoint_url: str, identity: LearnerIdentity, region: str = DEFAULT_REGION
    ) -> SandboxTarget:
        """The one place a learner's credentials become a caller's credentials."""
        return cls(endpoint_url, region, identity.access_key_id, identity.secret_access_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SandboxTarget:
        """The target an environment built by :func:`sandbox_environment` names."""
        endpoint = env.get("AWS_ENDPOINT_URL") or env.get(SANDBOX_MARKER)
        if not endpoint:
            raise ValueError("no sandbox endpoint in this environment (AWS_ENDPOINT_URL)")
        return cls(
            endpoint,
            env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or DEFAULT_REGION,
            env.get("AWS_ACCESS_KEY_ID", ""),
            env.get("AWS_SECRET_ACCESS_KEY", ""),
            env.get("AWS_SESSION_TOKEN") or None,
        )


def sandbox_environment(target: SandboxTarget, config_dir: Path) -> dict[str, str]:
    """The ``AWS_*`` variables that point a CLI or SDK process at ``target``: endpoint,
    region, keys, and the lab's own config and credentials files (:data:`CLI_CONFIG`, and
    an empty file) so no profile of the machine is read."""
    config_dir.mkdir(parents=True, exist_ok=True)
    _write_if_changed(config_dir / "config", CLI_CONFIG)
    _write_if_changed(config_dir / "credentials", "")
    environment = {
        "AWS_ENDPOINT_URL": target.endpoint_url,
        "AWS_DEFAULT_REGION": target.region,
        "AWS_REGION": target.region,
        "AWS_ACCESS_KEY_ID": target.access_key_id,
        "AWS_SECRET_ACCESS_KEY": target.secret_access_key,
        "AWS_CONFIG_FILE": str(config_dir / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(config_dir / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        SANDBOX_MARKER: target.endpoint_url,
    }
    if target.session_token:
        environment["AWS_SESSION_TOKEN"] = target.session_token
    return environment


def _write_if_changed(path: Path, text: str) -> None:
    """``path`` holds exactly ``text`` (whatever a learner's ``aws configure set`` wrote there
    before is gone); replaced whole, so a CLI starting meanwhile reads the old or the new
    file, never a half-written one."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def handler_environment(target: SandboxTarget) -> dict[str, str]:
    """What a learner's handler process gets to call AWS with (the runtime adds region and
    the rest): the sandbox endpoint, which boto3 honours for every service, and keys."""
    environment = {
        "AWS_ENDPOINT_URL": target.endpoint_url,
        "AWS_ACCESS_KEY_ID": target.access_key_id,
        "AWS_SECRET_ACCESS_KEY": target.secret_access_key,
    }
    if target.session_token:
        environment["AWS_SESSION_TOKEN"] = target.session_token
    return environment


def process_environment(
    sandbox_env: Mapping[str, str], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) with every ``AWS_*`` of the machine
    replaced by ``sandbox_env``'s, and no pager (output goes to a pipe or the console)."""
    source = os.environ if base is None else base
    # AWS_DATA_PATH is awscli's own data directory, not a setting of the machine's AWS.
    environment = {
        k: v for k, v in source.items() if not k.startswith("AWS_") or k == "AWS_DATA_PATH"
    }
    environment.update(sandbox_env)
    environment.setdefault("AWS_PAGER", "")
    return environment


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


def _has_option(arguments: Sequence[str], option: str) -> bool:
    return any(a == option or a.startswith(option + "=") for a in arguments)


def cli_arguments(arguments: Sequence[str], target: SandboxTarget) -> list[str]:
    """The argv (after ``aws``) that runs ``arguments`` against ``target`` with CLI v1.

    ``--endpoint-url`` always names the sandbox, even when the learner typed another one:
    a lab command can never be pointed at real AWS."""
    args = v1_arguments(arguments)
    if not args or any(a in _LOCAL_ONLY for a in args[:3]):
        return args
    if _has_option(args, "--endpoint-url"):
        kept: list[str] = []
        skip = False
        for argument in args:
            if skip:
                skip = False
                continue
            if argument == "--endpoint-url":
                skip = True
                continue
            if argument.startswith("--endpoint-url="):
                continue
            kept.append(argument)
        args = kept
    args += ["--endpoint-url", target.endpoint_url]
    if not _has_option(args, "--region"):
        args += ["--region", target.region]
    return args


def cli_command(arguments: Sequence[str], target: SandboxTarget) -> list[str]:
    """A complete argv for a child process running the bundled CLI (no shell)."""
    return [sys.executable, "-m", "awscli", *cli_arguments(arguments, target)]


_SESSION_LOCK = threading.Lock()  # creating clients from one session is not thread-safe
_SESSION: Any = None


def _shared_session() -> Any:
    """One boto3 session for every client (service models load once, and boto3's extras
    such as ``upload_file`` are there); it reads no profile, config or credentials file.

    The profile is pinned to none, not read from ``AWS_PROFILE``: a learner's shell that
    names a profile (one of their real accounts, or one their config no longer has) would
    otherwise fail every sandbox client with ProfileNotFound."""
    global _SESSION
    if _SESSION is None:
        import boto3
        import botocore.session

        # (config file key, environment variable, default, conversion): no variable
        core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        for variable in ("config_file", "credentials_file"):
            core.set_config_variable(variable, os.devnull)
        _SESSION = boto3.Session(botocore_session=core)
    return _SESSION


def sdk_client(service: str, target: SandboxTarget, config: Any = None, **fields: Any) -> Any:
    """A boto3 client for ``service`` bound to ``target`` (endpoint, region and keys passed
    explicitly). ``config`` is a botocore ``Config``; ``fields`` are more Config fields,
    e.g. ``retries={"max_attempts": 1}``."""
    from botocore.config import Config

    if fields:
        config = config.merge(Config(**fields)) if config is not None else Config(**fields)
    with _SESSION_LOCK:
        session = _shared_session()
        return session.client(
            service,
            region_name=target.region,
            endpoint_url=target.endpoint_url,
            aws_access_key_id=target.access_key_id,
            aws_secret_access_key=target.secret_access_key,
            aws_session_token=target.session_token,
            config=config,
        )
