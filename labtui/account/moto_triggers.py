"""Route moto's own Lambda invocations (S3 notifications, SQS/Kinesis/DynamoDB event
source mappings, SNS) to the runner instead of Docker.

moto calls ``LambdaFunction.invoke`` when a trigger fires; without this it answers
"error running docker". Until lambdasim's pollers take event source mappings over,
this makes triggers run the learner's real code (one attempt, moto's batching).
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from labtui import facts

if TYPE_CHECKING:
    from labtui.account.lambda_invoke import InvokeService

_ACTIVE: list[InvokeService] = []
_CHAIN_DEPTH: dict[tuple[str, str], int] = {}
_CHAIN_LOCK = threading.Lock()
_ORIGINAL: dict[str, Any] = {}


def _invoke_through_runner(
    self: Any, body: Any, request_headers: Any, response_headers: Any
) -> bytes:
    if not _ACTIVE:
        return bytes(_ORIGINAL["invoke"](self, body, request_headers, response_headers))
    invoker = _ACTIVE[-1]
    payload = body.encode() if isinstance(body, str) else bytes(body or b"{}")
    qualifier = None if str(self.version) == "$LATEST" else str(self.version)
    chain = (str(self.account_id), str(self.function_name))
    with _CHAIN_LOCK:
        depth = _CHAIN_DEPTH.get(chain, 0)
        if depth >= facts.RECURSION_LIMIT:
            # Lambda stops a recursive loop after about 16 invocations. moto fires
            # triggers synchronously, so a loop shows as nested runs of one function.
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(
                {
                    "errorType": "RecursiveInvocationException",
                    "errorMessage": "Recursive loop detected; invocation stopped",
                }
            ).encode()
        _CHAIN_DEPTH[chain] = depth + 1
    try:
        result = invoker.invoke_direct(
            str(self.account_id), str(self.region), str(self.function_name), payload, qualifier
        )
    finally:
        with _CHAIN_LOCK:
            _CHAIN_DEPTH[chain] -= 1
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    return result.payload


def activate(invoker: InvokeService) -> None:
    from moto.awslambda.models import LambdaFunction

    if "invoke" not in _ORIGINAL:
        _ORIGINAL["invoke"] = LambdaFunction.invoke
        LambdaFunction.invoke = _invoke_through_runner  # type: ignore[method-assign]
    _ACTIVE.append(invoker)


def deactivate(invoker: InvokeService) -> None:
    from moto.awslambda.models import LambdaFunction

    if invoker in _ACTIVE:
        _ACTIVE.remove(invoker)
    if not _ACTIVE and "invoke" in _ORIGINAL:
        LambdaFunction.invoke = _ORIGINAL.pop("invoke")  # type: ignore[method-assign]
