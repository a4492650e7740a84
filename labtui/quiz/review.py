"""Spaced review with FSRS: wrong answers and failed checks become cards.

Card ids: ``q:<question-id>`` for quiz questions, ``check:<exercise>:<check>``
for exercise checks. A wrong answer or failed check rates the card *Again*; a
right answer or passed check on an existing card rates it *Good*.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from labtui.progress.store import ProgressStore


@dataclass(frozen=True, slots=True)
class DueCard:
    card_id: str
    due_at: str

    @property
    def question_id(self) -> str | None:
        return self.card_id[2:] if self.card_id.startswith("q:") else None


def _scheduler() -> Any:
    from fsrs import Scheduler

    # no fuzzing: the same history gives the same schedule (testable, explainable)
    return Scheduler(enable_fuzzing=False)


def review(
    store: ProgressStore,
    learner_id: str,
    card_id: str,
    *,
    remembered: bool,
    now: dt.datetime | None = None,
    create: bool = True,
) -> dt.datetime | None:
    """Record one review outcome; returns the card's next due time (None if no card made)."""
    from fsrs import Card, Rating

    when = now or dt.datetime.now(dt.UTC)
    existing = {cid: data for cid, data, _ in store.review_cards(learner_id) if cid == card_id}
    if card_id in existing:
        card = Card.from_dict(existing[card_id])  # type: ignore[arg-type]  # stored from to_dict()
    elif remembered or not create:
        return None  # right first time: nothing to review
    else:
        card = Card(due=when)
    rating = Rating.Good if remembered else Rating.Again
    card, _log = _scheduler().review_card(card, rating, when)
    due: dt.datetime = card.due
    store.upsert_review_card(learner_id, card_id, card.to_dict(), due.isoformat())
    return due


def due_cards(
    store: ProgressStore, learner_id: str, now: dt.datetime | None = None
) -> list[DueCard]:
    when = (now or dt.datetime.now(dt.UTC)).isoformat()
    return [
        DueCard(cid, due) for cid, _data, due in store.review_cards(learner_id, due_before=when)
    ]


def due_today_count(store: ProgressStore, learner_id: str, now: dt.datetime | None = None) -> int:
    """Cards due before the end of the learner's (UTC) day: the home screen's number."""
    when = now or dt.datetime.now(dt.UTC)
    end_of_day = dt.datetime.combine(when.date(), dt.time.max, tzinfo=dt.UTC)
    return len(store.review_cards(learner_id, due_before=end_of_day.isoformat()))


def record_check_results(
    store: ProgressStore, learner_id: str, exercise_id: str, results: list[tuple[str, bool]]
) -> None:
    """Failed exercise checks become review cards; passing them later strengthens the card."""
    for check_id, passed in results:
        review(store, learner_id, f"check:{exercise_id}:{check_id}", remembered=passed)
