"""What a check function receives: the graded account, the answers, and result builders.

``checks.py`` in a pack defines ``def c1(ctx: GradingContext) -> CheckResult``. A check reads
state through ``ctx.aws("lambda")`` (boto3 against the sandbox account being graded) or the
helpers in :mod:`labtui.grading.state`, runs behaviour through :mod:`labtui.grading.sim`,
and returns ``ctx.result(...)``, which fills in the title, points and rule declared in
``exercise.yaml`` so a check cannot disagree with its declaration.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labtui.course.exercise_model import ExerciseManifest
from labtui.errors import ContentError
from labtui.grading.results import CheckResult, TraceRow

_CLIENTS: dict[tuple[str, Any], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def sandbox_client(service: str, env: Mapping[str, str]) -> Any:
    """A boto3-style client for ``service`` in the account ``env`` names (cached, warm)."""
    from labtui.account.aws_access import SandboxTarget, sdk_client

    target = SandboxTarget.from_env(env)
    key = (service, target)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = sdk_client(
                service, target, retries={"max_attempts": 1}, read_timeout=120,
                connect_timeout=5,
            )
            _CLIENTS[key] = client
        return client


@dataclass
class GradingContext:
    manifest: ExerciseManifest
    pack_dir: Path
    env: dict[str, str]
    account_id: str
    solution_dir: Path | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    trace: list[TraceRow] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)
    account: Any = None  # the sandbox account object (labtui.account), when available
    seed: int = 0  # the grading run's seed: every generated case derives from it (--seed N)
    started: float = field(default_factory=time.perf_counter)

    def cases(self, name: str) -> random.Random:
        """A generator for the inputs of one check (or one shared scenario), seeded from the
        run's seed, the exercise and ``name``. The same seed replays the same cases; a check
        drawing more values never shifts another check's cases."""
        return random.Random(f"{self.seed}:{self.manifest.id}:{name}")

    def elapsed_s(self) -> float:
        """Real seconds since the checks started (the time axis of live trace rows)."""
        return time.perf_counter() - self.started

    @property
    def region(self) -> str:
        return self.env.get("AWS_DEFAULT_REGION", "us-east-1")

    def aws(self, service: str) -> Any:
        return sandbox_client(service, self.env)

    def arn(self, service: str, resource: str) -> str:
        """An ARN in the graded account, e.g. ``ctx.arn("sqs", "payments-dlq")``."""
        if service in ("iam",):
            return f"arn:aws:iam::{self.account_id}:{resource}"
        if service == "s3":
            return f"arn:aws:s3:::{resource}"
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    def result(
        self, check_id: str, passed: bool, *, expected: str, actual: str, hint: str = ""
    ) -> CheckResult:
        declaration = next((c for c in self.manifest.checks if c.id == check_id), None)
        if declaration is None:
            raise ContentError(f"{self.pack_dir}/checks.py: check {check_id} is not declared")
        return CheckResult(
            id=check_id,
            title=declaration.title,
            passed=passed,
            expected=expected,
            actual=actual,
            hint="" if passed else hint,
            rule=declaration.rule,
            points=declaration.points if passed else 0,
            max_points=declaration.points,
        )

    def answer(self, *path: str) -> Any:
        """A value from answers.yaml (``ctx.answer("sync", "status_code")``), or None."""
        value: Any = self.answers
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def once(self, key: str, compute: Any) -> Any:
        """Compute an expensive value (a simulation run) once for all checks that need it."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]
