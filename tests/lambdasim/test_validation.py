"""AWS wording of configuration errors (R-1, R-3, R-4, R-5, R-9)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from labtui.lambdasim import (
    FunctionSpec,
    LambdaApiError,
    Simulation,
    SqsMappingSpec,
    SqsQueueSpec,
    StreamMappingSpec,
    StreamSpec,
)


def _sim() -> Simulation:
    sim = Simulation()
    sim.add_function(FunctionSpec("fn"))
    sim.add_sqs_queue(SqsQueueSpec("q"))
    sim.add_stream(StreamSpec("s"))
    return sim


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (
            lambda s: s.add_function(FunctionSpec("a", memory_mb=20000)),
            "1 validation error detected: Value '20000' at 'memorySize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10240",
        ),
        (
            lambda s: s.add_function(FunctionSpec("a", ephemeral_mb=100)),
            "1 validation error detected: Value '100' at 'ephemeralStorage.size' failed to "
            "satisfy constraint: Member must have value greater than or equal to 512",
        ),
        (
            lambda s: s.add_function(FunctionSpec("a", architecture="sparc")),
            "1 validation error detected: Value 'sparc' at 'architectures' failed to satisfy "
            "constraint: Member must satisfy enum value set: [x86_64, arm64]",
        ),
        (
            lambda s: s.set_reserved_concurrency("fn", -1),
            "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to "
            "satisfy constraint: Member must have value greater than or equal to 0",
        ),
        (
            lambda s: s.add_sqs_mapping(
                SqsMappingSpec("fn", "q", batch_size=10001, batching_window_s=1)
            ),
            "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy "
            "constraint: Member must have value less than or equal to 10000",
        ),
        (
            lambda s: s.add_sqs_mapping(SqsMappingSpec("fn", "q", max_concurrency=1)),
            "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed "
            "to satisfy constraint: Member must have value greater than or equal to 2",
        ),
        (
            lambda s: s.add_sqs_mapping(SqsMappingSpec("fn", "q", batching_window_s=301)),
            "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed "
            "to satisfy constraint: Member must have value less than or equal to 300",
        ),
        (
            lambda s: s.add_stream_mapping(StreamMappingSpec("fn", "s", max_retries=10001)),
            "1 validation error detected: Value '10001' at 'maximumRetryAttempts' failed to "
            "satisfy constraint: Member must have value less than or equal to 10000",
        ),
        (
            lambda s: s.add_stream_mapping(StreamMappingSpec("fn", "s", max_record_age_s=30)),
            "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800",
        ),
        (
            lambda s: s.create_alias("fn", "live", "$LATEST", weight=1.5),
            "1 validation error detected: Value '1.5' at 'routingConfig.additionalVersionWeights' "
            "failed to satisfy constraint: Member must have value less than or equal to 1",
        ),
    ],
)
def test_error_wording(action: Callable[[Simulation], object], message: str) -> None:
    with pytest.raises(LambdaApiError) as error:
        action(_sim())
    assert error.value.message == message
    assert error.value.status == 400


def test_two_errors_are_reported_together() -> None:
    with pytest.raises(LambdaApiError) as error:
        Simulation().add_function(FunctionSpec("a", memory_mb=64, timeout_s=901))
    assert error.value.message.startswith(
        "2 validation errors detected: Value '64' at 'memorySize'"
    )
    assert "; Value '901' at 'timeout'" in error.value.message


def test_duplicate_function_is_rejected() -> None:
    sim = _sim()
    with pytest.raises(LambdaApiError) as error:
        sim.add_function(FunctionSpec("fn"))
    assert (error.value.code, error.value.status) == ("ResourceConflictException", 409)


@pytest.mark.parametrize(("mode", "limit"), [("sync", 6_291_456), ("async", 1_048_576)])
def test_payload_limits(mode: str, limit: int) -> None:
    # 6 MB synchronous, 1 MB asynchronous (raised from 256 KB, D-9).
    sim = _sim()
    invoke = sim.invoke_sync if mode == "sync" else sim.invoke_async
    invoke("fn", "x" * limit)
    with pytest.raises(LambdaApiError) as error:
        invoke("fn", "x" * (limit + 1))
    assert (error.value.code, error.value.status) == ("RequestEntityTooLargeException", 413)
    assert str(limit) in error.value.message
