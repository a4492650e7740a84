"""The IAM evaluator behind least-privilege-role, function-url-iam, secrets-not-env and
s3-trigger-no-recursion (R-8.3, R-8.4, R-8.5): explicit Deny wins, wildcards expand,
conditions must hold, and a function URL call is decided by auth type + both policies."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from labtui.grading import iam_checks
from labtui.grading.iam_checks import authorize_url_call, evaluate, parse_statements

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
OTHER_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/customers"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:status-api"
ROLE = "arn:aws:iam::123456789012:role/ops-dashboard-role"
STRANGER = "arn:aws:iam::123456789012:role/intern-laptop-role"


def _policy(*statements: dict[str, object]) -> list[iam_checks.Statement]:
    return parse_statements(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def test_exact_action_and_resource_allow_only_that() -> None:
    policy = _policy({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                      "Resource": TABLE})
    assert evaluate(policy, "dynamodb:GetItem", TABLE) == "allow"
    assert evaluate(policy, "dynamodb:getitem", TABLE) == "allow"  # actions ignore case
    assert evaluate(policy, "dynamodb:PutItem", TABLE) == "implicit-deny"
    assert evaluate(policy, "dynamodb:GetItem", OTHER_TABLE) == "implicit-deny"


def test_wildcards_expand_over_the_dynamodb_catalog() -> None:
    # least-privilege-role wrong/get-wildcard: Get* also grants stream reads.
    policy = _policy({"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query"],
                      "Resource": TABLE})
    granted = iam_checks.allowed_actions(policy, iam_checks.DYNAMODB_ACTIONS)
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:GetRecords",
            "dynamodb:GetShardIterator"} <= granted
    assert "dynamodb:PutItem" not in granted
    full = _policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    assert iam_checks.allowed_actions(full, iam_checks.DYNAMODB_ACTIONS) == set(
        iam_checks.DYNAMODB_ACTIONS)


def test_resource_star_reaches_every_table() -> None:
    policy = _policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})
    assert evaluate(policy, "dynamodb:GetItem", OTHER_TABLE) == "allow"


def test_not_action_and_not_resource() -> None:
    policy = _policy({"Effect": "Allow", "NotAction": "dynamodb:Delete*", "NotResource": TABLE})
    assert evaluate(policy, "dynamodb:PutItem", OTHER_TABLE) == "allow"
    assert evaluate(policy, "dynamodb:DeleteItem", OTHER_TABLE) == "implicit-deny"
    assert evaluate(policy, "dynamodb:PutItem", TABLE) == "implicit-deny"


@given(
    action=st.sampled_from(iam_checks.DYNAMODB_ACTIONS),
    allow_pattern=st.sampled_from(["dynamodb:*", "*", "dynamodb:Get*", "dynamodb:GetItem"]),
    deny_pattern=st.sampled_from(["dynamodb:*", "*"]),
)
def test_an_explicit_deny_always_wins(action: str, allow_pattern: str, deny_pattern: str) -> None:
    policy = _policy({"Effect": "Allow", "Action": allow_pattern, "Resource": "*"},
                     {"Effect": "Deny", "Action": deny_pattern, "Resource": TABLE})
    assert evaluate(policy, action, TABLE) == "deny"


def test_conditions_must_hold_and_missing_keys_fail() -> None:
    # s3-trigger-no-recursion c4: SourceArn + SourceAccount as add-permission writes them.
    policy = _policy({
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": FUNCTION,
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads-bucket"},
                      "StringEquals": {"AWS:SourceAccount": "123456789012"}},
    })
    right = {"AWS:SourceArn": "arn:aws:s3:::uploads-bucket", "AWS:SourceAccount": "123456789012"}
    assert evaluate(policy, "lambda:InvokeFunction", FUNCTION, principal="s3.amazonaws.com",
                    context=right) == "allow"
    assert evaluate(policy, "lambda:InvokeFunction", FUNCTION, principal="s3.amazonaws.com",
                    context={**right, "AWS:SourceAccount": "111122223333"}) == "implicit-deny"
    assert evaluate(policy, "lambda:InvokeFunction", FUNCTION, principal="s3.amazonaws.com",
                    context={}) == "implicit-deny"
    assert evaluate(policy, "lambda:InvokeFunction", FUNCTION, principal="sns.amazonaws.com",
                    context=right) == "implicit-deny"


def test_moto_style_function_url_auth_type_reads_as_a_condition() -> None:
    # moto writes FunctionUrlAuthType beside the statement keys; AWS writes a condition.
    policy = parse_statements({"Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl",
        "Resource": FUNCTION, "FunctionUrlAuthType": "NONE"}]})
    assert policy[0].condition == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}


def _public() -> list[iam_checks.Statement]:
    return _policy(
        {"Sid": "FunctionURLAllowPublic", "Effect": "Allow", "Principal": "*",
         "Action": "lambda:InvokeFunctionUrl", "Resource": FUNCTION,
         "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}},
        {"Sid": "FunctionURLAllowInvokeAction", "Effect": "Allow", "Principal": "*",
         "Action": "lambda:InvokeFunction", "Resource": FUNCTION},
    )


def _for_role() -> list[iam_checks.Statement]:
    return _policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "lambda:InvokeFunctionUrl",
         "Resource": FUNCTION},
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "lambda:InvokeFunction",
         "Resource": FUNCTION},
    )


def test_url_none_with_public_statements_lets_everyone_in() -> None:
    assert authorize_url_call("NONE", FUNCTION, _public(), None, []).allowed
    assert authorize_url_call("NONE", FUNCTION, _public(), STRANGER, []).allowed


def test_url_none_ignores_a_role_principal() -> None:
    # function-url-iam wrong/none-with-role-principal: unsigned calls have no principal.
    assert not authorize_url_call("NONE", FUNCTION, _for_role(), ROLE, []).allowed


def test_url_aws_iam_admits_only_the_granted_role() -> None:
    assert authorize_url_call("AWS_IAM", FUNCTION, _for_role(), ROLE, []).allowed
    assert not authorize_url_call("AWS_IAM", FUNCTION, _for_role(), STRANGER, []).allowed
    assert not authorize_url_call("AWS_IAM", FUNCTION, _for_role(), None, []).allowed


def test_url_needs_both_actions_since_october_2025() -> None:
    only_url = _policy({"Effect": "Allow", "Principal": {"AWS": ROLE},
                        "Action": "lambda:InvokeFunctionUrl", "Resource": FUNCTION})
    decision = authorize_url_call("AWS_IAM", FUNCTION, only_url, ROLE, [])
    assert not decision.allowed
    assert "lambda:InvokeFunction" in decision.reason


def test_url_aws_iam_with_identity_policy_and_leftover_public_statements() -> None:
    # function-url-iam wrong/identity-policy-only: the role gets in by its own policy, the
    # NONE-conditioned public URL statement no longer matches a signed stranger.
    identity = _policy({"Effect": "Allow",
                        "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
                        "Resource": FUNCTION})
    assert authorize_url_call("AWS_IAM", FUNCTION, _public(), ROLE, identity).allowed
    assert not authorize_url_call("AWS_IAM", FUNCTION, _public(), STRANGER, []).allowed


def test_url_explicit_deny_in_identity_policy_wins() -> None:
    deny = _policy({"Effect": "Deny", "Action": "lambda:*", "Resource": "*"})
    assert not authorize_url_call("AWS_IAM", FUNCTION, _for_role(), ROLE, deny).allowed
