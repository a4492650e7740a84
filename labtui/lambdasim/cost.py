"""What Lambda charges (R-10, us-east-1 first-tier prices from ``labtui.facts``).

* requests: $0.20 per million (R-10.1);
* duration: GB-seconds = invocations × billed seconds × memory GB (R-10.4),
  priced by architecture (R-10.2);
* provisioned concurrency: configured GB-seconds for as long as it is set,
  plus a lower duration rate for the invocations it serves (R-10.5);
* ephemeral storage above 512 MB per GB-second (R-10.6);
* free tier (optional): 1 M requests and 400,000 GB-s per month, on-demand
  only (R-10.3).

Amounts are floats in USD; round for display (``f"{usd:.2f}"``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from labtui import facts

if TYPE_CHECKING:
    from labtui.lambdasim.simulation import Simulation

DURATION_PRICE = {"x86_64": facts.PRICE_GB_S_X86_USD, "arm64": facts.PRICE_GB_S_ARM_USD}
PROVISIONED_PRICE = {
    "x86_64": facts.PRICE_PROVISIONED_GB_S_X86_USD,
    "arm64": facts.PRICE_PROVISIONED_GB_S_ARM_USD,
}
PROVISIONED_DURATION_PRICE = {
    "x86_64": facts.PRICE_PROVISIONED_DURATION_GB_S_X86_USD,
    "arm64": facts.PRICE_PROVISIONED_DURATION_GB_S_ARM_USD,
}


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Each part of a Lambda bill and the total, in USD."""

    requests: int
    request_usd: float
    gb_seconds: float
    duration_usd: float
    provisioned_gb_seconds: float = 0.0
    provisioned_usd: float = 0.0
    provisioned_duration_usd: float = 0.0
    ephemeral_usd: float = 0.0
    free_tier: bool = False

    @property
    def total_usd(self) -> float:
        return (
            self.request_usd
            + self.duration_usd
            + self.provisioned_usd
            + self.provisioned_duration_usd
            + self.ephemeral_usd
        )

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["total_usd"] = self.total_usd
        return values


def monthly_cost(
    invocations: int,
    billed_duration_ms: float,
    memory_mb: int,
    architecture: str = "x86_64",
    *,
    free_tier: bool = False,
    ephemeral_mb: int = facts.EPHEMERAL_DEFAULT_MB,
    provisioned_concurrency: int = 0,
    provisioned_hours: float = 0.0,
    provisioned_share: float = 0.0,
) -> CostBreakdown:
    """The monthly bill of a steady workload (worked scenario 10).

    ``provisioned_share`` is the fraction of invocations served by the
    ``provisioned_concurrency`` environments configured for ``provisioned_hours``.
    """
    memory_gb = memory_mb / 1024.0
    seconds = invocations * billed_duration_ms / 1000.0
    gb_seconds = seconds * memory_gb
    on_demand_gb_s = gb_seconds * (1.0 - provisioned_share)
    provisioned_used_gb_s = gb_seconds * provisioned_share
    billable_requests = invocations
    if free_tier:
        billable_requests = max(0, invocations - facts.FREE_REQUESTS_PER_MONTH)
        on_demand_gb_s = max(0.0, on_demand_gb_s - facts.FREE_GB_S_PER_MONTH)
    configured_gb_s = provisioned_concurrency * memory_gb * provisioned_hours * 3600.0
    extra_storage_gb = max(0, ephemeral_mb - facts.EPHEMERAL_MIN_MB) / 1024.0
    return CostBreakdown(
        requests=invocations,
        request_usd=billable_requests / 1_000_000 * facts.PRICE_REQUEST_PER_MILLION_USD,
        gb_seconds=gb_seconds,
        duration_usd=on_demand_gb_s * DURATION_PRICE[architecture],
        provisioned_gb_seconds=configured_gb_s,
        provisioned_usd=configured_gb_s * PROVISIONED_PRICE[architecture],
        provisioned_duration_usd=provisioned_used_gb_s * PROVISIONED_DURATION_PRICE[architecture],
        ephemeral_usd=seconds * extra_storage_gb * facts.PRICE_EPHEMERAL_GB_S_USD,
        free_tier=free_tier,
    )


def simulation_cost(sim: Simulation, free_tier: bool = False) -> CostBreakdown:
    """The bill of what a simulation ran: per-invocation billed ms (1 ms granularity, R-6.5)."""
    counters = sim.engine.counters
    on_demand_gb_s, provisioned_gb_s = sim.engine.gb_seconds()
    requests = counters.invocations
    billable_requests = requests
    free_gb_s = float(facts.FREE_GB_S_PER_MONTH) if free_tier else 0.0
    if free_tier:
        billable_requests = max(0, requests - facts.FREE_REQUESTS_PER_MONTH)
    duration_usd = 0.0
    for arch, gb_s in on_demand_gb_s.items():
        covered = min(gb_s, free_gb_s)
        free_gb_s -= covered
        duration_usd += (gb_s - covered) * DURATION_PRICE[arch]
    provisioned_duration_usd = sum(
        gb_s * PROVISIONED_DURATION_PRICE[arch] for arch, gb_s in provisioned_gb_s.items()
    )
    configured = 0.0
    provisioned_usd = 0.0
    for allocation in sim.provisioned_allocations:
        gb_s = allocation.gb_seconds(sim.now)
        configured += gb_s
        provisioned_usd += gb_s * PROVISIONED_PRICE[allocation.architecture]
    ephemeral_usd = 0.0
    for version in sim.engine.versions_ever:  # R-10.6: /tmp above 512 MB
        extra_gb = max(0, version.spec.ephemeral_mb - facts.EPHEMERAL_MIN_MB) / 1024.0
        billed_s = (version.billed_on_demand_ms + version.billed_provisioned_ms) / 1000.0
        ephemeral_usd += extra_gb * billed_s * facts.PRICE_EPHEMERAL_GB_S_USD
    return CostBreakdown(
        requests=requests,
        request_usd=billable_requests / 1_000_000 * facts.PRICE_REQUEST_PER_MILLION_USD,
        gb_seconds=sum(on_demand_gb_s.values()),
        duration_usd=duration_usd,
        provisioned_gb_seconds=configured,
        provisioned_usd=provisioned_usd,
        provisioned_duration_usd=provisioned_duration_usd,
        ephemeral_usd=ephemeral_usd,
        free_tier=free_tier,
    )
