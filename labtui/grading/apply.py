"""Apply a solution to a sandbox account: check its files, then run setup.sh and setup.py.

A solution directory (the learner's workspace or ``--solution DIR``) may hold ``setup.sh``
(aws CLI commands), ``setup.py`` (boto3), handler code and ``answers.yaml``. Everything the
learner can get wrong before a single check runs — bad YAML, a Python syntax error, a
failing aws command — becomes a :class:`SolutionError` with one clear message (exit 2).
The scripts run in a scratch copy, so zip files they build never land in the workspace.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from labtui import jail, safeyaml
from labtui.errors import LabError
from labtui.grading.awscli import AwsCliBridge
from labtui.jail import JailSpec

SCRIPT_TIMEOUT_S = 180
# Memory for a setup script's whole process tree (aws CLI calls run in the lab, not here).
SCRIPT_MEMORY_MB = 1024
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", "*.zip", "expected.yaml")


class SolutionError(LabError):
    """The solution could not be applied (its files or its commands are broken)."""


def check_files(solution_dir: Path) -> dict[str, Any]:
    """Parse answers.yaml and compile every .py file; returns the answers (or {})."""
    if not solution_dir.is_dir():
        raise SolutionError(f"{solution_dir}: no such directory")
    for source in sorted(solution_dir.rglob("*.py")):
        if "__pycache__" in source.parts:
            continue
        try:
            compile(source.read_text(encoding="utf-8"), str(source), "exec")
        except SyntaxError as error:
            where = f"{source.name}:{error.lineno}" if error.lineno else source.name
            raise SolutionError(f"{where}: SyntaxError: {error.msg}") from error
        except (UnicodeDecodeError, ValueError) as error:
            raise SolutionError(f"{source.name}: cannot be read as Python: {error}") from error
    answers_path = solution_dir / "answers.yaml"
    if not answers_path.is_file():
        return {}
    try:
        answers = safeyaml.load_file(answers_path)
    except safeyaml.YamlProblem as problem:
        raise SolutionError(f"answers.yaml:{problem.line}: {problem.message}") from None
    except OSError as error:
        raise SolutionError(f"answers.yaml: cannot be read: {error.strerror}") from error
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        raise SolutionError("answers.yaml: expected a mapping of question: answer")
    return answers


NO_COMMANDS = ("setup.sh has no commands yet: a check runs it in a fresh account (not the one "
               "your shell changed), so add the commands that worked, then check again.")


def has_commands(script: Path) -> bool:
    """Whether a setup.sh does anything: a line that is not blank, a comment, or a
    ``set`` of shell options (starters come with ``set -euo pipefail`` and comments)."""
    try:
        lines = script.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return True  # unreadable: running it says what is wrong
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#") and not re.match(r"set\s+[-+]\w", text):
            return True
    return False


def situation(solution_dir: Path) -> str | None:
    """What the checks will not say by themselves: an empty setup.sh explains why everything
    fails (each check only sees that its resource is missing)."""
    script = solution_dir / "setup.sh"
    if script.is_file() and not has_commands(script) and not (solution_dir / "setup.py").is_file():
        return NO_COMMANDS
    return None


def apply_solution(
    solution_dir: Path,
    env: Mapping[str, str],
    on_progress: Callable[[str], None] | None = None,
) -> None:
    """Run the solution's setup.sh, then its setup.py, against the account in ``env``."""
    say = on_progress or (lambda _message: None)
    has_sh = (solution_dir / "setup.sh").is_file()
    has_py = (solution_dir / "setup.py").is_file()
    if not has_sh and not has_py:
        return
    scratch = Path(tempfile.mkdtemp(prefix="labtui-solution-"))
    try:
        work = scratch / "work"
        shutil.copytree(solution_dir, work, ignore=IGNORED)
        if has_sh:
            say("running setup.sh")
            _run_setup_sh(work, env, scratch)
        if has_py:
            say("running setup.py")
            _run_setup_py(work, env, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _child_env(env: Mapping[str, str], home: Path, extra_path: str = "") -> dict[str, str]:
    from labtui.account.aws_access import process_environment

    base = {
        "PATH": (extra_path + os.pathsep if extra_path else "") + os.environ.get("PATH", ""),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    # the sandbox's endpoint, region, keys and config files (aws_access; no profile, region
    # or key in them), never the machine's
    return {**{k: v for k, v in base.items() if k.startswith("AWS_")},
            **process_environment(env, base)}


def _script_jail(
    argv: tuple[str, ...], work: Path, env: Mapping[str, str], read_only: tuple[str, ...] = ()
) -> JailSpec:
    """A setup script runs in a jail (design.md §6.1): its scratch folder writable, the
    sandbox endpoint (and the aws bridge) the only network it reaches."""
    ports = {int(env[key]) for key in ("LABTUI_AWS_PORT",) if env.get(key, "").isdigit()}
    endpoint = urlsplit(env.get("AWS_ENDPOINT_URL", ""))
    with contextlib.suppress(ValueError):
        if endpoint.hostname in ("127.0.0.1", "localhost") and endpoint.port:
            ports.add(endpoint.port)
    return JailSpec(
        argv=argv,
        env=env,
        cwd=str(work),
        writable=(str(work.parent),),
        read_only=read_only,
        memory_mb=SCRIPT_MEMORY_MB,
        forward_ports=tuple(sorted(ports)),
    )


def _run_setup_sh(work: Path, env: Mapping[str, str], scratch: Path) -> None:
    script = work / "setup.sh"
    syntax = subprocess.run(
        ["bash", "-n", str(script)], capture_output=True, text=True, check=False
    )
    if syntax.returncode != 0:
        raise SolutionError(f"setup.sh has a shell syntax error: {_last_line(syntax.stderr)}")
    with AwsCliBridge(env, confined_to=scratch) as bridge:
        child_env = _child_env(env, scratch, str(bridge.bin_dir)) | bridge.child_env()
        spec = _script_jail(("bash", "-e", "-o", "pipefail", str(script)), work, child_env,
                            read_only=(str(bridge.bin_dir.parent),))
        try:
            # stdin is /dev/null: a `read` in the script must not wait on the terminal
            returncode, stdout, stderr = jail.run(spec, SCRIPT_TIMEOUT_S)
        except subprocess.TimeoutExpired as error:
            raise SolutionError(
                f"setup.sh was still running after {SCRIPT_TIMEOUT_S} s (a command waiting for "
                "input?)"
            ) from error
        if returncode == 0:
            return
        failed = bridge.failed()
        if failed:
            last = failed[-1]
            raise SolutionError(f"setup.sh: this command failed:\n  {last.shown}\n{last.error_line}"
                                + _foreign_account_note(work, env))
        raise SolutionError(
            f"setup.sh stopped with exit status {returncode}: "
            f"{_last_line(stderr) or _last_line(stdout)}"
        )


_ARN_ACCOUNT = re.compile(r"arn:aws:([a-z0-9-]+):[a-z0-9-]*:(\d{12}):")
# Where setup.sh gets each kind of ARN from (the output of the command that makes or
# describes the resource); any other: the account id itself.
_ARN_SOURCE = {
    "sqs": "aws sqs get-queue-attributes ... --attribute-names QueueArn "
           "--query Attributes.QueueArn --output text",
    "iam": "aws iam get-role ... --query Role.Arn --output text",
    "lambda": "aws lambda get-function ... --query Configuration.FunctionArn --output text",
    "sns": "aws sns create-topic ... --query TopicArn --output text",
}
_ACCOUNT_SOURCE = "aws sts get-caller-identity --query Account --output text"


def _foreign_account_note(work: Path, env: Mapping[str, str]) -> str:
    note = foreign_account_note(work, env)
    return f"\n{note}" if note else ""


_WRITTEN = re.compile(r">\s*([\w.-]+)")


def foreign_account_note(work: Path, env: Mapping[str, str]) -> str | None:
    """A learner who copies an ARN from their own sandbox (the workbench shell's account)
    into setup.sh or a file it reads fails here: checks run in a fresh account with another
    id. Either a command fails, or (IAM takes any ARN in a policy) the commands succeed and
    a check fails. Name the file and both accounts, so the fix (build the ARN in setup.sh)
    is plain. Only setup.sh and the files it names and does not write itself count: a
    policy.json that setup.sh makes from a template, or a command's output kept from the
    shell, is not what the check ran."""
    from labtui.account.identity import account_for_key

    account = account_for_key(env.get("AWS_ACCESS_KEY_ID", ""))
    script = work / "setup.sh"
    try:
        commands = script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        commands = ""
    written = set(_WRITTEN.findall(commands))
    for path in sorted(work.rglob("*")):
        if not path.is_file() or path.suffix not in {".sh", ".json", ".yaml", ".yml", ".txt"}:
            continue
        name = str(path.relative_to(work))
        if path != script and (name not in commands or name in written):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        foreign = sorted((found, service) for service, found in _ARN_ACCOUNT.findall(text)
                         if found != account)
        if foreign:
            found, service = foreign[0]
            return (f"{name} names account {found}, but checks run "
                    f"setup.sh in a fresh account ({account}): build ARNs in setup.sh from "
                    f"aws output ({_ARN_SOURCE.get(service, _ACCOUNT_SOURCE)}) instead of "
                    "copying them.")
    return None


def _run_setup_py(work: Path, env: Mapping[str, str], scratch: Path) -> None:
    spec = _script_jail((sys.executable, "setup.py"), work, _child_env(env, scratch))
    try:
        returncode, _, stderr = jail.run(spec, SCRIPT_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        raise SolutionError(f"setup.py was still running after {SCRIPT_TIMEOUT_S} s") from error
    if returncode != 0:
        raise SolutionError(f"setup.py failed: {_last_line(stderr) or 'exit status ' + str(returncode)}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
