"""Pricing (R-10, worked scenario 10)."""

from __future__ import annotations

import pytest

from labtui.lambdasim import Simulation, monthly_cost

from .helpers import function, model


@pytest.mark.parametrize(
    ("arch", "duration", "total"), [("arm64", 2.40, 3.00), ("x86_64", 3.00, 3.60)]
)
def test_worked_scenario_10(arch: str, duration: float, total: float) -> None:
    # 3,000,000 invocations x 120 ms x 512 MB, free tier ignored.
    cost = monthly_cost(3_000_000, 120, 512, arch)
    assert round(cost.request_usd, 2) == 0.60
    assert cost.gb_seconds == pytest.approx(180_000)
    assert round(cost.duration_usd, 2) == duration
    assert round(cost.total_usd, 2) == total


def test_free_tier_covers_small_workloads() -> None:
    # 1 M requests and 400,000 GB-s free.
    cost = monthly_cost(1_000_000, 100, 1024, free_tier=True)
    assert cost.total_usd == 0.0
    cost = monthly_cost(3_000_000, 120, 512, "x86_64", free_tier=True)
    assert round(cost.request_usd, 2) == 0.40 and cost.duration_usd == 0.0


def test_discrepancy_d6_per_million_example() -> None:
    # D-6: x86 128 MB x 0.8 s x 1 M = 100,000 GB-s = $1.67 + $0.20 = $1.87.
    cost = monthly_cost(1_000_000, 800, 128, "x86_64")
    assert round(cost.total_usd, 2) == 1.87
    assert round(monthly_cost(1_000_000, 800, 128, "arm64").total_usd, 2) == 1.53


def test_provisioned_concurrency_bills_configured_time() -> None:
    # 10 x 1 GB for 730 h at $0.0000041667 per GB-s.
    cost = monthly_cost(0, 0, 1024, provisioned_concurrency=10, provisioned_hours=730)
    assert round(cost.provisioned_usd, 2) == round(10 * 730 * 3600 * 0.0000041667, 2)


def test_ephemeral_storage_above_512_is_billed() -> None:
    base = monthly_cost(1_000_000, 1000, 1024)
    more = monthly_cost(1_000_000, 1000, 1024, ephemeral_mb=10240)
    assert base.ephemeral_usd == 0.0 and more.ephemeral_usd > 0


def test_simulation_cost_uses_billed_milliseconds() -> None:
    # 1 ms billing granularity; GB-seconds.
    sim = Simulation(seed=0)
    sim.add_function(function(memory_mb=1024, architecture="arm64", behaviour=model(99.2, 0.0)))
    for _ in range(10):
        sim.invoke_sync("fn")
    sim.run()
    cost = sim.cost()
    assert cost.requests == 10
    assert cost.gb_seconds == pytest.approx(10 * 0.1 * 1.0)
    assert cost.duration_usd == pytest.approx(1.0 * 0.0000133334)


def test_cold_start_bills_its_init_phase() -> None:
    # Since 1 August 2025 the Init phase of an on-demand cold start is billed (curriculum M05):
    # Billed Duration = ceil(Duration + Init Duration); warm calls bill the handler alone.
    sim = Simulation(seed=0)
    sim.add_function(function(memory_mb=1024, behaviour=model(41.87, 612.4)))
    cold = sim.invoke_sync("fn")
    sim.run()
    warm = sim.invoke_sync("fn")
    sim.run()
    assert cold.response is not None and cold.response.billed_duration_ms == 655
    assert warm.response is not None and warm.response.billed_duration_ms == 42
    assert sim.cost().gb_seconds == pytest.approx((655 + 42) / 1000)


def test_provisioned_time_is_billed_once_per_configuration() -> None:
    # 10 x 1 GB for one hour, then replaced by 5 for one hour, then deleted.
    sim = Simulation(seed=0)
    sim.add_function(function(memory_mb=1024))
    version = sim.publish_version("fn")
    sim.set_provisioned_concurrency("fn", version, 10)
    sim.run(until=3600)
    sim.set_provisioned_concurrency("fn", version, 5)
    sim.run(until=7200)
    sim.delete_provisioned_concurrency("fn", version)
    sim.run(until=10_800)
    cost = sim.cost()
    assert cost.provisioned_gb_seconds == pytest.approx(15 * 3600)
    assert cost.provisioned_usd == pytest.approx(15 * 3600 * 0.0000041667)
    assert sim.function("fn").provisioned_total == 0


def test_simulation_bills_ephemeral_storage_above_512_mb() -> None:
    # 10,240 MB of /tmp for 1,000 one-second invocations.
    sim = Simulation(seed=0)
    sim.add_function(function(ephemeral_mb=10_240, behaviour=model(1000, 0.0), timeout_s=5))
    for i in range(1000):
        sim.invoke_sync("fn", at=i * 2.0)
    sim.run()
    extra_gb = (10_240 - 512) / 1024
    assert sim.cost().ephemeral_usd == pytest.approx(extra_gb * 1000 * 0.0000000309)
