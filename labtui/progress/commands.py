"""``labtui progress ...`` subcommands."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    progress = subparsers.add_parser("progress", help="export your progress")
    sub = progress.add_subparsers(title="progress commands", metavar="COMMAND", required=True)
    export = sub.add_parser("export", help="print all progress as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="json")
    export.add_argument("--output", "-o", help="write to this file instead of stdout")
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labtui.errors import LabError
    from labtui.progress.export import export_progress
    from labtui.progress.store import ProgressStore

    with ProgressStore.open_default() as store:
        text = export_progress(store, args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise LabError(f"cannot write {args.output}: {error.strerror}") from error
        print(f"progress written to {args.output}")
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0
