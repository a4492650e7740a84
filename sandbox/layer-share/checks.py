"""Checks for layer-share: the published common-utils versions and their files (what
Lambda extracts under /opt, R-1.5), the layer version each function references, and a
real invocation of both functions (with amounts generated from the grading seed) through
the sandbox, whose runner puts attached layers
on Python's path after the function's own package, as /opt/python comes after /var/task."""

from __future__ import annotations

from typing import Any

from labtui.grading import cases
from labtui.grading.context import GradingContext
from labtui.grading.invoke import invoke_function
from labtui.grading.layer_checks import (
    function_layer_arns,
    layer_files,
    layer_name_of,
    layer_versions,
)
from labtui.grading.results import CheckResult

LAYER = "common-utils"
FUNCTIONS = ("orders-api", "invoice-worker")
PACKAGE = "python/common_utils/__init__.py"
UTILS_VERSION = "1.1"  # the maintained common_utils


def _euros(cents: int) -> str:
    """The maintained format_cents (1.0 printed 10.05 as "10.5 EUR")."""
    return f"{cents // 100}.{cents % 100:02d} EUR"


def _calls(ctx: GradingContext) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """One call per function, generated from the grading seed; amounts always include a
    single-digit cent part (x.05), which the old 1.0 printed wrongly, and a trailing zero."""
    rng = ctx.cases("calls")
    order_id = cases.unique_ids(rng, "o-", 1)[0]
    invoice_id = cases.unique_ids(rng, "inv-", 1)[0]
    cents = rng.randint(1, 999) * 100 + rng.randint(1, 9)
    lines = [rng.randint(1, 99_999) for _ in range(rng.randint(2, 5))]
    # Cent parts that formatting gets wrong: one digit (x.05) and a trailing zero (x.50).
    lines[0] = rng.randint(0, 99) * 100 + rng.randint(1, 9)
    lines[1] = rng.randint(0, 99) * 100 + 10 * rng.randint(1, 9)
    rng.shuffle(lines)
    return {
        "orders-api": ({"orderId": order_id, "cents": cents},
                       {"orderId": order_id, "total": _euros(cents),
                        "utils_version": UTILS_VERSION}),
        "invoice-worker": ({"invoiceId": invoice_id, "lines": lines},
                           {"invoiceId": invoice_id, "lines": [_euros(c) for c in lines],
                            "utils_version": UTILS_VERSION}),
    }


def _common_utils_arns(ctx: GradingContext, function: str) -> list[str]:
    return [arn for arn in function_layer_arns(ctx, function) or []
            if layer_name_of(arn) == LAYER]


def c1(ctx: GradingContext) -> CheckResult:
    # layers are extracted to /opt; Python imports from /opt/python.
    expected = f"a version of {LAYER} containing {PACKAGE} (-> /opt/{PACKAGE})"
    versions = layer_versions(ctx, LAYER)
    if not versions:
        return ctx.result("c1", False, expected=expected, actual=f"no layer named {LAYER}",
                          hint="There is no layer common-utils yet: package common_utils as "
                               "a zip and publish it as a layer version "
                               "(publish-layer-version).")
    found: list[str] = []
    for version in versions:
        files = layer_files(ctx, str(version["LayerVersionArn"])) or []
        if PACKAGE in files:
            return ctx.result("c1", True, expected=expected,
                              actual=f"version {version['Version']} holds {PACKAGE}")
        found = files
    shown = ", ".join(found[:4]) or "nothing"
    return ctx.result("c1", False, expected=expected,
                      actual=f"newest version holds {shown}",
                      hint="Lambda extracts the zip into /opt, but Python imports layer code "
                           "from /opt/python only: look at where common_utils sits inside "
                           "your zip (unzip -l common-utils.zip).")


def c2(ctx: GradingContext) -> CheckResult:
    # functions reference one immutable layer version ARN each.
    expected = f"both functions list the same {LAYER} version ARN"
    attached = {name: _common_utils_arns(ctx, name) for name in FUNCTIONS}
    actual = "; ".join(
        f"{name}: {', '.join(a.rsplit(':', 2)[-2] + ':' + a.rsplit(':', 1)[-1] for a in arns) or 'none'}"
        for name, arns in attached.items())
    distinct = {arn for arns in attached.values() for arn in arns}
    ok = all(len(arns) == 1 for arns in attached.values()) and len(distinct) == 1
    if any(not arns for arns in attached.values()):
        hint = ("Both functions must list the layer version in their configuration; aws "
                "lambda get-function-configuration shows each one's Layers.")
    else:
        hint = ("Each publish creates a new version. Publish once and attach that one "
                "LayerVersionArn to both functions, so they share exactly the same code.")
    return ctx.result("c2", ok, expected=expected, actual=actual, hint=hint)


def c3(ctx: GradingContext) -> CheckResult:
    # the function's package comes first on the path; the layer must supply the module.
    calls = _calls(ctx)
    expected = (f"orders-api -> {calls['orders-api'][1]['total']}, invoice-worker -> "
                f"{'/'.join(calls['invoice-worker'][1]['lines'])}, common_utils "
                f"{UTILS_VERSION}")
    problems: list[str] = []
    versions_seen: list[str] = []
    for name, (event, wanted) in calls.items():
        outcome = invoke_function(ctx, name, event)
        if outcome.function_error:
            problems.append(f"{name} failed: {outcome.error_summary[:160]}")
            continue
        body = outcome.body if isinstance(outcome.body, dict) else {}
        versions_seen.append(str(body.get("utils_version")))
        if body != wanted:
            problems.append(f"{name} answered {body} to {event}")
    if not problems:
        return ctx.result("c3", True, expected=expected,
                          actual="both answers right, common_utils 1.1 from the layer")
    if any("ImportModuleError" in p for p in problems):
        hint = ("import common_utils fails: the handler no longer bundles it and the layer does "
                "not put it on the path. Python layers keep packages under python/.")
    elif "1.0" in versions_seen:
        hint = ("The old bundled common_utils 1.0 still answers: the function's own package comes "
                "before /opt/python on Python's path. Deploy each handler without its "
                "common_utils folder.")
    elif versions_seen and set(versions_seen) == {UTILS_VERSION}:
        hint = ("Both functions run common_utils 1.1 from the layer, yet an answer is wrong: the "
                "shared code itself formats amounts wrongly. Every amount is "
                "<cents // 100>.<cents % 100, two digits> EUR (1005 -> 10.05 EUR, "
                "250 -> 2.50 EUR).")
    else:
        hint = "Attach the common-utils layer to both functions and deploy only app.py."
    return ctx.result("c3", False, expected=expected, actual="; ".join(problems), hint=hint)
