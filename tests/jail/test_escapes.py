"""Every escape of issue 23, repeated from a real handler in a real jail, fails
(design.md §6.1). Loopback only: the outside addresses are TEST-NET-1 (RFC 5737), and
failure is asserted by the kernel's answer (no route), never by sending anything."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtui import jail
from labtui.runner import ExecutionEnvironment, FunctionConfig

pytestmark = pytest.mark.skipif(
    not jail.support().available, reason=f"no jail on this machine: {jail.support().reason}"
)
ESCAPES = Path(__file__).with_name("escapes.py")


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "code"
    directory.mkdir()
    shutil.copy(ESCAPES, directory / "app.py")
    return directory


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A loopback server standing in for the sandbox endpoint: answers 'pong'."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.recv(100)
                connection.sendall(b"pong")

    threading.Thread(target=serve, daemon=True).start()
    yield int(server.getsockname()[1])
    server.close()


@pytest.fixture
def run(code_dir: Path, echo_port: int) -> Iterator[Any]:
    started: list[ExecutionEnvironment] = []

    def build(handler: str, **overrides: Any) -> ExecutionEnvironment:
        values: dict[str, Any] = {"function_name": "escape", "handler": f"app.{handler}",
                                  "memory_mb": 128, "timeout_s": 30.0}
        values.update(overrides)
        sandbox = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{echo_port}"}
        environment = ExecutionEnvironment(FunctionConfig(**values), code_dir, sandbox)
        started.append(environment)
        return environment

    yield build
    for environment in started:
        environment.shutdown()


def _alive_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            continue
    return found


def _appears(marker: str, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while not _alive_with(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _gone(marker: str, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while _alive_with(marker):
        if time.monotonic() > deadline:
            for pid in _alive_with(marker):  # leave nothing behind, then fail
                os.kill(pid, 9)
            return False
        time.sleep(0.05)
    return True


def test_no_way_out_to_any_other_address(run: Any) -> None:
    results = run("network").invoke({}).json()
    for name in ("raw_connect", "base_class_connect", "udp_sendto", "ctypes_connect",
                 "child_python"):
        assert results[name]["errno"] == errno.ENETUNREACH, (name, results[name])
    assert results["gethostbyname"] != "resolved"


def test_only_the_sandbox_endpoint_is_reachable_on_loopback(run: Any, echo_port: int) -> None:
    other = socket.create_server(("127.0.0.1", 0))  # another service of the host
    try:
        event = {"endpoint_port": echo_port, "other_port": other.getsockname()[1]}
        results = run("loopback").invoke(event).json()
    finally:
        other.close()
    assert results == {"endpoint": "pong", "other": f"errno {errno.ECONNREFUSED}"}


def test_no_secrets_of_the_lab(run: Any, monkeypatch: pytest.MonkeyPatch,
                               tmp_path: Path) -> None:
    secret = f"parent-secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    credentials = home / ".aws" / "credentials"
    credentials.write_text(f"[default]\naws_secret_access_key = {secret}\n")
    lab_data = tmp_path / "lab-data" / "progress.db"
    lab_data.parent.mkdir()
    lab_data.write_text("progress")
    event = {"secret": secret, "lab_pid": os.getpid(),
             "paths": [str(credentials), str(lab_data), str(Path.home() / ".bash_history")]}
    result = run("secrets").invoke(event).json()
    assert result["environ_with_secret"] == []
    assert all(text.startswith("errno") for text in result["files"].values()), result


@pytest.mark.parametrize("how", ["popen", "posix_spawn"])
def test_process_limit_holds_for_popen_and_posix_spawn(run: Any, how: str) -> None:
    environment = run("spawn_many")
    result = environment.invoke({"how": how}).json()
    if not environment._process.enforces_tasks:
        pytest.skip("root without a writable cgroup: no process limit (README, The jail)")
    assert result["started"] < jail.DEFAULT_MAX_TASKS
    assert result["errno"] == errno.EAGAIN


def test_a_detached_child_dies_with_a_timeout(run: Any) -> None:
    marker = f"labtui-escape-{uuid.uuid4().hex}"
    result = run("detach", timeout_s=3.0).invoke({"marker": marker, "then": "loop"})
    assert result.status == "timeout"
    assert _gone(marker)


def test_a_detached_child_dies_with_shutdown(run: Any) -> None:
    marker = f"labtui-escape-{uuid.uuid4().hex}"
    environment = run("detach")
    assert environment.invoke({"marker": marker}).json() == "detached"
    assert _appears(marker)  # the child really runs
    environment.shutdown()
    assert _gone(marker)


def test_a_detached_child_dies_with_a_killed_lab(code_dir: Path) -> None:
    marker = f"labtui-escape-{uuid.uuid4().hex}"
    lab = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from labtui.runner import ExecutionEnvironment, FunctionConfig\n"
        "config = FunctionConfig(function_name='f', handler='app.detach', timeout_s=30)\n"
        f"environment = ExecutionEnvironment(config, Path({str(code_dir)!r}), {{}})\n"
        f"print(environment.invoke({{'marker': {marker!r}}}).json(), flush=True)\n"
        "time.sleep(120)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", lab], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "detached"
        assert _appears(marker)
    finally:
        process.kill()  # SIGKILL: the lab has no chance to clean up
        process.wait()
    assert _gone(marker)


def test_memory_is_counted_across_the_process_tree(run: Any) -> None:
    # Issue 23: three children of 500 MB ran in a 128 MB function. Scaled down: three of
    # 64 MB (each far under the limit, together over it).
    result = run("hoard_in_children").invoke({"mb": 64}, "req-tree")
    assert result.json() == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: req-tree Error: Runtime exited with error: signal: killed",
    }
    assert "Error Type: Runtime.OutOfMemory" in result.log


def test_the_task_root_and_the_system_are_read_only(run: Any, code_dir: Path) -> None:
    targets = [str(code_dir / "app.py"), str(code_dir / "new.py"), "/etc/passwd", "/evil",
               sys.executable]
    before = (code_dir / "app.py").read_text()
    result = run("write_files").invoke({"paths": targets}).json()
    assert set(result.values()) <= {"EROFS", "EACCES", "ENOENT"}, result
    assert (code_dir / "app.py").read_text() == before
    assert not (code_dir / "new.py").exists()


def test_tmp_holds_ephemeral_storage_in_total(run: Any) -> None:
    # Issue 23: three 300 MB files fit in 512 MB. Scaled down: a 16 MB /tmp, 6 MB files.
    result = run("fill_tmp", ephemeral_storage_mb=16).invoke({"mb": 6}).json()
    assert result == {"written": 2, "error": "ENOSPC"}


def test_tmp_is_private_to_one_environment(run: Any) -> None:
    first, second = run("fill_tmp", ephemeral_storage_mb=16), run("fill_tmp",
                                                                  ephemeral_storage_mb=16)
    assert first.invoke({"mb": 4}).json() == {"written": 3, "error": None}
    assert second.invoke({"mb": 4}).json() == {"written": 3, "error": None}
