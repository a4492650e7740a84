"""``labtui content ...`` subcommands."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    content = subparsers.add_parser("content", help="check and inspect course content")
    content_sub = content.add_subparsers(title="content commands", metavar="COMMAND", required=True)
    lint = content_sub.add_parser(
        "lint", help="validate the whole course and print every problem as file:line: message"
    )
    lint.add_argument("path", nargs="?", help="course directory (default: the installed course)")
    lint.set_defaults(handler=_lint)


def _lint(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labtui.course.lint import lint_course
    from labtui.course.resolver import content_root
    from labtui.errors import LabError

    if args.path:
        root = Path(args.path).expanduser().resolve()
        if not root.is_dir():
            raise LabError(f"{args.path}: no such directory")
    else:
        root = content_root()
    problems = lint_course(root)
    for problem in problems:
        print(problem.format(Path.cwd()))
    if problems:
        print(f"{len(problems)} problem(s) found in {root}")
        return 1
    print(f"course OK: {root}")
    return 0
