"""What the workbench shell runs: the learner's shell, in the workspace, aimed at the sandbox.

The environment is the learner's own, less every ``AWS_*`` variable of the machine (so no
real profile or key can be used), plus the sandbox's endpoint, region, fake keys and the
lab's own config files (aws_access.CLI_CONFIG: no profile, region or key). A small ``bin``
directory goes first on PATH:

- ``aws``: the bundled AWS CLI against the sandbox, v2 flags accepted
  (``python -m labtui.account.awscli_bridge``);
- ``labtui``: this labtui, whatever PATH the learner has; ``labtui aws ...`` reaches the
  account the workbench shows, because the environment names its sandbox.

bash gets an rc file that sources the learner's ``~/.bashrc`` first, then puts that PATH
back in front, keeps the history per exercise (written after every command, so a crash
keeps it) and shows a prompt that says where the commands go.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from labtui.paths import labtui_home

_SHELLS = ("bash", "zsh", "sh", "dash", "ksh", "mksh", "fish")
PROMPT = r"(sandbox) \W \$ "


@dataclass(frozen=True, slots=True)
class ShellPlan:
    argv: list[str]
    cwd: Path
    env: dict[str, str]


def _shell_dir() -> Path:
    path = labtui_home() / "workbench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def learner_shell(environ: Mapping[str, str]) -> str:
    """$SHELL when it is a shell we know how to start, else bash (else sh)."""
    chosen = environ.get("SHELL", "")
    if chosen and Path(chosen).name in _SHELLS and os.access(chosen, os.X_OK):
        return chosen
    return shutil.which("bash") or shutil.which("sh") or "/bin/sh"


def write_wrappers(bin_dir: Path, python: str = sys.executable) -> None:
    """``aws`` and ``labtui`` for the shell's PATH (rewritten each start: the Python may move)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    quoted = shlex.quote(python)
    scripts = {
        "aws": f'#!/bin/sh\nexec {quoted} -m labtui.account.awscli_bridge "$@"\n',
        # this labtui (`labtui aws` uses the sandbox LABTUI_SANDBOX_ENDPOINT names)
        "labtui": f'#!/bin/sh\nexec {quoted} -m labtui "$@"\n',
    }
    for name, text in scripts.items():
        path = bin_dir / name
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(0o755)
        temporary.replace(path)


def _bash_rc(path: Path, bin_dir: Path, history: Path) -> None:
    text = (
        "# labtui workbench shell (rewritten on every start)\n"
        '[ -f ~/.bashrc ] && . ~/.bashrc\n'
        f"PATH={shlex.quote(str(bin_dir))}:\"$PATH\"\n"
        f"HISTFILE={shlex.quote(str(history))}\n"
        "HISTSIZE=5000; HISTFILESIZE=5000; shopt -s histappend\n"
        'PROMPT_COMMAND="history -a${PROMPT_COMMAND:+; $PROMPT_COMMAND}"\n'
        f"PS1={shlex.quote(PROMPT)}\n"
    )
    path.write_text(text, encoding="utf-8")


def shell_plan(
    exercise_id: str,
    workspace: Path,
    sandbox_env: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
) -> ShellPlan:
    """The argv, working directory and environment of one exercise's shell."""
    environ = os.environ if environ is None else environ
    base = _shell_dir()
    bin_dir = base / "bin"
    write_wrappers(bin_dir)
    history_dir = base / "history"
    history_dir.mkdir(exist_ok=True)
    history = history_dir / f"{exercise_id}.history"
    env = {k: v for k, v in environ.items() if not k.startswith("AWS_")}
    env.update(sandbox_env)
    env["AWS_PAGER"] = ""
    env["PATH"] = os.pathsep.join(p for p in (str(bin_dir), environ.get("PATH", "")) if p)
    env["TERM"] = "xterm-256color"  # what the emulator (pyte) understands
    env.pop("COLUMNS", None)  # the pty's size says it
    env.pop("LINES", None)
    env["HISTFILE"] = str(history)
    env["LABTUI_WORKBENCH"] = exercise_id  # scripts may tell they run in the workbench
    shell = learner_shell(environ)
    if Path(shell).name == "bash":
        rc = base / "bashrc"
        _bash_rc(rc, bin_dir, history)
        argv = [shell, "--rcfile", str(rc), "-i"]
    else:
        argv = [shell, "-i"]
    return ShellPlan(argv, workspace, env)
