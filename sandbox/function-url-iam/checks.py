"""Checks for function-url-iam: status-api's URL configuration and resource policy, and a
simulated URL call by ops-dashboard-role and by other callers, decided as Lambda does it
(R-8.4): the auth type decides whether the caller is looked at at all, then the resource
policy and the caller's identity policy must allow both lambda:InvokeFunctionUrl and
lambda:InvokeFunction. The sandbox serves no URL endpoint, so the decision is evaluated."""

from __future__ import annotations

from typing import Any

from labtui.grading import iam_checks
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult

FUNCTION = "status-api"
ROLE = "ops-dashboard-role"
OTHER_ROLE = "intern-laptop-role"  # any other principal of the account


def _url(ctx: GradingContext) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        found: dict[str, Any] = ctx.aws("lambda").get_function_url_config(FunctionName=FUNCTION)
    except ClientError as error:
        if "NotFound" in str(error.response.get("Error", {}).get("Code", "")):
            return None
        raise
    return found


def _function_arn(ctx: GradingContext) -> str:
    return ctx.arn("lambda", f"function:{FUNCTION}")


def c1(ctx: GradingContext) -> CheckResult:
    # AWS_IAM makes callers sign; NONE is public whatever the policy says about roles.
    expected = "AuthType AWS_IAM"
    url = _url(ctx)
    if url is None:
        return ctx.result("c1", False, expected=expected, actual="status-api has no URL",
                          hint="status-api's function URL is gone: the dashboard needs one, "
                               "with auth type AWS_IAM.")
    return ctx.result("c1", url.get("AuthType") == "AWS_IAM", expected=expected,
                      actual=f"AuthType {url.get('AuthType')}",
                      hint="With NONE, Lambda never checks who calls, so it cannot tell the "
                           "dashboard from anyone else. Change the URL's auth type "
                           "(update-function-url-config); aws lambda get-function-url-config "
                           "shows it.")


def c2(ctx: GradingContext) -> CheckResult:
    # resource-policy statements should name who may call, not everyone.
    expected = "no statement with Principal *"
    statements = iam_checks.function_resource_policy(ctx, FUNCTION)
    public = [s for s in statements if "*" in s.principals and s.effect == "Allow"]
    if not public:
        return ctx.result("c2", True, expected=expected,
                          actual=f"{len(statements)} statement(s), none for *")
    shown = ", ".join(f"{s.source or 'statement'} ({', '.join(s.actions)})" for s in public)
    return ctx.result("c2", False, expected=expected, actual=f"public: {shown}",
                      hint="These statements let anyone call status-api, whatever the URL's "
                           "auth type. Take each one out of the function's resource policy; "
                           "aws lambda get-policy shows them with their statement ids.")


def c3(ctx: GradingContext) -> CheckResult:
    # since October 2025 a URL call needs both actions.
    expected = "ops-dashboard-role allowed lambda:InvokeFunctionUrl and lambda:InvokeFunction"
    url = _url(ctx) or {}
    context = {"lambda:FunctionUrlAuthType": str(url.get("AuthType", "AWS_IAM"))}
    resource = iam_checks.function_resource_policy(ctx, FUNCTION)
    identity = iam_checks.role_policy_statements(ctx, ROLE)
    if identity is None:
        return ctx.result("c3", False, expected=expected, actual=f"no role named {ROLE}",
                          hint="Reset the exercise: ops-dashboard-role is created for you.")
    caller = iam_checks.role_arn(ctx, ROLE)
    granted = [a for a in iam_checks.URL_ACTIONS
               if "allow" in (
                   iam_checks.evaluate(resource, a, _function_arn(ctx), principal=caller,
                                       context=context),
                   iam_checks.evaluate(identity, a, _function_arn(ctx), context=context))]
    missing = [a for a in iam_checks.URL_ACTIONS if a not in granted]
    actual = (f"allowed: {', '.join(granted) or 'neither'}"
              + (f"; missing: {', '.join(missing)}" if missing else ""))
    return ctx.result("c3", not missing, expected=expected, actual=actual,
                      hint="Since October 2025 a URL call needs lambda:InvokeFunctionUrl AND "
                           "lambda:InvokeFunction: allow ops-dashboard-role both, in the "
                           "function's resource policy or in the role's own policy.")


def c4(ctx: GradingContext) -> CheckResult:
    # what happens to real callers, decided from auth type + both policies.
    expected = "signed as ops-dashboard-role: allowed; as another role or unsigned: refused"
    url = _url(ctx)
    if url is None:
        return ctx.result("c4", False, expected=expected, actual="status-api has no URL",
                          hint="The URL must stay; change its auth type and policy.")
    auth_type = str(url.get("AuthType"))
    resource = iam_checks.function_resource_policy(ctx, FUNCTION)
    arn = _function_arn(ctx)
    dashboard = iam_checks.authorize_url_call(
        auth_type, arn, resource, iam_checks.role_arn(ctx, ROLE),
        iam_checks.role_policy_statements(ctx, ROLE) or [])
    other = iam_checks.authorize_url_call(
        auth_type, arn, resource, iam_checks.role_arn(ctx, OTHER_ROLE), [])
    anonymous = iam_checks.authorize_url_call(auth_type, arn, resource, None, [])
    actual = (f"ops-dashboard-role: {'allowed' if dashboard.allowed else 'refused'} "
              f"({dashboard.reason}); {OTHER_ROLE}: "
              f"{'allowed' if other.allowed else 'refused'}; unsigned: "
              f"{'allowed' if anonymous.allowed else 'refused'}")
    ok = dashboard.allowed and not other.allowed and not anonymous.allowed
    if not dashboard.allowed and auth_type == "NONE":
        hint = ("With auth type NONE the dashboard's signature is ignored, so statements naming "
                "its role match nothing. Switch the URL to AWS_IAM.")
    elif not dashboard.allowed:
        hint = ("The dashboard's signed call is refused: allow its role both actions (resource "
                "policy with add-permission, or the role's own policy).")
    else:
        hint = ("Someone other than the dashboard gets in: remove the * statements and use "
                "auth type AWS_IAM.")
    return ctx.result("c4", ok, expected=expected, actual=actual, hint=hint)
