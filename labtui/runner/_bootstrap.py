"""The runtime inside one execution environment (a child process; see environment.py).

Run as ``python -I -u _bootstrap.py CONTROL_IN_FD CONTROL_OUT_FD``. It imports nothing
of labtui: it talks to the parent over two pipes with length-prefixed JSON, while the
handler's stdout/stderr go to the log pipe the parent reads.

Lifecycle (R-6.1): one ``init`` message (limits, handler, task root), then the handler
module is imported once and ``invoke`` messages are served one at a time (R-6.2), each
with a fresh context object (R-6.3). Error documents follow the Python runtime's shape
(R-2.1, R-2.8).
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import importlib
import json
import os
import resource
import signal
import socket
import struct
import sys
import time
import traceback
from typing import Any

_HEADER = struct.Struct(">I")
END_OF_INVOKE_MARK = "\x00labtui-end "  # written to the log pipe after each invoke


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> dict[str, Any]:
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    message: dict[str, Any] = json.loads(_read_exactly(fd, size))
    return message


def send(fd: int, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    data = _HEADER.pack(len(body)) + body
    while data:
        written = os.write(fd, data)
        data = data[written:]


# --- containment ---------------------------------------------------------------------


def _apply_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        which = getattr(resource, name)
        # A limit the platform refuses is not worth failing the environment for.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))


def _loopback_only() -> None:
    """No route to anything but loopback (design.md §6): connect and DNS refuse the rest."""
    import ipaddress

    def is_local(host: object) -> bool:
        if not isinstance(host, str) or host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def check(address: Any) -> None:
        if isinstance(address, tuple) and address and not is_local(address[0]):
            raise OSError(errno.ENETUNREACH, "Network is unreachable")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return original_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not is_local(name):
            try:
                import ipaddress as _ip

                _ip.ip_address(name)
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo


def _die_with_parent() -> None:
    """If the lab process dies (even by SIGKILL), take this environment down with it:
    a handler stuck in a loop must not outlive the lab as an orphan."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="labtui-parent-watch", daemon=True).start()


def _limit_forks(cap: int, control_fds: tuple[int, int]) -> None:
    """Running as root makes RLIMIT_NPROC void, so forks are capped here: the environment's
    own process may start ``cap`` children, which may start none (stops fork bombs).
    A forked child loses the control pipes, so it can never answer for the environment."""
    original_fork = os.fork
    budget = {"left": cap}

    def fork() -> int:
        if budget["left"] <= 0:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        budget["left"] -= 1
        pid = original_fork()
        if pid == 0:
            budget["left"] = 0
            for fd in control_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        return pid

    os.fork = fork


# --- the Python context object (R-6.3) -----------------------------------------------


class LambdaContext:
    """The fields of the real Python runtime's context; values come from the environment
    variables exactly as there (``memory_limit_in_mb`` is a string in AWS too)."""

    def __init__(self, request_id: str, invoked_function_arn: str, deadline_ms: float) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        remaining = int(self._deadline_ms - time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message: str) -> None:
        sys.stdout.write(message)

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"memory_limit_in_mb={self.memory_limit_in_mb}])"
        )


# --- init and invoke -----------------------------------------------------------------


def _error(error_type: str, message: str, stack: list[str], request_id: str = "") -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack,
    }


LAMBDA_TASK_DIR = "/var/task"  # where Lambda unpacks the code: the path its tracebacks show
_task_root = ""  # where the code really is here (set by main)


def _user_frames(tb: Any) -> list[str]:
    """The stack trace without this bootstrap's own frames, formatted as the runtime does,
    with the code's own files under /var/task as in Lambda (not the lab's long path)."""
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename != __file__]
    prefix = _task_root.rstrip(os.sep) + os.sep
    for frame in frames:
        if _task_root and frame.filename.startswith(prefix):
            frame.filename = LAMBDA_TASK_DIR + "/" + frame.filename[len(prefix):]
    return traceback.format_list(frames)


def _log_error(document: dict[str, Any]) -> None:
    # The Python runtime logs "[ERROR] Type: message" followed by the traceback.
    print(f"[ERROR] {document['errorType']}: {document['errorMessage']}", file=sys.stderr)
    if document["stackTrace"]:
        print("Traceback (most recent call last):", file=sys.stderr)
        print("".join(document["stackTrace"]).rstrip("\n"), file=sys.stderr)


def load_handler(handler: str) -> tuple[Any, dict[str, Any] | None]:
    """Import ``module.function`` the way the runtime does (R-1.7, R-2.8)."""
    module_name, _, function_name = handler.rpartition(".")
    if not module_name:
        message = f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)"
        return None, _error("Runtime.MalformedHandlerName", message, [])
    module_path = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_path)
    except SyntaxError as error:
        stack = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text or ""}']
        message = f"Syntax error in module '{module_name}': {error}"
        return None, _error("Runtime.UserCodeSyntaxError", message, stack)
    except ImportError as error:
        message = f"Unable to import module '{module_name}': {error}"
        return None, _error("Runtime.ImportModuleError", message, [])
    except MemoryError:
        os.kill(os.getpid(), signal.SIGKILL)  # out of memory looks like a kill
        raise
    except Exception as error:
        return None, _error(type(error).__name__, str(error), _user_frames(error.__traceback__))
    function = getattr(module, function_name, None)
    if function is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, _error("Runtime.HandlerNotFound", message, [])
    return function, None


def invoke(function: Any, request: dict[str, Any]) -> dict[str, Any]:
    request_id = request["request_id"]
    context = LambdaContext(request_id, request["invoked_function_arn"], request["deadline_ms"])
    started = time.perf_counter()
    try:
        event = json.loads(request["event"])
        result = function(event, context)
    except MemoryError:
        os.kill(os.getpid(), signal.SIGKILL)
        raise
    except Exception as error:
        document = _error(
            type(error).__name__, str(error), _user_frames(error.__traceback__), request_id
        )
        _log_error(document)
        return {
            "ok": False,
            "body": json.dumps(document),
            "error_type": document["errorType"],
            "duration_ms": (time.perf_counter() - started) * 1000,
        }
    duration_ms = (time.perf_counter() - started) * 1000
    try:
        body = json.dumps(result)
    except (TypeError, ValueError) as error:
        document = _error(
            "Runtime.MarshalError", f"Unable to marshal response: {error}", [], request_id
        )
        _log_error(document)
        return {
            "ok": False,
            "body": json.dumps(document),
            "error_type": "Runtime.MarshalError",
            "duration_ms": duration_ms,
        }
    return {"ok": True, "body": body, "error_type": None, "duration_ms": duration_ms}


def _max_rss_kb() -> int:
    # VmHWM (peak resident set of this process image): ru_maxrss would include the
    # parent's peak, which Linux carries across fork+exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _end_of_invoke(request_id: str) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, f"{END_OF_INVOKE_MARK}{request_id}\n".encode())


def main() -> None:
    control_in, control_out = int(sys.argv[1]), int(sys.argv[2])
    global _task_root
    setup = receive(control_in)
    task_root = _task_root = setup["task_root"]
    _apply_limits(setup["limits"])
    if setup.get("python_guards", True):
        # No jail (design.md §6.1): best-effort guards in Python; a jail enforces these
        # in the kernel instead (network namespace, --die-with-parent).
        _loopback_only()
        _die_with_parent()
    if setup["fork_cap"]:
        _limit_forks(setup["fork_cap"], (control_in, control_out))
    main_pid = os.getpid()
    os.chdir(task_root)
    sys.path[:0] = [task_root, *setup.get("extra_paths", [])]
    builtins.exit = builtins.quit = sys.exit  # type: ignore[assignment]  # as with site

    started = time.perf_counter()
    function, init_error = load_handler(setup["handler"])
    init_ms = (time.perf_counter() - started) * 1000
    if init_error is not None:
        _log_error(init_error)
    _end_of_invoke("init")
    send(control_out, {"init_ms": init_ms, "error": init_error, "max_rss_kb": _max_rss_kb()})
    if init_error is not None:
        return
    while True:
        try:
            request = receive(control_in)
        except EOFError:
            return  # the parent closed the pipe: Shutdown
        result = invoke(function, request)
        if os.getpid() != main_pid:
            os._exit(0)  # a child the handler forked returned from the handler: just end it
        result["max_rss_kb"] = _max_rss_kb()
        _end_of_invoke(request["request_id"])
        send(control_out, result)


if __name__ == "__main__":
    main()
