"""A mistyped `aws` command in the lab (the workbench shell's aws, `labtui aws`) says what
is missing, without the v1 CLI's "AWS CLI version 2 is recommended" banner: the lab's aws
already takes v2 syntax, and the banner reads as if the learner used the wrong tool."""

from __future__ import annotations

import sys

import pytest

from labtui.account import awscli_bridge


def test_a_missing_argument_is_named_without_the_v2_banner(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # never reached
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIALABTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    # The shell's aws is `python -m labtui.account.awscli_bridge`: argv[0] is __main__.py,
    # which argparse used as the program's name ("__main__.py: error: ...").
    monkeypatch.setattr(sys, "argv", ["/somewhere/labtui/account/__main__.py"])
    with pytest.raises(SystemExit) as stopped:
        awscli_bridge.main(["lambda", "invoke"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "aws: error: the following arguments are required: --function-name, outfile" in err
    assert "__main__.py" not in err
    assert "usage: aws [options] <command> <subcommand>" in err
    assert "AWS CLI version 2" not in err
