"""Write each invocation's log to CloudWatch Logs, as Lambda does (R-6.5).

Group ``/aws/lambda/<function>``, one stream per execution environment, one event per
line (START, the handler's output, END, REPORT). Learners can then read them with
``aws logs tail`` / ``filter-log-events`` and checks can find REPORT lines.
"""

from __future__ import annotations

import time
from typing import Any

from labtui.runner.protocol import InvokeResult


def write_invocation_log(
    account_id: str, region: str, function_name: str, result: InvokeResult
) -> None:
    from moto.logs.models import logs_backends

    if not result.log_stream_name:
        return
    backend: Any = logs_backends[account_id][region]
    group = f"/aws/lambda/{function_name}"
    if group not in backend.groups:
        backend.create_log_group(group, {})
    backend.ensure_log_stream(group, result.log_stream_name)
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": line} for line in result.log.splitlines() if line]
    if events:
        backend.put_log_events(group, result.log_stream_name, events)
