"""The order-pipeline report's own sections (labtui.grading.stages writes the stages part):
the verdict by curriculum §7's rule, a summary of the end-to-end trace and a monthly cost
estimate for the learner's memory and architecture at a stated traffic."""

from __future__ import annotations

import sys

from labtui.grading.context import GradingContext
from labtui.grading.stages import pass_rule, results_so_far

MONTHLY_ORDERS = 1_000_000  # the traffic assumption
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
            f"- {len(outcome['batch'].messages)} messages sent: 17 valid orders, 1 duplicate, "
            "2 poison",
            f"- invocations: {summary.invocations} ({summary.successes} ok, {summary.errors} "
            f"errors, {summary.timeouts} timeouts, {summary.throttles} throttles)",
            f"- SQS: {summary.sqs_deleted} deleted, {summary.sqs_redriven} moved to orders-dlq",
            f"- notifications: {len(outcome['notified'])}, success records "
            f"{outcome['successes']}, destination deliveries {summary.destination_deliveries}",
            f"- rows in orders-db: {outcome['rows']}; duplicates suppressed: "
            f"{outcome['suppressed']}",
            f"- {len(ctx.trace)} trace rows (labtui check order-pipeline --json shows them)",
        ]))
    sections.append(("Monthly cost estimate", _cost_lines(ctx)))
    return sections


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
