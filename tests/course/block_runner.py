"""Runs a Markdown file's ``sh run`` blocks in order, as a learner would type them.

One workspace folder and one sandbox account per file; each block is one bash process
with ``aws`` and ``labtui aws`` going to the in-process AWS CLI bridge (the one setup
scripts use: fast, and against this file's account only). Shell variables and the
working directory carry over from block to block, as in a terminal. A failure is
reported as ``file:line`` of the command that failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from labtui.course.runnable import RunnableBlock
from labtui.grading.apply import _child_env
from labtui.grading.awscli import AwsCliBridge

BLOCK_TIMEOUT_S = 180
_PRELUDE = """set -o pipefail
[ -f "$LABTUI_BLOCK_STATE" ] && . "$LABTUI_BLOCK_STATE"
__labtui_save() {
  { declare -p $(compgen -v | grep -vxF -f "$LABTUI_BLOCK_BASELINE") 2>/dev/null
    printf 'cd %q\\n' "$PWD"; } > "$LABTUI_BLOCK_STATE.new"
  mv "$LABTUI_BLOCK_STATE.new" "$LABTUI_BLOCK_STATE"
}
trap __labtui_save EXIT
trap 'echo "LABTUI_FAILED_AT $LINENO" >&2' ERR
set -e
"""
_PRELUDE_LINES = _PRELUDE.count("\n")


@dataclass(frozen=True)
class BlockFailure:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _last_lines(text: str, count: int = 4) -> str:
    lines = [line for line in text.splitlines()
             if line.strip() and not line.startswith("LABTUI_FAILED_AT")]
    return " | ".join(lines[-count:])


def _failed_line(block: RunnableBlock, stderr: str) -> int:
    marks = [line.split()[1] for line in stderr.splitlines() if line.startswith("LABTUI_FAILED_AT")]
    if marks and marks[-1].isdigit():
        return block.line + max(1, int(marks[-1]) - _PRELUDE_LINES)
    return block.line


def run_blocks(
    blocks: list[RunnableBlock], env: Mapping[str, str], work: Path, display: Path
) -> list[BlockFailure]:
    """Run ``blocks`` in order in ``work`` against the account ``env`` names; return
    what failed (an expect-error block that succeeded is a failure too)."""
    failures: list[BlockFailure] = []
    state = work.parent / "block-state.sh"
    baseline = work.parent / "block-baseline.txt"
    home = work.parent / "home"
    home.mkdir(exist_ok=True)
    with AwsCliBridge(env) as bridge:
        # the interpreter's bin folder too: ``pip`` and ``python`` are the ones of the venv
        # labtui is installed in, as for a learner who activated it (CI does not activate it)
        path = os.pathsep.join([str(bridge.bin_dir), str(Path(sys.executable).parent)])
        child = {**_child_env(env, home, path), **bridge.child_env(),
                 "LABTUI_BLOCK_STATE": str(state), "LABTUI_BLOCK_BASELINE": str(baseline),
                 # lesson 11's pip install has nothing to fetch: no index check either
                 "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"}
        names = subprocess.run(["bash", "-c", "compgen -v"], env=child, capture_output=True,
                               text=True, check=True).stdout
        baseline.write_text(names + "__labtui_save\n")
        for block in blocks:
            where = f"{display}:{block.line}"
            if block.file is not None:  # a file the text asks the learner to save
                target = work / block.file
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.code, encoding="utf-8")
                continue
            try:
                done = subprocess.run(
                    ["bash", "-c", _PRELUDE + block.code], cwd=work, env=child,
                    stdin=subprocess.DEVNULL, capture_output=True, text=True,
                    timeout=BLOCK_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                failures.append(BlockFailure(where, f"still running after {BLOCK_TIMEOUT_S} s"))
                continue
            output = done.stdout + done.stderr
            if block.expect_error is None and done.returncode != 0:
                line = _failed_line(block, done.stderr)
                failures.append(BlockFailure(
                    f"{display}:{line}",
                    f"exit {done.returncode}: {_last_lines(done.stderr or done.stdout)}"))
            elif block.expect_error is not None:
                if done.returncode == 0:
                    failures.append(BlockFailure(
                        where, f"expected it to fail with {block.expect_error}, it succeeded"))
                elif block.expect_error not in output:
                    failures.append(BlockFailure(
                        where, f"expected {block.expect_error}, got exit {done.returncode}: "
                        f"{_last_lines(done.stderr or done.stdout)}"))
    return failures
