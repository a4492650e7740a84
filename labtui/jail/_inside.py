"""The first program inside a jail (standard library only; it imports nothing of labtui).

Run as ``python -I -S -u _inside.py HANDOVER_FD PORTS TASKS MODE -- COMMAND...``:

1. ``TASKS`` > 0 caps the processes and threads of the jail's user (RLIMIT_NPROC, counted
   per user namespace since Linux 5.14); the jail has no capability to raise it again.
2. For each port in ``PORTS`` (comma-separated) it listens on 127.0.0.1:PORT inside the
   jail's own network namespace and hands the listening sockets to the lab over the Unix
   socket ``HANDOVER_FD`` (SCM_RIGHTS), then closes its copies: the lab accepts on them
   and relays each connection to the same port on the real loopback (forward.py). The
   learner's code never holds these sockets, so the only way out is that relay.
3. ``MODE`` ``exec`` replaces this process with COMMAND; ``python`` runs the script
   COMMAND[0] in this same interpreter (one interpreter start instead of two).
"""

# Only modules that cost nothing to import: this runs before every jailed program.
import _socket
import os
import resource
import struct
import sys


def _cap_tasks(tasks: int) -> None:
    if tasks > 0:
        # the jail module knows whether this limit holds (availability.py)
        try:  # noqa: SIM105 - contextlib would cost an import per jail
            resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))
        except (ValueError, OSError):
            pass


def _hand_over(handover_fd: int, ports: list[int]) -> None:
    listeners = []
    bound = []
    for port in ports:
        listener = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        listener.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
        except PermissionError:
            # Below 1024 without capabilities: not forwarded (a sandbox endpoint never
            # uses one), so connecting there is refused as on a host where none listens.
            listener.close()
            continue
        listener.listen(128)
        listeners.append(listener)
        bound.append(port)
    handover = _socket.socket(fileno=handover_fd)
    fds = struct.pack(f"{len(listeners)}i", *(listener.fileno() for listener in listeners))
    message = ",".join(str(port) for port in bound).encode() or b"-"
    handover.sendmsg([message], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)] if fds else [])
    handover.close()
    for listener in listeners:
        listener.close()


def _run_script(path: str) -> None:
    """What ``python script.py`` does, without runpy (and the imports it pulls in)."""
    import site
    import types

    site.main()  # started with -S so that the exec mode stays fast; add site-packages now
    module = types.ModuleType("__main__")
    module.__file__ = path
    sys.modules["__main__"] = module
    with open(path, "rb") as source:
        code = compile(source.read(), path, "exec")
    exec(code, module.__dict__)


def main() -> None:
    handover_fd, ports_text, tasks_text, mode = sys.argv[1:5]
    command = sys.argv[6:]  # sys.argv[5] is "--"
    _cap_tasks(int(tasks_text))
    if int(handover_fd) >= 0:
        _hand_over(int(handover_fd), [int(p) for p in ports_text.split(",") if p])
    if mode == "python":
        sys.argv = command
        _run_script(command[0])
        return
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
