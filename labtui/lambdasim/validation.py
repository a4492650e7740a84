"""Configuration validation with AWS's exact wording.

The Lambda API reports range violations as one ``ValidationException`` listing
every bad field::

    1 validation error detected: Value '20000' at 'memorySize' failed to satisfy
    constraint: Member must have value less than or equal to 10240

Cross-field problems (reserved concurrency eating the unreserved minimum,
a batch size over 10 without a batching window) are
``InvalidParameterValueException`` with their own sentences. The engine raises
:class:`LambdaApiError`; the sandbox gateway turns it into an HTTP error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from labtui import facts


class LambdaApiError(Exception):
    """An error the Lambda API would return: ``code`` (exception name), HTTP ``status``.

    ``fields`` pairs each request field at fault (AWS's name, e.g. ``memorySize``) with
    the sentence about it, so that a scenario file can point at the key it came from.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        fields: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields


@dataclass(slots=True)
class ConstraintChecker:
    """Collects range violations in request order, then raises them as one error."""

    problems: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def _add(self, name: str, problem: str) -> None:
        self.names.append(name)
        self.problems.append(problem)

    def at_least(self, name: str, value: int | float | None, minimum: int | float) -> None:
        if value is not None and value < minimum:
            self._add(
                name,
                f"Value '{_show(value)}' at '{name}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {_show(minimum)}",
            )

    def at_most(self, name: str, value: int | float | None, maximum: int | float) -> None:
        if value is not None and value > maximum:
            self._add(
                name,
                f"Value '{_show(value)}' at '{name}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {_show(maximum)}",
            )

    def between(
        self, name: str, value: int | float | None, minimum: int | float, maximum: int | float
    ) -> None:
        self.at_least(name, value, minimum)
        self.at_most(name, value, maximum)

    def one_of(self, name: str, value: str | None, allowed: tuple[str, ...]) -> None:
        if value is not None and value not in allowed:
            self._add(
                name,
                f"Value '{value}' at '{name}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(allowed)}]",
            )

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        raise LambdaApiError(
            "ValidationException",
            f"{count} validation {noun} detected: " + "; ".join(self.problems),
            fields=tuple(zip(self.names, self.problems, strict=True)),
        )


def _show(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def invalid_parameter(message: str, field: str | None = None) -> LambdaApiError:
    fields = ((field, message),) if field else ()
    return LambdaApiError("InvalidParameterValueException", message, fields=fields)


def not_found(message: str) -> LambdaApiError:
    return LambdaApiError("ResourceNotFoundException", message, 404)


def check_function_config(
    memory_mb: int, timeout_s: int, ephemeral_mb: int, architecture: str
) -> None:
    """R-1.1 memory, R-1.2 timeout, R-1.3 /tmp, R-1.6 architecture."""
    checker = ConstraintChecker()
    checker.between("memorySize", memory_mb, facts.MEMORY_MIN_MB, facts.MEMORY_MAX_MB)
    checker.between("timeout", timeout_s, facts.TIMEOUT_MIN_S, facts.TIMEOUT_MAX_S)
    checker.between(
        "ephemeralStorage.size", ephemeral_mb, facts.EPHEMERAL_MIN_MB, facts.EPHEMERAL_MAX_MB
    )
    checker.one_of("architectures", architecture, ("x86_64", "arm64"))
    checker.raise_if_any()


def check_async_config(max_retries: int, max_event_age_s: int) -> None:
    """R-3.2 MaximumRetryAttempts 0-2, R-3.4 MaximumEventAgeInSeconds 60-21,600."""
    checker = ConstraintChecker()
    checker.between(
        "maximumRetryAttempts",
        max_retries,
        facts.ASYNC_MAX_RETRIES_MIN,
        facts.ASYNC_MAX_RETRIES_MAX,
    )
    checker.between(
        "maximumEventAgeInSeconds",
        max_event_age_s,
        facts.ASYNC_MAX_EVENT_AGE_MIN_S,
        facts.ASYNC_MAX_EVENT_AGE_MAX_S,
    )
    checker.raise_if_any()


def check_reserved(reserved: int, reserved_elsewhere: int, account_limit: int) -> None:
    """R-5.3: reserved ≥ 0 and the account keeps at least 100 unreserved."""
    checker = ConstraintChecker()
    checker.at_least("reservedConcurrentExecutions", reserved, 0)
    checker.raise_if_any()
    if account_limit - reserved_elsewhere - reserved < facts.UNRESERVED_MIN:
        raise invalid_parameter(
            "Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of [{facts.UNRESERVED_MIN}].",
            "reservedConcurrentExecutions",
        )


def check_sqs_mapping(
    batch_size: int, window_s: int, fifo: bool, max_concurrency: int | None
) -> None:
    """R-4.1 batch size and batching window, R-4.6 MaximumConcurrency."""
    checker = ConstraintChecker()
    limit = facts.SQS_BATCH_SIZE_MAX_FIFO if fifo else facts.SQS_BATCH_SIZE_MAX_STANDARD
    checker.between("batchSize", batch_size, 1, limit)
    checker.between("maximumBatchingWindowInSeconds", window_s, 0, facts.BATCHING_WINDOW_MAX_S)
    checker.between(
        "scalingConfig.maximumConcurrency",
        max_concurrency,
        facts.ESM_MAX_CONCURRENCY_MIN,
        facts.ESM_MAX_CONCURRENCY_MAX,
    )
    checker.raise_if_any()
    if batch_size > facts.SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX and window_s < 1:
        raise invalid_parameter(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size "
            f"is greater than {facts.SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX}",
            "maximumBatchingWindowInSeconds",
        )


def check_stream_mapping(
    batch_size: int,
    window_s: int,
    parallelization: int,
    max_retries: int,
    max_record_age_s: int,
) -> None:
    """R-4.8 ParallelizationFactor, R-4.9 batch size, R-4.10 retry and age limits."""
    checker = ConstraintChecker()
    checker.between("batchSize", batch_size, 1, facts.STREAM_BATCH_SIZE_MAX)
    checker.between("maximumBatchingWindowInSeconds", window_s, 0, facts.BATCHING_WINDOW_MAX_S)
    checker.between(
        "parallelizationFactor",
        parallelization,
        facts.PARALLELIZATION_FACTOR_MIN,
        facts.PARALLELIZATION_FACTOR_MAX,
    )
    checker.between("maximumRetryAttempts", max_retries, -1, facts.STREAM_MAX_RETRIES_MAX)
    checker.between(
        "maximumRecordAgeInSeconds", max_record_age_s, -1, facts.STREAM_MAX_RECORD_AGE_MAX_S
    )
    checker.raise_if_any()
    if max_record_age_s != -1 and max_record_age_s < facts.STREAM_MAX_RECORD_AGE_MIN_S:
        raise invalid_parameter(
            "MaximumRecordAgeInSeconds must be -1 (infinite) or between "
            f"{facts.STREAM_MAX_RECORD_AGE_MIN_S} and {facts.STREAM_MAX_RECORD_AGE_MAX_S}",
            "maximumRecordAgeInSeconds",
        )


def check_alias_weight(weight: float) -> None:
    """R-9.2: an additional version weight is between 0.0 and 1.0."""
    checker = ConstraintChecker()
    checker.between("routingConfig.additionalVersionWeights", weight, 0.0, 1.0)
    checker.raise_if_any()


def check_provisioned(count: int) -> None:
    """R-5.4: at least one provisioned environment."""
    checker = ConstraintChecker()
    checker.at_least("provisionedConcurrentExecutions", count, 1)
    checker.raise_if_any()


def check_payload_size(payload: object, limit: int) -> None:
    """R-2.5: 6 MB synchronous, 1 MB asynchronous requests (413 RequestEntityTooLarge)."""
    if isinstance(payload, (bytes, bytearray)):
        size = len(payload)
    elif isinstance(payload, str):
        size = len(payload.encode())
    else:
        size = len(json.dumps(payload, default=str).encode())
    if size > limit:
        raise LambdaApiError(
            "RequestEntityTooLargeException",
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
            413,
        )
