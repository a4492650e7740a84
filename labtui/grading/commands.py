"""``labtui check``, ``labtui hint``, ``labtui solution`` and ``labtui exercise reset``."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = subparsers.add_parser(
        "check", help="grade an exercise: apply your workspace to a fresh sandbox and run its checks"
    )
    check.add_argument("exercise", help="exercise id, e.g. first-function")
    check.add_argument("--solution", metavar="DIR",
                       help="grade this directory instead of your workspace")
    check.add_argument("--live", action="store_true",
                       help="grade your live sandbox account as it is (apply nothing; "
                            "the result is shown, not recorded)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--seed", type=_seed, metavar="N",
                       help="replay the generated test cases of an earlier check (its seed)")
    check.add_argument("--watch", action="store_true",
                       help="re-check whenever a file in your workspace changes")
    check.add_argument("--learner", default="me", help=argparse.SUPPRESS)
    check.set_defaults(handler=_check)

    hint = subparsers.add_parser("hint", help="show the next hint for an exercise (recorded)")
    hint.add_argument("exercise")
    hint.add_argument("--yes", action="store_true",
                      help="take the hint without asking (each hint costs 20%% of the points)")
    hint.add_argument("--learner", default="me", help=argparse.SUPPRESS)
    hint.set_defaults(handler=_hint)

    solution = subparsers.add_parser(
        "solution", help="show the reference solution (after you pass, or with --force)"
    )
    solution.add_argument("exercise")
    solution.add_argument("--force", action="store_true",
                          help="show it before passing (this is recorded)")
    solution.add_argument("--learner", default="me", help=argparse.SUPPRESS)
    solution.set_defaults(handler=_solution)

    exercise = subparsers.add_parser("exercise", help="manage your exercise workspaces")
    exercise_sub = exercise.add_subparsers(title="exercise commands", metavar="COMMAND",
                                           required=True)
    reset = exercise_sub.add_parser("reset", help="put a workspace back to the starter files")
    reset.add_argument("exercise")
    reset.add_argument("--yes", action="store_true", help="confirm: your changes are moved aside")
    reset.add_argument("--learner", default="me", help=argparse.SUPPRESS)
    reset.set_defaults(handler=_reset)
    path = exercise_sub.add_parser("path", help="print the workspace directory of an exercise")
    path.add_argument("exercise")
    path.add_argument("--learner", default="me", help=argparse.SUPPRESS)
    path.set_defaults(handler=_path)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a seed is a whole number, 0 or more")
    return value


def _store() -> Any:
    from labtui.progress.store import ProgressStore

    return ProgressStore.open_default()


def format_report(report: Any) -> str:
    lines = []
    if report.error:
        lines.append(f"{report.exercise_id}: could not grade")
        lines.append(f"  {report.error}")
        return "\n".join(lines)
    passed = sum(1 for r in report.results if r.passed)
    lines.append(
        f"{report.exercise_id}: {passed}/{len(report.results)} checks passed, "
        f"{report.points}/{report.max_points} points ({report.seconds:.1f} s, seed {report.seed})"
    )
    if report.note:
        lines.append(f"  {report.note}")
    if report.hints_used:
        lines.append(f"  score after {report.hints_used} hint(s): {report.score}/{report.max_points}")
    for result in report.results:
        mark = "PASS" if result.passed else "FAIL"
        lines.append(f"  {mark} {result.id} {result.title} [{result.rule}] "
                     f"{result.points}/{result.max_points}")
        if not result.passed:
            lines.append(f"       expected: {result.expected}")
            lines.append(f"       actual:   {result.actual}")
            if result.hint:
                lines.append(f"       hint:     {result.hint}")
    if report.live:
        if not report.passed:
            lines.append(f"Replay these exact test cases: labtui check {report.exercise_id} "
                         f"--live --seed {report.seed}")
        lines.append(f"Not recorded: --live graded your shell's account; "
                     f"labtui check {report.exercise_id} grades your workspace and records it.")
    elif report.passed:
        lines.append(f"All checks pass. See the reference solution: labtui solution {report.exercise_id}")
    else:
        lines.append(f"Replay these exact test cases: labtui check {report.exercise_id} "
                     f"--seed {report.seed}")
    return "\n".join(lines)


def _exit_code(report: Any) -> int:
    if report.error:
        return 2
    return 0 if report.passed else 1


def _check(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from labtui.errors import LabError
    from labtui.grading.service import grade, workspace_for

    solution = None
    if args.solution:
        solution = Path(args.solution).expanduser().resolve()
        if not solution.is_dir():
            raise LabError(f"{args.solution}: no such directory")
    store = _store()

    def once() -> Any:
        return grade(args.exercise, solution_dir=solution, learner_id=args.learner,
                     store=store, live=args.live, seed=args.seed,
                     on_progress=None if args.json else _progress)

    def show(report: Any) -> None:
        if args.json:
            print(json.dumps(report.to_json(), indent=2))
        else:
            print(format_report(report))
            from labtui.grading.stages import take_report  # staged exercises (the capstone)

            if staged_report := take_report(report.exercise_id, args.learner):
                print("\n" + staged_report.rstrip())
        sys.stdout.flush()

    if args.watch:
        from labtui.grading.watch import watch

        folder = solution or workspace_for(args.exercise, args.learner)
        if not args.json:
            print(f"watching {folder} (Ctrl-C to stop)")
        report = watch(folder, once, show)
        return _exit_code(report)
    report = once()
    show(report)
    return _exit_code(report)


def _progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr)


def _hint(args: argparse.Namespace) -> int:
    from labtui.errors import LabError
    from labtui.grading.service import next_hint
    from labtui.grading.workspace import hint_cost

    store = _store()
    cost = hint_cost(args.exercise, store, args.learner)
    if cost is not None and not args.yes:
        # the cost is said before the hint is shown (issue 22)
        if not sys.stdin.isatty():
            raise LabError(f"{cost} Run again with --yes to take it.")
        answer = input(f"{cost}\nShow it? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("No hint taken.")
            return 0
    level, total, text = next_hint(args.exercise, store, args.learner)
    print(f"Hint {level} of {total}: {text}")
    return 0


def _solution(args: argparse.Namespace) -> int:
    from labtui.grading.service import reveal_solution

    folder = reveal_solution(args.exercise, _store(), args.learner, force=args.force)
    print(f"Reference solution: {folder}")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        print(f"\n--- {path.relative_to(folder)} ---")
        print(path.read_text(encoding="utf-8", errors="replace").rstrip())
    return 0


def _reset(args: argparse.Namespace) -> int:
    from labtui.errors import LabError
    from labtui.grading.pack import load_pack
    from labtui.grading.service import reset_workspace

    load_pack(args.exercise)  # an unknown id is an error before any question (issue 22)
    if not args.yes:
        raise LabError(
            f"this replaces your {args.exercise} workspace with the starter files (your files "
            "are kept as a .bak folder) and starts its sandbox account over; add --yes to "
            "confirm"
        )
    folder = reset_workspace(args.exercise, args.learner, store=_store())
    print(f"{args.exercise}: workspace reset to the starter files: {folder}; its sandbox "
          "account starts over the next time you open the exercise")
    return 0


def _path(args: argparse.Namespace) -> int:
    from labtui.grading.service import workspace_for

    print(workspace_for(args.exercise, args.learner))
    return 0
