"""The sandbox: moto's WSGI app behind the labtui gateway, served on loopback.

``Sandbox().start(port=0)`` serves in a background thread on 127.0.0.1 (never
0.0.0.0); ``endpoint_url`` is what learners' CLIs and boto3 talk to; ``learner(id)``
gives that learner's isolated account; ``stop()`` ends the server and every
execution environment.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from labtui.account import (
    lambda_policy_shape,
    managed_policies,
    model_tracking,
    moto_triggers,
    s3_namespace,
)
from labtui.account.code_store import remove_tree
from labtui.account.credentials import CredentialRegistry
from labtui.account.identity import (
    DEFAULT_LEARNER,
    DEFAULT_REGION,
    LearnerIdentity,
    default_keys_dir,
    learner_identity,
)
from labtui.errors import LabError

if TYPE_CHECKING:
    from labtui.account.engine_port import AsyncEngine
    from labtui.account.gateway import Gateway
    from labtui.account.lambda_extras import ExtrasStore
    from labtui.account.lambda_invoke import InvokeService
    from labtui.account.learner import LearnerAccount
    from labtui.account.live_esm import LiveEventSources
    from labtui.account.live_triggers import AsyncNotifications
    from labtui.runner.pool import EnvironmentPool

LOOPBACK = "127.0.0.1"
# A client that stops sending (a body shorter than its Content-Length) or stops reading
# frees its server thread after this long (AWS S3 answers RequestTimeout after ~20 s).
SOCKET_TIMEOUT_S = 20.0


def _prepare_moto_environment() -> None:
    # Managed policies (AWSLambdaBasicExecutionRole, ...) exist only with this set before
    # moto builds an IAM backend (design.md §4).
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    # ... but not EC2's ~1,400 public AMIs and their snapshots: no exercise launches an
    # instance, and they cost 70 ms of CPU for each account's EC2 backend in each region
    # and most of every snapshot and save of an account that uses a VPC.
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    # MOTO_ACCOUNT_ID would override the per-learner account of every request.
    os.environ.pop("MOTO_ACCOUNT_ID", None)
    # moto builds boto3 sessions (to list regions); they must never read a real profile,
    # config or credentials of the machine.
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(variable, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    # moto would try Docker for Lambda; the gateway runs code itself.
    os.environ.setdefault("MOTO_DOCKER_NETWORK_MODE", "none")


def _quiet_request_handler(socket_timeout_s: float) -> Any:
    """werkzeug's request handler without a log line per request (errors still logged),
    whose socket reads and writes time out instead of holding a thread forever."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietRequestHandler(WSGIRequestHandler):
        timeout = socket_timeout_s

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

    return QuietRequestHandler


class Sandbox:
    """One moto + gateway server for any number of isolated learner accounts."""

    def __init__(
        self,
        *,
        region: str = DEFAULT_REGION,
        work_dir: Path | None = None,
        default_learner: str = DEFAULT_LEARNER,
        async_engine: Callable[[ExtrasStore], AsyncEngine] | None = None,
        time_scale: float | None = None,
        keys_dir: Path | None = None,
        socket_timeout_s: float = SOCKET_TIMEOUT_S,
    ) -> None:
        """``async_engine`` builds the engine that runs asynchronous invocations (given the
        gateway's Lambda state); default: lambdasim's LiveAsyncEngine, whose simulated time
        runs ``time_scale`` times faster than real time (None: LABTUI_SANDBOX_TIME_SCALE,
        else 60). ``async_engine=RunOnceEngine`` runs each event once, no retries.
        Learners' secret keys live in ``keys_dir`` (default: the data directory's
        sandbox/keys), so every process of one learner signs with the same secret."""
        self.region = region
        self._async_engine_factory = async_engine
        self.time_scale = time_scale
        self.default_learner = default_learner
        self._owns_work_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="labtui-sandbox-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.keys_dir = keys_dir or default_keys_dir()
        self.socket_timeout_s = socket_timeout_s
        self.credentials = CredentialRegistry()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._learners: dict[str, LearnerAccount] = {}
        self._learners_lock = threading.Lock()
        self.gateway: Gateway | None = None
        self.invoker: InvokeService | None = None
        self.pool: EnvironmentPool | None = None
        self.extras: ExtrasStore | None = None
        self.engine: AsyncEngine | None = None
        self.event_sources: LiveEventSources | None = None
        self.notifications: AsyncNotifications | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self, port: int = 0) -> Sandbox:
        """Serve on 127.0.0.1:``port`` (0 = a free port) in a background thread."""
        if self._server is not None:
            return self
        _prepare_moto_environment()
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        from labtui.account.code_store import CodeStore
        from labtui.account.gateway import Gateway
        from labtui.account.lambda_extras import ExtrasStore
        from labtui.account.lambda_invoke import InvokeService
        from labtui.account.live_async import LiveAsyncEngine
        from labtui.account.s3_requests import S3RequestFixes
        from labtui.account.server_logs import keep_tracebacks_off_screen
        from labtui.account.sqs_requests import SqsRequestChecks
        from labtui.runner.pool import EnvironmentPool

        self.extras = ExtrasStore.shared()
        self.pool = EnvironmentPool({}, work_root=self._subdir("environments"))
        if self._async_engine_factory is None:
            self.engine = LiveAsyncEngine(self.extras, self.time_scale)
        else:
            self.engine = self._async_engine_factory(self.extras)
        self.invoker = InvokeService(
            self.pool,
            CodeStore(self._subdir("code")),
            self.extras,
            self.engine,
            self.child_env_for_account,
        )
        s3_namespace.install()
        lambda_policy_shape.install()
        managed_policies.install()
        model_tracking.install()
        # S3 requests AWS accepts but moto asserts on are fixed first (s3_requests.py), SQS
        # attribute values moto would crash on or accept are refused as SQS refuses them
        # (sqs_requests.py); whatever still fails inside moto never prints a traceback
        # (server_logs.py).
        keep_tracebacks_off_screen()
        moto_app = S3RequestFixes(
            SqsRequestChecks(DomainDispatcherApplication(create_backend_app)))
        self.gateway = Gateway(moto_app, self.extras, self.invoker, self.credentials)
        self.gateway.on_function_changed = self._discard_environments
        self.invoker.state_lock = self.gateway.state_lock
        if isinstance(self.engine, LiveAsyncEngine):
            from labtui.account.live_esm import LiveEventSources
            from labtui.account.live_triggers import AsyncNotifications

            self.engine.attach(self.invoker)  # configuration and credentials at invoke time
            # SQS mappings run on lambdasim's pollers in the same worlds (R-4.1-R-4.7).
            self.event_sources = LiveEventSources(self.engine, self.invoker)
            moto_triggers.watch_event_sources(self.event_sources)
            self.gateway.event_sources = self.event_sources
            # S3 and SNS notifications become asynchronous invocations.
            self.notifications = AsyncNotifications(self.engine, self.invoker)
            moto_triggers.route_notifications(self.notifications)
        self.gateway.on_control = self.control
        moto_triggers.activate(self.invoker)
        try:
            self._server = make_server(
                LOOPBACK,
                port,
                self.gateway,
                threaded=True,
                request_handler=_quiet_request_handler(self.socket_timeout_s),
            )
        except OSError as error:
            raise LabError(f"cannot listen on {LOOPBACK}:{port}: {error.strerror}") from error
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="labtui-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        close = getattr(self.engine, "close", None)
        if close is not None:
            close()  # no asynchronous attempt starts while the rest goes away
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.invoker is not None:
            moto_triggers.deactivate(self.invoker)
        if self.notifications is not None:
            moto_triggers.unroute_notifications(self.notifications)
            self.notifications = None
        if self.event_sources is not None:
            moto_triggers.unwatch_event_sources(self.event_sources)
            self.event_sources.shutdown()
            self.event_sources = None
        if self.pool is not None:
            # Running handlers end first: the engine's workers then finish their attempts
            # at once instead of holding shutdown up to 5 s per account (Ctrl-C with
            # asynchronous invocations in flight).
            self.pool.shutdown()
        if self.engine is not None:
            self.engine.shutdown()
        if self.pool is not None:
            self.pool.shutdown()  # whatever an attempt started meanwhile
        if self._owns_work_dir:
            remove_tree(self.work_dir)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses and accounts -----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise LabError("the sandbox is not running")
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def learner(self, learner_id: str | None = None) -> LearnerAccount:
        """The isolated account of ``learner_id`` (the default learner when None)."""
        from labtui.account.learner import LearnerAccount

        learner_id = learner_id or self.default_learner
        with self._learners_lock:
            if learner_id not in self._learners:
                self._learners[learner_id] = LearnerAccount(self, learner_id)
            return self._learners[learner_id]

    def identity(self, learner_id: str) -> LearnerIdentity:
        """``learner_id``'s key and secret (from the keys directory), now accepted here."""
        identity = learner_identity(learner_id, self.keys_dir)
        self.credentials.add_learner(identity)
        return identity

    def env(self, learner_id: str | None = None) -> dict[str, str]:
        """Environment variables that point a CLI or SDK at ``learner_id``'s account."""
        return self.learner(learner_id).env()

    def child_env_for_account(self, account_id: str) -> dict[str, str]:
        """What a handler of ``account_id`` gets: the endpoint and temporary credentials
        that act in that account only (as Lambda hands a runtime its role's credentials)."""
        from labtui.account.aws_access import SandboxTarget, handler_environment

        session = self.credentials.execution_credentials(account_id)
        target = SandboxTarget(self.endpoint_url, self.region, session.access_key_id,
                               session.secret_access_key, session.session_token)
        return handler_environment(target)

    def control(self, account_id: str, action: str, arguments: dict[str, Any]) -> Any:
        """``labtui sandbox snapshot|restore|reset|snapshots`` for the caller's own account
        (reached through the gateway at /labtui-api/<action>)."""
        from labtui.account.wsgi import aws_error, json_response

        with self._learners_lock:
            learners = [a for a in self._learners.values() if a.account_id == account_id]
        learner = learners[0] if learners else None
        if learner is None and account_id == self.identity(self.default_learner).account_id:
            learner = self.learner()
        if learner is None:
            return aws_error(404, "ResourceNotFoundException", "no learner uses this account")
        name = str(arguments.get("name", ""))
        try:
            if action == "snapshot" and name:
                learner.snapshot(name)
            elif action == "restore" and name:
                learner.restore(name)
            elif action == "reset":
                learner.reset()
            elif action != "snapshots":
                return aws_error(400, "InvalidParameterValueException", f"bad call: {action}")
        except LabError as error:
            return aws_error(404, "ResourceNotFoundException", error.message)
        return json_response(200, {"snapshots": learner.snapshots()})

    def wait_for_async(self, timeout: float = 30.0) -> None:
        """Wait until the asynchronous invocations accepted so far have run."""
        wait = getattr(self.engine, "wait_idle", None)
        if wait is not None:
            wait(timeout)

    # --- internals -----------------------------------------------------------------------

    def _subdir(self, name: str) -> Path:
        path = self.work_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _discard_environments(self, account_id: str, function_name: str) -> None:
        if self.pool is not None:
            self.pool.discard(
                lambda config: (
                    config.account_id == account_id and config.function_name == function_name
                )
            )
