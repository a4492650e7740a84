"""Whatever the handler does, the lab keeps running and the caller gets AWS's error (R-2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtui.runner import EnvironmentPool, ExecutionEnvironment, FunctionConfig


def test_handler_exception_is_unhandled_function_error(environment_for: Any) -> None:
    # errorMessage, errorType, requestId, stackTrace; the environment stays warm.
    environment: ExecutionEnvironment = environment_for("app.boom")
    result = environment.invoke({"name": "x"}, "req-boom")
    body = result.json()
    assert result.function_error == "Unhandled" and result.status == "error"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input: x"
    assert body["requestId"] == "req-boom"
    assert any("in boom" in frame and "app.py" in frame for frame in body["stackTrace"])
    assert all("_bootstrap" not in frame for frame in body["stackTrace"])
    assert "[ERROR] ValueError: bad input: x" in result.log
    # the code's files are shown where Lambda puts them, not at the lab's own path
    assert body["stackTrace"][0].startswith('  File "/var/task/app.py", line ')
    assert '  File "/var/task/app.py", line ' in result.log
    assert not result.recycled and environment.alive


def test_infinite_loop_times_out_and_next_invoke_is_cold(environment_for: Any) -> None:
    # Sandbox.Timedout, "Task timed out after 1.00 seconds", Status: timeout.
    environment = environment_for("app.loop", timeout_s=1.0)
    result = environment.invoke({}, "req-loop")
    assert result.status == "timeout" and result.function_error == "Unhandled"
    assert result.json() == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: req-loop Error: Task timed out after 1.00 seconds",
    }
    assert "Task timed out after 1.00 seconds" in result.log
    assert result.log.splitlines()[-1].rstrip("\t").endswith("Status: timeout")
    assert result.recycled and not environment.alive


def test_pool_replaces_a_timed_out_environment(pool: EnvironmentPool, code_dir: Path) -> None:
    config = FunctionConfig(function_name="f", handler="app.slow", timeout_s=1.0)
    timed_out = pool.invoke(config, code_dir, {"seconds": 5})
    after = pool.invoke(config, code_dir, {"seconds": 0})
    assert timed_out.status == "timeout"
    assert after.ok and after.cold_start  # the environment was reset
    assert after.environment_id != timed_out.environment_id
    warm = pool.invoke(config, code_dir, {"seconds": 0})
    assert not warm.cold_start and warm.environment_id == after.environment_id


def test_memory_bomb_is_killed_like_lambda(environment_for: Any) -> None:
    # over MemorySize → "Runtime exited with error: signal: killed".
    result = environment_for("app.memory_bomb", timeout_s=20.0).invoke({}, "req-mem")
    assert result.json() == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: req-mem Error: Runtime exited with error: signal: killed",
    }
    assert result.max_memory_used_mb == 128 and result.recycled
    assert "Status: error\tError Type: Runtime.OutOfMemory" in result.log


def test_fork_bomb_is_contained(environment_for: Any) -> None:
    from labtui.jail import DEFAULT_MAX_TASKS
    from labtui.runner.handler_jail import FORK_CAP

    environment = environment_for("app.fork_bomb", timeout_s=5.0)
    result = environment.invoke({})
    assert result.ok
    assert result.json()["error"] == 11  # EAGAIN once the cap is reached
    # a jail caps the tree's processes and threads; without one, os.fork is capped
    cap = DEFAULT_MAX_TASKS if environment._process.enforces_tasks else FORK_CAP
    assert result.json()["started"] <= cap


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("app.exits", "RequestId: req-x Error: Runtime exited with error: exit status 3"),
        ("app.hard_exit", "RequestId: req-x Error: Runtime exited without providing a reason"),
    ],
)
def test_process_exit_is_runtime_exit_error(
    environment_for: Any, handler: str, message: str
) -> None:
    #
    result = environment_for(handler).invoke({}, "req-x")
    assert result.json() == {"errorType": "Runtime.ExitError", "errorMessage": message}
    assert result.function_error == "Unhandled" and result.recycled
    assert "Status: error\tError Type: Runtime.ExitError" in result.log


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("app.missing", "Runtime.HandlerNotFound", "Handler 'missing' missing on module 'app'"),
        (
            "nomodule.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'nomodule': No module named 'nomodule'",
        ),
        (
            "app.not_json",
            "Runtime.MarshalError",
            "Unable to marshal response: Object of type set is not JSON serializable",
        ),
    ],
)
def test_runtime_errors_have_aws_types(
    environment_for: Any, handler: str, error_type: str, message: str
) -> None:
    #
    result = environment_for(handler).invoke({}, "req-y")
    assert result.function_error == "Unhandled"
    assert result.json()["errorType"] == error_type
    assert result.json()["errorMessage"] == message


def test_syntax_error_is_user_code_syntax_error(broken_code_dir: Path) -> None:
    environment = ExecutionEnvironment(FunctionConfig(function_name="f"), broken_code_dir, {})
    try:
        result = environment.invoke({})
    finally:
        environment.shutdown()
    body = result.json()
    assert body["errorType"] == "Runtime.UserCodeSyntaxError"
    assert body["errorMessage"].startswith("Syntax error in module 'app':")
    assert result.recycled  # the next invocation starts a fresh Init


def test_only_loopback_is_reachable(environment_for: Any) -> None:
    # design.md §6: no route to anything but loopback.
    result = environment_for("app.network").invoke({}).json()
    assert "Network is unreachable" in result["connect"]
    # no name server: "Name or service not known" unjailed, "Temporary failure in name
    # resolution" in a jail (nothing answers on the jail's own loopback)
    assert "name" in result["dns"].lower() and result["dns"] != "resolved"


def test_a_looping_environment_dies_with_the_lab(code_dir: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    lab = (
        "import os, sys, threading, time\n"
        "from pathlib import Path\n"
        "from labtui.runner import ExecutionEnvironment, FunctionConfig\n"
        "config = FunctionConfig(function_name='f', handler='app.loop', timeout_s=60)\n"
        f"environment = ExecutionEnvironment(config, Path({str(code_dir)!r}), {{}})\n"
        "environment.init()\n"
        "print(environment._process.pid, flush=True)\n"
        "threading.Thread(target=environment.invoke, args=({},), daemon=True).start()\n"
        "time.sleep(0.5)\n"
        "os._exit(0)  # the lab dies abruptly, as with SIGKILL\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", lab], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pid = int(output.strip())
    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            break
        if state == "Z":  # dead, waiting to be reaped by init
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, 9)
        raise AssertionError("the environment outlived the lab")


def test_init_that_never_finishes_times_out_the_first_invocation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Init gets 10 s, then is retried within the invocation's timeout.
    from labtui import facts

    monkeypatch.setattr(facts, "INIT_LIMIT_S", 1)
    (tmp_path / "app.py").write_text("while True:\n    pass\n")
    environment = ExecutionEnvironment(
        FunctionConfig(function_name="f", timeout_s=1.0), tmp_path, {}
    )
    try:
        result = environment.invoke({}, "req-init")
    finally:
        environment.shutdown()
    assert result.status == "timeout"
    assert result.json()["errorMessage"] == (
        "RequestId: req-init Error: Task timed out after 1.00 seconds"
    )


def test_one_huge_allocation_is_the_same_memory_kill(
    environment_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Faster than the resident-size watchdog: the address-space limit stops it.
    from labtui.runner import handler_jail

    monkeypatch.setattr(handler_jail, "ADDRESS_SPACE_HEADROOM_MB", 128)
    result = environment_for("app.big_allocation", timeout_s=20.0).invoke({}, "req-big")
    assert result.json()["errorMessage"] == (
        "RequestId: req-big Error: Runtime exited with error: signal: killed"
    )
    assert result.max_memory_used_mb == 128
    assert "Error Type: Runtime.OutOfMemory" in result.log
