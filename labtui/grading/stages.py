"""Checks that unlock in order: the ``stages:`` of a multi-stage exercise (the capstone).

A pack lists its checkpoints in ``exercise.yaml``::

    stages:
      - {id: s1, title: Sync API, checks: [c1]}
      - {id: s2, title: Queue and DLQ, checks: [c2]}
      - {id: s10, title: End-to-end run, checks: [c10], requires_points: 80}

and its ``checks.py`` wraps every check body with :class:`StagedChecks`::

    staged = StagedChecks()

    @staged.check("c2")
    def c2(ctx: GradingContext) -> CheckResult: ...

A stage's checks count only once every earlier stage passes; until then each reports
``locked: finish stage N first`` with a hint naming what still fails there. A stage with
``requires_points`` opens instead once the earlier checks have earned that many points
(curriculum §7: the end-to-end run counts from 80 points). After the last declared check
the grader's results are turned into a text report (:func:`final_report`) that is written
to ``$LABTUI_HOME/reports/<exercise>/<learner>/REPORT.md``; the last check's ``actual``
names that path, and ``labtui check`` prints it (:func:`take_report`). (Not into the
workspace: ``labtui check --watch`` would re-grade on every report it wrote.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtui.course.exercise_model import ExerciseManifest
from labtui.errors import ContentError
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult

CheckBody = Callable[[GradingContext], CheckResult]
Section = tuple[str, list[str]]  # a report heading and its lines
_RESULTS = "stages.results"
_PRINTABLE: dict[tuple[str, str], str] = {}  # (exercise, learner) -> the last report's text


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    checks: tuple[str, ...]
    requires_points: int | None = None  # None: every earlier stage must pass

    @property
    def number(self) -> int:
        digits = "".join(ch for ch in self.id if ch.isdigit())
        return int(digits) if digits else 0


def stages_of(manifest: ExerciseManifest) -> list[Stage]:
    """The manifest's stages, validated: every declared check in exactly one stage."""
    declared = [check.id for check in manifest.checks]
    stages: list[Stage] = []
    seen: set[str] = set()
    for raw in manifest.stages:
        checks = raw.get("checks")
        if not isinstance(raw.get("id"), str) or not isinstance(checks, list) or not checks:
            raise ContentError(f"{manifest.id}: a stage needs an id and a non-empty checks list")
        for check_id in checks:
            if check_id not in declared or check_id in seen:
                raise ContentError(
                    f"{manifest.id}: stage {raw['id']} lists {check_id}, which is not a declared "
                    "check or is already in an earlier stage"
                )
            seen.add(check_id)
        points = raw.get("requires_points")
        if points is not None and not isinstance(points, int):
            raise ContentError(f"{manifest.id}: stage {raw['id']}: requires_points is a number")
        stages.append(Stage(raw["id"], str(raw.get("title", raw["id"])),
                            tuple(map(str, checks)), points))
    missing = [check_id for check_id in declared if check_id not in seen]
    if stages and missing:
        raise ContentError(f"{manifest.id}: checks {', '.join(missing)} are in no stage")
    return stages


def _stage_of(stages: list[Stage], check_id: str) -> int:
    return next(i for i, stage in enumerate(stages) if check_id in stage.checks)


def results_so_far(ctx: GradingContext) -> dict[str, CheckResult]:
    """Results of the staged checks run so far in this grade, by check id."""
    results: dict[str, CheckResult] = ctx.cache.setdefault(_RESULTS, {})
    return results


class StagedChecks:
    """Registers a pack's check bodies and gates them by stage (see the module docstring)."""

    def __init__(self) -> None:
        self._bodies: dict[str, CheckBody] = {}
        self._sections: Callable[[GradingContext], list[Section]] | None = None

    def check(self, check_id: str) -> Callable[[CheckBody], CheckBody]:
        def register(body: CheckBody) -> CheckBody:
            self._bodies[check_id] = body

            def gated(ctx: GradingContext) -> CheckResult:
                return self.run(ctx, check_id)

            gated.__name__ = check_id
            gated.__doc__ = body.__doc__
            return gated

        return register

    def report_sections(
        self, build: Callable[[GradingContext], list[Section]]
    ) -> Callable[[GradingContext], list[Section]]:
        """Register the pack's extra report sections (trace summary, cost estimate)."""
        self._sections = build
        return build

    def run(self, ctx: GradingContext, check_id: str) -> CheckResult:
        results = results_so_far(ctx)
        if check_id in results:
            return results[check_id]
        stages = stages_of(ctx.manifest)
        if not stages:  # no stages declared: a plain pack
            return self._run_body(ctx, check_id)
        index = _stage_of(stages, check_id)
        for earlier in stages[:index]:  # normally already run: the grader goes in order
            for other in earlier.checks:
                self.run(ctx, other)
        locked = _lock(ctx, stages, index, check_id, results)
        result = locked if locked is not None else self._run_body(ctx, check_id)
        results[check_id] = result
        if check_id == ctx.manifest.checks[-1].id:
            result = self._finish(ctx, result)
            results[check_id] = result
        return result

    def _run_body(self, ctx: GradingContext, check_id: str) -> CheckResult:
        from botocore.exceptions import ClientError

        body = self._bodies.get(check_id)
        if body is None:
            raise ContentError(f"{ctx.pack_dir / 'checks.py'}: no staged body for {check_id}")
        try:
            return body(ctx)
        except ClientError as error:  # as the grader does: the learner's state made AWS fail
            message = str(error.response.get("Error", {}).get("Message", error))
            return ctx.result(check_id, False, expected="(see the check title)",
                              actual=f"AWS said: {message}",
                              hint="Fix the resource this check names, then check again.")

    def _finish(self, ctx: GradingContext, last: CheckResult) -> CheckResult:
        path = report_path(ctx)
        text = final_report(ctx, self._sections(ctx) if self._sections else [])
        _PRINTABLE[(ctx.manifest.id, path.parent.name)] = text
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            return dataclasses.replace(last, actual=f"{last.actual} (report not written: "
                                                    f"{error.strerror})")
        return dataclasses.replace(last, actual=f"{last.actual} (full report: {path})")


def _lock(
    ctx: GradingContext, stages: list[Stage], index: int, check_id: str,
    results: dict[str, CheckResult],
) -> CheckResult | None:
    """The locked result of ``check_id`` (in ``stages[index]``), or None when it is open."""
    stage = stages[index]
    title = next(c.title for c in ctx.manifest.checks if c.id == check_id)
    if stage.requires_points is not None:
        earned = sum(results[c].points for s in stages[:index] for c in s.checks)
        if earned >= stage.requires_points:
            return None
        return ctx.result(
            check_id, False, expected=title,
            actual=f"locked: needs {stage.requires_points} points from the earlier stages "
                   f"(you have {earned})",
            hint=f"Stage {stage.number} ({stage.title}) opens at {stage.requires_points} "
                 "points. " + _first_failure_hint(stages[:index], results),
        )
    for earlier in stages[:index]:
        failing = [results[c] for c in earlier.checks if not results[c].passed]
        if failing:
            names = ", ".join(f"{r.id} {r.title}" for r in failing)
            return ctx.result(
                check_id, False, expected=title,
                actual=f"locked: finish stage {earlier.number} ({earlier.title}) first",
                hint=f"Stages unlock in order. Stage {earlier.number} still fails: {names}. "
                     "Fix that first; its own hint says how.",
            )
    return None


def _first_failure_hint(stages: list[Stage], results: dict[str, CheckResult]) -> str:
    for stage in stages:
        for check_id in stage.checks:
            result = results[check_id]
            if not result.passed and not result.actual.startswith("locked:"):
                return (f"Start with stage {stage.number} ({stage.title}): {result.id} "
                        f"{result.title}.")
    return "Finish the earlier stages first."


def take_report(exercise_id: str, learner_id: str = "me") -> str | None:
    """The report of the last grade of a staged exercise (once), for ``labtui check``."""
    return _PRINTABLE.pop((exercise_id, learner_id), None)


def report_path(ctx: GradingContext) -> Path:
    from labtui.paths import labtui_home

    learner = str(getattr(ctx.account, "learner_id", "") or "me")
    learner = learner.removeprefix("grader-") or "me"
    return labtui_home() / "reports" / ctx.manifest.id / learner / "REPORT.md"


def final_report(ctx: GradingContext, sections: list[Section] | None = None) -> str:
    """A report the learner can read: every stage with its checks and points, then the
    pack's own sections (the trace of the end-to-end run, the monthly cost estimate)."""
    results = results_so_far(ctx)
    stages = stages_of(ctx.manifest) or [
        Stage("s1", "Checks", tuple(c.id for c in ctx.manifest.checks))
    ]
    earned = sum(r.points for r in results.values())
    total = ctx.manifest.points
    lines = [f"# {ctx.manifest.title}", "",
             f"Points: {earned}/{total}. Checks passed: "
             f"{sum(1 for r in results.values() if r.passed)}/{len(ctx.manifest.checks)}.", ""]
    lines += ["## Stages", ""]
    for stage in stages:
        stage_results = [results[c] for c in stage.checks if c in results]
        passed = bool(stage_results) and all(r.passed for r in stage_results)
        locked = any(r.actual.startswith("locked:") for r in stage_results)
        state = "PASS" if passed else ("LOCKED" if locked else "FAIL")
        points = sum(r.points for r in stage_results)
        most = sum(r.max_points for r in stage_results)
        lines.append(f"- Stage {stage.number} {stage.title}: {state} ({points}/{most} points)")
        for result in stage_results:
            mark = "pass" if result.passed else "fail"
            lines.append(f"  - {result.id} {result.title} [{result.rule}]: {mark}")
            if not result.passed:
                lines.append(f"    - expected: {result.expected}")
                lines.append(f"    - actual: {result.actual}")
    for heading, body in sections or []:
        lines += ["", f"## {heading}", "", *body]
    return "\n".join(lines).rstrip() + "\n"


def stage_summary(results: dict[str, CheckResult], stages: list[Stage]) -> list[str]:
    """One line per stage: PASS / FAIL / LOCKED (for tests and the TUI)."""
    lines = []
    for stage in stages:
        stage_results = [results[c] for c in stage.checks if c in results]
        if stage_results and all(r.passed for r in stage_results):
            lines.append(f"{stage.id} PASS")
        elif any(r.actual.startswith("locked:") for r in stage_results):
            lines.append(f"{stage.id} LOCKED")
        else:
            lines.append(f"{stage.id} FAIL")
    return lines


def pass_rule(results: dict[str, CheckResult], points_needed: int, gate_check: str) -> bool:
    """Curriculum §7's verdict: enough points and the gate check (the end-to-end run)."""
    earned = sum(r.points for r in results.values())
    gate = results.get(gate_check)
    return earned >= points_needed and gate is not None and gate.passed


def ensure_all(ctx: GradingContext, staged: StagedChecks) -> dict[str, Any]:
    """Run every declared check (those not run yet) and return the results by id."""
    for check in ctx.manifest.checks:
        staged.run(ctx, check.id)
    return dict(results_so_far(ctx))
