"""Provisioned concurrency: environments initialised ahead on a version or alias (R-5.4).

They serve first and warm; traffic above them spills over to on-demand
environments. They count within the function's reserved concurrency (or keep
the unreserved pool at its minimum, R-5.3), and they are billed for as long as
they are configured (R-10.5) — :class:`ProvisionedAllocation` records that time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from labtui import facts
from labtui.lambdasim.config import LATEST
from labtui.lambdasim.engine import Engine
from labtui.lambdasim.state import Environment, FunctionState
from labtui.lambdasim.trace import TraceEvent
from labtui.lambdasim.validation import check_provisioned, invalid_parameter, not_found


@dataclass(slots=True)
class ProvisionedAllocation:
    """``amount`` environments of one version, configured from ``since`` to ``until``."""

    function: str
    qualifier: str
    version: str
    memory_mb: int
    architecture: str
    amount: int
    since: float
    until: float | None = None

    def gb_seconds(self, now: float) -> float:
        end = now if self.until is None else self.until
        return self.amount * self.memory_mb / 1024.0 * max(0.0, end - self.since)


def allocate(
    engine: Engine, fn: FunctionState, qualifier: str, count: int, existing: int
) -> list[ProvisionedAllocation]:
    """PutProvisionedConcurrencyConfig, replacing ``existing`` environments configured on
    the same qualifier; returns the new allocations (for billing)."""
    check_provisioned(count)
    if qualifier == LATEST:
        raise invalid_parameter(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
            "qualifier",
        )
    split = _split(fn, qualifier, count)
    others = fn.provisioned_total - existing
    if fn.reserved is not None and others + count > fn.reserved:
        raise invalid_parameter(
            "Requested Provisioned Concurrency should not be greater than the "
            "reservedConcurrentExecution for function",
            "provisionedConcurrentExecutions",
        )
    if fn.reserved is None:
        # The unreserved pool must keep its minimum after this allocation.
        allocated = sum(
            f.provisioned_total for f in engine.functions.values() if f.reserved is None
        )
        room = engine.account_concurrency - engine.total_reserved - facts.UNRESERVED_MIN
        if allocated - existing + count > room:
            raise invalid_parameter(
                "Specified ConcurrentExecutions for function is greater than account's "
                f"unreserved concurrency [{room - allocated + existing}].",
                "provisionedConcurrentExecutions",
            )
        engine.unreserved_used += count - existing
    fn.provisioned_total = others + count
    pools: dict[str, deque[Environment]] = {}
    allocations: list[ProvisionedAllocation] = []
    for version_name, amount in split.items():
        version = fn.versions[version_name]
        pool: deque[Environment] = deque()
        for _ in range(amount):
            env = engine.new_environment(version, pool)
            init = version.backend.start_environment(env.info)
            pool.append(env)
            if engine.tracing:
                engine.emit(
                    TraceEvent(
                        engine.now,
                        "provision",
                        fn.name,
                        version_name,
                        env.env_id,
                        "",
                        0,
                        "ready",
                        init.duration_ms,
                    )
                )
        pools[version_name] = pool
        allocations.append(
            ProvisionedAllocation(
                fn.name,
                qualifier,
                version_name,
                version.memory_mb,
                version.arch,
                amount,
                engine.now,
            )
        )
    fn.provisioned[qualifier] = pools
    return allocations


def release(engine: Engine, fn: FunctionState, qualifier: str, configured: int) -> None:
    """DeleteProvisionedConcurrencyConfig: busy environments finish, then are not reused."""
    pools = fn.provisioned.pop(qualifier, None)
    if pools is None:
        return
    for pool in pools.values():
        pool.clear()
    fn.provisioned_total -= configured
    if fn.reserved is None:
        engine.unreserved_used -= configured


def _split(fn: FunctionState, qualifier: str, count: int) -> dict[str, int]:
    """How an alias's environments are shared by its versions (by routing weight)."""
    if qualifier in fn.aliases:
        alias = fn.aliases[qualifier]
        extra = round(count * alias.weight) if alias.additional_version else 0
        split = {alias.version: count - extra}
        if alias.additional_version and extra:
            split[alias.additional_version] = extra
        return split
    if qualifier in fn.versions:
        return {qualifier: count}
    raise not_found(f"Function not found: {fn.arn}:{qualifier}")
