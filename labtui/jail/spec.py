"""What a jail holds: one plain description, shared by every caller (design.md §6.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Not a Lambda number (Lambda allows 1,024 processes and threads): learner code runs on a
# shared laptop, so a jail stops a fork bomb much earlier. Threads count too.
DEFAULT_MAX_TASKS = 64


@dataclass(frozen=True, slots=True)
class JailSpec:
    """One program to run confined, and what it may see.

    ``argv`` is the command (``python_main``: a Python script and its arguments, run by
    the jail's own interpreter). Host paths in ``read_only`` and ``writable`` appear at
    the same path inside; nothing else of the host's files does, except the system's
    programs and libraries and the Python runtime, read-only. ``/tmp`` is a private tmpfs
    of ``tmp_mb``. ``memory_mb`` is held across every process of the jail (None: no
    limit); ``max_tasks`` caps its processes and threads. ``forward_ports`` are loopback
    ports of the host reachable from inside at 127.0.0.1 with the same number; nothing
    else of any network is.
    """

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = "/tmp"
    read_only: tuple[str, ...] = ()
    writable: tuple[str, ...] = ()
    tmp_mb: int = 512
    memory_mb: int | None = None
    max_tasks: int = DEFAULT_MAX_TASKS
    forward_ports: tuple[int, ...] = ()
    python_main: bool = False
    pass_fds: tuple[int, ...] = ()
    # A terminal program (a classroom student's TUI) keeps its controlling terminal;
    # everything else gets a new session, so it cannot push keystrokes into the lab's
    # terminal (TIOCSTI).
    new_session: bool = True
    hostname: str = "sandbox"
