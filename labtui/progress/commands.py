"""``labtui progress ...`` subcommands."""

from __future__ import annotations

import argparse

TABLES = ("exercises", "check_attempts", "quiz_answers", "exams", "exam_domains")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    progress = subparsers.add_parser("progress", help="export your progress")
    sub = progress.add_subparsers(title="progress commands", metavar="COMMAND", required=True)
    export = sub.add_parser(
        "export",
        help="your progress as tidy tables: JSON (all tables) or CSV (one table per file)",
    )
    export.add_argument("--format", choices=("csv", "json"), default="json")
    export.add_argument("--table", choices=TABLES,
                        help="only this table (CSV to stdout needs one)")
    export.add_argument("--output", "-o",
                        help="write to this file; for CSV without --table, a directory that "
                             "gets one file per table")
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from labtui.errors import LabError
    from labtui.progress.export import export_progress, write_csv_tables
    from labtui.progress.store import ProgressStore

    every_table = args.format == "csv" and args.table is None
    if every_table and not args.output:
        raise LabError(
            "a CSV file holds one table: add --table (one of " + ", ".join(TABLES)
            + ") or -o DIRECTORY for one file per table"
        )
    try:
        with ProgressStore.open_default() as store:
            if every_table:
                written = write_csv_tables(store, Path(args.output))
                print(f"{len(written)} tables written to {args.output}: "
                      + ", ".join(p.name for p in written))
                return 0
            text = export_progress(store, args.format, args.table)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
            print(f"progress written to {args.output}")
        else:
            print(text, end="" if text.endswith("\n") else "\n")
    except OSError as error:
        raise LabError(f"cannot write {args.output}: {error.strerror}") from error
    return 0
