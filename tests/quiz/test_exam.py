"""Mock exam assembly, scaled score, sessions that survive a crash, FSRS review."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtui.course.loader import Course, load_course
from labtui.course.models import ExamBlueprint, Question
from labtui.progress.store import ProgressStore
from labtui.quiz import review
from labtui.quiz.exam import assemble_exam, question_domain, scaled_score
from labtui.quiz.session import ExamSession, PracticeSession
from tests.quiz.conftest import make_question


def test_assembly_respects_domain_weights_and_never_repeats(
    blueprints: dict[str, ExamBlueprint], big_bank: list[Question]
) -> None:
    blueprint = blueprints["DVA"]
    paper = assemble_exam(blueprint, big_bank, random.Random(3))
    ids = [item.question_id for item in paper.items]
    assert len(ids) == 65 and len(set(ids)) == 65
    scored = Counter(item.domain for item in paper.items if item.scored)
    assert scored == {d.id: d.scored_items for d in blueprint.domains}  # 16/13/12/9
    total = Counter(item.domain for item in paper.items)
    # + 15 unscored split by weight with largest remainders (4.8, 3.9, 3.6, 2.7 -> 5, 4, 3, 3)
    assert total == {"D1": 21, "D2": 17, "D3": 15, "D4": 12}
    by_id = {q.id: q for q in big_bank}
    assert sum(by_id[i].is_multiple_response for i in ids) >= blueprint.multiple_response_min
    for item in paper.items:  # every item really belongs to its domain
        domain = question_domain(by_id[item.question_id], blueprint)
        assert domain is not None and domain.id == item.domain
    difficulty = Counter(by_id[i].difficulty for i in ids)
    assert difficulty[2] > difficulty[1] > difficulty[3]


def test_thin_domain_borrows_and_says_so(
    blueprints: dict[str, ExamBlueprint], big_bank: list[Question]
) -> None:
    thin = [q for q in big_bank if not q.domains[0].startswith("DVA:4")][:]
    thin += [q for q in big_bank if q.domains[0].startswith("DVA:4")][:3]
    paper = assemble_exam(blueprints["DVA"], thin, random.Random(1))
    assert len({i.question_id for i in paper.items}) == len(paper.items) == 65
    assert any("D4" in note and "borrowed" in note for note in paper.notes)
    assert sum(1 for i in paper.items if i.borrowed_from) == 12 - 3


def test_recent_questions_avoided_while_possible(
    blueprints: dict[str, ExamBlueprint], big_bank: list[Question]
) -> None:
    first = assemble_exam(blueprints["DVA"], big_bank, random.Random(1))
    seen = {i.question_id for i in first.items}
    second = assemble_exam(blueprints["DVA"], big_bank, random.Random(2), seen)
    overlap = seen & {i.question_id for i in second.items}
    assert len(overlap) < 65 - 30  # 120 questions: most of the second paper is fresh


@given(st.lists(st.booleans(), min_size=50, max_size=50))
def test_scaled_score_bounds_and_monotonic(answers: list[bool]) -> None:
    raw = sum(answers) / 50
    score = scaled_score(raw)
    assert 100 <= score <= 1000
    assert scaled_score(min(1.0, raw + 1 / 50)) >= score
    assert (score >= 720) == (raw >= 0.75)


def test_scaled_score_fixed_points() -> None:
    assert (scaled_score(0), scaled_score(0.75), scaled_score(1)) == (100, 720, 1000)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_exam_resumes_after_a_crash_with_answers_and_clock(
    tmp_path: Path, exam_course: Course
) -> None:
    path = tmp_path / "p.sqlite3"
    clock = FakeClock()
    store = ProgressStore(path)
    session = ExamSession.start(store, exam_course, "DVA-C02", seed=5, clock=clock)
    assert session.remaining_s == 130 * 60
    clock.now += 600  # ten minutes of work
    first_answer = session.answer(0, "A C" if session.questions[0].type == "multi" else "B")
    session.toggle_flag(1)
    session.goto(2)
    order = [q.id for q in session.questions]
    del session  # "kill -9": nothing but what the store already holds survives
    store.close()

    clock.now += 3600  # the laptop was closed for an hour: that time does not count
    store = ProgressStore(path)
    resumed = ExamSession.resume(store, exam_course, exam_id="DVA-C02", clock=clock)
    assert resumed is not None
    assert [q.id for q in resumed.questions] == order
    assert resumed.answer_of(0) == first_answer and resumed.is_flagged(1) and resumed.current == 2
    assert resumed.remaining_s == pytest.approx(130 * 60 - 600)


def test_exam_submit_scores_scored_items_only(tmp_path: Path, exam_course: Course) -> None:
    store = ProgressStore(tmp_path / "p.sqlite3")
    session = ExamSession.start(store, exam_course, "DVA", seed=9, clock=FakeClock())
    for index, question in enumerate(session.questions):
        session.answer(
            index,
            question.answer if isinstance(question.answer, str) else " ".join(question.answer),
        )  # type: ignore[arg-type]
    result = session.submit()
    assert (result.correct, result.scored, result.scaled, result.passed) == (50, 50, 1000, True)
    assert [d.total for d in result.domains] == [16, 13, 12, 9]
    assert ExamSession.resume(store, exam_course, exam_id="DVA") is None  # finished


def test_time_up_blocks_answers(tmp_path: Path, exam_course: Course) -> None:
    clock = FakeClock()
    session = ExamSession.start(
        ProgressStore(tmp_path / "p.sqlite3"), exam_course, "DVA", clock=clock
    )
    clock.now += 130 * 60 + 1
    assert session.time_up
    with pytest.raises(Exception, match="time is up"):
        session.answer(0, "A")


def test_fsrs_moves_a_card(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.sqlite3")
    store.ensure_learner("me")
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert (
        review.review(store, "me", "q:q-01-a-001", remembered=True, now=t0) is None
    )  # right first time
    due1 = review.review(store, "me", "q:q-01-a-001", remembered=False, now=t0)
    assert due1 is not None and t0 < due1 <= t0 + dt.timedelta(hours=1)  # relearn soon
    assert [c.card_id for c in review.due_cards(store, "me", now=due1)] == ["q:q-01-a-001"]
    due2 = review.review(store, "me", "q:q-01-a-001", remembered=True, now=due1)
    due3 = review.review(store, "me", "q:q-01-a-001", remembered=True, now=due2)
    assert due2 is not None and due3 is not None
    assert (due3 - due2) > (due2 - due1)  # intervals grow as the learner remembers
    assert review.due_cards(store, "me", now=due1) == []


def test_practice_records_answers_and_wrong_ones_become_cards(
    tmp_path: Path, exam_course: Course
) -> None:
    store = ProgressStore(tmp_path / "p.sqlite3")
    session = PracticeSession.for_subject(store, exam_course, "DVA:D2", count=4, seed=1)
    assert all(any(t.startswith("DVA:2.") for t in q.domains) for q in session.questions)
    first, second = session.questions[:2]
    assert session.answer(first, "B" if first.type == "single" else "A C").mark.correct
    assert not session.answer(second, "D" if second.type == "single" else "B D").mark.correct
    assert session.finish() == pytest.approx(1 / 4)
    cards = [c for c, _, _ in store.review_cards("me")]
    assert cards == [f"q:{second.id}"]


def test_fresh_questions_win_over_the_difficulty_mix(blueprints: dict[str, ExamBlueprint]) -> None:
    # A domain whose easy questions run out after one mock: the second mock must take fresh
    # harder ones rather than repeat easy ones it has just shown (curriculum §4).
    blueprint = blueprints["DVA"]
    bank = []
    for domain in blueprint.domains:
        task = next(iter(domain.tasks))
        wanted = 2 * (domain.scored_items + 5)  # two papers' worth, whatever the unscored split
        for i in range(wanted):
            difficulty = 1 if i < 6 else 2 + i % 2  # only six level-1 questions per domain
            qtype = "multi" if i % 4 == 0 else "single"
            qid = f"q-01-{domain.id.lower()}-{i:03d}"
            bank.append(make_question(qid, [f"DVA:{task}"], qtype, difficulty))
    first = assemble_exam(blueprint, bank, random.Random(1))
    seen = {i.question_id for i in first.items}
    second = assemble_exam(blueprint, bank, random.Random(2), seen)
    assert not seen & {i.question_id for i in second.items}
    assert not any(i.borrowed_from for i in second.items)


@pytest.mark.parametrize("seed", range(6))
def test_shipped_bank_gives_three_mocks_without_repeats(seed: int) -> None:
    """Each exam can run three consecutive mocks with no question repeated and no domain
    borrowing from another: the bank is deep enough per exam domain (issue 20)."""
    course = load_course(Path(__file__).resolve().parents[2])
    questions = course.all_questions()
    for blueprint in course.exams:
        rng = random.Random(seed)
        papers: list[set[str]] = []
        for _ in range(3):
            recent = frozenset().union(*papers[-2:]) if papers else frozenset()
            paper = assemble_exam(blueprint, questions, rng, recent)
            ids = {item.question_id for item in paper.items}
            assert len(ids) == len(paper.items) == blueprint.questions, blueprint.id
            assert not ids & recent, f"{blueprint.id}: repeats {sorted(ids & recent)}"
            assert not [i for i in paper.items if i.borrowed_from], (blueprint.id, paper.notes)
            by_id = {q.id: q for q in questions}
            multi = sum(by_id[i].is_multiple_response for i in ids)
            assert multi >= blueprint.multiple_response_min, (blueprint.id, multi)
            papers.append(ids)
