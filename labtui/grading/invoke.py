"""Invoke a function in the graded account through the sandbox gateway (real learner code).

Used by checks about handler behaviour (e.g. first-function c6). Each call adds a row to
the grading trace, so the TUI timeline shows what actually ran.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.results import TraceRow

_REPORT = re.compile(r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<duration>[\d.]+) ms")


@dataclass(frozen=True)
class InvokeOutcome:
    status_code: int
    function_error: str | None
    body: Any
    log: str
    executed_version: str

    @property
    def error_summary(self) -> str:
        if isinstance(self.body, dict):
            kind = self.body.get("errorType", "Error")
            return f"{kind}: {self.body.get('errorMessage', '')}".strip()
        return str(self.body)


def invoke_function(
    ctx: GradingContext,
    name: str,
    payload: Any,
    *,
    qualifier: str | None = None,
    invocation_type: str = "RequestResponse",
) -> InvokeOutcome:
    kwargs: dict[str, Any] = {
        "FunctionName": name,
        "Payload": json.dumps(payload).encode(),
        "InvocationType": invocation_type,
        "LogType": "Tail" if invocation_type == "RequestResponse" else "None",
    }
    if qualifier:
        kwargs["Qualifier"] = qualifier
    response = ctx.aws("lambda").invoke(**kwargs)
    raw = response["Payload"].read() if response.get("Payload") else b""
    try:
        body: Any = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    log = base64.b64decode(response.get("LogResult", "") or b"").decode("utf-8", "replace")
    outcome = InvokeOutcome(
        status_code=int(response.get("StatusCode", 0)),
        function_error=response.get("FunctionError"),
        body=body,
        log=log,
        executed_version=str(response.get("ExecutedVersion", qualifier or "$LATEST")),
    )
    match = _REPORT.search(log)
    ctx.trace.append(TraceRow(
        t_s=round(ctx.elapsed_s(), 3),
        function=name,
        version=outcome.executed_version,
        environment="sandbox",
        request_id=match.group("id") if match else
        str(response.get("ResponseMetadata", {}).get("RequestId", "")),
        attempt=1,
        outcome="error" if outcome.function_error else "success",
        duration_ms=float(match.group("duration")) if match else 0.0,
        detail=f"{invocation_type} {name}{':' + qualifier if qualifier else ''} -> "
               f"{outcome.status_code}{' ' + outcome.function_error if outcome.function_error else ''}",
    ))
    return outcome
