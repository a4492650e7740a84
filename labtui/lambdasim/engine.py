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

import random
from collections.abc import Callable
from heapq import heappop, heappush
from itertools import repeat
from math import ceil
from typing import Any

from labtui import facts
from labtui.lambdasim.behaviour import (
    EnvironmentInfo,
    HandlerResult,
    InitResult,
    InvocationContext,
)
from labtui.lambdasim.clock import Clock, VirtualClock, snap
from labtui.lambdasim.config import LATEST, EngineOptions
from labtui.lambdasim.outcomes import (
    apply_faults,
    init_failure,
    killed,
    system_fault_active,
    timed_out,
)
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
# Completions carry sequence numbers this far below every other event's, so that at the
# same instant they run first: a completion at t frees its environment before anything
# else at t (an arrival, a poll, a retry) looks for one. One convention for every source.
_COMPLETIONS_FIRST = 1 << 62
_UNLIMITED = 1 << 62


class RunStopped(Exception):
    """Raised inside a run by a component that found it can never settle (a livelock);
    :meth:`Engine.run` stops and keeps the reason in ``Engine.stop_reason``."""


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
        self._idle_reclaim_s = self.options.idle_reclaim_s  # options are frozen
        self._on_complete = self._complete  # one bound method, not one per invocation
        self.on_complete = self._on_complete  # traffic generators recognise completions by it
        self.clock: Clock = clock or VirtualClock()
        self.rng = random.Random(seed)
        self.now = 0.0
        self._heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self.heap = self._heap  # read by traffic generators (is anything due before t?)
        self.limit = float("inf")  # the running run's ``until``
        self.stop_reason = ""  # why the last run stopped early ("" = it did not)
        # Events traffic generators may still process inline, outside the loop (the run's
        # max_events budget counts them too; see CallGenerator).
        self.inline_allowance = _UNLIMITED
        self._seq = 0
        self.sink = trace
        self.tracing = trace is not None
        self.counters = Counters()
        self.functions: dict[str, FunctionState] = {}
        self.account_concurrency = account_concurrency
        self.total_reserved = 0
        self.unreserved_used = 0  # on-demand busy + provisioned of unreserved functions
        self.busy_total = 0
        self.running = False
        self.versions_ever: list[VersionState] = []  # for billing, incl. replaced $LATEST
        self._env_count = 0
        self._request_count = 0
        tail = f"{self.rng.getrandbits(88):022x}"
        self._request_prefix = f"-{tail[:4]}-4{tail[4:7]}-8{tail[7:10]}-{tail[10:22]}"

    # ------------------------------------------------------------------ scheduling
    def schedule(self, at: float, callback: Callable[[Any], None], arg: Any = None) -> None:
        """Run ``callback(arg)`` at simulated time ``at`` (never before now).

        Events at the same instant run in the order they were scheduled, except that
        invocation completions go before all others (see ``_COMPLETIONS_FIRST``)."""
        self._seq += 1
        heappush(self._heap, (at if at > self.now else self.now, self._seq, callback, arg))

    def run(self, until: float | None = None, max_events: int | None = None) -> bool:
        """Process events in time order until none is left, the next is after ``until``, or
        ``max_events`` were processed. Returns False if stopped early: by ``max_events`` (a
        run that would not settle, e.g. a shard blocked forever by infinite retries, R-4.10)
        or by a component raising :class:`RunStopped`; ``stop_reason`` then says why."""
        heap = self._heap
        pop = heappop
        budget = -1 if max_events is None else max_events
        self.running = True
        self.stop_reason = ""
        limit = float("inf") if until is None else until
        self.limit = limit
        try:
            if self.clock.realtime:
                wait = self.clock.wait_until
                while heap and heap[0][0] <= limit:
                    if budget == 0:
                        self.stop_reason = f"max_events ({max_events:,}) reached"
                        return False
                    budget -= 1
                    at, _, callback, arg = pop(heap)
                    wait(at)
                    self.now = at
                    callback(arg)
            elif until is not None or max_events is not None:
                # Events are counted in chunks (``repeat`` counts in C), with the events
                # traffic generators process inline taken from ``inline_allowance``, so
                # the budget holds to within one chunk.
                remaining = -1 if max_events is None else max_events
                while True:
                    chunk = 65_536 if remaining < 0 else min(remaining, 1_024)
                    allowance = _UNLIMITED if remaining < 0 else remaining - chunk
                    self.inline_allowance = allowance
                    for _ in repeat(None, chunk):
                        if not heap:
                            break
                        at, seq, callback, arg = pop(heap)
                        if at > limit:
                            heappush(heap, (at, seq, callback, arg))
                            break
                        self.now = at
                        callback(arg)
                    else:
                        if remaining >= 0:
                            remaining -= chunk + allowance - self.inline_allowance
                            if remaining <= 0 and heap and heap[0][0] <= limit:
                                self.stop_reason = f"max_events ({max_events:,}) reached"
                                return False
                        continue
                    break
            else:
                while heap:  # the virtual clock without limits: the fastest loop
                    at, _, callback, arg = pop(heap)
                    self.now = at
                    callback(arg)
        except RunStopped as stopped:
            self.stop_reason = str(stopped)
            return False
        finally:
            self.running = False
            self.limit = float("inf")
            self.inline_allowance = _UNLIMITED
        if until is not None and until > self.now:
            self.now = until
        return True

    @property
    def pending_events(self) -> int:
        return len(self._heap)

    def next_event_time(self) -> float | None:
        """When the next event is due (None when nothing is scheduled)."""
        return self._heap[0][0] if self._heap else None

    def new_request_id(self) -> str:
        """A UUID-shaped id: a counter first (readable in timelines), then seed-derived hex."""
        self._request_count += 1
        return f"{self._request_count:08x}{self._request_prefix}"

    def emit(self, event: TraceEvent) -> None:
        if self.sink is not None:
            self.sink.add(event)

    def gb_seconds(self) -> tuple[dict[str, float], dict[str, float]]:
        """Billed GB-seconds by architecture: (on-demand, on provisioned environments)."""
        on_demand = {"x86_64": 0.0, "arm64": 0.0}
        provisioned = {"x86_64": 0.0, "arm64": 0.0}
        for version in self.versions_ever:
            on_demand[version.arch] += version.billed_on_demand_ms * version.gb_per_ms
            provisioned[version.arch] += version.billed_provisioned_ms * version.gb_per_ms
        return on_demand, provisioned

    # ------------------------------------------------------------------ functions
    def function(self, name: str) -> FunctionState:
        state = self.functions.get(name)
        if state is None:
            raise not_found(
                f"Function not found: arn:aws:lambda:{self.options.region}:"
                f"{self.options.account_id}:function:{name}"
            )
        return state

    def check_qualifier(self, fn: FunctionState, qualifier: str | None) -> None:
        """ResourceNotFoundException unless ``qualifier`` names $LATEST, a version or an alias
        of ``fn`` (the Invoke and CreateEventSourceMapping APIs check before anything runs)."""
        if qualifier is None or qualifier == LATEST:
            return
        if qualifier not in fn.versions and qualifier not in fn.aliases:
            raise not_found(f"Function not found: {fn.arn}:{qualifier}")

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
        """Start one invocation now; return a throttle Reason instead if it cannot start.

        This is the hot path of every simulation: it is written flat on purpose.
        """
        now = self.now
        version = fn.latest_version if qualifier is None else self.resolve(fn, qualifier)
        if fn.faults and system_fault_active(fn, now):
            self.counters.system_errors += 1
            self.trace_throttle(fn, version, request_id, attempt, SYSTEM_ERROR)
            return SYSTEM_ERROR
        env: Environment | None = None
        init_ms = 0.0
        init_failed = False
        result: HandlerResult | None = None
        if fn.provisioned:
            pools = fn.provisioned.get(qualifier or LATEST)
            idle_pool = pools.get(version.name) if pools is not None else None
            if idle_pool:
                env = idle_pool.pop()  # provisioned environments serve first, warm
                fn.busy_provisioned += 1
                self.counters.provisioned_starts += 1
        if env is None:
            # the reserved cap (0 = always throttled): the account pool.
            reserved = fn.reserved
            if reserved is not None:
                if fn.busy_on_demand + fn.provisioned_total >= reserved:
                    self.trace_throttle(fn, version, request_id, attempt, RESERVED_LIMIT)
                    return RESERVED_LIMIT
            elif self.unreserved_used >= self.account_concurrency - self.total_reserved:
                self.trace_throttle(fn, version, request_id, attempt, ACCOUNT_LIMIT)
                return ACCOUNT_LIMIT
            else:
                self.unreserved_used += 1
            fn.busy_on_demand += 1
            idle = version.idle
            if idle and idle[0].last_used > now - self._idle_reclaim_s:
                env = idle.pop()  # warm start on the most recently used environment
                self.counters.warm_starts += 1
            else:
                env = self._warm_environment(version, now)
                if env is not None:
                    self.counters.warm_starts += 1
                else:
                    cold = self._cold_environment(fn, version, now, request_id, attempt)
                    if isinstance(cold, str):
                        return cold
                    env, init = cold
                    init_ms = init.duration_ms
                    if init.error_type is not None:  # the invocation fails in Init
                        init_failed = True
                        result = init_failure(init.error_type, init.error_message, request_id)
        fast = version.fast_ok
        if result is None and fast is not None and not init_ms and not fn.faults:
            # The common case (a fixed-duration model that never fails, within the timeout
            # and memory): the result is known and nothing needs checking.
            result = fast
            status = "ok"
            seconds = version.fast_seconds
        else:
            if result is None:
                model = version.model
                if model is not None:
                    result = model.invoke(env.info, event, None)
                else:
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
                    result = apply_faults(fn, now, result)
            duration = result.duration_ms
            status = result.status
            if init_ms > _INIT_LIMIT_MS and env.pool is None:
                # Init is cut at 10 s and run again inside the invoke phase,
                # where it counts against the function timeout.
                duration += init_ms
                init_ms = _INIT_LIMIT_MS
            timeout_ms = version.timeout_ms
            if status == "timeout" or duration > timeout_ms:
                status = "timeout"
                duration = timeout_ms
                result = timed_out(request_id, timeout_ms, result)
            elif result.max_memory_mb > version.memory_mb:
                status = "crash"
                result = killed(request_id, version.memory_mb, result)
            seconds = snap((init_ms + duration) / 1000.0)
        inv = Invocation(
            fn,
            version,
            qualifier,
            event,
            request_id,
            attempt,
            on_done,
            tag,
            env,
            now,
            init_ms,
            result,
            status,
            init_failed,
        )
        busy_total = self.busy_total + 1
        self.busy_total = busy_total
        counters = self.counters
        if busy_total > counters.max_concurrency:
            counters.max_concurrency = busy_total
        busy = fn.busy_on_demand + fn.busy_provisioned
        if busy > fn.max_concurrency:
            fn.max_concurrency = busy
        self._seq += 1
        heappush(
            self._heap, (now + seconds, self._seq - _COMPLETIONS_FIRST, self._on_complete, inv)
        )
        return None

    def _cold_environment(
        self,
        fn: FunctionState,
        version: VersionState,
        now: float,
        request_id: str,
        attempt: int,
    ) -> tuple[Environment, InitResult] | str:
        """A new environment and its Init phase, or a throttle if scaling is too fast."""
        if now >= fn.scale_window_start + 10.0:
            fn.scale_window_start = now
            fn.scale_window_count = 0
        if fn.scale_window_count >= facts.SCALE_ENVS_PER_10S:
            self._release_admission(fn)
            self.trace_throttle(fn, version, request_id, attempt, SCALING_LIMIT)
            return SCALING_LIMIT
        fn.scale_window_count += 1
        env = self.new_environment(version, None)
        self.counters.cold_starts += 1
        return env, version.backend.start_environment(env.info)

    def _complete(self, inv: Invocation) -> None:
        fn = inv.function
        env = inv.env
        version = inv.version
        status = inv.status
        pool = env.pool
        duration = inv.result.duration_ms
        # billed per 1 ms. Since 1 August 2025 an on-demand cold start also bills its
        # Init phase (curriculum M05), so the REPORT line's Billed Duration includes it.
        # Provisioned environments initialise ahead of time under the provisioned charge.
        if pool is None and inv.init_ms:
            duration += inv.init_ms
        billed = ceil(duration) if duration > 0 else 1
        inv.billed_ms = billed
        counters = self.counters
        counters.invocations += 1
        self.busy_total -= 1
        if status == "ok":
            counters.successes += 1
            reset = inv.init_failed
        else:
            counters.errors += 1
            if status == "timeout":
                counters.timeouts += 1
            elif status == "crash":
                counters.crashes += 1
            reset = status == "timeout" or status == "crash" or inv.init_failed
        if pool is None:
            version.billed_on_demand_ms += billed
            fn.busy_on_demand -= 1
            if fn.reserved is None:
                self.unreserved_used -= 1
            if reset:  # after a timeout or crash the next invoke is a cold start
                version.backend.stop_environment(env.info)
            else:
                env.last_used = self.now
                version.idle.append(env)
        else:
            version.billed_provisioned_ms += billed
            fn.busy_provisioned -= 1
            pool.append(env)  # the service re-initialises a reset provisioned env
        if self.tracing:
            self._trace_invocation(inv)
        inv.on_done(inv)

    def _trace_invocation(self, inv: Invocation) -> None:
        fn, version, env, result = inv.function, inv.version, inv.env, inv.result
        if inv.init_ms:
            outcome = "error" if inv.init_failed else "success"
            self.emit(
                TraceEvent(
                    inv.start,
                    "init",
                    fn.name,
                    version.name,
                    env.env_id,
                    inv.request_id,
                    inv.attempt,
                    outcome,
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
                _OUTCOME[inv.status],
                result.duration_ms,
                result.error_type or "",
            )
        )

    # ------------------------------------------------------------------ concurrency
    def _release_admission(self, fn: FunctionState) -> None:
        fn.busy_on_demand -= 1
        if fn.reserved is None:
            self.unreserved_used -= 1

    def trace_throttle(
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

    def new_environment(self, version: VersionState, pool: Any) -> Environment:
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


_INIT_LIMIT_MS = facts.INIT_LIMIT_S * 1000.0
_OUTCOME = {"ok": "success", "error": "error", "timeout": "timeout", "crash": "crash"}
