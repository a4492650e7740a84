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


def next_due(
    store: ProgressStore, learner_id: str, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When the learner's next card falls due after ``now`` (None: no cards waiting)."""
    when = now or dt.datetime.now(dt.UTC)
    later = [dt.datetime.fromisoformat(due) for _cid, _data, due in store.review_cards(learner_id)]
    later = [due for due in later if due > when]
    return min(later) if later else None


def _in_words(delta: dt.timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            count = round(minutes / size)
            return f"in {count} {unit}{'' if count == 1 else 's'}"
    return "now"  # pragma: no cover - minutes >= 1 always matches


def summary_line(
    store: ProgressStore,
    learner_id: str,
    *,
    reviewed: int,
    remembered: int,
    now: dt.datetime | None = None,
) -> str:
    """The end of a review session: what was reviewed, how it went, and when to come back."""
    when = now or dt.datetime.now(dt.UTC)
    if reviewed:
        again = reviewed - remembered
        head = (f"Reviewed {reviewed} card{'' if reviewed == 1 else 's'}: "
                f"{remembered} remembered, {again} to see again soon.")
    else:
        head = "No cards reviewed."
    due_now = len(due_cards(store, learner_id, when))
    if due_now:
        return f"{head} {due_now} still due now."
    upcoming = next_due(store, learner_id, when)
    if upcoming is None:
        return f"{head} No cards are waiting: wrong answers and failed checks land here."
    local = upcoming.astimezone().strftime("%a %d %b %H:%M")
    return f"{head} Next card due {_in_words(upcoming - when)} ({local})."
