"""A small IAM policy evaluator for checks (moto stores IAM policies but enforces none).

It answers the question AWS asks for every request: may this principal perform this
action on this resource? Explicit ``Deny`` wins over ``Allow``; no matching ``Allow`` is an
implicit deny. ``Action``/``NotAction`` match case-insensitively with ``*`` and ``?``
wildcards, ``Resource``/``NotResource`` case-sensitively. Conditions are evaluated for the
keys a caller passes in ``context`` (``StringEquals``/``StringLike`` and their ``Not``
forms, ``ArnEquals``/``ArnLike``); a statement with a condition on a key the caller did
not supply does not match, as in IAM.

Used by R-8.5 (least privilege: what an execution role lets the code do) and R-8.4
(function URLs: the resource policy and the caller's identity policy together).
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from labtui.grading.context import GradingContext

Decision = Literal["allow", "deny", "implicit-deny"]


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: tuple[str, ...]  # "*" or ARNs/account ids/service names; () = none given
    condition: Mapping[str, Any]
    source: str  # the policy it came from, for messages

    def matches_action(self, action: str) -> bool:
        if self.not_actions:
            return not _any_match(action, self.not_actions, fold=True)
        return _any_match(action, self.actions, fold=True)

    def matches_resource(self, resource: str) -> bool:
        if self.not_resources:
            return not _any_match(resource, self.not_resources, fold=False)
        return _any_match(resource, self.resources, fold=False)

    def matches_principal(self, principal: str) -> bool:
        return any(p == "*" or p == principal for p in self.principals)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _any_match(value: str, patterns: Iterable[str], *, fold: bool) -> bool:
    if fold:
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def document(raw: Any) -> dict[str, Any]:
    """A policy document from the API (JSON text, URL-encoded JSON, or already a dict)."""
    if isinstance(raw, str):
        text = raw if raw.lstrip().startswith("{") else urllib.parse.unquote(raw)
        raw = json.loads(text)
    return raw if isinstance(raw, dict) else {}


def _principals(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if raw == "*":
        return ("*",)
    if isinstance(raw, dict):
        found: list[str] = []
        for value in raw.values():
            found += [str(v) for v in _as_list(value)]
        return tuple(found)
    return tuple(str(v) for v in _as_list(raw))


def _condition(item: dict[str, Any]) -> dict[str, Any]:
    condition: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v
                                 for k, v in (item.get("Condition") or {}).items()}
    # moto writes add-permission's FunctionUrlAuthType beside the statement's keys; AWS
    # writes it as a condition. Read both the AWS way.
    if "FunctionUrlAuthType" in item:
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = str(
            item["FunctionUrlAuthType"])
    return condition


def parse_statements(raw_document: Any, source: str = "") -> list[Statement]:
    result = []
    for item in _as_list(document(raw_document).get("Statement")):
        if not isinstance(item, dict):
            continue
        result.append(Statement(
            effect=str(item.get("Effect", "")),
            actions=tuple(str(a) for a in _as_list(item.get("Action"))),
            not_actions=tuple(str(a) for a in _as_list(item.get("NotAction"))),
            resources=tuple(str(r) for r in _as_list(item.get("Resource"))),
            not_resources=tuple(str(r) for r in _as_list(item.get("NotResource"))),
            principals=_principals(item.get("Principal")),
            condition=_condition(item),
            source=source or str(item.get("Sid", "")),
        ))
    return result


def condition_holds(condition: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    """Every operator block must hold; a key the request does not carry fails it."""
    for operator, block in condition.items():
        if not isinstance(block, dict):
            return False
        negated = operator.startswith("StringNot") or operator.startswith("ArnNot")
        like = operator.endswith("Like")
        fold = operator.startswith("StringEqualsIgnoreCase")
        for key, expected in block.items():
            actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
            if actual is None:
                return False
            values = [str(v) for v in _as_list(expected)]
            if like:
                hit = any(fnmatch.fnmatchcase(actual, v) for v in values)
            elif fold:
                hit = any(actual.lower() == v.lower() for v in values)
            else:
                hit = actual in values
            if hit == negated:
                return False
    return True


def evaluate(
    statements: Iterable[Statement],
    action: str,
    resource: str,
    *,
    principal: str | None = None,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """IAM's decision for one request. With ``principal`` set, only statements naming that
    principal (or ``*``) apply: that is how a resource-based policy is read."""
    allowed = False
    for statement in statements:
        if principal is not None and not statement.matches_principal(principal):
            continue
        if not (statement.matches_action(action) and statement.matches_resource(resource)):
            continue
        if statement.condition and not condition_holds(statement.condition, context or {}):
            continue
        if statement.effect == "Deny":
            return "deny"
        if statement.effect == "Allow":
            allowed = True
    return "allow" if allowed else "implicit-deny"


def allowed(statements: Iterable[Statement], action: str, resource: str) -> bool:
    return evaluate(statements, action, resource) == "allow"


def granted_actions(statements: Iterable[Statement], service: str) -> set[str]:
    """The action patterns Allow statements name for one service prefix (``dynamodb``)."""
    prefix = service.lower() + ":"
    found: set[str] = set()
    for statement in statements:
        if statement.effect != "Allow":
            continue
        if statement.not_actions:
            found.add("NotAction:" + ",".join(statement.not_actions))
        for action in statement.actions:
            if action == "*" or action.lower().startswith(prefix):
                found.add(action)
    return found


def granted_resources(statements: Iterable[Statement], service: str) -> set[str]:
    """Resource patterns of Allow statements that grant anything of ``service``."""
    found: set[str] = set()
    prefix = service.lower() + ":"
    for statement in statements:
        if statement.effect != "Allow":
            continue
        if statement.not_actions or any(
            a == "*" or a.lower().startswith(prefix) for a in statement.actions
        ):
            found.update(statement.resources or ("NotResource",))
    return found


# --- reading a role's policies from the graded account ---------------------------------


def _try(call: Any, **kwargs: Any) -> Any:
    from botocore.exceptions import ClientError

    try:
        return call(**kwargs)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if "NoSuchEntity" in code or "NotFound" in code:
            return None
        raise


def role_policy_statements(ctx: GradingContext, role_name: str) -> list[Statement] | None:
    """Every statement of a role's identity policies: inline, customer managed and AWS
    managed (moto holds the managed documents). None when the role does not exist."""
    iam = ctx.aws("iam")
    if _try(iam.get_role, RoleName=role_name) is None:
        return None
    statements: list[Statement] = []
    inline = _try(iam.list_role_policies, RoleName=role_name) or {}
    for name in inline.get("PolicyNames", []):
        policy = iam.get_role_policy(RoleName=role_name, PolicyName=name)
        statements += parse_statements(policy["PolicyDocument"], f"inline policy {name}")
    attached = _try(iam.list_attached_role_policies, RoleName=role_name) or {}
    for item in attached.get("AttachedPolicies", []):
        arn = item["PolicyArn"]
        policy = _try(iam.get_policy, PolicyArn=arn)
        if policy is None:
            continue
        version = iam.get_policy_version(
            PolicyArn=arn, VersionId=policy["Policy"]["DefaultVersionId"]
        )
        statements += parse_statements(
            version["PolicyVersion"]["Document"], f"managed policy {item['PolicyName']}"
        )
    return statements


def attached_policy_names(ctx: GradingContext, role_name: str) -> list[str]:
    attached = _try(ctx.aws("iam").list_attached_role_policies, RoleName=role_name) or {}
    return sorted(str(p["PolicyName"]) for p in attached.get("AttachedPolicies", []))


def role_arn(ctx: GradingContext, role_name: str) -> str:
    return ctx.arn("iam", f"role/{role_name}")


def function_resource_policy(ctx: GradingContext, function: str) -> list[Statement]:
    """The statements of a function's resource-based policy (``add-permission``, R-8.3)."""
    response = _try(ctx.aws("lambda").get_policy, FunctionName=function)
    if not response:
        return []
    return parse_statements(response.get("Policy"))  # each statement named by its Sid


# --- what a policy grants, expanded over a service's actions ----------------------------

DYNAMODB_ACTIONS: tuple[str, ...] = tuple(f"dynamodb:{name}" for name in (
    "BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "CreateBackup", "CreateTable",
    "DeleteBackup", "DeleteItem", "DeleteTable", "DescribeBackup", "DescribeContinuousBackups",
    "DescribeLimits", "DescribeStream", "DescribeTable", "DescribeTimeToLive",
    "ExportTableToPointInTime", "GetItem", "GetRecords", "GetResourcePolicy",
    "GetShardIterator", "ListBackups", "ListStreams", "ListTables", "ListTagsOfResource",
    "PartiQLDelete", "PartiQLInsert", "PartiQLSelect", "PartiQLUpdate", "PutItem",
    "PutResourcePolicy", "Query", "RestoreTableFromBackup", "Scan", "TagResource",
    "UntagResource", "UpdateContinuousBackups", "UpdateItem", "UpdateTable",
    "UpdateTimeToLive",
))
STREAM_READS = frozenset({"dynamodb:GetRecords", "dynamodb:GetShardIterator",
                          "dynamodb:DescribeStream", "dynamodb:ListStreams"})


def allowed_actions(statements: Iterable[Statement], catalog: Iterable[str]) -> set[str]:
    """The actions of ``catalog`` that some Allow statement names (any resource), minus
    those an unconditional Deny on every resource takes away."""
    allowed_set: set[str] = set()
    for action in catalog:
        named = [s for s in statements if s.matches_action(action)]
        if any(s.effect == "Deny" and "*" in s.resources and not s.condition for s in named):
            continue
        if any(s.effect == "Allow" for s in named):
            allowed_set.add(action)
    return allowed_set


# --- function URLs (R-8.4) ----------------------------------------------------------------

URL_ACTIONS = ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction")  # both since Oct 2025
ANONYMOUS = "*"


@dataclass(frozen=True)
class UrlDecision:
    allowed: bool
    reason: str


def authorize_url_call(
    auth_type: str,
    function_arn: str,
    resource_statements: list[Statement],
    caller: str | None,
    caller_statements: list[Statement],
) -> UrlDecision:
    """Would a call to the function URL by ``caller`` (a role ARN, signing with SigV4; None
    for an unsigned call) reach the function? R-8.4: with ``NONE`` Lambda never looks at
    the caller, so only statements for Principal ``*`` can admit it; with ``AWS_IAM`` the
    call must be signed and, for each required action, the resource policy (naming the
    caller or ``*``) or the caller's own identity policy (same account) must allow it,
    with no explicit Deny."""
    context = {"lambda:FunctionUrlAuthType": auth_type}
    if auth_type == "NONE":
        for action in URL_ACTIONS:
            decision = evaluate(resource_statements, action, function_arn,
                                principal=ANONYMOUS, context=context)
            if decision != "allow":
                return UrlDecision(False, f"unsigned calls are not allowed {action} "
                                          "(auth type NONE ignores who is calling)")
        return UrlDecision(True, "public: auth type NONE and a * statement for both actions")
    if caller is None:
        return UrlDecision(False, "auth type AWS_IAM refuses unsigned calls (403)")
    for action in URL_ACTIONS:
        by_resource = evaluate(resource_statements, action, function_arn,
                               principal=caller, context=context)
        by_identity = evaluate(caller_statements, action, function_arn, context=context)
        if "deny" in (by_resource, by_identity):
            return UrlDecision(False, f"an explicit Deny on {action}")
        if "allow" not in (by_resource, by_identity):
            return UrlDecision(False, f"no policy allows it {action}")
    return UrlDecision(True, "signed, and allowed both actions")
