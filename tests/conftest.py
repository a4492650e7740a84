"""Shared test fixtures: a private LABTUI_HOME per test, and a loopback-only network.

The network guard refuses every socket connection to a non-loopback address for the
whole session and records the attempt; if any test tried, the session fails at the
end (nothing in labtui may contact real AWS, design.md §4). Tests that deliberately
probe the guard take the ``network_guard`` fixture and clear what they caused.
"""

from __future__ import annotations

import gc
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

_REFUSED: list[str] = []

# Property tests judge behaviour, never speed: a loaded CI machine must not fail them with
# hypothesis's deadline or "too slow" health check (each test still bounds its examples).
settings.register_profile(
    "labtui", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("labtui")


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and other local families
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need DNS and the network


class NetworkGuard:
    """What the session-wide guard refused so far (a list of 'host:port' strings)."""

    @property
    def attempts(self) -> list[str]:
        return _REFUSED


@pytest.fixture(scope="session", autouse=True)
def network_guard() -> Iterator[NetworkGuard]:
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def refuse_remote(address: Any) -> None:
        if not _is_loopback(address):
            _REFUSED.append(f"{address[0]}:{address[1] if len(address) > 1 else ''}")
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")

    def guarded_connect(self: socket.socket, address: Any) -> None:
        refuse_remote(address)
        original_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        refuse_remote(address)
        return original_connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    try:
        yield NetworkGuard()
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
    if _REFUSED:  # an error here fails the run under pytest-xdist workers too
        pytest.fail(f"non-loopback connections were attempted: {_REFUSED}", pytrace=False)


# The longest tests (a minute of wall each, mostly waiting on child processes) run first.
# Collected last (tests/tui sorts late), they began on one worker near the end of a run
# and the others, done, sat idle for their last 50 s: pytest-xdist cannot take a worker's
# last tests from it.
RUN_FIRST = (
    "tests/tui/test_workbench_shell_e2e.py",
    "tests/account/test_no_egress.py",
    "tests/account/test_first_function_cli.py",
)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(RUN_FIRST))  # stable sort


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # pytest collects garbage several times after the summary; with moto's backends loaded
    # that walked a heap of millions of objects for many seconds. Nothing made before this
    # point needs collecting any more, so freeze it: the suite exits when it is done.
    gc.freeze()
    if _REFUSED:
        print(f"\nnon-loopback connections were attempted during the tests: {_REFUSED}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def labtui_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty LABTUI_HOME."""
    home = tmp_path / "labtui-home"
    home.mkdir()
    monkeypatch.setenv("LABTUI_HOME", str(home))
    return home
