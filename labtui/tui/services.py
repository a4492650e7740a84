"""What the TUI asks of the rest of labtui: grading, the sandbox and the simulator.

The screens never import ``labtui.grading``, ``labtui.account`` or
``labtui.lambdasim`` themselves; they talk to a :class:`Services` object. The
real adapters import those packages lazily (so the home screen never loads moto
or boto3) and turn whatever they return into the small dataclasses below, so a
change in another package's report type touches one function here. Tests pass
fakes with the same methods through ``create_app(services=...)``.

A package that is not installed yet raises :class:`ServiceUnavailable`, which
the screens show as a plain "not available yet" message.
"""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from labtui.errors import LabError
from labtui.progress.store import ProgressStore

ProgressCallback = Callable[[str], None]  # one line per grading step


class ServiceUnavailable(LabError):
    """A part of labtui this build does not have yet."""


@dataclass(frozen=True, slots=True)
class CheckRow:
    id: str
    title: str
    passed: bool
    expected: str = ""
    actual: str = ""
    hint: str = ""
    rule: str = ""
    points: int = 0
    max_points: int = 0


@dataclass(frozen=True, slots=True)
class TraceRow:
    t_s: float
    function: str
    version: str = ""
    environment: str = ""
    request_id: str = ""
    attempt: int = 1
    outcome: str = ""
    duration_ms: float = 0.0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class GradeView:
    """One check run as the workbench shows it."""

    results: list[CheckRow] = field(default_factory=list)
    trace: list[TraceRow] = field(default_factory=list)
    error: str | None = None
    seed: int | None = None  # the generated cases' seed: `labtui check ID --seed N` replays
    note: str | None = None  # the learner's situation in one line (e.g. an empty setup.sh)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.results) and all(r.passed for r in self.results)

    @property
    def points(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> int:
        return sum(r.max_points for r in self.results)

    @property
    def first_failure(self) -> CheckRow | None:
        return next((r for r in self.results if not r.passed), None)


@dataclass(frozen=True, slots=True)
class CommandOutput:
    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class ScenarioView:
    title: str
    summary: str
    trace: list[TraceRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Hint:
    level: int
    of: int
    text: str


class GradingPort(Protocol):
    def workspace(self, exercise_id: str, learner_id: str) -> Path: ...
    def reset_workspace(self, exercise_id: str, learner_id: str, store: ProgressStore) -> Path: ...
    def grade(
        self,
        exercise_id: str,
        learner_id: str,
        store: ProgressStore,
        on_progress: ProgressCallback | None = None,
    ) -> GradeView: ...
    def next_hint(self, exercise_id: str, store: ProgressStore, learner_id: str) -> Hint: ...
    def hint_cost(self, exercise_id: str, store: ProgressStore, learner_id: str) -> str | None: ...
    def reveal_solution(
        self, exercise_id: str, store: ProgressStore, learner_id: str, force: bool
    ) -> Path: ...


class SandboxPort(Protocol):
    def start(self, learner_id: str) -> str: ...
    def open_account(
        self, learner_id: str, setup: Any, pack_dir: Path, fresh: bool = False
    ) -> str: ...
    def env(self, learner_id: str) -> dict[str, str]: ...
    def run_aws(self, args: Sequence[str], learner_id: str) -> CommandOutput: ...
    def snapshot(self, label: str, learner_id: str) -> None: ...
    def restore(self, label: str, learner_id: str) -> None: ...
    def stop(self) -> None: ...


class SimulatorPort(Protocol):
    def run_scenario(self, path: Path, seed: int = 0) -> ScenarioView: ...


class ClassroomPort(Protocol):
    def unlocked_modules(self) -> set[str] | None: ...


@dataclass
class Services:
    grading: GradingPort
    sandbox: SandboxPort
    simulator: SimulatorPort
    classroom: ClassroomPort | None = None


def _import(module: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if error.name and not module.startswith(error.name) and error.name != module:
            raise  # a real bug inside the package, not a missing package
        raise ServiceUnavailable(f"{what} is not available yet in this build.") from error


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    import json

    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def trace_rows(raw: Any) -> list[TraceRow]:
    """Any sequence of trace-like objects or dicts as :class:`TraceRow`."""
    rows: list[TraceRow] = []
    for item in raw or []:
        get = item.get if isinstance(item, dict) else lambda k, d=None, i=item: getattr(i, k, d)

        def first(*names: str, default: Any = None, get: Any = get) -> Any:
            for name in names:
                value = get(name, None)
                if value is not None and value != "":
                    return value
            return default

        rows.append(
            TraceRow(
                t_s=float(first("t_s", "time_s", "time", "t", default=0.0)),
                function=_text(first("function", "function_name", default="")),
                version=_text(first("version", "qualifier", default="")),
                environment=_text(first("environment", "env_id", "env", default="")),
                request_id=_text(first("request_id", "request", default="")),
                attempt=int(first("attempt", default=1)),
                outcome=_outcome(_text(first("kind", "event", default="")),
                             _text(first("outcome", default=""))),
                duration_ms=float(first("duration_ms", default=0.0)),
                detail=_text(first("detail", "message", default="")),
            )
        )
    return rows


def _outcome(kind: str, outcome: str) -> str:
    """The engine's event kind and its outcome ("retry scheduled", "invoke error")."""
    if kind and outcome and kind != outcome:
        return f"{kind} {outcome}"
    return outcome or kind


def grade_view(report: Any) -> GradeView:
    """Whatever ``labtui.grading.service.grade`` returned, as a :class:`GradeView`."""
    results = [
        CheckRow(
            id=_text(getattr(r, "id", "")),
            title=_text(getattr(r, "title", "")),
            passed=bool(getattr(r, "passed", False)),
            expected=_text(getattr(r, "expected", "")),
            actual=_text(getattr(r, "actual", "")),
            hint=_text(getattr(r, "hint", "")),
            rule=_text(getattr(r, "rule", "")),
            points=int(getattr(r, "points", 0) or 0),
            max_points=int(getattr(r, "max_points", 0) or 0),
        )
        for r in getattr(report, "results", []) or []
    ]
    error = getattr(report, "error", None)
    seed = getattr(report, "seed", None)
    note = getattr(report, "note", None)
    return GradeView(
        results, trace_rows(getattr(report, "trace", [])), None if error is None else _text(error),
        seed=seed if isinstance(seed, int) else None,
        note=note if isinstance(note, str) else None,
    )


def exercise_account(learner_id: str, exercise_id: str) -> str:
    """The sandbox learner id of a learner's live account for one exercise (one account per
    exercise: each starts from its own seed, and one's resources never clash with another's)."""
    from labtui.account.saved_account import workbench_account

    return workbench_account(learner_id, exercise_id)


class RealGrading:
    """``labtui.grading.service``, imported the first time an exercise needs it."""

    def _service(self) -> ModuleType:
        return _import("labtui.grading.service", "Checking exercises")

    def workspace(self, exercise_id: str, learner_id: str) -> Path:
        return Path(self._service().workspace_for(exercise_id, learner_id))

    def reset_workspace(self, exercise_id: str, learner_id: str, store: ProgressStore) -> Path:
        return Path(self._service().reset_workspace(exercise_id, learner_id, store))

    def grade(
        self,
        exercise_id: str,
        learner_id: str,
        store: ProgressStore,
        on_progress: ProgressCallback | None = None,
    ) -> GradeView:
        report = self._service().grade(
            exercise_id, learner_id=learner_id, store=store, on_progress=on_progress
        )
        return grade_view(report)

    def next_hint(self, exercise_id: str, store: ProgressStore, learner_id: str) -> Hint:
        level, of, text = self._service().next_hint(exercise_id, store, learner_id)
        return Hint(int(level), int(of), str(text))

    def hint_cost(self, exercise_id: str, store: ProgressStore, learner_id: str) -> str | None:
        cost = self._service().hint_cost(exercise_id, store, learner_id)
        return None if cost is None else str(cost)

    def reveal_solution(
        self, exercise_id: str, store: ProgressStore, learner_id: str, force: bool
    ) -> Path:
        return Path(self._service().reveal_solution(exercise_id, store, learner_id, force))


class RealSandbox:
    """The learner's offline AWS account (``labtui.account``), started on first use.

    The grader and the console share one sandbox server per process: when
    ``labtui.grading`` is present its ``shared_sandbox()`` is used.
    """

    def __init__(self) -> None:
        self._sandbox: Any = None
        self._keeper: Any = None

    def _server(self) -> Any:
        if self._sandbox is None:
            try:
                shared = importlib.import_module("labtui.grading.sandbox").shared_sandbox
            except (ImportError, AttributeError):
                account = _import("labtui.account", "The sandbox account")
                self._sandbox = account.Sandbox().start()
            else:
                self._sandbox = shared()
        return self._sandbox

    def start(self, learner_id: str) -> str:
        server = self._server()
        server.learner(learner_id)
        return str(server.endpoint_url)

    def open_account(
        self, learner_id: str, setup: Any, pack_dir: Path, fresh: bool = False
    ) -> str:
        """The live account ``learner_id`` as it was left ("restored"), else (or when
        ``fresh``) emptied and seeded with the exercise's ``setup`` ("seeded"); saved to
        disk as it changes from now on."""
        saved = _import("labtui.account.saved_account", "Saving the sandbox account")
        server = self._server()
        if self._keeper is None:
            self._keeper = saved.AccountKeeper(server)
            server.gateway.on_change = self._keeper.changed
        if fresh:
            saved.forget(learner_id)
        if self._keeper.keep(learner_id, saved.saved_path(learner_id)):
            return "restored"
        account = server.learner(learner_id)
        if setup is not None and setup != type(setup)():
            account.seed(setup, pack_dir)
        elif fresh:
            account.wipe()
        self._keeper.changed(account.account_id)
        return "seeded"

    def env(self, learner_id: str) -> dict[str, str]:
        """What points a CLI or SDK at the learner's account (the workbench shell's AWS_*)."""
        return dict(self._server().env(learner_id))

    def run_aws(self, args: Sequence[str], learner_id: str) -> CommandOutput:
        server = self._server()
        access = _import("labtui.account.aws_access", "The sandbox console")
        # Built like `labtui aws`: the sandbox's endpoint, region and keys, v2 flags dropped.
        sandbox_env = server.env(learner_id)
        completed = subprocess.run(  # the bundled CLI, an argv list, no shell
            access.cli_command(list(args), access.SandboxTarget.from_env(sandbox_env)),
            capture_output=True,
            text=True,
            env=access.process_environment(sandbox_env),
            timeout=120,
            check=False,
        )
        return CommandOutput(completed.returncode, completed.stdout, completed.stderr)

    def snapshot(self, label: str, learner_id: str) -> None:
        self._server().learner(learner_id).snapshot(label)

    def restore(self, label: str, learner_id: str) -> None:
        account = self._server().learner(learner_id)
        account.restore(label)
        if self._keeper is not None:
            self._keeper.changed(account.account_id)

    def stop(self) -> None:
        if self._sandbox is None:
            return
        if self._keeper is not None:  # the last changes reach the disk before the server goes
            self._keeper.stop()
            self._keeper = None
        try:
            importlib.import_module("labtui.grading.sandbox").stop_shared_sandbox()
        except (ImportError, AttributeError):
            self._sandbox.stop()
        self._sandbox = None


class RealSimulator:
    """``labtui.lambdasim`` running a scenario file for a lesson's "try it" block."""

    def run_scenario(self, path: Path, seed: int = 0) -> ScenarioView:
        engine = _import("labtui.lambdasim", "The Lambda simulator")
        runner = getattr(engine, "run_scenario_file", None)
        if runner is None:
            raise ServiceUnavailable("Running scenarios is not available yet in this build.")
        report = runner(path, seed=seed)
        render = getattr(engine, "render_text", None)
        if callable(render):  # the same text `labtui simulate` prints
            title = str(getattr(report, "title", "") or path.stem)
            return ScenarioView(
                title, str(render(report)), trace_rows(getattr(report, "trace", []))
            )
        summary: Any = getattr(report, "summary", "")
        if callable(summary):
            summary = summary()
        if not isinstance(summary, str):
            items = summary.items() if isinstance(summary, dict) else vars(summary).items()
            summary = "\n".join(f"{key}: {value}" for key, value in items)
        return ScenarioView(path.stem, summary, trace_rows(getattr(report, "trace", [])))


def default_services() -> Services:
    return Services(grading=RealGrading(), sandbox=RealSandbox(), simulator=RealSimulator())
