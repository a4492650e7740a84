"""Checks for secrets-not-env: billing-sync's environment holds no credential (R-8.6), the
secret exists and only it is readable by the role (R-8.5), and the deployed code, run for
1 cold call and a generated number of warm calls (from the grading seed) in one execution
environment, fetches it once (R-6.2, R-8.6).

Fetches are counted where they land: the sandbox's Secrets Manager, Parameter Store and
KMS serve them, and every GetSecretValue, GetParameter(s) or Decrypt request of the graded
account is counted while the calls run."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from typing import Any

from labtui.grading import iam_checks
from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import count_backend_calls, run_in_one_environment
from labtui.grading.results import CheckResult

FUNCTION = "billing-sync"
ROLE = "billing-sync-role"
SECRET = "prod/billing/db"
PASSWORD = "Bl-7mqP2-vX9s-Q4za"  # the seeded DB_PASSWORD
_SECRET_NAMES = re.compile(r"PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL",
                           re.IGNORECASE)
_REFERENCE_SUFFIX = re.compile(r"_(ID|ARN|NAME)$", re.IGNORECASE)
_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_URL_WITH_PASSWORD = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


def _looks_like_ciphertext(value: str) -> bool:
    if len(value) < 40 or not re.fullmatch(r"[A-Za-z0-9+/=]+", value):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def credential_reason(key: str, value: str) -> str | None:
    """Why an environment variable looks like a credential, or None."""
    if PASSWORD in value:
        return "holds the database password"
    if _URL_WITH_PASSWORD.search(value):
        return "a URL with a password in it"
    if _ACCESS_KEY.search(value):
        return "an access key id"
    if _looks_like_ciphertext(value):
        return "looks like encrypted or encoded key material (still the secret)"
    if _SECRET_NAMES.search(key) and not _REFERENCE_SUFFIX.search(key) and value:
        return "its name says it is a secret"
    return None


def _secret(ctx: GradingContext) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        result: dict[str, Any] = ctx.aws("secretsmanager").describe_secret(SecretId=SECRET)
    except ClientError as error:
        if "NotFound" in str(error.response.get("Error", {}).get("Code", "")):
            return None
        raise
    return result


def c1(ctx: GradingContext) -> CheckResult:
    # environment variables are configuration, readable with GetFunctionConfiguration.
    expected = "no environment variable holds a password, key or token (SECRET_ID may name one)"
    config = ctx.aws("lambda").get_function_configuration(FunctionName=FUNCTION)
    variables = (config.get("Environment") or {}).get("Variables") or {}
    flagged = [(k, why) for k, v in sorted(variables.items())
               if (why := credential_reason(k, str(v))) is not None]
    shown = ", ".join(sorted(variables)) or "none"
    if not flagged:
        return ctx.result("c1", True, expected=expected, actual=f"variables: {shown}")
    actual = "; ".join(f"{key}: {why}" for key, why in flagged)
    hint = ("Whoever may call lambda:GetFunctionConfiguration (and use the function's KMS "
            "key) reads these values, and every published version keeps a copy; a KMS key "
            "narrows the readers but adds no rotation and removes no copy (and whoever may "
            "decrypt with it can read the value as the code does). The environment may name "
            "the secret, never hold its values; an update of it replaces every variable.")
    return ctx.result("c1", False, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # the credential lives in Secrets Manager.
    expected = f"secret {SECRET} exists and holds the database password"
    if _secret(ctx) is None:
        return ctx.result("c2", False, expected=expected, actual=f"no secret named {SECRET}",
                          hint="There is no secret prod/billing/db yet: create it in Secrets "
                               "Manager (create-secret) with the values the environment holds "
                               "today (aws lambda get-function-configuration shows them).")
    value = ctx.aws("secretsmanager").get_secret_value(SecretId=SECRET).get("SecretString") or ""
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    values = [str(v) for v in parsed.values()] if isinstance(parsed, dict) else [str(parsed)]
    ok = PASSWORD in values
    return ctx.result("c2", ok, expected=expected,
                      actual="the secret holds the password" if ok else
                      "the secret exists but does not hold the current database password",
                      hint="Put the password from the old DB_PASSWORD into the secret, e.g. as "
                           "the \"password\" key of a JSON secret string (aws secretsmanager "
                           "put-secret-value).")


def c3(ctx: GradingContext) -> CheckResult:
    # exactly the secret the code uses, nothing wider.
    secret = _secret(ctx)
    prefix = ctx.arn("secretsmanager", "secret:")
    arn = secret["ARN"] if secret else f"{prefix}{SECRET}-AbCdEf"
    expected = f"GetSecretValue allowed on {SECRET} only"
    statements = iam_checks.role_policy_statements(ctx, ROLE)
    if statements is None:
        return ctx.result("c3", False, expected=expected, actual=f"no role named {ROLE}",
                          hint="Reset the exercise: billing-sync-role is created for you.")
    others = [f"{prefix}prod/billing/api-key-Xy12Zw", f"{prefix}prod/payroll/db-Qr34St",
              f"{prefix}{SECRET}-old-Uv56Wx"]
    reads_it = iam_checks.allowed(statements, "secretsmanager:GetSecretValue", arn)
    too_wide = [o.removeprefix(prefix) for o in others
                if iam_checks.allowed(statements, "secretsmanager:GetSecretValue", o)]
    if not reads_it:
        return ctx.result("c3", False, expected=expected,
                          actual=f"{ROLE} may not read {SECRET}",
                          hint="In AWS the code's read of the secret would be AccessDenied: "
                               "billing-sync-role's own policy must allow reading this one "
                               "secret; aws secretsmanager describe-secret shows its ARN.")
    if too_wide:
        return ctx.result("c3", False, expected=expected,
                          actual=f"{ROLE} may also read {', '.join(too_wide)}",
                          hint="Name the one secret's ARN in Resource, not * or a broad "
                               "pattern. Secret ARNs end in -<6 random characters>.")
    return ctx.result("c3", True, expected=expected, actual=f"{ROLE} may read {SECRET} only")


def _warm_calls(ctx: GradingContext) -> int:
    return ctx.cases("warm calls").randint(3, 8)


def _fetch_run(ctx: GradingContext) -> tuple[Any, list[int]]:
    """Run the calls; ``marks[i]`` = secret fetches served so far after call i."""
    from moto.kms.models import KmsBackend
    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.ssm.models import SimpleSystemManagerBackend

    sources = [(SecretsManagerBackend, "get_secret_value"),
               (SecretsManagerBackend, "batch_get_secret_value"),
               (SimpleSystemManagerBackend, "get_parameter"),
               (SimpleSystemManagerBackend, "get_parameters"),
               (KmsBackend, "decrypt")]
    marks: list[int] = []
    rng = ctx.cases("calls")
    events = [{"since": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
              for _ in range(1 + _warm_calls(ctx))]
    with contextlib.ExitStack() as stack:
        counters = [stack.enter_context(count_backend_calls(ctx, cls, method))
                    for cls, method in sources]
        run = run_in_one_environment(
            ctx, FUNCTION, events,
            after_each=lambda _call: marks.append(sum(c.count for c in counters)))
    return run, marks


def c4(ctx: GradingContext) -> CheckResult:
    # R-8.6 + R-6.2: fetch at Init (or the first call), reuse on warm calls.
    expected = f"1 secret fetch for 1 cold + {_warm_calls(ctx)} warm calls; every call logs in"
    run, marks = ctx.once("fetch-run", lambda: _fetch_run(ctx))
    if run is None:
        return ctx.result("c4", False, expected=expected, actual=f"{FUNCTION} does not exist",
                          hint="Reset the exercise: billing-sync is created for you.")
    if run.errors:
        body = run.errors[0].body if isinstance(run.errors[0].body, dict) else {}
        return ctx.result(
            "c4", False, expected=expected,
            actual=(f"{len(run.errors)} of {len(run.calls)} calls failed: "
                    f"{body.get('errorType', 'Error')}: {body.get('errorMessage', '')}"),
            hint="Invoke billing-sync yourself and read the error; the code must get host, "
                 "username and password from the secret named by SECRET_ID.")
    total = marks[-1] if marks else 0
    warm = total - marks[0] if marks else 0
    actual = f"{total} fetch(es): {total - warm} at Init or the cold call, {warm} on warm calls"
    if total == 0:
        hint = ("The code never asked a secret store. Fetch the secret named by SECRET_ID from "
                "Secrets Manager at module level.")
    else:
        hint = ("Each warm call fetches the secret again: more latency, more cost, and throttling "
                "under load. Fetch it once at module level and keep it in a variable; a new "
                "environment fetches it afresh.")
    return ctx.result("c4", total == 1 and warm == 0, expected=expected, actual=actual, hint=hint)
