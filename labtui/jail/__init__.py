"""Run untrusted code (a learner's handler, setup script, or a classroom student's whole
session) in a jail: the one module that builds jails (design.md §6.1).

Public API::

    from labtui.jail import JailSpec, start

    spec = JailSpec(
        argv=("bash", "setup.sh"),          # or python_main=True: (script, *args)
        env={"PATH": "/usr/bin:/bin"},      # exactly what the program sees
        cwd=str(work),
        read_only=(str(code),),             # host paths shown at the same path
        writable=(str(work),),
        tmp_mb=512,                         # private /tmp (tmpfs of this size)
        memory_mb=128,                      # across the whole process tree
        max_tasks=64,                       # processes + threads
        forward_ports=(endpoint_port,),     # host loopback ports reachable inside
    )
    confined = start(spec, stdout=subprocess.PIPE)   # -> Confined
    confined.popen.communicate(timeout=...)          # the usual Popen for its pipes
    confined.memory_mb(), confined.hit_hard_limit()  # the tree's memory
    confined.kill()                                  # every process of the tree
    confined.close()                                 # kill, release cgroup and relay
    code, out, err = run(spec, timeout_s=180)        # to the end; TimeoutExpired kills all

On Linux with bubblewrap and user namespaces it is a jail (``confined.jailed``);
elsewhere the same call starts a plain child process in its own process group, and
:func:`notice` gives the one-line warning to show once (README, Limits). What each case
enforces is listed in the README.
"""

from labtui.jail.availability import JailSupport, notice, support
from labtui.jail.process import Confined, run, start
from labtui.jail.spec import DEFAULT_MAX_TASKS, JailSpec

__all__ = [
    "DEFAULT_MAX_TASKS",
    "Confined",
    "JailSpec",
    "JailSupport",
    "notice",
    "run",
    "start",
    "support",
]
