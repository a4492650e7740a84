"""The bubblewrap command line: the only place that knows bwrap's flags (design.md §6.1).

New user, PID, IPC, UTS, mount and network namespaces (the network one holds only
loopback); the root is an empty read-only tmpfs into which go, read-only, the system's
programs and libraries, the Python runtime and the caller's paths; /tmp is a private
tmpfs of the spec's size; /proc is the jail's own (no other process is visible, so no
other process's environment either); /dev is bwrap's minimal one, read-only; /etc holds
only the few files written by :func:`etc_files`. Nothing of the user's home, the lab's
data directory or other accounts is mounted unless a caller lists it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from labtui.jail.spec import JailSpec

INSIDE = Path(__file__).with_name("_inside.py")
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
MB = 1024 * 1024

ETC_FILES = {
    # Only loopback names resolve; there is no resolv.conf, so a DNS lookup asks
    # 127.0.0.1:53 inside the jail's own network namespace, where nothing answers.
    "hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    "passwd": "root:x:0:0:sandbox:/tmp:/bin/sh\nsbx_user1051:x:993:990::/tmp:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    "group": "root:x:0:\nsbx_user1051:x:990:\nnogroup:x:65534:\n",
}


def etc_files(directory: Path) -> Path:
    """Write the jail's /etc files into ``directory`` (once per lab process)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ETC_FILES.items():
        (directory / name).write_text(text)
    return directory


def runtime_paths() -> list[str]:
    """The Python runtime (its prefixes and virtual environment), never a whole home."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    return sorted(p for p in paths if p and not _under_system(p))


def _under_system(path: str) -> bool:
    return any(path == d or path.startswith(d + "/") for d in _SYSTEM_DIRS)


def _system_mounts() -> list[str]:
    args: list[str] = []
    for directory in _SYSTEM_DIRS:
        if os.path.islink(directory):
            args += ["--symlink", os.readlink(directory), directory]
        elif os.path.isdir(directory):
            args += ["--ro-bind", directory, directory]
    return args


def environment_args(spec: JailSpec) -> bytes:
    """The program's environment as bwrap options, to be read from a file descriptor
    (``--args``): set by bwrap itself, every variable reaches the program exactly, even
    one a shell would drop (bash's exported functions, ``BASH_FUNC_name%%``)."""
    args = ["--clearenv"]
    for name, value in spec.env.items():
        args += ["--setenv", name, value]
    return b"".join(arg.encode() + b"\0" for arg in args)


def command(
    spec: JailSpec,
    *,
    etc_dir: Path,
    handover_fd: int,
    bwrap: str = "bwrap",
    env_fd: int = -1,
) -> list[str]:
    """The full argv: bwrap, its options, the launcher (_inside.py), then the command.
    ``env_fd`` holds :func:`environment_args` (-1: the environment bwrap itself gets)."""
    args = [
        bwrap,
        *(["--args", str(env_fd)] if env_fd >= 0 else []),
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-net",  # only loopback inside: no route, no DNS server
        "--unshare-cgroup-try",
        "--hostname",
        spec.hostname,
        "--die-with-parent",  # a SIGKILLed lab takes its jails with it
        "--cap-drop",
        "ALL",
        *_system_mounts(),
    ]
    for name in ETC_FILES:
        args += ["--ro-bind", str(etc_dir / name), f"/etc/{name}"]
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--remount-ro",
        "/dev",  # no writable /dev/shm: storage beyond /tmp's size (Lambda has none)
        "--size",
        str(spec.tmp_mb * MB),
        "--tmpfs",
        "/tmp",
    ]
    # After /tmp, so a path under the host's /tmp is not hidden by the jail's (the Python
    # runtime too: a virtual environment made in /tmp); parents before children, so a
    # read-only folder inside a writable one stays read-only.
    read_only = (*runtime_paths(), *spec.read_only, str(INSIDE.parent))
    binds = {path: "--ro-bind" for path in read_only}
    binds.update({path: "--bind" for path in spec.writable})
    for path in sorted(binds, key=lambda p: (p.count("/"), p)):
        args += [binds[path], path, path]
    args += ["--remount-ro", "/", "--chdir", spec.cwd]
    if spec.new_session:
        args.append("--new-session")
    mode = "python" if spec.python_main else "exec"
    ports = ",".join(str(port) for port in spec.forward_ports)
    launcher = [sys.executable, "-I", "-S", "-u", str(INSIDE), str(handover_fd), ports]
    return [*args, "--", *launcher, str(spec.max_tasks), mode, "--", *spec.argv]
