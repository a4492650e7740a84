"""Checks for alias-canary: the published version, the alias's routing, then 1,000
simulated calls to checkout:prod routed by lambdasim with the alias's weights (R-9.2)."""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import new_simulation, record_trace

FUNCTION = "checkout"
ALIAS = "prod"
CALLS = 1000


def _prod(ctx: GradingContext) -> dict[str, Any] | None:
    return ctx.once("prod", lambda: state.alias(ctx, FUNCTION, ALIAS))


def _share_to_6(alias: dict[str, Any]) -> float:
    weights = state.alias_weights(alias)
    if alias.get("FunctionVersion") == "6":
        return 1.0 - sum(weights.values())
    return weights.get("6", 0.0)


def c1(ctx: GradingContext) -> CheckResult:
    # publish-version freezes the code in $LATEST.
    expected = "version 6 exists with the same CodeSha256 as $LATEST (release 6)"
    versions = {v["Version"]: v for v in state.published_versions(ctx, FUNCTION)}
    latest = state.function_config(ctx, FUNCTION) or {}
    six = versions.get("6")
    if six is None:
        return ctx.result("c1", False, expected=expected,
                          actual=f"published versions: {', '.join(versions) or 'none'}",
                          hint="Version 6 is not published yet: deploy release 6 to $LATEST, "
                               "then publish a version of it (publish-version).")
    same = six.get("CodeSha256") == latest.get("CodeSha256")
    new = six.get("CodeSha256") != versions.get("5", {}).get("CodeSha256")
    actual = ("version 6 has $LATEST's code" if same else "version 6's code differs from $LATEST")
    if not new:
        actual += ", but it is the same code as version 5"
    return ctx.result("c1", same and new, expected=expected, actual=actual,
                      hint="Deploy release 6 to $LATEST first (update-function-code), wait for "
                           "the update, then publish.")


def c2(ctx: GradingContext) -> CheckResult:
    # the primary version of the alias stays the stable one during a canary.
    alias = _prod(ctx)
    actual = "no alias prod" if alias is None else f"prod -> version {alias.get('FunctionVersion')}"
    hint = ("Keep the version you trust (5) as prod's primary version and give the new one "
            "the small weight. Rolling back is then just removing the weight.")
    ok = alias is not None and alias.get("FunctionVersion") == "5"
    return ctx.result("c2", ok, expected="prod -> version 5", actual=actual, hint=hint)


def c3(ctx: GradingContext) -> CheckResult:
    # one additional version, weight 0.0-1.0.
    expected = "weight 0.1 on version 6 (AdditionalVersionWeights {\"6\": 0.1})"
    alias = _prod(ctx)
    if alias is None:
        return ctx.result("c3", False, expected=expected, actual="no alias prod",
                          hint="The seeded alias prod is missing; recreate it on version 5.")
    weights = state.alias_weights(alias)
    share = _share_to_6(alias)
    actual = f"AdditionalVersionWeights {weights or '{}'}; share to version 6: {share:g}"
    valid = all(0.0 <= w <= 1.0 for w in weights.values())
    ok = valid and abs(share - 0.1) < 1e-9
    if not valid:
        hint = "Weights are fractions between 0.0 and 1.0: 10% is 0.1, not 10."
    else:
        hint = ("Version 6 belongs in prod's routing configuration as the additional version, "
                "with a weight of 0.1 (update-alias); aws lambda get-alias shows what prod has.")
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)


def _simulate(ctx: GradingContext, alias: dict[str, Any]) -> tuple[int, str | None]:
    from labtui.lambdasim import FunctionSpec, LambdaApiError

    sim = new_simulation(ctx, seed=6)
    sim.add_function(FunctionSpec(FUNCTION, memory_mb=256, timeout_s=10))
    for _ in state.published_versions(ctx, FUNCTION):
        sim.publish_version(FUNCTION)
    weights = state.alias_weights(alias)
    additional, weight = next(iter(weights.items()), (None, 0.0))
    try:
        sim.create_alias(FUNCTION, ALIAS, str(alias.get("FunctionVersion")), additional, weight)
    except LambdaApiError as error:
        return 0, str(error)
    for n in range(CALLS):
        sim.invoke_sync(FUNCTION, {"items": []}, qualifier=ALIAS, at=n * 0.5)
    sim.run()
    record_trace(ctx, sim)  # the Trace tab shows the calls and the version each one ran
    ran = [e.version for e in sim.trace if e.kind == "invoke"]
    return sum(1 for version in ran if version == "6"), None


def c4(ctx: GradingContext) -> CheckResult:
    # the alias splits traffic by weight.
    expected = f"{CALLS} calls to checkout:prod: 70-130 run version 6"
    alias = _prod(ctx)
    if alias is None:
        return ctx.result("c4", False, expected=expected, actual="no alias prod",
                          hint="Recreate prod on version 5 with a weight on 6.")
    to_six, problem = _simulate(ctx, alias)
    if problem:
        return ctx.result("c4", False, expected=expected,
                          actual=f"Lambda cannot route this alias: {problem}",
                          hint="Fix the routing weight first: a fraction between 0.0 and 1.0.")
    share = to_six / CALLS
    ok = 0.07 <= share <= 0.13
    hint = ("Only about one call in ten should reach the new version. Too many means 6 took "
            "over; none means the weight is missing.")
    return ctx.result("c4", ok, expected=expected,
                      actual=f"{to_six} of {CALLS} ran version 6 ({share:.1%})", hint=hint)
