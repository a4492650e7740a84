"""Checks for provisioned-alias: where provisioned concurrency is configured (R-5.4, R-9.4),
then ten simultaneous calls to checkout-api:live in lambdasim with the account's versions,
alias, reservations and provisioned environments: no call may show an Init Duration."""

from __future__ import annotations

from typing import Any

from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import new_simulation, record_trace

FUNCTION = "checkout-api"
ALIAS = "live"
WANTED = 10
CALLS = 10  # at most: the alias has 10 provisioned environments
INIT_MS = 1200.0  # loading the price catalogue (the README's cold-start figure)


def _configs(ctx: GradingContext) -> dict[str, int]:
    return ctx.once("provisioned",  # type: ignore[no-any-return]
                    lambda: state.provisioned_configs(ctx, FUNCTION))


def _shown(configs: dict[str, int]) -> str:
    if not configs:
        return "no provisioned concurrency"
    return "; ".join(
        f"{count} on {'version ' if q.isdigit() else 'alias '}{q}"
        for q, count in sorted(configs.items())
    )


def c1(ctx: GradingContext) -> CheckResult:
    # provisioned concurrency on the alias follows it to each new version.
    configs = _configs(ctx)
    expected = f"provisioned concurrency {WANTED} on alias {ALIAS}"
    actual = _shown(configs)
    reserved = state.reserved_concurrency(ctx, FUNCTION)
    if reserved is not None:
        actual += f"; reserved concurrency {reserved}"
    alias = state.alias(ctx, FUNCTION, ALIAS) or {}
    target = str(alias.get("FunctionVersion", "3"))
    if target in configs and ALIAS not in configs:
        hint = (f"Version {target} is warm today, but the configuration stays on version "
                f"{target} when the next release moves live on. The alias is the qualifier "
                "that moves with each release.")
    elif reserved is not None and ALIAS not in configs:
        hint = ("Reserved concurrency caps the function and guarantees capacity, but it "
                "initialises nothing ahead of time. Warm environments are provisioned "
                "concurrency, configured on a qualifier.")
    else:
        hint = ("live has no warm environments: it needs provisioned concurrency of its own "
                "(R-9.4: on the alias, it follows live to each new version); aws lambda "
                "list-provisioned-concurrency-configs shows what is configured.")
    return ctx.result("c1", configs.get(ALIAS) == WANTED, expected=expected, actual=actual,
                      hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # never on $LATEST; a second configuration on the version itself is waste.
    configs = _configs(ctx)
    alias = state.alias(ctx, FUNCTION, ALIAS) or {}
    target = str(alias.get("FunctionVersion", "3"))
    stray = {q: n for q, n in configs.items() if q in (target, "$LATEST")}
    expected = f"nothing on version {target} or $LATEST"
    actual = _shown(stray) if stray else "nothing on version 3 or $LATEST"
    return ctx.result("c2", not stray, expected=expected, actual=actual,
                      hint=(f"Version {target}'s own configuration keeps {target} warm (and "
                            "billed) after live moves on. Delete it "
                            "(delete-provisioned-concurrency-config); the one on the alias is "
                            "the one to keep."))


def _run(ctx: GradingContext) -> list[Any] | str:
    from labtui.lambdasim import BehaviourModel, Duration, FunctionSpec, LambdaApiError

    config = state.function_config(ctx, FUNCTION)
    alias = state.alias(ctx, FUNCTION, ALIAS)
    if config is None or alias is None:
        return "checkout-api or its alias live is missing"
    sim = new_simulation(ctx, seed=3)
    sim.add_function(FunctionSpec(
        FUNCTION, memory_mb=int(config["MemorySize"]), timeout_s=int(config["Timeout"]),
        behaviour=BehaviourModel(duration=Duration("uniform", 80.0, 140.0),
                                 init_duration=Duration("uniform", INIT_MS - 100, INIT_MS + 100)),
    ))
    for _ in state.published_versions(ctx, FUNCTION):
        sim.publish_version(FUNCTION)
    weights = state.alias_weights(alias)
    extra, weight = next(iter(weights.items()), (None, 0.0))
    configs = _configs(ctx)
    target = str(alias["FunctionVersion"])
    try:
        sim.create_alias(FUNCTION, ALIAS, target, extra, weight)
        reserved = state.reserved_concurrency(ctx, FUNCTION)
        if reserved is not None:
            sim.set_reserved_concurrency(FUNCTION, reserved)
        for qualifier, count in sorted(configs.items()):
            sim.set_provisioned_concurrency(FUNCTION, qualifier, count)
    except LambdaApiError as error:
        return f"Lambda rejects this configuration: {error}"
    # An alias call runs its target version; when only that version is provisioned, its
    # environments serve the call (today), which is what the version-3 attempt relies on.
    qualifier = ALIAS if ALIAS in configs or target not in configs else target
    rng = ctx.cases("burst")
    calls = [sim.invoke_sync(FUNCTION, {"items": [{"sku": f"sku-{rng.randint(1, 999)}",
                                                   "qty": rng.randint(1, 5)}]},
                             qualifier=qualifier, at=0.0) for _ in range(_calls(ctx))]
    sim.run()
    record_trace(ctx, sim)
    return [call.response for call in calls]


def _calls(ctx: GradingContext) -> int:
    """Parallel calls at one moment: from the grading seed, up to the 10 provisioned."""
    return ctx.cases("calls").randint(6, CALLS)


def c3(ctx: GradingContext) -> CheckResult:
    # provisioned environments are initialised ahead: no Init phase on the call;
    # a cold start's REPORT line carries Init Duration.
    count = _calls(ctx)
    expected = f"{count} parallel calls to checkout-api:live: none with Init Duration, none throttled"
    outcome = ctx.once("burst", lambda: _run(ctx))
    if isinstance(outcome, str):
        return ctx.result("c3", False, expected=expected, actual=outcome,
                          hint="Keep the seeded alias live; configure provisioned concurrency on it.")
    cold = [r for r in outcome if r.init_duration_ms > 0]
    throttled = [r for r in outcome if r.throttled]
    actual = f"{len(cold)} of {count} calls had an Init Duration; {len(throttled)} throttled"
    if cold:
        actual += f" (first one: Init Duration: {cold[0].init_duration_ms:.2f} ms)"
    ok = not cold and not throttled
    hint = ("Every call started a new environment and paid the catalogue load first. Only "
            "provisioned concurrency initialises environments before the calls arrive; "
            "reserved concurrency just caps how many may run.")
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)
