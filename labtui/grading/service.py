"""Grading as a pipeline of plain steps (nbgrader-style): load the pack, check the solution's
files, apply it to a freshly seeded account, run the checks, record the attempt.

``grade()`` never raises for a learner's mistake: a broken solution or pack comes back as
``GradeReport.error`` (the CLI exits 2 with that message). Only an unknown exercise id
raises :class:`~labtui.errors.UnknownItemError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from labtui.errors import LabError, UnknownItemError
from labtui.grading.pack import ExercisePack, load_pack
from labtui.grading.results import CheckResult, GradeReport
from labtui.grading.workspace import (
    hint_cost,
    next_hint,
    reset_workspace,
    reveal_solution,
    workspace_for,
)
from labtui.progress.store import ProgressStore

__all__ = [
    "grade",
    "grade_seeds",
    "hint_cost",
    "new_seed",
    "next_hint",
    "reset_workspace",
    "reveal_solution",
    "run_checks",
    "workspace_for",
]

Progress = Callable[[str], None]


def grade(
    exercise_id: str,
    *,
    solution_dir: Path | None = None,
    learner_id: str = "me",
    store: ProgressStore | None = None,
    on_progress: Progress | None = None,
    live: bool = False,
    seed: int | None = None,
) -> GradeReport:
    """Grade a solution (default: the learner's workspace) or, with ``live``, the learner's
    live sandbox account as it stands. Records the attempt when ``store`` is given, except a
    live one: what was built by hand in the shell is not a result until the workspace can
    build it again (README, "Check grades your workspace"), and the store's attempts have no
    field to mark one live, so a live check is shown and not kept.

    Behaviour checks draw their inputs from ``seed`` (a new one per run when None, so a
    handler written for one example cannot pass); the report carries it for a replay."""
    say = on_progress or (lambda _message: None)
    started = time.perf_counter()
    run_seed = new_seed() if seed is None else seed
    try:
        pack = load_pack(exercise_id)
    except UnknownItemError:
        raise
    except LabError as error:  # a broken pack: reported, like a broken solution
        return GradeReport(exercise_id, [], error=error.message, seed=run_seed)
    report = _grade_pack(pack, solution_dir, learner_id, say, live, run_seed)
    report.live = live
    report.seconds = time.perf_counter() - started
    if store is not None:
        store.ensure_learner(learner_id)
        report.hints_used = store.hints_revealed(learner_id, exercise_id)
    if store is not None and report.error is None and not live:
        report.recorded = True
        # The recorded points are the score after the hint discount; results keep the raw ones.
        store.record_exercise_attempt(
            learner_id, exercise_id, passed=report.passed, points=report.score,
            max_points=report.max_points, results=[r.to_json() for r in report.results],
        )
    return report


def grade_seeds(
    exercise_id: str, seeds: list[int], *, solution_dir: Path, learner_id: str = "author",
) -> list[GradeReport]:
    """Grade one solution under several seeds (for authors and the pack tests: a solution
    must pass, and a wrong attempt fail, whatever cases the seed draws). The solution is
    applied once; every seed then runs the checks on a restored copy of that state, so a
    seed costs only its checks."""
    from labtui.grading.apply import apply_solution, check_files
    from labtui.grading.sandbox import fresh_account

    pack = load_pack(exercise_id)
    reports = []
    try:
        answers = check_files(solution_dir)
        account = fresh_account(pack.manifest, pack.path, learner_id)
        apply_solution(solution_dir, account.env(), lambda _message: None)
        account.snapshot(f"applied-{exercise_id}")
    except LabError as error:
        return [GradeReport(exercise_id, [], error=error.message, seed=seed) for seed in seeds]
    for seed in seeds:
        account.restore(f"applied-{exercise_id}")
        report = GradeReport(exercise_id, [], seed=seed)
        try:
            report.results, report.trace = run_checks(pack, account, solution_dir, answers, seed)
        except LabError as error:
            report.error = error.message
        reports.append(report)
    return reports


def new_seed() -> int:
    """A fresh grading seed, short enough to type after --seed."""
    import secrets

    return 1 + secrets.randbelow(999_999)


def _grade_pack(
    pack: ExercisePack, solution_dir: Path | None, learner_id: str, say: Progress, live: bool,
    seed: int,
) -> GradeReport:
    from labtui.grading.apply import (
        apply_solution,
        check_files,
        foreign_account_note,
        situation,
    )
    from labtui.grading.sandbox import fresh_account, live_account

    report = GradeReport(pack.id, [], seed=seed)
    try:
        if live:
            directory = solution_dir or workspace_for(pack.id, learner_id)
            answers = check_files(directory) if directory.is_dir() else {}
            say("reading your live sandbox account")
            account = live_account(learner_id)
        else:
            directory = solution_dir or workspace_for(pack.id, learner_id)
            answers = check_files(directory)
            if (directory / "setup.sh").is_file():
                _warm_cli_in_background()
            say("seeding a fresh sandbox account")
            account = fresh_account(pack.manifest, pack.path, learner_id)
            apply_solution(directory, account.env(), say)
            report.note = situation(directory)
    except LabError as error:
        report.error = error.message
        return report
    say("running checks")
    try:
        report.results, report.trace = run_checks(pack, account, directory, answers, seed)
    except LabError as error:
        report.error = error.message
    if not live and report.note is None and report.failed():
        # setup.sh ran, but with an ARN copied from the shell's account (IAM accepts one in
        # a policy): the failing check's own hint cannot see that (README, "Check grades
        # your workspace").
        report.note = foreign_account_note(directory, account.env())
    return report


def _warm_cli_in_background() -> None:
    """Load the aws CLI while the account is seeded (the first check in a process)."""
    import threading

    from labtui.grading import awscli

    if awscli._DRIVER is None:
        threading.Thread(target=awscli.warm_up, name="labtui-awscli-warm", daemon=True).start()


def run_checks(
    pack: ExercisePack, account: Any, solution_dir: Path | None, answers: dict[str, Any],
    seed: int = 0,
) -> tuple[list[CheckResult], list[Any]]:
    """Run every declared check against ``account`` with the cases ``seed`` generates;
    a check's AWS error is its failure."""
    from labtui.grading.context import GradingContext

    ctx = GradingContext(
        manifest=pack.manifest, pack_dir=pack.path, env=account.env(),
        account_id=account.account_id, solution_dir=solution_dir, answers=answers,
        account=account, seed=seed,
    )
    results = []
    for declaration in pack.manifest.checks:
        results.append(_run_one(pack, ctx, declaration.id))
    return results, ctx.trace


def _run_one(pack: ExercisePack, ctx: Any, check_id: str) -> CheckResult:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        result = pack.checks[check_id](ctx)
    except ClientError as error:
        # The learner's state made an AWS call fail (a missing resource, a bad ARN).
        message = str(error.response.get("Error", {}).get("Message", error))
        failure: CheckResult = ctx.result(check_id, False, expected="(see the check title)",
                          actual=f"AWS said: {message}",
                          hint="Fix the resource this check names, then check again.")
        return failure
    except (BotoCoreError, OSError) as error:
        raise LabError(f"check {check_id} could not reach the sandbox: {error}") from error
    except LabError:
        raise
    except Exception as error:
        raise LabError(
            f"{pack.path / 'checks.py'}: check {check_id} crashed: "
            f"{type(error).__name__}: {error}"
        ) from error
    if not isinstance(result, CheckResult) or result.id != check_id:
        raise LabError(f"{pack.path / 'checks.py'}: {check_id}() must return ctx.result('{check_id}', ...)")
    return result
