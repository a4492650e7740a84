"""The CLI contract: --help, --version, exit codes, no tracebacks, cheap imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from labtui import __version__
from labtui.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labtui", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_help_and_version() -> None:
    result = run("--help")
    assert result.returncode == 0 and "content" in result.stdout
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"labtui {__version__}"


def test_wrong_flag_is_one_line_exit_2() -> None:
    result = run("--no-such-flag")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unrecognized arguments: --no-such-flag" in result.stderr
    result = run("content", "lint", "/definitely/not/here")
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_unexpected_errors_become_a_message_and_a_crash_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], labtui_home: Path
) -> None:
    import labtui.course.lint as lint

    def explode(root: Path) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(lint, "lint_course", explode)
    assert main(["content", "lint", str(ROOT)]) == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    reports = list(labtui_home.glob("crash-*.log"))
    assert reports and "RuntimeError: boom" in reports[0].read_text()


def test_opening_the_lab_builds_no_command_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    """`labtui` and `labtui --plain` go straight to the lab (issue #21: start-up time)."""
    import labtui.cli as cli

    opened: list[bool] = []

    def open_lab(args: object) -> int:
        opened.append(bool(getattr(args, "plain", None)))
        return 0

    def no_parser() -> None:
        raise AssertionError("the command parsers were built")

    monkeypatch.setattr(cli, "_open_lab", open_lab)
    monkeypatch.setattr(cli, "build_parser", no_parser)
    assert main([]) == 0 and main(["--plain"]) == 0
    assert opened == [False, True]


HEAVY = ("moto", "boto3", "botocore", "textual", "rich")


@pytest.mark.parametrize(
    "code",
    [
        "import labtui",
        "import labtui.cli as c; c.build_parser()",
        "import sys; from labtui.cli import main; sys.argv=['labtui','--help'];\ntry: main(['--help'])\nexcept SystemExit: pass",
    ],
)
def test_start_up_does_not_import_heavy_modules(code: str) -> None:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
