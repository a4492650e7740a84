"""``labtui quiz``, ``labtui exam`` and ``labtui review``: plain-text, scriptable runners."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quiz = subparsers.add_parser(
        "quiz", help="practise a module's questions (or an exam domain, e.g. DVA:D1) in plain text"
    )
    quiz.add_argument(
        "subject", help="module id (e.g. failure-handling) or exam domain (DVA:D2, SAA:3.2)"
    )
    quiz.add_argument("--count", type=int, help="ask at most this many questions")
    quiz.add_argument("--seed", type=int, help="fix the question order")
    quiz.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    quiz.set_defaults(handler=_quiz)

    exam = subparsers.add_parser(
        "exam", help="timed mock exam (65 questions, 130 minutes) in plain text"
    )
    exam.add_argument("cert", help="DVA-C02, SAA-C03 or SOA-C03")
    exam.add_argument(
        "--new", action="store_true", help="start a new exam even if one is unfinished"
    )
    exam.add_argument("--seed", type=int, help="fix the draw (for practice with a friend)")
    exam.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    exam.set_defaults(handler=_exam)

    review_cmd = subparsers.add_parser("review", help="answer the review cards that are due")
    review_cmd.add_argument(
        "--json", action="store_true", help="print the summary as JSON on stdout"
    )
    review_cmd.set_defaults(handler=_review)


def _setup(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    import sys

    from labtui.course.loader import load_course
    from labtui.course.resolver import content_root
    from labtui.progress.store import ProgressStore

    course = load_course(content_root())
    store = ProgressStore.open_default()
    store.ensure_learner("me")
    out = sys.stderr if args.json else sys.stdout

    def read() -> str | None:
        line = sys.stdin.readline()
        return line if line else None

    return course, store, out, read


def _quiz(args: argparse.Namespace) -> int:
    import json

    from labtui.errors import LabError
    from labtui.quiz.plain import run_practice
    from labtui.quiz.session import PracticeSession

    if args.count is not None and args.count < 1:
        raise LabError("--count must be at least 1")
    course, store, out, read = _setup(args)
    with store:
        session = PracticeSession.for_subject(
            store, course, args.subject, count=args.count, seed=args.seed
        )
        result = run_practice(session, read, out)
    if args.json:
        print(json.dumps(result, indent=2))
    return 0


def _exam(args: argparse.Namespace) -> int:
    import json

    from labtui.quiz.plain import format_exam_result, run_exam
    from labtui.quiz.session import ExamSession

    course, store, out, read = _setup(args)
    with store:
        session = None if args.new else ExamSession.resume(store, course, exam_id=args.cert)
        if session is not None:
            print(f"Resuming your unfinished {session.blueprint.id} exam.", file=out)
        else:
            session = ExamSession.start(store, course, args.cert, seed=args.seed)
        result = run_exam(session, read, out)
    if result is None:
        return 0
    print(format_exam_result(result), file=out)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    return 0 if result.passed else 1


def _review(args: argparse.Namespace) -> int:
    import json

    from labtui.quiz.plain import run_review

    course, store, out, read = _setup(args)
    with store:
        summary = run_review(store, course, "me", read, out)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0
