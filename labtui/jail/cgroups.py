"""Memory and process limits for a jail's whole process tree, from a cgroup when we may
make one (design.md §6.1).

cgroup v2 is used when the lab's own cgroup hands the memory and pids controllers to its
children (a delegated cgroup); cgroup v1 when its memory and pids hierarchies are
writable (root, as in CI). Otherwise :func:`create` returns None and the caller falls
back to summing the tree's resident memory itself and to RLIMIT_NPROC (availability.py says
which of these hold; the README lists what is then not enforced).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

MB = 1024 * 1024
_COUNTER = itertools.count(1)
_ROOT = Path("/sys/fs/cgroup")


def _own_paths() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    paths: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(","):
                paths[controller] = path
    return paths


def _v2_mount() -> Path | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[2] == "cgroup2":
                return Path(fields[1])
    return None


class TreeCgroup:
    """One cgroup (v2) or a memory + pids pair (v1) holding one jail."""

    def __init__(self, version: int, directories: dict[str, Path]) -> None:
        self.version = version
        self.directories = directories  # "memory"/"pids" -> directory (the same one on v2)

    @property
    def procs_files(self) -> list[str]:
        unique = dict.fromkeys(self.directories.values())
        return [str(directory / "cgroup.procs") for directory in unique]

    def _read(self, controller: str, name: str) -> str:
        try:
            return (self.directories[controller] / name).read_text()
        except OSError:
            return ""

    def anon_mb(self) -> float:
        """Anonymous memory (heaps, stacks) of every process in it; files in /tmp are the
        ephemeral storage, counted apart as in Lambda (R-1.3)."""
        stat: dict[str, str] = {}
        for line in self._read("memory", "memory.stat").splitlines():
            key, _, value = line.partition(" ")
            stat[key] = value
        keys = ("anon",) if self.version == 2 else ("total_rss", "total_swap")
        return sum(int(stat.get(key) or 0) for key in keys) / MB

    def oom_kills(self) -> int:
        """How many processes the kernel killed for the hard memory limit."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        for line in self._read("memory", name).splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def pids(self) -> list[int]:
        found: list[int] = []
        for path in self.procs_files:
            with contextlib.suppress(OSError, ValueError):
                found += [int(p) for p in Path(path).read_text().split()]
        return found

    def kill_all(self) -> None:
        """SIGKILL whatever is still inside (the PID namespace normally did it already)."""
        if self.version == 2:
            with contextlib.suppress(OSError):
                (self.directories["memory"] / "cgroup.kill").write_text("1")
                return
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        for directory in dict.fromkeys(self.directories.values()):
            for _ in range(50):  # the last processes may take a moment to be reaped
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill_all()
                    time.sleep(0.01)


def _make(parent: Path, name: str) -> Path:
    directory = parent / name
    directory.mkdir()
    return directory


def _v2(hard_mb: int, max_tasks: int, name: str) -> TreeCgroup | None:
    mount = _v2_mount()
    own = _own_paths().get("")
    if mount is None or own is None:
        return None
    parent = mount / own.lstrip("/")
    try:
        enabled = (parent / "cgroup.subtree_control").read_text().split()
    except OSError:
        return None
    if not {"memory", "pids"} <= set(enabled) or not os.access(parent, os.W_OK):
        return None
    try:
        directory = _make(parent, name)
        if hard_mb > 0:
            (directory / "memory.max").write_text(str(hard_mb * MB))
            (directory / "memory.swap.max").write_text("0")
        (directory / "pids.max").write_text(str(max_tasks))
    except OSError:
        return None
    return TreeCgroup(2, {"memory": directory, "pids": directory})


def _v1(hard_mb: int, max_tasks: int, name: str) -> TreeCgroup | None:
    own = _own_paths()
    made: dict[str, Path] = {}
    try:
        for controller in ("memory", "pids"):
            if controller not in own:
                raise OSError(f"no v1 {controller} hierarchy")
            made[controller] = _make(_ROOT / controller / own[controller].lstrip("/"), name)
        if hard_mb > 0:
            (made["memory"] / "memory.limit_in_bytes").write_text(str(hard_mb * MB))
        (made["pids"] / "pids.max").write_text(str(max_tasks))
    except OSError:
        for directory in made.values():
            with contextlib.suppress(OSError):
                directory.rmdir()
        return None
    return TreeCgroup(1, made)


def _sweep(parents: list[Path]) -> None:
    """Remove the empty cgroups of labs that are gone (killed before they could)."""
    for parent in parents:
        with contextlib.suppress(OSError):
            for entry in parent.iterdir():
                _, _, rest = entry.name.partition("labtui-")
                pid = rest.split("-")[0]
                if entry.name.startswith("labtui-") and pid.isdigit() and not _alive(int(pid)):
                    with contextlib.suppress(OSError):
                        entry.rmdir()  # fails, harmlessly, while processes remain


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create(hard_mb: int, max_tasks: int) -> TreeCgroup | None:
    """A new cgroup for one jail, or None when this lab may not make one."""
    number = next(_COUNTER)
    name = f"labtui-{os.getpid()}-{number}"
    made = _v2(hard_mb, max_tasks, name) or _v1(hard_mb, max_tasks, name)
    if made is not None and number == 1:
        _sweep([directory.parent for directory in dict.fromkeys(made.directories.values())])
    return made
