"""`aws logs tail` (a CLI v2 command; the bundled v1 has none) in the lab's aws: lesson 12
and the README's CloudWatch note use it, and the v1 CLI answered with its usage error."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable

import pytest

from labtui.account import awscli_bridge
from labtui.account.aws_access import SandboxTarget
from labtui.account.learner import LearnerAccount
from labtui.account.logs_tail import since_ms, tail


def test_since_takes_durations_and_iso_times() -> None:
    assert since_ms("10m", 10_000.0) == 9_400_000
    assert since_ms("2h", 10_000.0) == (10_000 - 7_200) * 1000
    assert since_ms("2026-12-07T13:00:00Z", 0.0) == 1_796_648_400_000
    with pytest.raises(ValueError):
        since_ms("yesterday", 0.0)


def test_the_shell_aws_tails_a_function_log(
    learner: LearnerAccount, make_function: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    make_function()
    learner.client("lambda").invoke(FunctionName="lab-hello", Payload=b'{"name": "tail"}')
    for name, value in learner.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["aws"])
    assert awscli_bridge.main(["logs", "tail", "/aws/lambda/lab-hello", "--since", "1h"]) == 0
    lines = capsys.readouterr().out.splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"
    assert any(re.fullmatch(stamp + r" \S+ START RequestId: \S+ Version: \$LATEST", line)
               for line in lines), lines
    assert any(" hello from lab-hello" in line for line in lines)
    assert any(" REPORT RequestId: " in line for line in lines)
    short = io.StringIO()
    target = SandboxTarget.from_env(learner.env())
    assert tail(["/aws/lambda/lab-hello", "--format", "short"], target, out=short) == 0
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d START RequestId", short.getvalue(),
                     re.MULTILINE)


def test_follow_polls_until_ctrl_c_and_a_missing_group_is_aws_error(
    learner: LearnerAccount, make_function: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_function()
    client = learner.client("lambda")
    client.invoke(FunctionName="lab-hello", Payload=b"{}")
    target = SandboxTarget.from_env(learner.env())
    out = io.StringIO()
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 1:
            client.invoke(FunctionName="lab-hello", Payload=b"{}")  # arrives while following
        else:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        tail(["/aws/lambda/lab-hello", "--follow"], target, out=out, sleep=sleep)
    assert out.getvalue().count("REPORT RequestId") == 2  # each once, the new one too
    assert tail(["/aws/lambda/nothing-here"], target, out=io.StringIO()) == 255
    assert "ResourceNotFoundException" in capsys.readouterr().err
