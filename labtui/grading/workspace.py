"""Learner workspaces, progressive hints and the reference solution (rustlings-style).

A workspace is ``$LABTUI_HOME/workspaces/<learner>/<exercise>``, created from the pack's
``starter/`` on first use. Hints come one at a time, each one recorded; the reference
solution is shown only after a pass, or on an explicit request that is recorded too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from labtui.errors import LabError
from labtui.grading.pack import load_pack
from labtui.progress.store import ProgressStore


def _safe_learner(learner_id: str) -> str:
    cleaned = "".join(c for c in learner_id if c.isalnum() or c in "-_.")
    if not cleaned or cleaned.startswith("."):
        raise LabError(f"'{learner_id}' cannot be used as a learner id")
    return cleaned


def workspace_path(exercise_id: str, learner_id: str = "me") -> Path:
    from labtui.paths import workspaces_dir

    return workspaces_dir() / _safe_learner(learner_id) / exercise_id


def workspace_for(exercise_id: str, learner_id: str = "me") -> Path:
    """The learner's workspace, copied from ``starter/`` the first time."""
    pack = load_pack(exercise_id)
    path = workspace_path(exercise_id, learner_id)
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(path.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(pack.starter, staging)
        staging.rename(path)  # atomic: a crash never leaves half a workspace
    return path


def reset_workspace(exercise_id: str, learner_id: str = "me", store: ProgressStore | None = None) -> Path:
    """Put the workspace back to the starter files (the old one is kept as ``.bak``) and
    forget the exercise's saved live account."""
    load_pack(exercise_id)  # an unknown id is an error before anything is moved
    path = workspace_path(exercise_id, learner_id)
    backup = path.with_name(path.name + ".bak")
    if path.is_dir():
        shutil.rmtree(backup, ignore_errors=True)
        path.rename(backup)
    fresh = workspace_for(exercise_id, learner_id)
    # and the saved live account: the workbench seeds a fresh one next time (issue #21)
    from labtui.account.saved_account import forget, workbench_account

    forget(workbench_account(learner_id, exercise_id))
    if store is not None:
        store.ensure_learner(learner_id)
        store.record_exercise_event(learner_id, exercise_id, "reset", str(backup))
    return fresh


def next_hint(exercise_id: str, store: ProgressStore, learner_id: str = "me") -> tuple[int, int, str]:
    """Reveal the next hint (concept, then where to look, then the exact setting)."""
    hints = load_pack(exercise_id).manifest.hints
    store.ensure_learner(learner_id)
    shown = store.hints_revealed(learner_id, exercise_id)
    if shown >= len(hints):
        return len(hints), len(hints), hints[-1]
    level = shown + 1
    store.record_exercise_event(learner_id, exercise_id, "hint", str(level))
    return level, len(hints), hints[level - 1]


def hint_cost(exercise_id: str, store: ProgressStore, learner_id: str = "me") -> str | None:
    """What the next hint costs, said before it is shown (issue 22); None when all are shown.

    Each hint lowers the most the exercise can score by ``HINT_DISCOUNT`` of its points
    (curriculum §1: 80/60/40 %), as GradeReport.score applies it.
    """
    from labtui.grading.results import HINT_DISCOUNT

    total = len(load_pack(exercise_id).manifest.hints)
    shown = store.hints_revealed(learner_id, exercise_id)
    if shown >= total:
        return None

    def ceiling(hints: int) -> str:
        return f"{max(0.0, 1.0 - HINT_DISCOUNT * hints):.0%}"

    return (f"Hint {shown + 1} of {total} costs points: it lowers the most you can score on "
            f"{exercise_id} from {ceiling(shown)} to {ceiling(shown + 1)} of its points.")


def hints_so_far(exercise_id: str, store: ProgressStore, learner_id: str = "me") -> list[str]:
    hints = load_pack(exercise_id).manifest.hints
    return hints[: store.hints_revealed(learner_id, exercise_id)]


def reveal_solution(
    exercise_id: str, store: ProgressStore, learner_id: str = "me", force: bool = False
) -> Path:
    """The reference solution directory; only after a pass unless ``force`` (recorded)."""
    pack = load_pack(exercise_id)
    store.ensure_learner(learner_id)
    passed = exercise_id in store.passed_exercises(learner_id)
    if not passed and not force:
        raise LabError(
            f"the solution to {exercise_id} opens after you pass its checks "
            f"(run 'labtui check {exercise_id}'), or ask for it with --force"
        )
    store.record_exercise_event(
        learner_id, exercise_id, "solution", "after pass" if passed else "forced"
    )
    return pack.solution
