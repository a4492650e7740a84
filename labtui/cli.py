"""The ``labtui`` command line: parse, call a service, print, exit.

Every subcommand lives in a small ``commands`` module beside the service it
calls (``labtui/<package>/commands.py``). Those modules import only argparse
and the standard library at import time, so ``labtui --help`` stays fast and
never loads textual, moto or boto3; each handler imports its service lazily.

Exit codes: 0 ok; 1 checked and found wanting (lint problems, failing
checks, a failed exam); 2 usage or input error, always as one readable line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from labtui import __version__
from labtui.errors import LabError

Handler = Callable[[argparse.Namespace], int]

# Each module defines ``register(subparsers)`` and sets ``handler`` defaults.
COMMAND_MODULES: tuple[str, ...] = (
    "labtui.course.commands",
    "labtui.progress.commands",
    "labtui.quiz.commands",
    "labtui.certificates.commands",
    "labtui.grading.commands",
    "labtui.account.commands",
    "labtui.lambdasim.commands",
    "labtui.classroom.commands",
)

EXIT_OK = 0
EXIT_FOUND_WANTING = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line with a pointer to --help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="labtui",
        description="Learn AWS Lambda by doing: lessons, hands-on exercises against an "
        "offline sandbox account, quizzes and timed mock exams.",
        epilog="Run 'labtui' with no command to open the lab.",
    )
    parser.add_argument("--version", action="version", version=f"labtui {__version__}")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="plain-text, high-contrast interface for screen readers (no box drawing)",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def _open_lab(args: argparse.Namespace) -> int:
    from labtui.tui.app import run_app

    return run_app(plain=bool(args.plain))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    handler: Handler
    if set(arguments) <= {"--plain"}:
        # `labtui` and `labtui --plain` open the lab: building the commands' parsers (every
        # command module imported) took a tenth of the start-up before the home screen
        # (issue #21), and none of them is used.
        handler, args = _open_lab, argparse.Namespace(plain=bool(arguments))
    else:
        args = build_parser().parse_args(arguments)
        handler = getattr(args, "handler", _open_lab)
    try:
        return handler(args)
    except LabError as error:
        print(f"labtui: error: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("labtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:
        from labtui.crashlog import describe_report, write_crash_report

        report = write_crash_report(error)
        print(
            f"labtui: internal error: {type(error).__name__}: {error}\n"
            f"This is a labtui bug, not your mistake. {describe_report(report)}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
