"""The shape of a classroom student's session jail (design.md §6.1, issue 15): labtui's
own code read-only, the student's home writable, a server of its own on the jail's
loopback (its sandbox), a terminal kept; nothing of any other folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from labtui import jail

pytestmark = pytest.mark.skipif(
    not jail.support().available, reason=f"no jail on this machine: {jail.support().reason}"
)
ROOT = Path(__file__).resolve().parents[2]

SESSION = """
import json, os, socket, sys
sys.path.insert(0, sys.argv[3])  # labtui's source, read-only
import labtui.facts
results = {"labtui": labtui.facts.MEMORY_DEFAULT_MB}
server = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(server.getsockname())
connection, _ = server.accept()
client.sendall(b"own sandbox")
results["loopback"] = connection.recv(100).decode()
with open(os.path.join(os.environ["HOME"], "progress.db"), "w") as handle:
    handle.write("saved")
for name, path in (("other_student", sys.argv[1]), ("source", sys.argv[2])):
    try:
        with open(path, "a") as handle:
            handle.write("x")
        results[name] = "written"
    except OSError as error:
        results[name] = error.errno
print(json.dumps(results))
"""


def test_a_session_jail_keeps_its_home_and_its_own_loopback(tmp_path: Path) -> None:
    home, other = tmp_path / "students" / "ada", tmp_path / "students" / "bob"
    home.mkdir(parents=True)
    other.mkdir()
    (other / "progress.db").write_text("bob's")
    script = tmp_path / "bin" / "session.py"
    script.parent.mkdir()
    script.write_text(SESSION)
    spec = jail.JailSpec(
        argv=(sys.executable, "-I", str(script), str(other / "progress.db"),
              str(ROOT / "labtui" / "facts.py"), str(ROOT)),
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        cwd=str(home),
        read_only=(str(ROOT), str(script.parent)),
        writable=(str(home),),
        memory_mb=256,
        tmp_mb=64,
        new_session=False,
    )
    code, out, err = jail.run(spec, 60)
    assert code == 0, err
    assert json.loads(out) == {"labtui": 128, "loopback": "own sandbox",
                               "other_student": 2, "source": 30}  # ENOENT, EROFS
    assert (home / "progress.db").read_text() == "saved"
    assert (other / "progress.db").read_text() == "bob's"


def test_the_environment_reaches_the_program_exactly() -> None:
    # bash's exported functions (how setup.sh gets its fast `aws`) have names no plain
    # shell passes on; nothing of the lab's own environment gets in.
    env = {"PATH": "/usr/bin:/bin", "BASH_FUNC_greet%%": "() { echo hello from a function; }",
           "ODD": "a b $c"}
    code, out, err = jail.run(jail.JailSpec(argv=("bash", "-c", 'greet; echo "$ODD"; env'),
                                            env=env), 30)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:2] == ["hello from a function", "a b $c"]
    names = {line.split("=", 1)[0] for line in lines[2:] if "=" in line}
    assert names <= {"PATH", "BASH_FUNC_greet%%", "ODD", "PWD", "SHLVL", "_", "LC_CTYPE"}
