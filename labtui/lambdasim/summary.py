"""The outcome of a simulation in numbers (what ``labtui simulate`` prints)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtui.lambdasim.simulation import Simulation


@dataclass
class Summary:
    """Counters over the whole run; ``per_function_max_concurrency`` by function name.

    ``invocations`` counts executions (what Lambda bills; throttles are not
    invocations). ``retries`` counts async retries after function errors (R-3.2) and
    stream batch retries (R-4.10, R-4.12) that ran: a retry planned but never run,
    because the event or its records expired first (R-3.4, R-4.10), is not counted;
    throttle backoffs and bisected halves (R-4.11) are not retries. ``sqs_deleted``
    counts each message once, however many times it was received.
    ``async_failed`` includes dropped events.

    A plain dataclass (``vars(summary)`` and ``as_dict()`` both work)."""

    simulated_seconds: float
    invocations: int
    successes: int
    errors: int
    timeouts: int
    throttles: int
    system_errors: int
    retries: int
    cold_starts: int
    warm_starts: int
    provisioned_starts: int
    max_concurrency: int
    dlq_deliveries: int
    destination_deliveries: int
    dropped: int
    duplicates: int
    sqs_deleted: int
    sqs_redriven: int
    sqs_filtered: int
    delivery_failures: int
    recursion_stopped: int
    stream_records_skipped: int
    async_succeeded: int
    async_failed: int
    async_in_flight: int
    gb_seconds: float
    cost_usd: float
    per_function_max_concurrency: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(sim: Simulation) -> Summary:
    counters = sim.engine.counters
    invoker = sim.async_invoker
    cost = sim.cost()
    on_demand_gb_s, provisioned_gb_s = sim.engine.gb_seconds()
    return Summary(
        simulated_seconds=sim.now,
        invocations=counters.invocations,
        successes=counters.successes,
        errors=counters.errors,
        timeouts=counters.timeouts,
        throttles=counters.throttles,
        system_errors=counters.system_errors,
        retries=counters.retries,
        cold_starts=counters.cold_starts,
        warm_starts=counters.warm_starts,
        provisioned_starts=counters.provisioned_starts,
        max_concurrency=counters.max_concurrency,
        dlq_deliveries=counters.dlq_deliveries,
        destination_deliveries=counters.destination_deliveries,
        dropped=counters.dropped,
        duplicates=counters.duplicates,
        sqs_deleted=counters.sqs_deleted,
        sqs_redriven=counters.sqs_redriven,
        sqs_filtered=counters.sqs_filtered,
        delivery_failures=counters.delivery_failures,
        recursion_stopped=counters.recursion_stopped,
        stream_records_skipped=counters.stream_records_skipped,
        async_succeeded=invoker.succeeded,
        async_failed=invoker.failed,
        async_in_flight=invoker.submitted - invoker.succeeded - invoker.failed,
        gb_seconds=round(
            sum(on_demand_gb_s.values()) + sum(provisioned_gb_s.values()),
            6,
        ),
        cost_usd=round(cost.total_usd, 6),
        per_function_max_concurrency={
            name: fn.max_concurrency for name, fn in sim.engine.functions.items()
        },
    )
