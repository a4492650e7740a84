"""Mock exam assembly and the raw → scaled score conversion.

Assembly (curriculum.md §4): 50 scored items split across domains exactly as
the blueprint says, plus 15 unscored items drawn the same way and hidden among
them; single and multiple response only; difficulty aimed at 30/50/20; at
least ``multiple_response_min`` multiple-response items when the bank has
them; questions from the learner's last two mocks avoided while the bank
allows; a thin domain borrows from the nearest domain and the paper says so.

Scaled score: AWS reports 100-1,000 with a pass at 720 and equates forms with
a psychometric model it does not publish. labtui approximates it with two
straight lines through (0 % → 100), (75 % → 720) and (100 % → 1,000): the cut
at 75 % matches curriculum.md's "indicative pass at 75 %". It is an
approximation for practice, not a prediction of a real result.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from labtui.course.models import ExamBlueprint, ExamDomain, Question

PASS_RAW_FRACTION = 0.75


@dataclass(frozen=True, slots=True)
class ExamItem:
    question_id: str
    domain: str  # blueprint domain id, e.g. "D2"
    scored: bool
    borrowed_from: str | None = None  # the domain the question really belongs to, if borrowed


@dataclass
class ExamPaper:
    exam_id: str
    items: list[ExamItem]
    notes: list[str] = field(default_factory=list)


def scaled_score(raw_fraction: float, pass_scaled: int = 720) -> int:
    """Approximate AWS scaled score for the share of scored items answered correctly."""
    p = min(1.0, max(0.0, raw_fraction))
    if p <= PASS_RAW_FRACTION:
        value = 100 + (pass_scaled - 100) * p / PASS_RAW_FRACTION
    else:
        value = pass_scaled + (1000 - pass_scaled) * (p - PASS_RAW_FRACTION) / (
            1 - PASS_RAW_FRACTION
        )
    return round(value)


def question_domain(question: Question, blueprint: ExamBlueprint) -> ExamDomain | None:
    """The blueprint domain of the question's first task tag for this exam."""
    for tag in question.domains:
        exam_tag, task = tag.split(":")
        if exam_tag == blueprint.tag:
            domain = blueprint.domain_of_task(task)
            if domain is not None:
                return domain
    return None


def _largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def assemble_exam(
    blueprint: ExamBlueprint,
    questions: Iterable[Question],
    rng: random.Random,
    recently_seen: set[str] | frozenset[str] = frozenset(),
) -> ExamPaper:
    """Draw one mock exam; never repeats a question within the paper."""
    pools: dict[str, list[Question]] = {d.id: [] for d in blueprint.domains}
    for question in questions:
        if not question.exam_eligible:
            continue
        domain = question_domain(question, blueprint)
        if domain is not None:
            pools[domain.id].append(question)
    for pool in pools.values():
        pool.sort(key=lambda q: q.id)
        rng.shuffle(pool)
        # unseen questions first; recently seen ones only when a domain runs short
        pool.sort(key=lambda q: q.id in recently_seen)

    unscored = blueprint.questions - blueprint.scored
    extra = _largest_remainder(unscored, [d.weight for d in blueprint.domains])
    paper = ExamPaper(blueprint.id, [])
    used: set[str] = set()
    order = [d.id for d in blueprint.domains]
    for domain, n_extra in zip(blueprint.domains, extra, strict=True):
        wanted = domain.scored_items + n_extra
        chosen = _pick(pools[domain.id], wanted, used, blueprint, recently_seen)
        borrowed: list[tuple[Question, str]] = []
        if len(chosen) < wanted:
            for neighbour in _nearest(order, domain.id):
                more = _pick(
                    pools[neighbour],
                    wanted - len(chosen) - len(borrowed),
                    used,
                    blueprint,
                    recently_seen,
                )
                borrowed += [(q, neighbour) for q in more]
                if len(chosen) + len(borrowed) >= wanted:
                    break
            if borrowed:
                paper.notes.append(
                    f"{domain.id} {domain.title}: the bank has {len(chosen)} question(s) for this "
                    f"domain; {len(borrowed)} borrowed from the nearest domain"
                )
        flags = [True] * domain.scored_items + [False] * n_extra
        picked = [(q, None) for q in chosen] + borrowed
        for (question, source), scored in zip(picked, flags, strict=False):
            paper.items.append(ExamItem(question.id, domain.id, scored, source))
    _ensure_multiple_response(paper, pools, blueprint, used, recently_seen)
    rng.shuffle(paper.items)
    if len(paper.items) < blueprint.questions:
        paper.notes.append(
            f"the bank holds only {len(paper.items)} eligible questions for {blueprint.id}; "
            f"this mock is shorter than the real {blueprint.questions}"
        )
    return paper


def _nearest(order: list[str], domain_id: str) -> list[str]:
    index = order.index(domain_id)
    return sorted(
        (d for d in order if d != domain_id), key=lambda d: (abs(order.index(d) - index), d)
    )


def _pick(
    pool: list[Question],
    wanted: int,
    used: set[str],
    blueprint: ExamBlueprint,
    recently_seen: set[str] | frozenset[str],
) -> list[Question]:
    """Take ``wanted`` unused questions, aiming at the blueprint's difficulty mix.

    Freshness wins over the mix (curriculum §4: nothing from the last two mocks): the mix is
    aimed at among questions not recently seen, and recently seen ones fill in only when the
    fresh ones run out.
    """
    available = [q for q in pool if q.id not in used]
    fresh = [q for q in available if q.id not in recently_seen]
    chosen = _aim_at_difficulty(fresh, wanted, blueprint)
    stale = [q for q in available if q.id in recently_seen]
    chosen += stale[: max(0, wanted - len(chosen))]
    used.update(q.id for q in chosen)
    return chosen


def _aim_at_difficulty(
    available: list[Question], wanted: int, blueprint: ExamBlueprint
) -> list[Question]:
    targets = dict(
        zip(
            blueprint.difficulty_mix,
            _largest_remainder(wanted, list(blueprint.difficulty_mix.values())),
            strict=True,
        )
    )
    chosen: list[Question] = []
    for level, count in targets.items():
        level_pool = [q for q in available if q.difficulty == level and q not in chosen]
        chosen += level_pool[:count]
    for question in available:  # fill gaps from any difficulty
        if len(chosen) >= wanted:
            break
        if question not in chosen:
            chosen.append(question)
    return chosen[:wanted]


def _ensure_multiple_response(
    paper: ExamPaper,
    pools: dict[str, list[Question]],
    blueprint: ExamBlueprint,
    used: set[str],
    recently_seen: set[str] | frozenset[str],
) -> None:
    by_id = {q.id: q for pool in pools.values() for q in pool}
    have = sum(1 for item in paper.items if by_id[item.question_id].is_multiple_response)
    for index, item in enumerate(paper.items):
        if have >= blueprint.multiple_response_min:
            return
        if by_id[item.question_id].is_multiple_response or item.borrowed_from:
            continue
        # never swap a fresh question for a recently seen one: the mix yields to freshness
        spare = next(
            (
                q
                for q in pools[item.domain]
                if q.id not in used
                and q.is_multiple_response
                and (q.id not in recently_seen or item.question_id in recently_seen)
            ),
            None,
        )
        if spare is None:
            continue
        used.add(spare.id)
        paper.items[index] = ExamItem(spare.id, item.domain, item.scored)
        have += 1
