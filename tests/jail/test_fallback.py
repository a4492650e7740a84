"""Where no jail can be built, learner code still runs (as a plain child process) and
labtui says so once per session (design.md §6.1)."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from labtui.jail import JailSpec, run
from labtui.jail import availability as support
from labtui.jail.availability import JailSupport


def test_without_a_jail_the_warning_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(support, "_CACHED", JailSupport(False, "bubblewrap is not installed"))
    monkeypatch.setattr(support, "_NOTICED", False)
    with caplog.at_level(logging.WARNING, logger="labtui.jail"):
        code, out, _ = run(JailSpec(argv=(sys.executable, "-c", "print('ran')"), cwd="/"), 30)
        first = support.notice()
        second = support.notice()
    assert (code, out) == (0, "ran\n")
    assert first == second and first is not None and "bubblewrap is not installed" in first
    assert [r.getMessage() for r in caplog.records] == [first]


def test_labtui_jail_off_turns_the_jail_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABTUI_JAIL", "off")
    found = support._probe()
    assert not found.available and "LABTUI_JAIL=off" in found.reason


def test_a_timeout_kills_the_plain_child_and_says_so() -> None:
    spec = JailSpec(argv=(sys.executable, "-c", "import time; time.sleep(60)"), cwd="/")
    with pytest.raises(subprocess.TimeoutExpired):
        run(spec, 0.5, jail=False)
