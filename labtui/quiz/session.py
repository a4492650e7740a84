"""Practice and exam attempts, saved after every answer so nothing is lost on a crash."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from labtui.course.loader import Course
from labtui.course.models import Question
from labtui.errors import LabError, UnknownItemError
from labtui.progress.store import ProgressStore
from labtui.quiz import review
from labtui.quiz.exam import assemble_exam, scaled_score
from labtui.quiz.scoring import Mark, mark, normalise_answer

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Feedback:
    question: Question
    answer: Any
    mark: Mark


@dataclass
class DomainScore:
    domain: str
    title: str
    correct: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class ExamResult:
    exam_id: str
    correct: int
    scored: int
    scaled: int
    passed: bool
    domains: list[DomainScore]
    review: list[Feedback] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.correct / self.scored if self.scored else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "exam": self.exam_id,
            "correct": self.correct,
            "scored_items": self.scored,
            "raw_percent": round(100 * self.fraction, 1),
            "scaled": self.scaled,
            "passed": self.passed,
            "domains": [
                {"domain": d.domain, "title": d.title, "correct": d.correct, "total": d.total}
                for d in self.domains
            ],
            "answers": [
                {"question": f.question.id, "answer": f.answer, "correct": f.mark.correct}
                for f in self.review
            ],
            "notes": self.notes,
            "scale_note": "approximate: 75% raw maps to 720 (see labtui.quiz.exam)",
        }


def _questions_by_id(course: Course) -> dict[str, Question]:
    return {q.id: q for q in course.all_questions()}


class PracticeSession:
    """Practice by module or by exam domain: immediate feedback, no clock."""

    def __init__(
        self, store: ProgressStore, learner_id: str, subject: str, questions: list[Question]
    ) -> None:
        if not questions:
            raise LabError(f"no questions to practise for '{subject}'")
        self.store, self.learner_id, self.subject = store, learner_id, subject
        self.questions = questions
        self.feedback: dict[str, Feedback] = {}
        self.attempt_id = store.start_quiz_attempt(
            learner_id, "practice", subject, {"questions": [q.id for q in questions]}
        )

    @classmethod
    def for_subject(
        cls,
        store: ProgressStore,
        course: Course,
        subject: str,
        *,
        learner_id: str = "me",
        count: int | None = None,
        seed: int | None = None,
    ) -> PracticeSession:
        """``subject`` is a module id, or an exam domain such as ``DVA:D2`` / ``DVA:1.2``."""
        if subject in course.questions:
            pool = list(course.questions[subject])
        elif ":" in subject:
            pool = _domain_pool(course, subject)
        else:
            known = ", ".join(m.id for m in course.modules)
            raise UnknownItemError(f"no module '{subject}'; modules are: {known}")
        rng = random.Random(seed)
        rng.shuffle(pool)
        store.ensure_learner(learner_id)
        return cls(store, learner_id, subject, pool[:count] if count else pool)

    def answer(self, question: Question, raw: Any) -> Feedback:
        value = normalise_answer(question, raw)
        result = mark(question, value, partial_ordering=True)
        feedback = Feedback(question, value, result)
        self.feedback[question.id] = feedback
        self.store.record_answer(self.attempt_id, question.id, value, result.correct)
        review.review(self.store, self.learner_id, f"q:{question.id}", remembered=result.correct)
        return feedback

    def progress_line(self) -> str:
        """How far an unfinished quiz got: "3 of 10 answered (2 right so far)"."""
        right = sum(1 for f in self.feedback.values() if f.mark.correct)
        return (f"{len(self.feedback)} of {len(self.questions)} answered "
                f"({right} right so far); finish the quiz for a score.")

    def finish(self) -> float:
        credit = sum(f.mark.credit for f in self.feedback.values())
        score = credit / len(self.questions)
        self.store.finish_quiz_attempt(
            self.attempt_id, score_raw=score, score_scaled=None, passed=None
        )
        return score


def _domain_pool(course: Course, subject: str) -> list[Question]:
    tag, _, part = subject.partition(":")
    exam = course.exam(tag)
    if exam is None:
        raise UnknownItemError(f"no exam '{tag}'; use DVA, SAA or SOA")
    if part.startswith("D"):
        domain = next((d for d in exam.domains if d.id == part), None)
        if domain is None:
            raise UnknownItemError(f"{exam.id} has no domain {part}")
        tasks = set(domain.tasks)
    else:
        tasks = {part}
    return [
        q
        for q in course.all_questions()
        if any(t.split(":")[0] == exam.tag and t.split(":")[1] in tasks for t in q.domains)
    ]


class ExamSession:
    """A timed mock exam. State (order, answers, flags, remaining time) is saved on every action;
    an interrupted exam resumes with the clock where it stood (time while closed is not counted)."""

    def __init__(
        self,
        store: ProgressStore,
        course: Course,
        attempt_id: int,
        state: dict[str, Any],
        clock: Clock = time.monotonic,
    ) -> None:
        self.store, self.course, self.attempt_id, self.state = store, course, attempt_id, state
        self.clock = clock
        self._started = clock()
        self._remaining_at_start = float(state["remaining_s"])
        by_id = _questions_by_id(course)
        missing = [i["q"] for i in state["items"] if i["q"] not in by_id]
        if missing:
            raise LabError(
                f"this exam uses questions no longer in the bank: {', '.join(missing[:3])}"
            )
        self.questions = [by_id[i["q"]] for i in state["items"]]
        blueprint = course.exam(state["exam"])
        if blueprint is None:
            raise UnknownItemError(f"no exam blueprint '{state['exam']}'")
        self.blueprint = blueprint

    @classmethod
    def start(
        cls,
        store: ProgressStore,
        course: Course,
        exam_id: str,
        *,
        learner_id: str = "me",
        seed: int | None = None,
        clock: Clock = time.monotonic,
    ) -> ExamSession:
        blueprint = course.exam(exam_id)
        if blueprint is None:
            known = ", ".join(e.id for e in course.exams)
            raise UnknownItemError(f"no exam '{exam_id}'; choose one of {known}")
        store.ensure_learner(learner_id)
        recent = [a for a in store.quiz_attempts(learner_id, "exam") if a.subject == blueprint.id][
            -2:
        ]
        seen = {item["q"] for attempt in recent for item in attempt.state.get("items", [])}
        paper = assemble_exam(blueprint, course.all_questions(), random.Random(seed), seen)
        state: dict[str, Any] = {
            "exam": blueprint.id,
            "items": [
                {"q": i.question_id, "domain": i.domain, "scored": i.scored} for i in paper.items
            ],
            "answers": {},
            "flags": [],
            "current": 0,
            "remaining_s": blueprint.minutes * 60.0,
            "notes": paper.notes,
        }
        attempt_id = store.start_quiz_attempt(learner_id, "exam", blueprint.id, state)
        return cls(store, course, attempt_id, state, clock)

    @classmethod
    def resume(
        cls,
        store: ProgressStore,
        course: Course,
        *,
        learner_id: str = "me",
        exam_id: str | None = None,
        clock: Clock = time.monotonic,
    ) -> ExamSession | None:
        """The newest unfinished exam (of ``exam_id`` if given), or None."""
        for attempt in reversed(store.quiz_attempts(learner_id, "exam")):
            if attempt.finished_at is None and (
                exam_id is None
                or attempt.subject == exam_id.upper()
                or attempt.subject.startswith(exam_id.upper())
            ):
                return cls(store, course, attempt.id, attempt.state, clock)
        return None

    # clock -----------------------------------------------------------------
    @property
    def remaining_s(self) -> float:
        return max(0.0, self._remaining_at_start - (self.clock() - self._started))

    @property
    def time_up(self) -> bool:
        return self.remaining_s <= 0

    def _save(self) -> None:
        self.state["remaining_s"] = self.remaining_s
        self.store.save_quiz_state(self.attempt_id, self.state)

    # navigation and answers -------------------------------------------------
    @property
    def current(self) -> int:
        return int(self.state["current"])

    def goto(self, index: int) -> None:
        self.state["current"] = max(0, min(index, len(self.questions) - 1))
        self._save()

    def answer(self, index: int, raw: Any) -> Any:
        if self.time_up:
            raise LabError("time is up: the exam can only be submitted now")
        question = self.questions[index]
        value = normalise_answer(question, raw)
        self.state["answers"][question.id] = value
        self.state["remaining_s"] = self.remaining_s
        # the answer and the clock are saved in one transaction
        self.store.record_answer(self.attempt_id, question.id, value, None, state=self.state)
        return value

    def answer_of(self, index: int) -> Any:
        return self.state["answers"].get(self.questions[index].id)

    def toggle_flag(self, index: int) -> bool:
        flags: list[str] = self.state["flags"]
        qid = self.questions[index].id
        if qid in flags:
            flags.remove(qid)
        else:
            flags.append(qid)
        self._save()
        return qid in flags

    def is_flagged(self, index: int) -> bool:
        return self.questions[index].id in self.state["flags"]

    def unanswered(self) -> list[int]:
        return [i for i, q in enumerate(self.questions) if q.id not in self.state["answers"]]

    def flagged(self) -> list[int]:
        return [i for i in range(len(self.questions)) if self.is_flagged(i)]

    # result -----------------------------------------------------------------
    def submit(self, learner_id: str = "me") -> ExamResult:
        domains = {d.id: DomainScore(d.id, d.title) for d in self.blueprint.domains}
        feedback: list[Feedback] = []
        correct = scored = 0
        for item, question in zip(self.state["items"], self.questions, strict=True):
            given = self.state["answers"].get(question.id)
            result = (
                mark(question, given, partial_ordering=False)
                if given is not None
                else Mark(False, 0.0)
            )
            feedback.append(Feedback(question, given, result))
            if item["scored"]:
                scored += 1
                correct += int(result.correct)
                domains[item["domain"]].total += 1
                domains[item["domain"]].correct += int(result.correct)
            review.review(self.store, learner_id, f"q:{question.id}", remembered=result.correct)
        fraction = correct / scored if scored else 0.0
        scaled = scaled_score(fraction, self.blueprint.pass_scaled)
        passed = scaled >= self.blueprint.pass_scaled
        # kept with the attempt so that `progress export` has the domain scores (issue 22)
        self.state["result"] = {
            "correct": correct,
            "scored": scored,
            "domains": [{"id": d.domain, "title": d.title, "correct": d.correct, "total": d.total}
                        for d in domains.values()],
        }
        self._save()
        self.store.finish_quiz_attempt(
            self.attempt_id, score_raw=fraction, score_scaled=scaled, passed=passed
        )
        return ExamResult(
            self.blueprint.id,
            correct,
            scored,
            scaled,
            passed,
            list(domains.values()),
            feedback,
            list(self.state.get("notes", [])),
        )
