"""``labtui simulate SCENARIO.yaml [--json] [--seed N] [--trace] [--max-events N]``.

Imports only argparse and the standard library at import time; the engine is
loaded when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_FOUND_WANTING = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run a Lambda behaviour scenario and print what happened",
        description="Run a scenario file (functions, event sources, traffic, faults) on the "
        "lambdasim engine and print a summary: invocations, errors, throttles, retries, "
        "DLQ and destination deliveries, concurrency, cold starts and cost. Exits 1 when "
        "the scenario's expect: block is not met or the run was cut short before it "
        "settled (see --max-events), 2 when the file is invalid.",
    )
    parser.add_argument("scenario", help="path to a scenario YAML file")
    parser.add_argument(
        "--json", action="store_true", help="print the summary as JSON (with --trace: the trace)"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the scenario's seed)"
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="record the event timeline and print it (the first 100,000 events)",
    )
    parser.add_argument(
        "--max-events",
        type=_positive,
        default=None,
        metavar="N",
        help="stop a run that has not settled after N events (default: the scenario's "
        "max_events, else 25 per declared call/message/record, at least 2,000,000)",
    )
    parser.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from labtui.lambdasim.report import ScenarioError, render_text, run_scenario_file

    try:
        report = run_scenario_file(
            args.scenario, args.seed, trace=args.trace, max_events=args.max_events
        )
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(report.as_dict(include_trace=args.trace), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(render_text(report, trace=args.trace))
    if not report.settled:
        # A report that looks complete but is not would mislead: say so where errors go.
        print(f"labtui: error: run cut short: {report.cut_reason}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_FOUND_WANTING


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
