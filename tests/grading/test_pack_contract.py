"""The contract of every exercise pack (design.md §7, rustlings-style): the starter fails,
the reference solution passes, and every wrong attempt fails exactly the checks its
expected.yaml names — each failed check carrying a rule id and a hint — whatever cases the
grading seed generates.

Seeds: the default run grades the solution under SOLUTION_SEEDS seeds and each wrong
attempt under WRONG_SEEDS (CI budget: the whole suite in 5 minutes on 2 cores); each
attempt draws its own seeds (a stable hash of pack and attempt), so one run covers many
different cases. For the full proof run ``LABTUI_PACK_SEEDS=50 pytest
tests/grading/test_pack_contract.py``: every attempt then runs under 50 seeds."""

from __future__ import annotations

import ast
import os
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from labtui.course.resolver import content_root
from labtui.grading.pack import load_pack
from labtui.grading.results import GradeReport
from labtui.grading.service import grade, grade_seeds

_SEEDS_OVERRIDE = int(os.environ.get("LABTUI_PACK_SEEDS", "0"))
SOLUTION_SEEDS = _SEEDS_OVERRIDE or 2
WRONG_SEEDS = _SEEDS_OVERRIDE or 1
SANDBOX = content_root() / "sandbox"
PACKS = sorted(
    p.name for p in SANDBOX.iterdir() if (p / "exercise.yaml").is_file() and (p / "checks.py").is_file()
) if SANDBOX.is_dir() else []


def _attempts() -> list[Any]:
    cases = []
    for pack_id in PACKS:
        cases.append(pytest.param(pack_id, "starter", id=f"{pack_id}-starter"))
        cases.append(pytest.param(pack_id, "solution", id=f"{pack_id}-solution"))
        wrong = SANDBOX / pack_id / "wrong"
        for folder in sorted(p for p in wrong.iterdir() if p.is_dir()) if wrong.is_dir() else []:
            cases.append(pytest.param(pack_id, f"wrong/{folder.name}", id=f"{pack_id}-{folder.name}"))
    return cases


def test_every_pack_has_two_wrong_attempts() -> None:
    assert PACKS, "no exercise packs found"
    for pack_id in PACKS:
        assert len(load_pack(pack_id).wrong_attempts()) >= 2, pack_id


def _seeds(pack_id: str, attempt: str, count: int) -> list[int]:
    # Fixed per attempt, so CI is reproducible; different between attempts, so the suite
    # as a whole sees many generated cases.
    base = zlib.crc32(f"{pack_id}/{attempt}".encode()) % 900_000
    return [base + 1_000 * n for n in range(1, count + 1)]


@pytest.mark.sandbox
@pytest.mark.slow
@pytest.mark.parametrize(("pack_id", "attempt"), _attempts())
def test_pack_attempt(sandbox: Any, pack_id: str, attempt: str) -> None:
    pack = load_pack(pack_id)
    directory = Path(pack.path / attempt)
    count = 1 if attempt == "starter" else SOLUTION_SEEDS if attempt == "solution" else WRONG_SEEDS
    seeds = _seeds(pack_id, attempt, count)
    # The first seed goes through grade() exactly as `labtui check` does; the others reuse
    # the applied solution and run only the checks (grade_seeds).
    reports = [grade(pack_id, solution_dir=directory, seed=seeds[0])]
    if len(seeds) > 1:
        reports += grade_seeds(pack_id, seeds[1:], solution_dir=directory)
    for report in reports:
        _assert_verdict(pack, attempt, report)


def _assert_verdict(pack: Any, attempt: str, report: GradeReport) -> None:
    assert report.error is None, report.error
    failed = {r.id for r in report.results if not r.passed}
    shown = f"seed {report.seed}\n" + "\n".join(
        f"{r.id}: expected {r.expected}; actual {r.actual}" for r in report.failed())
    if attempt == "solution":
        assert failed == set(), shown
        assert report.points == report.max_points == pack.manifest.points
    elif attempt == "starter":
        assert failed, "the starter must fail at least one check"
        assert not report.passed
    else:
        expected = next(w for w in pack.wrong_attempts() if f"wrong/{w.name}" == attempt)
        assert failed == set(expected.fails), shown
        hints = {r.id: r.hint for r in report.results}
        for check_id, text in expected.hints.items():
            # the failure gets the hint that helps with THIS mistake
            assert text.lower() in hints[check_id].lower(), (report.seed, check_id, hints[check_id])
    sold = _paid_commands(pack)
    for result in report.results:
        assert result.rule.startswith("R-")
        if not result.passed:
            assert result.hint, f"{result.id} failed without a hint"
            assert _gives_away(result.hint, sold) is None, (
                f"{result.id}'s free hint hands over a fix: {_gives_away(result.hint, sold)}")
            assert result.points == 0
        else:
            assert result.points == result.max_points


# Free hints must not sell what the paid ones sell (a paid hint lowers the score; the hint of
# a failed check is free). A failed check's hint says what is wrong, why and where to look;
# it never carries a command line that changes state (get-/list-/describe-, wait and invoke
# only read), nor a `--flag value` of a command a paid hint gives.
_COMMAND = re.compile(r"(?:labtui )?aws [a-z0-9]+ [a-z0-9-]+")
_READS = re.compile(r"(?:get|list|describe|wait|invoke)\b")
_OPTION = re.compile(r"--[a-z0-9-]+(?: (?!--)(?:'[^']*'|\"[^\"]*\"|<[^>]*>|[^\s;,']+))?")
_NAMES = ("--function-name", "--uuid", "--queue-url", "--group-id", "--vpc-id", "--role-name",
          "--query", "--output", "--table-name", "--secret-id")


def _flat(text: str) -> str:
    return " ".join(text.lower().split())


def _paid_commands(pack: Any) -> tuple[list[str], list[str]]:
    """What the paid hints give: each command line (up to the next ';' or ', then') and every
    `--option value` they name (options that only name the resource left out)."""
    commands: list[str] = []
    options: list[str] = []
    for hint in pack.manifest.hints:
        text = _flat(hint)
        for match in _COMMAND.finditer(text):
            commands.append(re.split(r";|, then |, plus |\) ", text[match.start():])[0].rstrip(".) "))
        options += [o.rstrip(".)") for o in _OPTION.findall(text) if not o.startswith(_NAMES)]
    return commands, options


def _gives_away(hint: str, sold: tuple[list[str], list[str]]) -> str | None:
    """Why this (free) hint hands over a fix, or None."""
    text = _flat(hint)
    for match in _COMMAND.finditer(text):
        rest = text[match.end():]
        if rest.lstrip().startswith("--") and not _READS.match(match.group().split()[-1]):
            return f"a command line: {match.group()} {rest[:40]}..."
    commands, options = sold
    for command in commands:
        if len(command) > 40 and command in text:
            return f"a paid hint's command: {command}"
    for option in options:
        if option in text:
            return f"a paid hint's argument: {option}"
    return None


@pytest.mark.parametrize("pack_id", PACKS)
def test_no_text_in_checks_sells_a_paid_command(pack_id: str) -> None:
    # The graded attempts reach only some branches; every string literal of checks.py (an
    # f-string's fields read as "{}") is held to the same rule, so no branch can leak.
    pack = load_pack(pack_id)
    sold = _paid_commands(pack)
    leaks = []
    for node in ast.walk(ast.parse((pack.path / "checks.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if (why := _gives_away(text, sold)) is not None:
            leaks.append(f"checks.py line {node.lineno}: {why}")
    assert not leaks, "\n".join(leaks)


def test_hint_guard_sees_a_paid_command() -> None:
    # R-5.4 (provisioned-alias): the free hint of c1 used to repeat paid hint 3 word for word.
    pack = load_pack("provisioned-alias")
    sold = _paid_commands(pack)
    assert "--qualifier live" in sold[1]
    assert _gives_away(pack.manifest.hints[2], sold)
    assert _gives_away("Put it on the alias: --qualifier live.", sold)
    assert _gives_away("aws lambda delete-provisioned-concurrency-config --qualifier 3", ([], []))
    assert _gives_away("Read it back: aws lambda get-provisioned-concurrency-config "
                       "--function-name checkout-api --qualifier live", ([], [])) is None
    assert _gives_away("Configure it on the alias live (put-provisioned-concurrency-config).",
                       sold) is None
