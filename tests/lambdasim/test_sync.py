"""Synchronous invocation, environments and concurrency (R-2.1, R-2.2, R-2.6, R-5, R-6, R-9)."""

from __future__ import annotations

from collections import Counter

import pytest

from labtui.lambdasim import (
    ACCOUNT_LIMIT,
    RESERVED_LIMIT,
    SCALING_LIMIT,
    EngineOptions,
    Fault,
    LambdaApiError,
    Simulation,
)

from .helpers import function, model


def test_worked_scenario_1_reserved_100_throttles_50_of_150() -> None:
    # reserved 100, 150 simultaneous 1 s calls.
    sim = Simulation(seed=0)
    sim.add_function(function(reserved_concurrency=100, behaviour=model(1000)))
    calls = [sim.invoke_sync("fn", {"n": i}) for i in range(150)]
    sim.run()
    outcomes = Counter((c.response.status_code, c.response.reason) for c in calls if c.response)
    assert outcomes == {(200, None): 100, (429, RESERVED_LIMIT): 50}
    throttled = next(c.response for c in calls if c.response and c.response.throttled)
    assert throttled.payload == {
        "Reason": RESERVED_LIMIT,
        "Type": "User",
        "message": "Rate Exceeded.",
    }
    assert throttled.error_code == "TooManyRequestsException"
    assert sim.summary().max_concurrency == 100


def test_account_pool_throttle_has_account_reason() -> None:
    # the unreserved pool is the account limit minus every reservation.
    sim = Simulation(seed=0, account_concurrency=200)
    sim.add_function(function("big", reserved_concurrency=100))
    sim.add_function(function("other", behaviour=model(1000)))
    calls = [sim.invoke_sync("other") for _ in range(101)]
    sim.run()
    reasons = Counter(c.response.reason for c in calls if c.response)
    assert reasons == {None: 100, ACCOUNT_LIMIT: 1}


def test_worked_scenario_11_reservation_elsewhere_shrinks_the_pool() -> None:
    # 2,000 rps x 0.25 s = 500 concurrent; a 600 reservation leaves 400.
    sim = Simulation(seed=0, trace="off")
    sim.add_function(function("api", behaviour=model(250, init_ms=0.0)))
    for i in range(2000):
        sim.invoke_sync("api", at=i / 2000)
    sim.run()
    assert sim.summary().throttles == 0
    # about 500 (arrivals and completions at the same instant may overlap by one or two)
    assert 500 <= sim.function("api").max_concurrency <= 502
    sim = Simulation(seed=0, trace="off")
    sim.add_function(function("reserver", reserved_concurrency=600))
    sim.add_function(function("api", behaviour=model(250, init_ms=0.0)))
    for i in range(2000):
        sim.invoke_sync("api", at=i / 2000)
    sim.run()
    assert sim.function("api").max_concurrency == 400
    assert sim.summary().throttles > 0


def test_reserved_zero_throttles_every_sync_call() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function(reserved_concurrency=0))
    call = sim.invoke_sync("fn")
    sim.run()
    assert call.response is not None and call.response.reason == RESERVED_LIMIT


def test_unreserved_minimum_is_enforced_with_aws_message() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function("a", reserved_concurrency=850))
    with pytest.raises(LambdaApiError) as error:
        sim.add_function(function("b", reserved_concurrency=51))
    assert error.value.code == "InvalidParameterValueException"
    assert "below its minimum value of [100]" in error.value.message


def test_cold_then_warm_then_reclaimed() -> None:
    # warm reuse; idle environments are reclaimed after idle_reclaim_s.
    sim = Simulation(seed=0, options=EngineOptions(idle_reclaim_s=300))
    sim.add_function(function())
    first = sim.invoke_sync("fn", at=0)
    second = sim.invoke_sync("fn", at=10)
    third = sim.invoke_sync("fn", at=1000)
    sim.run()
    assert first.response and second.response and third.response
    assert first.response.init_duration_ms == 200
    assert second.response.init_duration_ms == 0
    assert second.response.env_id == first.response.env_id
    assert third.response.init_duration_ms == 200
    assert third.response.env_id != first.response.env_id
    assert [e.kind for e in sim.trace].count("reclaim") == 1


def test_one_request_per_environment() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(1000)))
    calls = [sim.invoke_sync("fn") for _ in range(3)]
    sim.run()
    assert len({c.response.env_id for c in calls if c.response}) == 3


def test_timeout_error_payload_and_reset() -> None:
    # Sandbox.Timedout, "Task timed out after 3.00 seconds", next call cold.
    sim = Simulation(seed=0)
    sim.add_function(function(timeout_s=3, behaviour=model(5000)))
    first = sim.invoke_sync("fn", at=0)
    second = sim.invoke_sync("fn", at=10)
    sim.run()
    assert first.response is not None and second.response is not None
    assert first.response.function_error == "Unhandled"
    assert first.response.payload["errorType"] == "Sandbox.Timedout"
    assert first.response.payload["errorMessage"] == (
        f"RequestId: {first.request_id} Error: Task timed out after 3.00 seconds"
    )
    assert first.response.duration_ms == 3000
    assert first.response.report_line().endswith("Status: timeout")
    assert second.response.init_duration_ms > 0


def test_function_error_is_200_unhandled_without_retry() -> None:
    # 200 with X-Amz-Function-Error: Unhandled; Lambda does not retry.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(fail="always")))
    call = sim.invoke_sync("fn")
    sim.run()
    assert call.response is not None
    assert (call.response.status_code, call.response.function_error) == (200, "Unhandled")
    assert set(call.response.payload) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert sim.summary().invocations == 1


def test_memory_exceeded_is_killed() -> None:
    # signal: killed, Runtime.ExitError.
    sim = Simulation(seed=0)
    sim.add_function(function(memory_mb=128, behaviour=model(memory_used=300)))
    call = sim.invoke_sync("fn")
    sim.run()
    assert call.response is not None
    assert call.response.payload["errorType"] == "Runtime.ExitError"
    assert call.response.payload["errorMessage"].endswith(
        "Runtime exited with error: signal: killed"
    )


def test_init_over_ten_seconds_runs_again_in_the_invoke_phase() -> None:
    # init limit 10 s for on-demand; the repeated init counts against the timeout.
    sim = Simulation(seed=0)
    sim.add_function(function(timeout_s=5, behaviour=model(100, init_ms=12_000)))
    call = sim.invoke_sync("fn")
    sim.run()
    assert call.response is not None and call.response.status == "timeout"
    assert call.response.init_duration_ms == 10_000


def test_alias_weights_route_traffic() -> None:
    # 10 % to the additional version.
    sim = Simulation(seed=7)
    sim.add_function(function())
    v1 = sim.publish_version("fn")
    v2 = sim.publish_version("fn")
    sim.create_alias("fn", "live", v1, additional_version=v2, weight=0.1)
    calls = [sim.invoke_sync("fn", qualifier="live", at=i * 0.5) for i in range(2000)]
    sim.run()
    versions = Counter(c.response.executed_version for c in calls if c.response)
    assert set(versions) == {"1", "2"}
    assert 140 <= versions["2"] <= 260


def test_alias_cannot_weight_latest() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    v1 = sim.publish_version("fn")
    with pytest.raises(LambdaApiError):
        sim.create_alias("fn", "live", "$LATEST", additional_version=v1, weight=0.5)


def test_worked_scenario_9_provisioned_spillover() -> None:
    # 10 served warm by provisioned environments, 15 on-demand cold, no throttles.
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(500)))
    sim.create_alias("fn", "live", sim.publish_version("fn"))
    sim.set_provisioned_concurrency("fn", "live", 10)
    calls = [sim.invoke_sync("fn", qualifier="live") for _ in range(25)]
    sim.run()
    summary = sim.summary()
    assert (summary.provisioned_starts, summary.cold_starts, summary.throttles) == (10, 15, 0)
    assert Counter(c.response.init_duration_ms > 0 for c in calls if c.response) == {
        True: 15,
        False: 10,
    }


def test_provisioned_never_on_latest_and_within_reserved() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function(reserved_concurrency=5))
    with pytest.raises(LambdaApiError):
        sim.set_provisioned_concurrency("fn", "$LATEST", 1)
    version = sim.publish_version("fn")
    with pytest.raises(LambdaApiError) as error:
        sim.set_provisioned_concurrency("fn", version, 6)
    assert "reservedConcurrentExecution" in error.value.message


def test_provisioned_counts_within_reserved() -> None:
    # reserved 5 with 3 provisioned leaves 2 on-demand.
    sim = Simulation(seed=0)
    sim.add_function(function(reserved_concurrency=5, behaviour=model(1000)))
    version = sim.publish_version("fn")
    sim.set_provisioned_concurrency("fn", version, 3)
    calls = [sim.invoke_sync("fn", qualifier=version) for _ in range(6)]
    sim.run()
    assert Counter(c.response.status for c in calls if c.response) == {
        "success": 5,
        "throttled": 1,
    }


def test_scaling_rate_1000_environments_per_10_seconds() -> None:
    # the 1,001st new environment within 10 s is throttled.
    sim = Simulation(seed=0, trace="off", account_concurrency=5000)
    sim.add_function(function(timeout_s=900, behaviour=model(60_000)))
    calls = [sim.invoke_sync("fn") for _ in range(1001)]
    late = sim.invoke_sync("fn", at=10.0)
    sim.run()
    reasons = Counter(c.response.reason for c in calls if c.response)
    assert reasons == {None: 1000, SCALING_LIMIT: 1}
    assert late.response is not None and late.response.status_code == 200
    assert late.response.init_duration_ms > 0  # a new environment in the next window


def test_faults_inject_errors_in_a_window() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    sim.add_fault("fn", Fault(10, 20, "error"))
    before, during = sim.invoke_sync("fn", at=5), sim.invoke_sync("fn", at=15)
    sim.run()
    assert before.response and during.response
    assert (before.response.status, during.response.status) == ("success", "error")


def test_unknown_function_is_resource_not_found() -> None:
    sim = Simulation(seed=0)
    with pytest.raises(LambdaApiError) as error:
        sim.invoke_sync("missing")
    assert error.value.code == "ResourceNotFoundException"


def test_deleting_provisioned_concurrency_sends_traffic_on_demand() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function())
    version = sim.publish_version("fn")
    sim.set_provisioned_concurrency("fn", version, 2)
    warm = sim.invoke_sync("fn", qualifier=version)
    sim.run()
    sim.delete_provisioned_concurrency("fn", version)
    cold = sim.invoke_sync("fn", qualifier=version)
    sim.run()
    assert warm.response is not None and warm.response.init_duration_ms == 0
    assert cold.response is not None and cold.response.init_duration_ms > 0


def test_run_until_complete_stops_at_the_response() -> None:
    sim = Simulation(seed=0)
    sim.add_function(function(behaviour=model(100)))
    first = sim.invoke_sync("fn", at=0)
    later = sim.invoke_sync("fn", at=50)
    sim.run_until_complete(first)
    assert first.response is not None and first.response.status == "success"
    assert later.response is None and sim.now < 50
