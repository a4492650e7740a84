"""When the workbench's live account is saved after a change (saved_account.AccountKeeper):
soon after the last change, not a second later (QA: a change made less than ~1 s before
kill -9 was lost), at most MAX_DELAY_S late under a stream of changes, and never so often
that saving takes more than a quarter of the time. The clock is faked: no timing here."""

from __future__ import annotations

from typing import Any

import pytest

from labtui.account import saved_account
from labtui.account.saved_account import MAX_DELAY_S, QUIET_S, SPACING, AccountKeeper


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def keeper(monkeypatch: Any) -> tuple[AccountKeeper, _Clock]:
    clock = _Clock()
    monkeypatch.setattr(saved_account.time, "monotonic", clock)
    keeper = AccountKeeper(sandbox=None)
    keeper._kept["111122223333"] = ("me.first-function", saved_account.Path("unused"))
    return keeper, clock


def test_one_change_is_saved_a_moment_after_it(keeper: tuple[AccountKeeper, _Clock]) -> None:
    keeper_, _clock = keeper
    keeper_.changed("111122223333")
    assert keeper_._due(saved_at=0.0, cost=0.0) == pytest.approx(100.0 + QUIET_S)
    assert QUIET_S <= 0.2  # the window a kill -9 can lose (it was 1 s)


def test_a_stream_of_changes_is_saved_at_most_max_delay_after_the_first(
        keeper: tuple[AccountKeeper, _Clock]) -> None:
    keeper_, clock = keeper
    for _ in range(20):  # a change every 0.1 s: never QUIET_S without one
        keeper_.changed("111122223333")
        clock.now += 0.1
    assert keeper_._due(saved_at=0.0, cost=0.0) == pytest.approx(100.0 + MAX_DELAY_S)
    assert MAX_DELAY_S < 1.0


def test_saves_are_spaced_by_their_cost(keeper: tuple[AccountKeeper, _Clock]) -> None:
    keeper_, _clock = keeper
    keeper_.changed("111122223333")  # right after a save that took 0.4 s and ended now
    assert keeper_._due(saved_at=100.0, cost=0.4) == pytest.approx(100.0 + SPACING * 0.4)
    assert SPACING >= 3  # saving takes at most a quarter of the time


def test_changes_to_an_account_not_kept_wake_nothing(keeper: tuple[AccountKeeper, _Clock]) -> None:
    keeper_, _clock = keeper
    keeper_.changed("999999999999")
    assert keeper_.settled() and not keeper_._wake.is_set()
