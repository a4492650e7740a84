"""The error documents Lambda returns when the runtime itself fails (R-2.2, R-2.8).

Errors raised by the handler are built inside the child (``_bootstrap.py``); the ones
here are the cases the child cannot report because it is gone or stuck.
"""

from __future__ import annotations

import signal
from typing import Any

from labtui.runner.protocol import Deadline


def timed_out(request_id: str, timeout_s: float) -> dict[str, Any]:
    # current runtimes answer Sandbox.Timedout with the timeout in two decimals.
    return {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
        f"{timeout_s:.2f} seconds",
    }


def describe_exit(returncode: int | None) -> str:
    """How Lambda words a runtime exit: 'exit status N' or 'signal: killed' (R-2.8)."""
    if returncode is None:
        return "signal: killed"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            return f"signal: {-returncode}"
        words = {
            "SIGKILL": "killed",
            "SIGSEGV": "segmentation fault",
            "SIGABRT": "aborted",
            "SIGTERM": "terminated",
        }
        return f"signal: {words.get(name, name.lower().removeprefix('sig'))}"
    return f"exit status {returncode}"


def runtime_exited(request_id: str, reason: str) -> dict[str, Any]:
    # a crashed or killed process is Runtime.ExitError.
    if reason == "exit status 0":
        message = f"RequestId: {request_id} Error: Runtime exited without providing a reason"
    else:
        message = f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
    return {"errorType": "Runtime.ExitError", "errorMessage": message}


def init_failure(problem: Exception, reason: str) -> dict[str, Any]:
    """The runtime died or hung before the handler module finished importing."""
    if isinstance(problem, Deadline):
        # Init that overruns its 10 s is retried within the first invocation and
        # its timeout; the caller sees that invocation time out (the request id is
        # filled in by the invocation, see timed_out).
        return {"errorType": "Sandbox.Timedout", "errorMessage": ""}
    return {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"Runtime exited with error: {reason}",
        "requestId": "",
        "stackTrace": [],
    }
