"""The discrete-event core: clock, event heap, environments and concurrency.

Everything that happens is a callback on the heap at a simulated time. The
virtual clock jumps from event to event (six hours of retries take
milliseconds); :class:`ScaledClock` sleeps so that simulated time runs at a
multiple of real time for a live sandbox.

:meth:`Engine.execute` is the one place an invocation starts: it resolves the
qualifier (alias weights, R-9.2), admits it against concurrency (R-5.2–R-5.5),
finds or creates an execution environment (cold or warm, R-6.2), runs the
backend and schedules the completion. Callers (sync, async, pollers) decide
what a result means for them.
"""

from __future__ import annotations

import heapq
import math
import random
import time as _time
from collections.abc import Callable
from typing import Any

from labtui import facts
from labtui.lambdasim.behaviour import EnvironmentInfo, HandlerResult, InvocationContext
from labtui.lambdasim.config import LATEST, EngineOptions
from labtui.lambdasim.state import (
    Counters,
    DoneCallback,
    Environment,
    FunctionState,
    Invocation,
    VersionState,
)
from labtui.lambdasim.trace import TraceEvent, TraceSink
from labtui.lambdasim.validation import not_found

# the Reason of a 429 TooManyRequestsException.
RESERVED_LIMIT = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_LIMIT = "ConcurrentInvocationLimitExceeded"
# simulator convention for exceeding the per-function scaling rate.
SCALING_LIMIT = "FunctionInvocationRateLimitExceeded"
# A simulated Lambda service fault (5xx), retried like a throttle for async.
SYSTEM_ERROR = "ServiceException"


class VirtualClock:
    """Deterministic and instant: time is whatever the next event says."""

    realtime = False

    def wait_until(self, sim_time: float) -> None:
        return None


class ScaledClock:
    """Simulated time runs ``scale`` times faster than real time (60 = a minute a second)."""

    realtime = True

    def __init__(self, scale: float = 60.0) -> None:
        self.scale = scale
        self._origin: float | None = None

    def wait_until(self, sim_time: float) -> None:
        if self._origin is None:
            self._origin = _time.monotonic() - sim_time / self.scale
        delay = self._origin + sim_time / self.scale - _time.monotonic()
        if delay > 0:
            _time.sleep(delay)


Clock = VirtualClock | ScaledClock


class Engine:
    """Heap, clock, seeded randomness, environments, concurrency and counters."""

    def __init__(
        self,
        seed: int = 0,
        *,
        options: EngineOptions | None = None,
        clock: Clock | None = None,
        trace: TraceSink | None = None,
        account_concurrency: int = facts.ACCOUNT_CONCURRENCY_DEFAULT,
    ) -> None:
        self.options = options or EngineOptions()
        self.clock: Clock = clock or VirtualClock()
        self.rng = random.Random(seed)
        self.now = 0.0
        self._heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._seq = 0
        self.sink = trace
        self.tracing = trace is not None
        self.counters = Counters()
        self.functions: dict[str, FunctionState] = {}
        self.account_concurrency = account_concurrency
        self.total_reserved = 0
        self.unreserved_used = 0  # on-demand busy + provisioned of unreserved functions
        self.busy_total = 0
        self._env_count = 0
        self._request_count = 0
        tail = f"{self.rng.getrandbits(88):022x}"
        self._request_prefix = f"-{tail[:4]}-4{tail[4:7]}-8{tail[7:10]}-{tail[10:22]}"

    # ------------------------------------------------------------------ scheduling
    def schedule(self, at: float, callback: Callable[[Any], None], arg: Any = None) -> None:
        """Run ``callback(arg)`` at simulated time ``at`` (never before now)."""
        self._seq += 1
        heapq.heappush(self._heap, (at if at > self.now else self.now, self._seq, callback, arg))

    def run(self, until: float | None = None) -> None:
        """Process events in time order until none is left or the next is after ``until``."""
        heap = self._heap
        pop = heapq.heappop
        wait = self.clock.wait_until if self.clock.realtime else None
        while heap:
            if until is not None and heap[0][0] > until:
                break
            at, _, callback, arg = pop(heap)
            if wait is not None:
                wait(at)
            self.now = at
            callback(arg)
        if until is not None and until > self.now:
            self.now = until

    @property
    def pending_events(self) -> int:
        return len(self._heap)

    def new_request_id(self) -> str:
        """A UUID-shaped id: a counter first (readable in timelines), then seed-derived hex."""
        self._request_count += 1
        return f"{self._request_count:08x}{self._request_prefix}"

    def emit(self, event: TraceEvent) -> None:
        if self.sink is not None:
            self.sink.add(event)

    # ------------------------------------------------------------------ functions
    def function(self, name: str) -> FunctionState:
        state = self.functions.get(name)
        if state is None:
            raise not_found(
                f"Function not found: arn:aws:lambda:{self.options.region}:"
                f"{self.options.account_id}:function:{name}"
            )
        return state

    def resolve(self, fn: FunctionState, qualifier: str | None) -> VersionState:
        """The version an invocation of ``qualifier`` runs (alias weights, R-9.2)."""
        if qualifier is None or qualifier == LATEST:
            return fn.versions[LATEST]
        version = fn.versions.get(qualifier)
        if version is not None:
            return version
        alias = fn.aliases.get(qualifier)
        if alias is None:
            raise not_found(f"Function not found: {fn.arn}:{qualifier}")
        return fn.versions[alias.pick(self.rng)]

    # ------------------------------------------------------------------ execution
    def execute(
        self,
        fn: FunctionState,
        qualifier: str | None,
        event: Any,
        request_id: str,
        attempt: int,
        on_done: DoneCallback,
        tag: Any = None,
    ) -> str | None:
        """Start one invocation now; return a throttle Reason instead if it cannot start."""
        now = self.now
        version = self.resolve(fn, qualifier)
        if fn.faults and self._system_fault(fn, now):
            self.counters.system_errors += 1
            self._trace_throttle(fn, version, request_id, attempt, SYSTEM_ERROR)
            return SYSTEM_ERROR
        env: Environment | None = None
        init_ms = 0.0
        pools = fn.provisioned.get(qualifier or LATEST) if fn.provisioned else None
        if pools is not None:
            idle = pools.get(version.name)
            if idle:
                env = idle.pop()  # provisioned environments serve first, warm
                fn.busy_provisioned += 1
                self.counters.provisioned_starts += 1
        if env is None:
            reason = self._admit(fn)
            if reason is not None:
                self._trace_throttle(fn, version, request_id, attempt, reason)
                return reason
            env = self._warm_environment(version, now)
            if env is None:
                if now >= fn.scale_window_start + 10.0:
                    fn.scale_window_start = now
                    fn.scale_window_count = 0
                if fn.scale_window_count >= facts.SCALE_ENVS_PER_10S:
                    self._release_admission(fn)
                    self._trace_throttle(fn, version, request_id, attempt, SCALING_LIMIT)
                    return SCALING_LIMIT
                fn.scale_window_count += 1
                env = self._new_environment(version, None)
                init = version.backend.start_environment(env.info)
                init_ms = init.duration_ms
                self.counters.cold_starts += 1
                if init.error_type is not None:
                    self._start(
                        fn,
                        version,
                        qualifier,
                        event,
                        request_id,
                        attempt,
                        on_done,
                        tag,
                        env,
                        init_ms,
                        _init_failure(init.error_type, init.error_message, request_id),
                        init_failed=True,
                    )
                    return None
            else:
                self.counters.warm_starts += 1
        context = InvocationContext(
            request_id,
            fn.name,
            version.name,
            fn.qualified_arn(qualifier),
            version.memory_mb,
            int(version.timeout_ms),
            attempt,
            f"/aws/lambda/{fn.name}",
            env.env_id,
        )
        result = version.backend.invoke(env.info, event, context)
        if fn.faults:
            result = self._apply_faults(fn, now, result)
        self._start(
            fn, version, qualifier, event, request_id, attempt, on_done, tag, env, init_ms, result
        )
        return None

    def _start(
        self,
        fn: FunctionState,
        version: VersionState,
        qualifier: str | None,
        event: Any,
        request_id: str,
        attempt: int,
        on_done: DoneCallback,
        tag: Any,
        env: Environment,
        init_ms: float,
        result: HandlerResult,
        init_failed: bool = False,
    ) -> None:
        inv = Invocation(fn, version, qualifier, event, request_id, attempt, on_done, tag)
        inv.env = env
        inv.init_failed = init_failed
        inv.start = self.now
        timeout_ms = version.timeout_ms
        duration = result.duration_ms
        if init_ms > facts.INIT_LIMIT_S * 1000.0 and not env.provisioned:
            # Init is cut at 10 s and run again inside the invoke phase,
            # where it counts against the function timeout.
            duration += init_ms
            init_ms = facts.INIT_LIMIT_S * 1000.0
        status = result.status
        if status == "timeout" or duration > timeout_ms:
            status = "timeout"
            duration = timeout_ms
            result = HandlerResult(
                "timeout",
                duration,
                None,
                "Sandbox.Timedout",
                f"RequestId: {request_id} Error: Task timed out after "
                f"{timeout_ms / 1000.0:.2f} seconds",
                result.max_memory_mb,
                result.logs,
            )
        elif result.max_memory_mb > version.memory_mb:  # killed for memory
            status = "crash"
            result = HandlerResult(
                "crash",
                duration,
                None,
                "Runtime.ExitError",
                f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                version.memory_mb,
                result.logs,
            )
        inv.init_ms = init_ms
        inv.result = result
        inv.status = status
        self.busy_total += 1
        if self.busy_total > self.counters.max_concurrency:
            self.counters.max_concurrency = self.busy_total
        busy = fn.busy_on_demand + fn.busy_provisioned
        if busy > fn.max_concurrency:
            fn.max_concurrency = busy
        self._seq += 1
        heapq.heappush(
            self._heap, (self.now + (init_ms + duration) / 1000.0, self._seq, self._complete, inv)
        )

    def _complete(self, inv: Invocation) -> None:
        fn = inv.function
        env = inv.env
        assert env is not None and inv.result is not None
        version = inv.version
        counters = self.counters
        result = inv.result
        status = inv.status
        billed = math.ceil(result.duration_ms) if result.duration_ms > 0 else 1  # 1 ms
        inv.billed_ms = billed
        counters.invocations += 1
        counters.billed_ms += billed
        arch = version.spec.architecture
        if env.provisioned:
            counters.provisioned_gb_seconds_used[arch] += billed * version.gb_per_ms
        else:
            counters.gb_seconds[arch] += billed * version.gb_per_ms
        if status == "ok":
            counters.successes += 1
        else:
            counters.errors += 1
            if status == "timeout":
                counters.timeouts += 1
            elif status == "crash":
                counters.crashes += 1
        self.busy_total -= 1
        reset = status == "timeout" or status == "crash" or inv.init_failed
        if env.provisioned:
            fn.busy_provisioned -= 1
            assert env.pool is not None
            env.pool.append(env)  # the service re-initialises a reset provisioned env
        else:
            self._release_admission(fn)
            if reset:  # after a timeout the next invoke is a cold start
                version.backend.stop_environment(env.info)
            else:
                env.last_used = self.now
                version.idle.append(env)
        if self.tracing:
            if inv.init_ms:
                self.emit(
                    TraceEvent(
                        inv.start,
                        "init",
                        fn.name,
                        version.name,
                        env.env_id,
                        inv.request_id,
                        inv.attempt,
                        "error" if inv.init_failed else "success",
                        inv.init_ms,
                    )
                )
            self.emit(
                TraceEvent(
                    inv.start + inv.init_ms / 1000.0,
                    "invoke",
                    fn.name,
                    version.name,
                    env.env_id,
                    inv.request_id,
                    inv.attempt,
                    _OUTCOME[status],
                    result.duration_ms,
                    result.error_type or "",
                )
            )
        inv.on_done(inv)

    # ------------------------------------------------------------------ concurrency
    def _admit(self, fn: FunctionState) -> str | None:
        """R-5.3 reserved cap (0 = always throttled), R-5.2 account pool."""
        if fn.reserved is not None:
            if fn.busy_on_demand + fn.provisioned_total >= fn.reserved:
                return RESERVED_LIMIT
        else:
            if self.unreserved_used >= self.account_concurrency - self.total_reserved:
                return ACCOUNT_LIMIT
            self.unreserved_used += 1
        fn.busy_on_demand += 1
        return None

    def _release_admission(self, fn: FunctionState) -> None:
        fn.busy_on_demand -= 1
        if fn.reserved is None:
            self.unreserved_used -= 1

    def _trace_throttle(
        self, fn: FunctionState, version: VersionState, request_id: str, attempt: int, reason: str
    ) -> None:
        if reason != SYSTEM_ERROR:
            self.counters.throttles += 1
        if self.tracing:
            self.emit(
                TraceEvent(
                    self.now,
                    "throttle",
                    fn.name,
                    version.name,
                    "",
                    request_id,
                    attempt,
                    "throttled",
                    0.0,
                    reason,
                )
            )

    # ------------------------------------------------------------------ environments
    def _warm_environment(self, version: VersionState, now: float) -> Environment | None:
        idle = version.idle
        if not idle:
            return None
        limit = now - self.options.idle_reclaim_s
        while idle and idle[0].last_used <= limit:
            self._reclaim(idle.popleft())
        return idle.pop() if idle else None

    def _reclaim(self, env: Environment) -> None:
        env.version.backend.stop_environment(env.info)
        if self.tracing:
            version = env.version
            self.emit(
                TraceEvent(
                    env.last_used + self.options.idle_reclaim_s,
                    "reclaim",
                    version.function.name,
                    version.name,
                    env.env_id,
                )
            )

    def _new_environment(self, version: VersionState, pool: Any) -> Environment:
        self._env_count += 1
        spec = version.spec
        info = EnvironmentInfo(
            f"env-{self._env_count}",
            spec.name,
            version.name,
            spec.memory_mb,
            spec.timeout_s,
            spec.architecture,
            pool is not None,
        )
        return Environment(info.env_id, info, version, pool)

    def _system_fault(self, fn: FunctionState, now: float) -> bool:
        return any(f.kind == "system_error" and f.start_s <= now < f.end_s for f in fn.faults)

    def _apply_faults(self, fn: FunctionState, now: float, result: HandlerResult) -> HandlerResult:
        for fault in fn.faults:
            if not fault.start_s <= now < fault.end_s:
                continue
            if fault.kind == "error":
                result = HandlerResult(
                    "error",
                    result.duration_ms,
                    None,
                    "Exception",
                    "injected fault",
                    result.max_memory_mb,
                )
            elif fault.kind == "timeout":
                result = HandlerResult("timeout", 1e12, None, max_memory_mb=result.max_memory_mb)
            elif fault.kind == "latency":
                result = HandlerResult(
                    result.status,
                    result.duration_ms + fault.extra_ms,
                    result.payload,
                    result.error_type,
                    result.error_message,
                    result.max_memory_mb,
                    result.logs,
                )
        return result


_OUTCOME = {"ok": "success", "error": "error", "timeout": "timeout", "crash": "crash"}
_INIT_ERRORS = frozenset(
    {
        "Runtime.ImportModuleError",
        "Runtime.UserCodeSyntaxError",
        "Runtime.HandlerNotFound",
        "Runtime.InitError",
    }
)


def _init_failure(error_type: str, message: str | None, request_id: str) -> HandlerResult:
    """R-2.8: an Init error fails the invocation; the environment is discarded."""
    kind = error_type if error_type.startswith("Runtime.") else "Runtime.InitError"
    return HandlerResult(
        "error", 0.0, None, kind, message or f"RequestId: {request_id} Error: init failed"
    )
