"""Measure what a learner's handler does across one execution environment's lifetime.

Used by behaviour checks about the execution lifecycle (R-6.1, R-6.2, R-12.2) and about
secrets (R-8.6). Two instruments, both observing the learner's real code as deployed in
the graded account:

* :func:`run_in_one_environment` runs the deployed code in ONE fresh execution
  environment (the runner's, so Init happens once and later calls are warm) with a small
  probe wrapped around the handler. The probe counts SDK clients the code builds
  (``botocore`` ``Session.create_client``, which ``boto3.client`` and ``boto3.resource``
  both go through) and the data files it opens from its own code directory (a
  configuration load: ``open("config.json")``, ``Path.read_text``; imports are not
  counted), and prints the running totals after every invocation; they are read back from
  each invocation's log. Nothing in the learner's source is inspected.
* :func:`count_backend_calls` counts requests the sandbox itself serves (a moto backend
  method, e.g. Secrets Manager ``get_secret_value``) for one account while a block runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import statistics
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labtui.errors import LabError
from labtui.grading.context import GradingContext
from labtui.grading.results import TraceRow

PROBE_MODULE = "labtui_lifecycle_probe"
PROBED_HANDLER_VARIABLE = "LABTUI_PROBED_HANDLER"
_PROBE_LINE = re.compile(r"\[labtui-probe\] clients=(?P<clients>\d+) files=(?P<files>\d+)")

_PROBE_SOURCE = f'''"""labtui grading probe: counts SDK clients built and data files read by the handler
module (this file is the grader's, not yours)."""
import builtins
import importlib
import io
import os

import botocore.session

_built = [0]
_files = [0]
_create_client = botocore.session.Session.create_client
_open = io.open
_task_root = os.path.realpath(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())


def _counting_create_client(self, *args, **kwargs):
    _built[0] += 1
    return _create_client(self, *args, **kwargs)


def _counting_open(file, *args, **kwargs):
    # A data file in the function's own code (config.json): one configuration load.
    if isinstance(file, (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(file))
        if path.startswith(_task_root + os.sep) and not path.endswith((".py", ".pyc")):
            _files[0] += 1
    return _open(file, *args, **kwargs)


botocore.session.Session.create_client = _counting_create_client
builtins.open = _counting_open
io.open = _counting_open
_module_name, _, _function_name = os.environ["{PROBED_HANDLER_VARIABLE}"].rpartition(".")
_learner_handler = getattr(importlib.import_module(_module_name), _function_name)


def handler(event, context):
    try:
        return _learner_handler(event, context)
    finally:
        print("[labtui-probe] clients=%d files=%d" % (_built[0], _files[0]), flush=True)
'''


@dataclass(frozen=True)
class ProbedCall:
    """One invocation inside the probed environment."""

    event: Any
    result: Any  # labtui.runner.InvokeResult
    clients_so_far: int | None  # SDK clients built since Init began (None: probe silent)
    files_so_far: int | None = None  # data files read from the code directory since Init

    @property
    def cold(self) -> bool:
        return self.result.init_duration_ms is not None

    @property
    def body(self) -> Any:
        try:
            return self.result.json()
        except ValueError:
            return None


@dataclass
class EnvironmentRun:
    """Every call served by one execution environment, in order."""

    function: str
    calls: list[ProbedCall] = field(default_factory=list)

    @property
    def clients_built(self) -> int | None:
        """SDK clients built over the environment's whole life (Init + every call)."""
        counts = [c.clients_so_far for c in self.calls if c.clients_so_far is not None]
        return max(counts) if counts else None

    @property
    def clients_built_while_warm(self) -> int | None:
        """Clients built during warm calls only (after the first, cold call)."""
        if not self.calls or self.calls[0].clients_so_far is None or self.clients_built is None:
            return None
        return self.clients_built - self.calls[0].clients_so_far

    @property
    def files_read(self) -> int | None:
        """Data files read from the code directory over the environment's whole life."""
        counts = [c.files_so_far for c in self.calls if c.files_so_far is not None]
        return max(counts) if counts else None

    @property
    def files_read_while_warm(self) -> int | None:
        """Data files read during warm calls only (a configuration load repeated per call)."""
        if not self.calls or self.calls[0].files_so_far is None or self.files_read is None:
            return None
        return self.files_read - self.calls[0].files_so_far

    @property
    def errors(self) -> list[ProbedCall]:
        return [c for c in self.calls if c.result.function_error]

    def warm_median_ms(self) -> float | None:
        warm = [c.result.duration_ms for c in self.calls if not c.cold]
        return float(statistics.median(warm)) if warm else None


def in_process_sandbox(ctx: GradingContext) -> Any:
    """The sandbox serving the graded account, when it runs in this process. Checks that
    watch the sandbox from inside (its runner, its moto backends) need it; a sandbox
    served by another process (``--live`` against ``labtui sandbox serve``) cannot be
    watched, and guessing would grade wrongly, so that is an error with a clear way out."""
    sandbox = getattr(ctx.account, "sandbox", None)
    if getattr(sandbox, "invoker", None) is None:
        raise LabError(
            f"{ctx.manifest.id} watches your code run inside the sandbox, which only works "
            f"when the checker runs the sandbox itself: use labtui check {ctx.manifest.id} "
            "(a fresh account) or check from the TUI"
        )
    return sandbox


def _resolved(ctx: GradingContext, function: str) -> tuple[Any, Any, Path, dict[str, str]]:
    invoker = in_process_sandbox(ctx).invoker
    try:
        resolved = invoker.resolve(ctx.account_id, ctx.region, function, None)
    except LookupError:
        return None, invoker, Path(), {}
    code_dir = invoker.code_store.directory(resolved.zip_bytes, ctx.account_id)
    return resolved, invoker, Path(code_dir), dict(invoker.child_env_for(ctx.account_id))


def run_in_one_environment(
    ctx: GradingContext,
    function: str,
    events: Sequence[Any],
    after_each: Callable[[ProbedCall], None] | None = None,
) -> EnvironmentRun | None:
    """Run ``function``'s deployed ``$LATEST`` code for ``events`` in one new environment:
    the first call is cold (Init runs the module once, R-6.1), the rest are warm (R-6.2).
    ``after_each`` sees every call as soon as it ends (e.g. to read a counter).
    Returns None when the function does not exist."""
    from labtui.runner.environment import ExecutionEnvironment

    resolved, invoker, code_dir, sandbox_env = _resolved(ctx, function)
    if resolved is None:
        return None
    # Attached layers go on the path after the function's own code, as the gateway does.
    layer_dirs = tuple(str(invoker.code_store.directory(z, ctx.account_id))
                       for z in getattr(resolved, "layer_zips", ()))
    scratch = Path(tempfile.mkdtemp(prefix="labtui-probe-"))
    run = EnvironmentRun(function)
    environment = None
    try:
        task_root = scratch / "task"
        shutil.copytree(code_dir, task_root)
        (task_root / f"{PROBE_MODULE}.py").write_text(_PROBE_SOURCE, encoding="utf-8")
        config = resolved.config
        probed = dataclasses.replace(
            config,
            handler=f"{PROBE_MODULE}.handler",
            environment={**config.environment, PROBED_HANDLER_VARIABLE: config.handler},
            layer_dirs=layer_dirs,
        )
        environment = ExecutionEnvironment(probed, task_root, sandbox_env, work_root=scratch)
        for event in events:
            result = environment.invoke(event)
            clients, files = _counts_from_log(result.log)
            call = ProbedCall(event, result, clients, files)
            run.calls.append(call)
            if after_each is not None:
                after_each(call)
            ctx.trace.append(_trace_row(ctx, function, result))
    finally:
        if environment is not None:
            environment.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)
    return run


def _counts_from_log(log: str) -> tuple[int | None, int | None]:
    matches = list(_PROBE_LINE.finditer(log))
    if not matches:
        return None, None
    return int(matches[-1].group("clients")), int(matches[-1].group("files"))


def _trace_row(ctx: GradingContext, function: str, result: Any) -> TraceRow:
    cold = result.init_duration_ms is not None
    return TraceRow(
        t_s=float(len(ctx.trace)),
        function=function,
        version=str(result.executed_version),
        environment=str(result.environment_id)[:8],
        request_id=str(result.request_id),
        attempt=1,
        outcome="error" if result.function_error else "success",
        duration_ms=round(float(result.duration_ms), 1),
        detail=("cold start" if cold else "warm") + f" {function}",
    )


# --- requests the sandbox serves ----------------------------------------------------------


@dataclass
class BackendCallCounter:
    """Calls of one moto backend method made for one account while the block ran."""

    account_id: str
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.calls)


@contextlib.contextmanager
def count_backend_calls(
    ctx: GradingContext, backend_class: type, method: str
) -> Iterator[BackendCallCounter]:
    """Count ``backend_class.method`` calls served for the graded account (in-process
    sandbox). Calls for other accounts pass through uncounted."""
    in_process_sandbox(ctx)
    counter = BackendCallCounter(ctx.account_id)
    original = getattr(backend_class, method)

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        if str(getattr(self, "account_id", "")) == counter.account_id:
            with counter._lock:
                counter.calls.append(tuple(args) + tuple(kwargs.values()))
        return original(self, *args, **kwargs)

    setattr(backend_class, method, counting)
    try:
        yield counter
    finally:
        setattr(backend_class, method, original)
