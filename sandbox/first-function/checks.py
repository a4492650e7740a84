"""Checks for first-function: state of the role, function, version and alias, then a real
invoke of lab-hello:prod through the sandbox gateway (the learner's own handler runs)."""

from __future__ import annotations

import json
from typing import Any

from labtui.grading import cases, state
from labtui.grading.context import GradingContext
from labtui.grading.invoke import invoke_function
from labtui.grading.results import CheckResult

FUNCTION = "lab-hello"
ROLE = "lab-lambda-role"
BASIC_POLICY = "AWSLambdaBasicExecutionRole"


def _config(ctx: GradingContext) -> dict[str, Any] | None:
    return ctx.once("latest", lambda: state.function_config(ctx, FUNCTION))


def _good_version(ctx: GradingContext) -> dict[str, Any] | None:
    """The newest published version with 512 MB and 10 s."""
    matching = [
        v for v in state.published_versions(ctx, FUNCTION)
        if v.get("MemorySize") == 512 and v.get("Timeout") == 10
    ]
    return matching[-1] if matching else None


def c1(ctx: GradingContext) -> CheckResult:
    # trust lambda.amazonaws.com (sts:AssumeRole) + AWSLambdaBasicExecutionRole.
    expected = "trusts lambda.amazonaws.com; AWSLambdaBasicExecutionRole attached"
    role = state.role(ctx, ROLE)
    if role is None:
        return ctx.result("c1", False, expected=expected, actual=f"no role named {ROLE}",
                          hint="There is no role lab-lambda-role yet: README step 1 creates it "
                               "from trust.json (create-role).")
    services = state.trusted_services(role)
    policies = state.attached_policy_names(ctx, ROLE)
    trusted = "lambda.amazonaws.com" in services
    logs = BASIC_POLICY in policies
    actual = (f"trusts {', '.join(sorted(services)) or 'no service'}; "
              f"attached: {', '.join(sorted(policies)) or 'nothing'}")
    if not trusted:
        hint = ("The trust policy decides WHO may assume the role. Lambda can only use a role "
                "whose trust policy allows the service principal lambda.amazonaws.com to call "
                "sts:AssumeRole. Fix trust.json and run aws iam update-assume-role-policy.")
    else:
        hint = ("The role trusts Lambda but lacks the managed policy that lets the function "
                "write its logs, AWSLambdaBasicExecutionRole; aws iam "
                "list-attached-role-policies shows what is attached.")
    return ctx.result("c1", trusted and logs, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # architecture, R-1.7 handler module.function.
    expected = "runtime python3.13, handler app.lambda_handler, architecture arm64"
    config = _config(ctx)
    if config is None:
        return ctx.result("c2", False, expected=expected, actual="lab-hello does not exist",
                          hint="lab-hello does not exist: create it as in step 3 of the "
                               "README (create-function, with the role's ARN).")
    arch = ",".join(config.get("Architectures") or ["x86_64"])
    actual = f"runtime {config.get('Runtime')}, handler {config.get('Handler')}, architecture {arch}"
    ok = (config.get("Runtime") == "python3.13" and config.get("Handler") == "app.lambda_handler"
          and arch == "arm64")
    hint = ("Architecture is fixed when the function is created (x86_64 is the default), so "
            "arm64 has to be asked for at creation. The handler is <file without .py>."
            "<function>, here app.lambda_handler.")
    return ctx.result("c2", ok, expected=expected, actual=actual, hint=hint)


def c3(ctx: GradingContext) -> CheckResult:
    # memory, R-1.2 timeout, on $LATEST.
    expected = "MemorySize 512, Timeout 10"
    config = _config(ctx)
    if config is None:
        return ctx.result("c3", False, expected=expected, actual="lab-hello does not exist",
                          hint="Create lab-hello first, then update its configuration.")
    actual = f"MemorySize {config.get('MemorySize')}, Timeout {config.get('Timeout')}"
    ok = config.get("MemorySize") == 512 and config.get("Timeout") == 10
    return ctx.result("c3", ok, expected=expected, actual=actual,
                      hint="$LATEST still has its creation settings: update its memory and "
                           "timeout (README step 5) and wait for the update to finish; aws "
                           "lambda get-function-configuration shows them.")


def c4(ctx: GradingContext) -> CheckResult:
    # a published version freezes code and configuration.
    expected = "a published version with MemorySize 512 and Timeout 10"
    versions = state.published_versions(ctx, FUNCTION)
    good = _good_version(ctx)
    shown = "; ".join(f"version {v['Version']}: {v.get('MemorySize')} MB, {v.get('Timeout')} s"
                      for v in versions) or "no published versions"
    hint = ("A version is a snapshot of $LATEST's code AND configuration at the moment you "
            "publish. Update memory and timeout, wait for the update, then publish again.")
    return ctx.result("c4", good is not None, expected=expected, actual=shown, hint=hint)


def c5(ctx: GradingContext) -> CheckResult:
    # an alias points to one published version.
    newest = state.published_versions(ctx, FUNCTION)
    expected = (f"prod -> version {newest[-1]['Version']} (your newest)" if newest
                else "prod -> your published version")
    alias = state.alias(ctx, FUNCTION, "prod")
    if alias is None:
        return ctx.result("c5", False, expected=expected, actual="no alias prod",
                          hint="No alias prod yet: create it on the version you published "
                               "(README step 5); aws lambda list-versions-by-function shows "
                               "the versions.")
    actual = f"prod -> version {alias.get('FunctionVersion')}"
    ok = bool(newest) and alias.get("FunctionVersion") == newest[-1]["Version"]
    return ctx.result("c5", ok, expected=expected, actual=actual,
                      hint="Point prod at the version you just published (update-alias); "
                           "aws lambda get-alias shows where it points now.")


def c6(ctx: GradingContext) -> CheckResult:
    # the handler reads memory_limit_in_mb and get_remaining_time_in_millis().
    name = _name(ctx)
    expected = f'message "hello, {name}", memory_mb 512, 0 < remaining_ms <= 10000'
    if state.alias(ctx, FUNCTION, "prod") is None:
        return ctx.result("c6", False, expected=expected, actual="lab-hello:prod does not exist",
                          hint="Create the alias prod first (check c5).")
    outcome = invoke_function(ctx, FUNCTION, {"name": name}, qualifier="prod")
    if outcome.function_error:
        return ctx.result("c6", False, expected=expected,
                          actual=f"the handler failed: {outcome.error_summary}",
                          hint="Invoke it yourself and read the error: labtui aws lambda invoke "
                               f"--function-name lab-hello:prod --payload "
                               f"'{json.dumps({'name': name})}' out.json")
    body = outcome.body if isinstance(outcome.body, dict) else {}
    remaining = body.get("remaining_ms")
    actual = (f"message {body.get('message')!r}, memory_mb {body.get('memory_mb')!r}, "
              f"remaining_ms {remaining!r}")
    ok = (body.get("message") == f"hello, {name}" and body.get("memory_mb") == 512
          and isinstance(remaining, int) and 0 < remaining <= 10_000)
    if body.get("message") != f"hello, {name}":
        hint = (f'The event said "name": {json.dumps(name)}. Return exactly "hello, " + the '
                'name from the event (note the comma), under the key "message".')
    elif body.get("memory_mb") != 512:
        running = state.function_config(ctx, FUNCTION, outcome.executed_version) or {}
        if running.get("MemorySize") != 512:
            hint = (f"prod runs version {outcome.executed_version}, which was published with "
                    f"{running.get('MemorySize')} MB: versions freeze configuration. Publish a "
                    "new version after the 512 MB update and point prod at it.")
        else:
            hint = "Read memory_mb from context.memory_limit_in_mb (as a number)."
    else:
        hint = ("remaining_ms must come from context.get_remaining_time_in_millis(), called "
                "inside the handler; it counts down from the 10 s timeout.")
    return ctx.result("c6", ok, expected=expected, actual=actual, hint=hint)


def _name(ctx: GradingContext) -> str:
    """The name c6 sends, generated from the grading seed (never the README's example)."""
    rng = ctx.cases("name")
    first = rng.choice(["Amara", "Bo", "Chidi", "Dana", "Elif", "Farid", "Grete", "Hana",
                        "Iñaki", "Jun", "Kofi", "Lena", "Mateo", "Noor", "Olu", "Priya"])
    return first if rng.random() < 0.7 else f"{first} {cases.word(rng, 5).title()}"
