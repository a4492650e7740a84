"""Plain-text quiz, exam and review runners (stdin/stdout) for scripting and screen readers.

Prompts and feedback go to ``out``; with ``--json`` the CLI sends them to stderr and
prints only the JSON result on stdout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from labtui.course.loader import Course
from labtui.course.models import Question
from labtui.progress.store import ProgressStore
from labtui.quiz import review
from labtui.quiz.scoring import describe_answer
from labtui.quiz.session import ExamResult, ExamSession, Feedback, PracticeSession

ReadLine = Callable[[], str | None]


def format_question(question: Question, number: int, total: int) -> str:
    lines = [
        f"Question {number} of {total}  [{question.id}, {question.type}, difficulty {question.difficulty}]"
    ]
    if question.context:
        lines += [
            "",
            "Context:",
            *[f"    {line}" for line in question.context.strip().splitlines()],
        ]
    lines += ["", question.stem, ""]
    for key, text in (question.options or {}).items():
        lines.append(f"  {key}. {text}")
    if question.type == "numeric":
        lines.append(f"  (answer in {question.unit}; a number)")
    elif question.type == "ordering":
        lines.append("  (give every letter in order, e.g. B C A D)")
    elif isinstance(question.answer, list):
        count = len(question.answer)
        example = " ".join("ACEGI"[:count])
        lines.append(f"  (choose {count}: give {count} letters, e.g. {example})")
    return "\n".join(lines)


def format_feedback(feedback: Feedback) -> str:
    question = feedback.question
    verdict = "Correct." if feedback.mark.correct else "Not quite."
    if not feedback.mark.correct and 0 < feedback.mark.credit < 1:
        verdict += f" ({feedback.mark.credit:.0%} of the order right)"
    lines = [
        verdict,
        f"Your answer: {describe_answer(question, feedback.answer)}",
        f"Right answer: {describe_answer(question, question.answer)}",
    ]
    if question.type == "numeric":
        lines.append(f"Working: {question.explain['working']}")
        wrong = {k: v for k, v in question.explain.items() if k != "working"}
        lines += [f"  If you got {k}: {v}" for k, v in wrong.items()]
    else:
        for key in question.options or {}:
            lines.append(f"  {key}: {question.explain.get(key, '')}")
    lines.append(f"Read more: {', '.join(question.refs)}")
    return "\n".join(lines)


def _ask(read: ReadLine, out: TextIO, prompt: str) -> str | None:
    out.write(prompt)
    out.flush()
    line = read()
    return None if line is None else line.strip()


def run_practice(session: PracticeSession, read: ReadLine, out: TextIO) -> dict[str, Any]:
    total = len(session.questions)
    for number, question in enumerate(session.questions, start=1):
        print(format_question(question, number, total), file=out)
        while True:
            raw = _ask(read, out, "answer (or 'skip', 'quit')> ")
            if raw is None or raw == "quit":
                return _practice_result(session, stopped=True, out=out)
            if raw == "skip":
                break
            try:
                feedback = session.answer(question, raw)
            except ValueError as error:
                print(f"  {error}", file=out)
                continue
            print(format_feedback(feedback), file=out)
            print("", file=out)
            break
    return _practice_result(session, stopped=False, out=out)


def _practice_result(session: PracticeSession, *, stopped: bool, out: TextIO) -> dict[str, Any]:
    right = sum(1 for f in session.feedback.values() if f.mark.correct)
    score: float | None
    if stopped:
        # Unfinished: the answers are kept, but it is no score (issue 22).
        score = None
        print(f"Stopped: {session.progress_line()}", file=out)
    else:
        score = session.finish()
        print(f"Done: {right} of {len(session.questions)} right ({score:.0%}).", file=out)
    if any(not f.mark.correct for f in session.feedback.values()):
        print("Wrong answers were added to your review queue.", file=out)
    return {
        "subject": session.subject,
        "questions": len(session.questions),
        "answered": len(session.feedback),
        "finished": not stopped,
        "correct": right,
        "score": None if score is None else round(score, 4),
        "answers": [
            {
                "question": f.question.id,
                "answer": f.answer,
                "correct": f.mark.correct,
                "credit": round(f.mark.credit, 4),
            }
            for f in session.feedback.values()
        ],
    }


EXAM_HELP = """Commands: a letter or letters answers (A / A C / 150) and moves on;
  n next, p previous, g N go to question N, f flag/unflag, r review list,
  submit to finish, quit to stop (the exam and its clock are saved)."""


def run_exam(session: ExamSession, read: ReadLine, out: TextIO) -> ExamResult | None:
    total = len(session.questions)
    print(
        f"{session.blueprint.id} mock exam: {total} questions, "
        f"{session.remaining_s / 60:.0f} minutes left. {EXAM_HELP}",
        file=out,
    )
    for note in session.state.get("notes", []):
        print(f"Note: {note}", file=out)
    while True:
        if session.time_up:
            print("Time is up: the exam is submitted.", file=out)
            return session.submit()
        index = session.current
        question = session.questions[index]
        flag = " [flagged]" if session.is_flagged(index) else ""
        given = session.answer_of(index)
        print(f"\n--- {_clock(session.remaining_s)} left{flag}", file=out)
        print(format_question(question, index + 1, total), file=out)
        if given is not None:
            print(f"  (your answer: {describe_answer(question, given)})", file=out)
        raw = _ask(read, out, "> ")
        if raw is None or raw == "quit":
            print(
                f"Exam saved with {_clock(session.remaining_s)} left; run the same command to resume.",
                file=out,
            )
            return None
        command, _, arg = raw.partition(" ")
        if command == "n":
            session.goto(index + 1)
        elif command == "p":
            session.goto(index - 1)
        elif command == "g" and arg.strip().isdigit():
            session.goto(int(arg) - 1)
        elif command == "f":
            session.toggle_flag(index)
        elif command == "r":
            print(_review_list(session), file=out)
        elif command == "submit":
            missing = len(session.unanswered())
            confirm = _ask(
                read,
                out,
                f"{missing} unanswered, {len(session.flagged())} flagged. Submit now? (yes/no)> ",
            )
            if confirm == "yes":
                return session.submit()
        elif raw in ("help", "?"):
            print(EXAM_HELP, file=out)
        else:
            try:
                session.answer(index, raw)
            except ValueError as error:
                print(f"  {error}", file=out)
                continue
            session.goto(index + 1 if index + 1 < total else index)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def _review_list(session: ExamSession) -> str:
    marks = []
    for i in range(len(session.questions)):
        state = "answered" if session.answer_of(i) is not None else "unanswered"
        flag = ", flagged" if session.is_flagged(i) else ""
        marks.append(f"  {i + 1:>2}: {state}{flag}")
    return "Review:\n" + "\n".join(marks)


def format_exam_result(result: ExamResult) -> str:
    lines = [
        f"{result.exam_id}: {result.correct} of {result.scored} scored items right "
        f"({result.fraction:.0%}) -> scaled {result.scaled} (pass 720): "
        f"{'PASS' if result.passed else 'NOT YET'}",
        "(The scaled score is an approximation: 75% raw maps to 720. The bank covers the "
        "Lambda tasks of the exam only.)",
        "By domain:",
    ]
    for domain in result.domains:
        lines.append(f"  {domain.domain} {domain.title}: {domain.correct}/{domain.total}")
    wrong = [f for f in result.review if not f.mark.correct]
    if wrong:
        lines.append(f"{len(wrong)} question(s) to review; they are now in your review queue:")
        lines += [
            f"  {f.question.id}: right answer {describe_answer(f.question, f.question.answer)}"
            for f in wrong[:20]
        ]
    for note in result.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def run_review(
    store: ProgressStore, course: Course, learner_id: str, read: ReadLine, out: TextIO
) -> dict[str, Any]:
    by_id = {q.id: q for q in course.all_questions()}
    due = review.due_cards(store, learner_id)
    done = remembered = 0
    checks = [c.card_id for c in due if c.question_id is None]
    questions = [by_id[c.question_id] for c in due if c.question_id in by_id]
    stopped = False
    for question in questions:
        print(format_question(question, done + 1, len(questions)), file=out)
        session_like = PracticeSession(store, learner_id, "review", [question])
        while True:
            raw = _ask(read, out, "answer (or 'quit')> ")
            if raw is None or raw == "quit":
                stopped = True
                break
            try:
                feedback = session_like.answer(question, raw)
            except ValueError as error:
                print(f"  {error}", file=out)
                continue
            session_like.finish()
            print(format_feedback(feedback), file=out)
            done += 1
            remembered += feedback.mark.correct
            break
        if stopped:
            break
    if checks:
        print("Exercise checks to revisit (run `labtui check EXERCISE`):", file=out)
        for card_id in checks:
            _, exercise, check = card_id.split(":", 2)
            print(f"  {exercise} {check}", file=out)
    print(review.summary_line(store, learner_id, reviewed=done, remembered=remembered), file=out)
    return {"due": len(due), "reviewed": done, "remembered": remembered, "checks": checks}
