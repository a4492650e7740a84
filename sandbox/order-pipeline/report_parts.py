"""The order-pipeline report's own sections (labtui.grading.stages writes the stages part):
the verdict by curriculum §7's rule, a summary of the end-to-end trace and a monthly cost
estimate for the learner's memory and architecture at a stated traffic."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.stages import pass_rule, results_so_far

MONTHLY_ORDERS = 1_000_000  # the traffic assumption
TIMELINE_ROWS, NOTIFIER_ROWS = 60, 4
_run = sys.modules["labtui_pack_order_pipeline_pipeline_run"]  # loaded by checks.py first
API, WORKER, NOTIFIER = _run.API, _run.WORKER, _run.NOTIFIER
_config = _run.function_config


def sections(ctx: GradingContext) -> list[tuple[str, list[str]]]:
    results = results_so_far(ctx)
    verdict = "PASSED" if pass_rule(results, 80, "c10") else "not passed yet"
    sections = [("Verdict", [f"Capstone {verdict}: it needs 80 points and the end-to-end run."])]
    outcome = ctx.cache.get("e2e")
    if outcome is not None:
        summary = outcome["sim"].summary()
        sections.append(("End-to-end trace", [
            f"- {len(outcome['batch'].messages)} messages sent: {len(outcome['batch'].valid)} "
            f"valid orders, 1 duplicate, {len(outcome['batch'].poison)} poison "
            f"(seed {ctx.seed})",
            f"- invocations: {summary.invocations} ({summary.successes} ok, {summary.errors} "
            f"errors, {summary.timeouts} timeouts, {summary.throttles} throttles)",
            f"- SQS: {summary.sqs_deleted} deleted, {summary.sqs_redriven} moved to orders-dlq",
            f"- notifications: {len(outcome['notified'])}, success records "
            f"{outcome['successes']}, failure records {outcome['failures']}",
            f"- rows in orders-db: {outcome['rows']}; duplicates suppressed: "
            f"{outcome['suppressed']} (deliveries of an already notified order)",
        ]))
        sections.append(("Timeline of the end-to-end run", _timeline(outcome["sim"])))
    sections.append(("Monthly cost estimate", _cost_lines(ctx)))
    return sections


def _timeline(sim: Any) -> list[str]:
    """The run as rows in simulated time: batches, deletes, redrives, then the notifications
    (the first few shown, the rest counted) with their destination records."""
    import re

    from labtui.grading.sim import trace_rows

    rows = sorted(trace_rows(sim), key=lambda row: row.t_s)
    notifier = [row for row in rows if row.function == NOTIFIER]
    shown = [row for row in rows if row.function != NOTIFIER] + notifier[:NOTIFIER_ROWS]
    lines = ["```"]
    previous, repeats = "", 0
    for row in sorted(shown, key=lambda row: row.t_s)[:TIMELINE_ROWS]:
        attempt = f"attempt {row.attempt}" if row.attempt else ""
        detail = re.sub(r"arn:aws:[^ ]*[:/]([^ :/]+)", r"\1", row.detail)  # ARN -> name
        if row.outcome == "sqs-redrive":  # one line per moment, not per message id
            detail = re.sub(r" [0-9a-f-]{36} ", " ", detail).replace("sqs-redrive ", "")
        line = (f"{row.t_s:9.3f} s  {row.function or '-':<15} {attempt:<10} {row.outcome:<11} "
                f"{detail}")[:110].rstrip()
        if line == previous:
            repeats += 1
            lines[-1] = f"{line}  (x{repeats + 1})"
            continue
        previous, repeats = line, 0
        lines.append(line)
    if len(notifier) > NOTIFIER_ROWS:
        counts = Counter(row.outcome for row in notifier[NOTIFIER_ROWS:])
        lines.append(f"... and {len(notifier) - NOTIFIER_ROWS} more order-notifier rows: "
                     + ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
    return [*lines, "```"]


def _cost_lines(ctx: GradingContext) -> list[str]:
    from labtui.lambdasim import monthly_cost

    # Sandbox timings include the sandbox's own overhead, so the estimate states durations.
    per_order = {API: (1.0, 80), WORKER: (0.1, 600), NOTIFIER: (1.0, 50)}
    lines = [f"Assumption: {MONTHLY_ORDERS:,} orders a month; one orders-api call (80 ms) and "
             "one order-notifier call (50 ms) per order; one order-worker run (600 ms) per "
             "batch of 10; your memory and architecture; no free tier; us-east-1 prices."]
    total = 0.0
    for name, (share, billed_ms) in per_order.items():
        config = _config(ctx, name)
        memory = int(config.get("MemorySize", 128))
        architecture = (config.get("Architectures") or ["x86_64"])[0]
        invocations = int(MONTHLY_ORDERS * share)
        cost = monthly_cost(invocations, billed_ms, memory, architecture)
        total += cost.total_usd
        lines.append(f"- {name}: {memory} MB {architecture}, {invocations:,} invocations x "
                     f"{billed_ms} ms = {cost.gb_seconds:,.0f} GB-s -> ${cost.total_usd:.2f}")
    lines.append(f"- total: ${total:.2f} a month")
    return lines
