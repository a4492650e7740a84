"""Lambda resource-policy statements stored as AWS writes them (R-8.3, R-8.4).

moto keeps an AddPermission statement close to the request: a role or account principal
as a bare string, ``FunctionUrlAuthType`` as a key of its own beside ``Action``. AWS turns
them into policy grammar, and ``aws lambda get-policy`` shows that: ``{"AWS": "<ARN>"}``
(an account id becomes ``arn:aws:iam::<id>:root``) and the condition
``{"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}``, as the lessons teach.
"""

from __future__ import annotations

import re
from typing import Any

_ACCOUNT = re.compile(r"\d{12}")
_ORDER = ("Sid", "Effect", "Principal", "Action", "Resource", "Condition")
_INSTALLED: dict[str, Any] = {}


def aws_statement(statement: dict[str, Any]) -> dict[str, Any]:
    """``statement`` (as moto decoded an AddPermission request) in AWS's own shape."""
    shaped = dict(statement)
    principal = shaped.get("Principal")
    if isinstance(principal, str) and principal != "*":
        if _ACCOUNT.fullmatch(principal):
            shaped["Principal"] = {"AWS": f"arn:aws:iam::{principal}:root"}
        elif principal.startswith("arn:"):
            shaped["Principal"] = {"AWS": principal}
    if "FunctionUrlAuthType" in shaped:
        auth_type = shaped.pop("FunctionUrlAuthType")
        condition = dict(shaped.get("Condition") or {})
        equals = dict(condition.get("StringEquals") or {})
        equals["lambda:FunctionUrlAuthType"] = auth_type
        condition["StringEquals"] = equals
        shaped["Condition"] = condition
    ordered = {key: shaped.pop(key) for key in _ORDER if key in shaped}
    ordered.update(shaped)
    return ordered


def install() -> None:
    """Shape every statement moto stores from now on (once per process)."""
    from moto.awslambda.policy import Policy

    if "decode_policy" in _INSTALLED:
        return
    original = Policy.decode_policy
    _INSTALLED["decode_policy"] = original

    def decode_policy(self: Any, obj: dict[str, Any]) -> Any:
        policy = original(self, obj)
        policy.statements = [aws_statement(s) if isinstance(s, dict) else s
                             for s in policy.statements]
        return policy

    Policy.decode_policy = decode_policy  # type: ignore[method-assign]
