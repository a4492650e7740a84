"""The one builder of AWS CLI and SDK calls (labtui.account.aws_access, issue #19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtui.account.aws_access import (
    SANDBOX_MARKER,
    SandboxTarget,
    cli_arguments,
    process_environment,
    sandbox_environment,
)
from labtui.account.identity import learner_identity

TARGET = SandboxTarget("http://127.0.0.1:4599", "eu-west-1", "AKIALABX", "secret")


def test_every_request_names_the_sandbox_endpoint_and_region() -> None:
    assert cli_arguments(["sqs", "list-queues"], TARGET) == [
        "sqs", "list-queues", "--endpoint-url", "http://127.0.0.1:4599", "--region", "eu-west-1"]
    # a learner-typed endpoint (real AWS) is replaced, never followed
    typed = ["sqs", "list-queues", "--endpoint-url", "https://sqs.us-east-1.amazonaws.com"]
    assert "https://sqs.us-east-1.amazonaws.com" not in cli_arguments(typed, TARGET)
    assert "amazonaws" not in " ".join(
        cli_arguments(["--endpoint-url=https://x.amazonaws.com", "s3", "ls"], TARGET))
    kept = cli_arguments(["lambda", "list-functions", "--region", "us-west-2"], TARGET)
    assert kept.count("--region") == 1 and kept[kept.index("--region") + 1] == "us-west-2"


def test_v2_flags_are_dropped_and_local_commands_left_alone() -> None:
    argv = ["lambda", "invoke", "--function-name", "f", "--cli-binary-format",
            "raw-in-base64-out", "--payload", "{}", "out.json"]
    assert "--cli-binary-format" not in cli_arguments(argv, TARGET)
    assert cli_arguments(["help"], TARGET) == ["help"]
    assert cli_arguments(["lambda", "help"], TARGET) == ["lambda", "help"]


@given(st.lists(st.sampled_from(["lambda", "sqs", "--output", "text", "--endpoint-url",
                                 "https://evil.example", "--region", "x"]), max_size=8))
def test_the_endpoint_is_always_the_sandbox(argv: list[str]) -> None:
    args = cli_arguments(["sqs", "list-queues", *argv], TARGET)
    endpoints = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--endpoint-url"]
    assert endpoints == ["http://127.0.0.1:4599"]


def test_credentials_come_from_the_learner_identity(tmp_path: Path) -> None:
    identity = learner_identity("dana")
    target = SandboxTarget.for_learner("http://127.0.0.1:1", identity, "us-east-1")
    env = sandbox_environment(target, tmp_path / "cfg")
    assert env["AWS_ACCESS_KEY_ID"] == identity.access_key_id
    assert env["AWS_SECRET_ACCESS_KEY"] == identity.secret_access_key
    assert env[SANDBOX_MARKER] == "http://127.0.0.1:1"
    assert SandboxTarget.from_env(env) == target


def test_the_cli_config_file_names_no_profile_region_or_credential(tmp_path: Path) -> None:
    import configparser

    target = SandboxTarget.for_learner("http://127.0.0.1:1", learner_identity("dana"))
    config, credentials = tmp_path / "cfg" / "config", tmp_path / "cfg" / "credentials"
    config.parent.mkdir()
    # whatever was there before (a learner's `aws configure set`) is replaced
    config.write_text("[profile prod]\nregion = eu-west-3\n")
    credentials.write_text("[default]\naws_access_key_id = AKIAREAL\n")
    env = sandbox_environment(target, tmp_path / "cfg")
    assert env["AWS_CONFIG_FILE"] == str(config)
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == str(credentials)
    assert credentials.read_text() == ""
    # only the timestamp format of CLI v2 (ISO 8601), in the default profile
    parsed = configparser.ConfigParser()
    parsed.read_string(config.read_text())
    assert {name: dict(parsed[name]) for name in parsed.sections()} == {
        "default": {"cli_timestamp_format": "iso8601"}}
    assert sorted(p.name for p in config.parent.iterdir()) == ["config", "credentials"]


def test_the_machine_aws_settings_never_reach_a_child() -> None:
    machine = {"PATH": "/bin", "AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "AKIAREAL",
               "AWS_DATA_PATH": "/awscli/data"}
    env = process_environment({"AWS_ACCESS_KEY_ID": "AKIALABX"}, machine)
    assert env == {"PATH": "/bin", "AWS_DATA_PATH": "/awscli/data",
                   "AWS_ACCESS_KEY_ID": "AKIALABX", "AWS_PAGER": ""}


def test_no_other_module_builds_aws_calls() -> None:
    """The one-builder rule (issue #19): a new client, argv or endpoint elsewhere would be
    a place where the endpoint can be forgotten again."""
    import re

    import labtui

    package = Path(labtui.__file__).parent
    building = re.compile(r"boto3\.(client|resource|Session|session\.Session)\(|"
                          r"\.create_client\(|['\"]-m['\"],\s*['\"]awscli['\"]|"
                          r"['\"]--endpoint-url['\"]|endpoint_url=")
    allowed = {"account/aws_access.py",
               "grading/lifecycle_checks.py"}  # counts create_client calls, builds none
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("_content/") or relative in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if building.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "AWS calls built outside account/aws_access.py:\n" + "\n".join(found)


def test_a_learner_s_aws_profile_never_reaches_the_lab_s_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A shell that exports AWS_PROFILE (a real account's profile, or one the learner's
    config no longer has) must not break the lab: the in-process clients read no profile.
    Seen as 'seeding failed: The config profile (real-production) could not be found'
    when the profile was set after the session was first made."""
    from labtui.account import aws_access

    monkeypatch.setattr(aws_access, "_SESSION", None)
    monkeypatch.setenv("AWS_PROFILE", "real-production")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "real-production")
    client = aws_access.sdk_client("sqs", TARGET)
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:4599"
