"""Fake grading, sandbox and simulator services for the TUI tests (injected via create_app)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from labtui.paths import workspaces_dir
from labtui.progress.store import ProgressStore
from labtui.tui.services import (
    CheckRow,
    CommandOutput,
    GradeView,
    Hint,
    ProgressCallback,
    ScenarioView,
    Services,
    TraceRow,
)

FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"


class FakeGrading:
    """Grades hello-function by reading the learner's handler.py: c2 needs a greeting."""

    def __init__(self, course_root: Path = FIXTURE_COURSE) -> None:
        self.course_root = course_root
        self.graded: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def workspace(self, exercise_id: str, learner_id: str) -> Path:
        path = workspaces_dir() / learner_id / exercise_id
        if not path.exists():
            shutil.copytree(self.course_root / "sandbox" / exercise_id / "starter", path)
        return path

    def reset_workspace(self, exercise_id: str, learner_id: str, store: ProgressStore) -> Path:
        store.record_exercise_event(learner_id, exercise_id, "reset")
        path = workspaces_dir() / learner_id / exercise_id
        shutil.rmtree(path, ignore_errors=True)
        return self.workspace(exercise_id, learner_id)

    def grade(
        self, exercise_id: str, learner_id: str, store: ProgressStore,
        on_progress: ProgressCallback | None = None,
    ) -> GradeView:
        self.release.wait(10)
        if on_progress:
            on_progress("applying your solution")
        handler = (self.workspace(exercise_id, learner_id) / "handler.py").read_text()
        greets = "greeting" in handler
        results = [
            CheckRow("c1", "The function hello exists", True, "hello", "hello", "", "R-1.1", 5, 5),
            CheckRow("c2", "It returns a greeting", greets, '{"greeting": "hello"}',
                     handler.strip().splitlines()[-1].strip(), "Return a dict with greeting.",
                     "R-1.1", 5 if greets else 0, 5),
        ]
        trace = [
            TraceRow(0.0, "hello", "$LATEST", "env-1", "req-0001", 1, "success", 12.0, "cold"),
            TraceRow(1.5, "hello", "$LATEST", "env-1", "req-0002", 1,
                     "success" if greets else "error", 3.0, ""),
        ]
        view = GradeView(results, trace)
        store.record_exercise_attempt(
            learner_id, exercise_id, passed=view.passed, points=view.points,
            max_points=view.max_points, results=[asdict(r) for r in results],
        )
        self.graded.append(exercise_id)
        return view

    def next_hint(self, exercise_id: str, store: ProgressStore, learner_id: str) -> Hint:
        shown = store.hints_revealed(learner_id, exercise_id)
        store.record_exercise_event(learner_id, exercise_id, "hint", str(shown + 1))
        return Hint(shown + 1, 2, ["Look at aws lambda create-function.",
                                   "The runtime is python3.12."][min(shown, 1)])

    def hint_cost(self, exercise_id: str, store: ProgressStore, learner_id: str) -> str | None:
        shown = store.hints_revealed(learner_id, exercise_id)
        return None if shown >= 2 else f"Hint {shown + 1} of 2 costs points."

    def reveal_solution(
        self, exercise_id: str, store: ProgressStore, learner_id: str, force: bool
    ) -> Path:
        store.record_exercise_event(learner_id, exercise_id, "solution", "forced" if force else "")
        return self.course_root / "sandbox" / exercise_id / "solution"


class FakeSandbox:
    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self.snapshots: list[str] = []
        self.restored: list[str] = []
        self.accounts: list[str] = []
        self.started = False

    def start(self, learner_id: str) -> str:
        self.started = True
        return "http://127.0.0.1:4599"

    def open_account(self, learner_id: str, setup: object, pack_dir: Path,
                     fresh: bool = False) -> str:
        self.accounts.append(learner_id)
        return "seeded"

    def env(self, learner_id: str) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": "http://127.0.0.1:4599", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIALABFAKE",
                "AWS_SECRET_ACCESS_KEY": "fake"}

    def run_aws(self, args: Sequence[str], learner_id: str) -> CommandOutput:
        self.commands.append(list(args))
        if args[:2] == ["lambda", "list-functions"]:
            return CommandOutput(0, '{"Functions": [{"FunctionName": "hello"}]}\n', "")
        return CommandOutput(252, "", f"aws: error: unknown command {' '.join(args)}\n")

    def snapshot(self, label: str, learner_id: str) -> None:
        self.snapshots.append(label)

    def restore(self, label: str, learner_id: str) -> None:
        self.restored.append(label)

    def stop(self) -> None:
        self.started = False


class FakeSimulator:
    def __init__(self) -> None:
        self.ran: list[Path] = []

    def run_scenario(self, path: Path, seed: int = 0) -> ScenarioView:
        self.ran.append(path)
        return ScenarioView(path.stem, "3 attempts, 1 destination delivery", [
            TraceRow(0.0, "orders", "1", "env-1", "req-1", 1, "error", 20.0),
            TraceRow(60.0, "orders", "1", "env-1", "req-1", 2, "error", 20.0, "retry 1"),
            TraceRow(180.0, "orders", "1", "env-1", "req-1", 3, "error", 20.0, "retry 2"),
            TraceRow(180.1, "orders", "1", "", "req-1", 3, "destination", 0.0, "OnFailure"),
        ])


def fake_services() -> Services:
    return Services(grading=FakeGrading(), sandbox=FakeSandbox(), simulator=FakeSimulator())
