"""``labtui simulate SCENARIO.yaml [--json] [--seed N] [--trace]``.

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
        "the scenario's expect: block is not met, 2 when the file is invalid.",
    )
    parser.add_argument("scenario", help="path to a scenario YAML file")
    parser.add_argument("--json", action="store_true", help="print summary and trace as JSON")
    parser.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the scenario's seed)"
    )
    parser.add_argument("--trace", action="store_true", help="print the event timeline too")
    parser.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from labtui.lambdasim.report import ScenarioError, render_text, run_scenario_file

    try:
        report = run_scenario_file(args.scenario, args.seed)
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report.as_dict(include_trace=True), indent=2, default=str))
    else:
        print(render_text(report, trace=args.trace))
    return EXIT_OK if report.ok else EXIT_FOUND_WANTING
