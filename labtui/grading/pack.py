"""Load an exercise pack (design.md §7): its manifest, its checks and its known-wrong attempts.

A pack lives in ``sandbox/<id>/``::

    exercise.yaml   ExerciseManifest: id, title, module, objectives, minutes, hints (three,
                    progressive: the concept, where to look, the exact setting), rules, checks
                    [{id: c1, title, points, rule: R-x.y}], setup (setup_spec.ExerciseSetup:
                    what the sandbox account is seeded with)
    README.md       the task as the learner reads it
    starter/        copied into the learner's workspace; must fail
    solution/       setup.sh (aws CLI) and/or setup.py (boto3), handler code, answers.yaml;
                    must pass; shown after a pass or on a recorded request
    wrong/<name>/   a plausible wrong attempt + expected.yaml:
                      fails: [c3]            exactly the checks it fails
                      why: ...               the mistake, for authors and reviewers
                      hints: {c3: "text"}    optional: text each failed check's hint contains
    checks.py       one function per declared check, named after its id:
                    ``def c1(ctx: GradingContext) -> CheckResult`` returning ``ctx.result(...)``

The grader applies a solution to a freshly seeded account and calls the checks in the
order declared; they read state (:mod:`labtui.grading.state`, :mod:`labtui.grading.network`)
and behaviour (:mod:`labtui.grading.sim`, :mod:`labtui.grading.invoke`), never the text of
the commands. Loading fails with a :class:`~labtui.errors.ContentError` naming the file when
anything is missing, so a broken pack reports one clear line instead of a traceback.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from labtui import safeyaml
from labtui.course.exercise_model import ExerciseManifest
from labtui.course.yamlsource import YamlLoadError, load_yaml_file
from labtui.errors import ContentError, UnknownItemError

if TYPE_CHECKING:
    from labtui.grading.context import GradingContext
    from labtui.grading.results import CheckResult

CheckFunction = Callable[["GradingContext"], "CheckResult"]


@dataclass(frozen=True)
class WrongAttempt:
    """A known-wrong attempt and the checks it must fail (``wrong/<name>/expected.yaml``)."""

    name: str
    path: Path
    fails: tuple[str, ...]
    why: str
    hints: dict[str, str]  # check id -> text its hint must contain (optional)


@dataclass(frozen=True)
class ExercisePack:
    id: str
    path: Path
    manifest: ExerciseManifest
    checks: dict[str, CheckFunction]

    @property
    def starter(self) -> Path:
        return self.path / "starter"

    @property
    def solution(self) -> Path:
        return self.path / "solution"

    @property
    def readme(self) -> Path:
        return self.path / "README.md"

    def wrong_attempts(self) -> list[WrongAttempt]:
        wrong = self.path / "wrong"
        attempts = []
        for folder in sorted(p for p in wrong.iterdir() if p.is_dir()) if wrong.is_dir() else []:
            data = _safe_yaml(folder / "expected.yaml")
            fails = data.get("fails") if isinstance(data, dict) else None
            if not isinstance(fails, list) or not fails:
                raise ContentError(f"{folder}/expected.yaml needs a non-empty 'fails' list")
            why = str(data.get("why", "")) if isinstance(data, dict) else ""
            raw_hints = data.get("hints") if isinstance(data, dict) else None
            hints = {str(k): str(v) for k, v in raw_hints.items()} if isinstance(raw_hints, dict) else {}
            attempts.append(WrongAttempt(folder.name, folder, tuple(map(str, fails)), why, hints))
        return attempts


def _safe_yaml(path: Path) -> Any:
    try:
        return safeyaml.load_file(path)
    except OSError as error:
        raise ContentError(f"{path}: cannot read: {error.strerror}") from error
    except safeyaml.YamlProblem as problem:
        raise ContentError(f"{path}:{problem.line}: {problem.message}") from None


def sandbox_root() -> Path:
    from labtui.course.resolver import content_root

    return content_root() / "sandbox"


def pack_dir(exercise_id: str) -> Path:
    folder = sandbox_root() / exercise_id
    if not (folder / "exercise.yaml").is_file():
        known = sorted(
            p.name for p in sandbox_root().iterdir() if (p / "exercise.yaml").is_file()
        ) if sandbox_root().is_dir() else []
        raise UnknownItemError(
            f"no exercise '{exercise_id}'" + (f" (known: {', '.join(known)})" if known else "")
        )
    return folder


def load_pack(exercise_id: str) -> ExercisePack:
    """The pack for ``exercise_id``, cached per process and directory modification time."""
    folder = pack_dir(exercise_id)
    stamp = max(
        (folder / name).stat().st_mtime_ns for name in ("exercise.yaml", "checks.py")
        if (folder / name).exists()
    )
    return _load_pack_cached(folder, stamp)


@lru_cache(maxsize=32)
def _load_pack_cached(folder: Path, _stamp: int) -> ExercisePack:
    manifest = load_manifest(folder / "exercise.yaml")
    module = _import_checks(folder / "checks.py", manifest.id)
    checks: dict[str, CheckFunction] = {}
    for declaration in manifest.checks:
        function = getattr(module, declaration.id, None)
        if not callable(function):
            raise ContentError(
                f"{folder / 'checks.py'}: no function {declaration.id}() for check "
                f"'{declaration.title}'"
            )
        checks[declaration.id] = function
    return ExercisePack(manifest.id, folder, manifest, checks)


def load_manifest(path: Path) -> ExerciseManifest:
    from labtui.course.validation import validate

    try:
        document = load_yaml_file(path)
    except YamlLoadError as error:
        raise ContentError(error.problem.format()) from error
    manifest, problems = validate(ExerciseManifest, document.data, document, path)
    if manifest is None:
        raise ContentError("; ".join(problem.format() for problem in problems))
    return manifest


def _import_checks(path: Path, exercise_id: str) -> ModuleType:
    if not path.is_file():
        raise ContentError(f"{path}: missing (every pack needs checks.py)")
    name = "labtui_pack_checks_" + exercise_id.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ContentError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(name, None)
        raise ContentError(f"{path}: cannot be imported: {type(error).__name__}: {error}") from error
    return module
