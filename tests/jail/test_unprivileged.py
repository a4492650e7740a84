"""The jail as a learner's laptop has it: a normal user, no cgroup of its own. The process
limit is then RLIMIT_NPROC in the jail's user namespace and memory is the watchdog's sum
over the process tree (README, "The jail"). Run as ``nobody`` with the system Python (the
lab's own runtime may sit in root's home, which nobody cannot read)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")
pytestmark = pytest.mark.skipif(
    os.getuid() != 0 or not SYSTEM_PYTHON.exists() or shutil.which("setpriv") is None
    or shutil.which("bwrap") is None,
    reason="needs root (to become nobody), setpriv, bwrap and /usr/bin/python3",
)

LAB = """
import json
from pathlib import Path
from labtui.jail import support
from labtui.runner import ExecutionEnvironment, FunctionConfig
found = support()
results = {"available": found.available, "reason": found.reason}
for name, handler, event in (
    ("popen", "spawn_many", {"how": "popen"}),
    ("posix_spawn", "spawn_many", {"how": "posix_spawn"}),
    ("memory", "hoard_in_children", {"mb": 64}),
    ("network", "network", {}),
):
    config = FunctionConfig(function_name="f", handler="app." + handler, timeout_s=30)
    environment = ExecutionEnvironment(config, Path(CODE), {})
    result = environment.invoke(event)
    results[name] = {"body": result.json(), "cgroup": environment._process.cgroup is not None,
                     "tasks_enforced": environment._process.enforces_tasks}
    environment.shutdown()
print(json.dumps(results))
"""


def test_a_normal_user_gets_the_process_and_memory_limits() -> None:
    code = Path(os.environ.get("TMPDIR", "/tmp")) / f"labtui-nobody-{os.getpid()}"
    code.mkdir()
    try:
        shutil.copy(Path(__file__).with_name("escapes.py"), code / "app.py")
        code.chmod(0o755)
        (code / "app.py").chmod(0o644)
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             str(SYSTEM_PYTHON), "-c", f"CODE = {str(code)!r}\n" + LAB],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": "/nonexistent"},
            cwd="/", capture_output=True, text=True, timeout=240, check=False,
        )
    finally:
        shutil.rmtree(code, ignore_errors=True)
    if done.returncode != 0 and "Permission denied" in done.stderr:
        pytest.skip(f"nobody cannot read the checkout: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    if not results["available"]:
        pytest.skip(f"no jail for a normal user here: {results['reason']}")
    for name in ("popen", "posix_spawn"):
        outcome = results[name]
        assert not outcome["cgroup"] and outcome["tasks_enforced"]
        assert outcome["body"]["errno"] == 11 and outcome["body"]["started"] < 64, outcome
    assert results["memory"]["body"]["errorMessage"].endswith("signal: killed")
    assert results["network"]["body"]["raw_connect"]["errno"] == 101  # ENETUNREACH
