"""One learner's isolated sandbox account: seed, reset, snapshot/restore, clients."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtui.account import moto_state
from labtui.account.aws_access import SandboxTarget, sandbox_environment, sdk_client
from labtui.errors import LabError

if TYPE_CHECKING:
    from labtui.account.lambda_extras import AccountLambdaExtras
    from labtui.account.sandbox import Sandbox
    from labtui.account.view import AccountView
    from labtui.course.setup_spec import ExerciseSetup

SEED_SNAPSHOT = "seed"


class LearnerAccount:
    """A moto account owned by one learner; other learners never see its resources."""

    def __init__(self, sandbox: Sandbox, learner_id: str) -> None:
        identity = sandbox.identity(learner_id)
        self.identity = identity
        self.sandbox = sandbox
        self.learner_id = learner_id
        self.account_id = identity.account_id
        self.access_key_id = identity.access_key_id
        self.secret_access_key = identity.secret_access_key
        self.region = sandbox.region
        self._snapshots: dict[str, tuple[moto_state.MotoSnapshot, AccountLambdaExtras]] = {}
        self._lock = threading.Lock()

    # --- talking to the account ----------------------------------------------------------

    def target(self) -> SandboxTarget:
        """Where and as whom this learner's calls go (the sandbox endpoint, their keys)."""
        return SandboxTarget.for_learner(self.sandbox.endpoint_url, self.identity, self.region)

    def env(self) -> dict[str, str]:
        """Environment for a CLI/SDK process: endpoint, region, this learner's key and
        secret, the lab's config files (no profile, region or key in them)."""
        environment = sandbox_environment(self.target(), self.sandbox.work_dir / "aws-config")
        environment["AWS_PAGER"] = ""
        return environment

    def client(self, service: str, config: Any = None) -> Any:
        """A boto3 client bound to this learner's account through the sandbox endpoint
        (``config``: a botocore Config)."""
        return sdk_client(service, self.target(), config)

    def view(self) -> AccountView:
        from labtui.account.view import AccountView

        return AccountView(self)

    def invoke(self, function_name: str, event: Any, qualifier: str | None = None) -> Any:
        """Run a function once without HTTP; returns the runner's InvokeResult."""
        invoker = self.sandbox.invoker
        if invoker is None:
            raise LabError("the sandbox is not running")
        return invoker.invoke_direct(self.account_id, self.region, function_name, event, qualifier)

    # --- seeding, reset, snapshots ---------------------------------------------------------

    def seed(self, setup: ExerciseSetup, pack_dir: Path) -> None:
        """Empty the account, create ``setup``'s resources, remember it as the seed."""
        from labtui.account.seeding import apply_setup

        self.wipe()
        apply_setup(self, setup, Path(pack_dir))
        self.snapshot(SEED_SNAPSHOT)

    def wipe(self) -> None:
        """Remove everything in this account (other learners untouched)."""
        gateway, extras = self.sandbox.gateway, self.sandbox.extras
        if gateway is None or extras is None:
            raise LabError("the sandbox is not running")
        gateway.state_lock.acquire_write()
        try:
            moto_state.wipe(self.account_id)
            extras.wipe(self.account_id)
        finally:
            gateway.state_lock.release_write()
        self._discard_environments()

    def reset(self) -> None:
        """Back to the seeded state (or empty if never seeded)."""
        if SEED_SNAPSHOT in self._snapshots:
            self.restore(SEED_SNAPSHOT)
        else:
            self.wipe()

    def snapshot(self, name: str) -> None:
        """Remember the whole account state under ``name`` (in memory, for this server)."""
        gateway, extras = self.sandbox.gateway, self.sandbox.extras
        if gateway is None or extras is None:
            raise LabError("the sandbox is not running")
        gateway.state_lock.acquire_write()
        try:
            captured = (moto_state.capture(self.account_id), extras.capture(self.account_id))
        finally:
            gateway.state_lock.release_write()
        with self._lock:
            self._snapshots[name] = captured

    def restore(self, name: str) -> None:
        """Rewind the account to snapshot ``name``."""
        gateway, extras = self.sandbox.gateway, self.sandbox.extras
        if gateway is None or extras is None:
            raise LabError("the sandbox is not running")
        with self._lock:
            if name not in self._snapshots:
                known = ", ".join(sorted(self._snapshots)) or "none yet"
                raise LabError(f"no snapshot named '{name}' (snapshots: {known})")
            moto_snapshot, extras_snapshot = self._snapshots[name]
        gateway.state_lock.acquire_write()
        try:
            moto_state.restore(moto_snapshot)
            extras.restore(self.account_id, extras_snapshot)
        finally:
            gateway.state_lock.release_write()
        self._discard_environments()

    def snapshots(self) -> list[str]:
        with self._lock:
            return sorted(self._snapshots)

    def _discard_environments(self) -> None:
        pool = self.sandbox.pool
        if pool is not None:
            pool.discard(lambda config: config.account_id == self.account_id)
