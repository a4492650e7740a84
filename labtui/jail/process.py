"""Start a program in a jail (or, where none can be built, as a plain child process) and
treat its whole process tree as one unit: one kill, one memory figure (design.md §6.1).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from labtui.jail import availability, bwrap, cgroups
from labtui.jail.forward import PortRelay
from labtui.jail.spec import JailSpec

T = TypeVar("T")
# Above the tree's memory limit, the cgroup's hard limit also holds the jail's /tmp (tmpfs
# pages are charged to it) and page cache; the resident-memory watchdog of the caller is
# what holds MemorySize itself.
HARD_LIMIT_HEADROOM_MB = 256
# Joins the cgroups before bubblewrap starts, so that every process of the jail is born
# inside them (a PID written later would miss children already forked).
_JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


class _Spawner:
    """Starts every jail from one thread that lives as long as the lab: bubblewrap's
    --die-with-parent follows the *thread* that forked it, and the lab's request threads
    come and go."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, job: Callable[[], T]) -> T:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="labtui-jail-spawner",
                                                daemon=True)
                self._thread.start()
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future.result()

    def _loop(self) -> None:
        while True:
            job, future = self._jobs.get()
            try:
                future.set_result(job())
            except BaseException as error:  # handed to the caller's thread
                future.set_exception(error)


_SPAWNER = _Spawner()


def tree_anon_mb(root: int) -> float:
    """Anonymous resident memory of ``root`` and all its descendants (no cgroup)."""
    total_kb = 0
    pending = [root]
    seen: set[int] = set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith(("RssAnon:", "VmSwap:")):
                        total_kb += int(line.split()[1])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    return total_kb / 1024


_RUNNING: weakref.WeakSet[Confined] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """The lab is exiting: no jail outlives it, no cgroup is left behind."""
    for confined in list(_RUNNING):
        with contextlib.suppress(Exception):
            confined.close()


class Confined:
    """A running jail (``jailed``) or plain child process, seen as one unit."""

    def __init__(
        self,
        popen: subprocess.Popen[bytes],
        jailed: bool,
        cgroup: cgroups.TreeCgroup | None = None,
        relay: PortRelay | None = None,
        *,
        own_group: bool = True,
    ) -> None:
        self.popen = popen
        self._own_group = own_group
        self.jailed = jailed
        self.cgroup = cgroup
        self._relay = relay
        self._closed = False
        _RUNNING.add(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _normalise(self, code: int | None) -> int | None:
        # bubblewrap reports a command killed by signal N as exit status 128 + N.
        if code is not None and self.jailed and 128 < code <= 128 + 64:
            return -(code - 128)
        return code

    def poll(self) -> int | None:
        return self._normalise(self.popen.poll())

    def wait(self, timeout: float | None = None) -> int:
        code = self._normalise(self.popen.wait(timeout))
        assert code is not None
        return code

    def kill(self) -> None:
        """SIGKILL every process of the tree, however it detached itself."""
        if self.jailed:
            # bwrap's child (the PID namespace's init) dies with it (--die-with-parent),
            # and the kernel then kills every process left in the namespace.
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()
            if self.cgroup is not None:
                self.cgroup.kill_all()
        elif self._own_group:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        else:  # a terminal program that kept the caller's session: only itself
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def memory_mb(self) -> float:
        """Anonymous memory of the whole tree now (heaps, stacks; not /tmp files)."""
        if self.cgroup is not None:
            return self.cgroup.anon_mb()
        return tree_anon_mb(self.popen.pid)

    def hit_hard_limit(self) -> bool:
        """The kernel killed one of its processes for the cgroup's memory limit."""
        return self.cgroup is not None and self.cgroup.oom_kills() > 0

    @property
    def enforces_tasks(self) -> bool:
        """Whether ``max_tasks`` holds for every process (Popen, posix_spawn, fork)."""
        return self.jailed and (self.cgroup is not None or availability.support().nproc_holds)

    def close(self) -> None:
        """Kill what is left and release the cgroup and the port relay."""
        if self._closed:
            return
        self._closed = True
        self.kill()
        if self._relay is not None:
            self._relay.close()
        if self.cgroup is not None:
            self.cgroup.remove()
        _RUNNING.discard(self)


def _plain(spec: JailSpec, streams: dict[str, Any]) -> Confined:
    argv = [sys.executable, "-I", "-u", *spec.argv] if spec.python_main else list(spec.argv)
    popen = _SPAWNER.run(lambda: subprocess.Popen(
        argv,
        env=dict(spec.env),
        cwd=spec.cwd,
        pass_fds=spec.pass_fds,
        start_new_session=spec.new_session,  # its own process group: one killpg
        **streams,
    ))
    return Confined(popen, jailed=False, own_group=spec.new_session)


def start(
    spec: JailSpec,
    *,
    stdin: Any = subprocess.DEVNULL,
    stdout: Any = None,
    stderr: Any = None,
    jail: bool | None = None,
) -> Confined:
    """Start ``spec`` in a jail when this machine can build one (``jail=False``: never)."""
    streams = {"stdin": stdin, "stdout": stdout, "stderr": stderr}
    found = availability.support()
    if jail is False or not found.available:
        if jail is not False:
            availability.notice()
        return _plain(spec, streams)
    assert found.etc_dir is not None
    hard_mb = (spec.memory_mb or 0) + spec.tmp_mb + HARD_LIMIT_HEADROOM_MB
    # +2: bubblewrap's own monitor and the namespace's init count in the pids cgroup.
    cgroup = cgroups.create(hard_mb if spec.memory_mb else 0, spec.max_tasks + 2)
    ours, theirs = socket.socketpair()
    env_fd = os.memfd_create("labtui-jail-env")
    os.write(env_fd, bwrap.environment_args(spec))
    os.lseek(env_fd, 0, os.SEEK_SET)
    argv = bwrap.command(spec, etc_dir=found.etc_dir, handover_fd=theirs.fileno(),
                         bwrap=found.bwrap, env_fd=env_fd)
    if cgroup is not None:
        argv = ["/bin/sh", "-c", _JOIN_CGROUPS, "sh", *cgroup.procs_files, "--", *argv]
    try:
        popen = _SPAWNER.run(lambda: subprocess.Popen(
            argv,
            env={"PATH": "/usr/bin:/bin"},  # the program's own comes through env_fd
            pass_fds=(*spec.pass_fds, theirs.fileno(), env_fd),
            **streams,
        ))
    except BaseException:
        ours.close()
        if cgroup is not None:
            cgroup.remove()
        raise
    finally:
        theirs.close()
        os.close(env_fd)
    return Confined(popen, jailed=True, cgroup=cgroup, relay=PortRelay(ours))


def run(spec: JailSpec, timeout_s: float, *, jail: bool | None = None) -> tuple[int, str, str]:
    """Run ``spec`` to the end: (exit status, stdout, stderr) as text. On timeout the whole
    tree is killed and :class:`subprocess.TimeoutExpired` raised."""
    confined = start(spec, stdout=subprocess.PIPE, stderr=subprocess.PIPE, jail=jail)
    try:
        out, err = confined.popen.communicate(timeout=timeout_s)
        code = confined.wait()
    except subprocess.TimeoutExpired:
        confined.close()
        with contextlib.suppress(subprocess.TimeoutExpired):  # an unjailed orphan may hold
            confined.popen.communicate(timeout=5)            # the pipes open
        raise
    finally:
        confined.close()
    return code, out.decode(errors="replace"), err.decode(errors="replace")
