"""The execution environment: lifecycle, context, logs, environment variables (R-6)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from labtui.runner import ExecutionEnvironment


def test_cold_then_warm_reuses_process_globals_and_tmp(environment_for: Any) -> None:
    # globals and /tmp persist between invocations of one environment.
    environment: ExecutionEnvironment = environment_for()
    first = environment.invoke({"name": "Vinod"}, "req-1")
    second = environment.invoke({"name": "Vinod"}, "req-2")
    assert first.json()["count"] == 1 and second.json()["count"] == 2
    assert first.cold_start and not second.cold_start
    assert first.environment_id == second.environment_id
    tmp = environment_for("app.tmp_write")
    assert tmp.invoke({}).json() == {"existed": False}
    assert tmp.invoke({}).json() == {"existed": True}


def test_context_has_the_real_fields(environment_for: Any) -> None:
    # the Python context object; memory_limit_in_mb is a string, as in AWS.
    result = environment_for(timeout_s=5.0).invoke({"name": "Vinod"}, "req-ctx").json()
    assert result["message"] == "hello, Vinod"
    assert result["memory_mb"] == "128"
    assert 2500 < result["remaining_ms"] < 5000  # counts down from the timeout
    assert result["function_name"] == "lab-hello"
    assert result["function_version"] == "$LATEST"
    assert result["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:lab-hello"
    assert result["request_id"] == "req-ctx"
    assert result["log_group"] == "/aws/lambda/lab-hello"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", result["log_stream"])


def test_log_has_start_end_report_and_init_duration_only_when_cold(environment_for: Any) -> None:
    #
    environment = environment_for()
    cold = environment.invoke({"name": "a"}, "req-cold")
    warm = environment.invoke({"name": "b"}, "req-warm")
    assert "init ran" in cold.log and "init ran" not in warm.log
    assert (
        cold.log.index("START RequestId: req-cold Version: $LATEST")
        < cold.log.index('event {"name": "a"}')
        < cold.log.index("END RequestId: req-cold")
    )
    report = cold.log.splitlines()[-1]
    assert report.startswith("REPORT RequestId: req-cold\tDuration: ")
    assert "Memory Size: 128 MB" in report and "Init Duration: " in report
    assert "Init Duration" not in warm.log
    assert warm.billed_duration_ms >= 1


def test_environment_is_built_from_scratch(
    environment_for: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # reserved variables; nothing of the parent's environment or ~/.aws leaks in.
    monkeypatch.setenv("PARENT_SECRET", "leak")
    monkeypatch.setenv("AWS_PROFILE", "real-profile")
    environment = environment_for("app.environment", environment={"TABLE": "orders"})
    child = environment.invoke({}).json()
    assert "PARENT_SECRET" not in child and "AWS_PROFILE" not in child
    assert child["TABLE"] == "orders"
    for name in (
        "AWS_REGION",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "_HANDLER",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "AWS_EXECUTION_ENV",
        "AWS_ACCESS_KEY_ID",
    ):
        assert child[name], name
    assert child["_HANDLER"] == "app.environment"
    assert child["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert child["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"
    assert child["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert Path(child["AWS_CONFIG_FILE"]).read_text() == ""
    assert Path(child["AWS_SHARED_CREDENTIALS_FILE"]).read_text() == ""


def test_real_aws_credentials_are_never_used(
    environment_for: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAREALKEY\naws_secret_access_key = real\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALFROMENV")
    result = environment_for("app.credentials").invoke({}).json()
    assert result["access_key"] == "AKIALABTESTKEY000001"
    assert result["home"] != str(home)


def test_handler_echoes_json_events(environment_for: Any) -> None:
    environment = environment_for("app.echo")
    event = {"a": [1, 2.5, None, True], "b": {"c": "ü"}, "d": ""}
    assert environment.invoke(event).json() == event
    assert environment.invoke(json.dumps([1, 2]).encode()).json() == [1, 2]
    assert environment.invoke("[1, 2]").json() == "[1, 2]"


def test_endless_output_is_bounded(environment_for: Any, code_dir: Path) -> None:
    (code_dir / "chatty.py").write_text(
        "def handler(event, context):\n"
        "    for _ in range(200_000):\n"
        "        print('x' * 100)\n"
        "    return 'done'\n"
    )
    result = environment_for("chatty.handler", timeout_s=30.0).invoke({})
    assert result.ok and result.json() == "done"
    assert len(result.log) < 5 * 1024 * 1024
    assert "earlier output truncated" in result.log
