"""Why a run stopped before its world settled, in one sentence a learner can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labtui.lambdasim.simulation import Simulation


def cut_short(sim: Simulation, reason: str) -> str:
    """What was cut (time reached, work left) and why (the stop reason, and what in the
    world keeps making events: blocked shards, messages returning without a DLQ)."""
    engine = sim.engine
    if reason.startswith("livelock"):
        return reason
    causes: list[str] = []
    for poller in sim.stream_pollers:
        for lanes in poller.slots.values():
            for slot in lanes:
                if slot.work and slot.invokes > 1:
                    retries = (
                        "-1 (infinite)"
                        if poller.spec.max_retries == -1
                        else str(poller.spec.max_retries)
                    )
                    causes.append(
                        f"stream '{poller.stream.name}' {slot.shard.shard_id} is blocked by a "
                        f"failing batch tried {slot.invokes:,} times (MaximumRetryAttempts "
                        f"{retries}, R-4.10)"
                    )
    for name, queue in sim.queues.items():
        if queue.spec.redrive is None and len(queue):
            worst = max((m.receive_count for m in queue.first_messages(1000)), default=0)
            if worst > 1:
                causes.append(
                    f"queue '{name}' has {len(queue):,} messages coming back (received up to "
                    f"{worst:,} times, no redrive policy)"
                )
    why = "; ".join(causes[:3]) or "traffic and retries were still being processed"
    return (
        f"{reason} at simulated t={engine.now:,.3f} s with {engine.pending_events:,} events "
        f"still pending: {why}. Raise the budget with --max-events N (or max_events: in the "
        "scenario), or bound the run with run_until_s"
    )
