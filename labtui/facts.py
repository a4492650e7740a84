"""Every Lambda number the lab uses, in one place.

Each fact comes from the parameter sheet of ``lambda-spec.md`` and carries the
rule id it implements. Code imports the typed constants below; lessons use
``{{fact:name}}`` (rendered by the course loader from :data:`FACTS`) so that a
lesson can never disagree with the engine.

Volatile facts (prices, scaling rate, async payload size) carry the date they
were last verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Fact:
    """One named Lambda number with its unit, range and source rule."""

    name: str
    value: float | int | tuple[int, ...]
    unit: str
    rule: str
    minimum: float | int | None = None
    maximum: float | int | None = None
    verified: str | None = None

    def render(self) -> str:
        """The value as a lesson shows it: thousands separated, no trailing .0."""
        value = self.value
        if isinstance(value, tuple):
            return ", ".join(f"{v:,}" for v in value)
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.10f}".rstrip("0").rstrip(".")
        return f"{int(value):,}"


# R-1 Function configuration
MEMORY_DEFAULT_MB: Final = 128
MEMORY_MIN_MB: Final = 128
MEMORY_MAX_MB: Final = 10_240
MB_PER_VCPU: Final = 1_769
MAX_VCPUS: Final = 6
TIMEOUT_DEFAULT_S: Final = 3
TIMEOUT_MIN_S: Final = 1
TIMEOUT_MAX_S: Final = 900
EPHEMERAL_DEFAULT_MB: Final = 512
EPHEMERAL_MIN_MB: Final = 512
EPHEMERAL_MAX_MB: Final = 10_240
ENV_VARS_MAX_BYTES: Final = 4_096
LAYERS_MAX: Final = 5
ZIP_DIRECT_MAX_BYTES: Final = 50 * 1024 * 1024
UNZIPPED_MAX_BYTES: Final = 250 * 1024 * 1024
IMAGE_MAX_BYTES: Final = 10 * 1024 * 1024 * 1024
# The largest CreateFunction/UpdateFunctionCode request Lambda reads: a 50 MB zip,
# base64-encoded, in its JSON ("Request must be smaller than 70167211 bytes for the
# CreateFunction operation"). The sandbox gateway reads no request body larger than
# this, whatever the service (a bigger S3 upload is refused with EntityTooLarge).
CODE_REQUEST_MAX_BYTES: Final = 70_167_211
GATEWAY_REQUEST_MAX_BYTES: Final = CODE_REQUEST_MAX_BYTES

FUNCTION_NAME_MAX_CHARS: Final = 64  # CreateFunction: "up to 64 characters"
ARCHITECTURES: Final = ("x86_64", "arm64")
# Runtimes Lambda accepts for new functions, and those it refuses for creating or
# updating a function (deprecated past their block dates), as of 2025-11 (the AWS
# Lambda "Runtimes" page), each with the replacement AWS's message recommends.
RUNTIMES_SUPPORTED: Final = (
    "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
    "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "java8.al2", "java11",
    "java17", "java21", "java25", "dotnet8", "ruby3.2", "ruby3.3", "ruby3.4",
    "provided.al2", "provided.al2023", "python3.8", "nodejs16.x", "java8", "go1.x",
    "provided", "ruby2.7", "dotnet6", "dotnet7",
)
RUNTIMES_BLOCKED: Final = MappingProxyType(
    {
        "python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
        "nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs4.3-edge": "nodejs22.x",
        "nodejs6.10": "nodejs22.x", "nodejs8.10": "nodejs22.x", "nodejs10.x": "nodejs22.x",
        "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "dotnetcore1.0": "dotnet8",
        "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8", "dotnetcore3.1": "dotnet8",
        "ruby2.5": "ruby3.4",
    }
)

# R-2 Invocation
SYNC_PAYLOAD_MAX_BYTES: Final = 6_291_456
ASYNC_PAYLOAD_MAX_BYTES: Final = 1_048_576  # raised from 256 KB in October 2025

# R-3 Asynchronous invocation
ASYNC_MAX_RETRIES_DEFAULT: Final = 2
ASYNC_MAX_RETRIES_MIN: Final = 0
ASYNC_MAX_RETRIES_MAX: Final = 2
ASYNC_RETRY_DELAYS_S: Final = (60, 120)
ASYNC_THROTTLE_BACKOFF_MIN_S: Final = 1
ASYNC_THROTTLE_BACKOFF_MAX_S: Final = 300
ASYNC_MAX_EVENT_AGE_DEFAULT_S: Final = 21_600
ASYNC_MAX_EVENT_AGE_MIN_S: Final = 60
ASYNC_MAX_EVENT_AGE_MAX_S: Final = 21_600

# R-4 Event source mappings
SQS_BATCH_SIZE_DEFAULT: Final = 10
SQS_BATCH_SIZE_MAX_STANDARD: Final = 10_000
SQS_BATCH_SIZE_MAX_FIFO: Final = 10
SQS_BATCH_SIZE_WITHOUT_WINDOW_MAX: Final = 10
BATCHING_WINDOW_MAX_S: Final = 300
SQS_VISIBILITY_TIMEOUT_FACTOR: Final = 6
SQS_INITIAL_POLLERS: Final = 5
SQS_SCALE_PER_MINUTE: Final = 300
SQS_MAX_POLLERS: Final = 1_250
ESM_MAX_CONCURRENCY_MIN: Final = 2
ESM_MAX_CONCURRENCY_MAX: Final = 1_000
STREAM_BATCH_SIZE_DEFAULT: Final = 100
STREAM_BATCH_SIZE_MAX: Final = 10_000
PARALLELIZATION_FACTOR_MIN: Final = 1
PARALLELIZATION_FACTOR_MAX: Final = 10
STREAM_MAX_RETRIES_DEFAULT: Final = -1
STREAM_MAX_RETRIES_MAX: Final = 10_000
STREAM_MAX_RECORD_AGE_DEFAULT_S: Final = -1
STREAM_MAX_RECORD_AGE_MIN_S: Final = 60
STREAM_MAX_RECORD_AGE_MAX_S: Final = 604_800
RECURSION_LIMIT: Final = 16

# R-5 Concurrency
ACCOUNT_CONCURRENCY_DEFAULT: Final = 1_000
UNRESERVED_MIN: Final = 100
SCALE_ENVS_PER_10S: Final = 1_000

# R-6 Execution environment
INIT_LIMIT_S: Final = 10
BILLING_GRANULARITY_MS: Final = 1

# R-10 Pricing (us-east-1)
PRICE_REQUEST_PER_MILLION_USD: Final = 0.20
PRICE_GB_S_X86_USD: Final = 0.0000166667
PRICE_GB_S_ARM_USD: Final = 0.0000133334
PRICE_PROVISIONED_GB_S_X86_USD: Final = 0.0000041667
PRICE_PROVISIONED_GB_S_ARM_USD: Final = 0.0000033334
PRICE_PROVISIONED_DURATION_GB_S_X86_USD: Final = 0.0000097222
PRICE_PROVISIONED_DURATION_GB_S_ARM_USD: Final = 0.0000077778
PRICE_EPHEMERAL_GB_S_USD: Final = 0.0000000309
FREE_REQUESTS_PER_MONTH: Final = 1_000_000
FREE_GB_S_PER_MONTH: Final = 400_000

# R-12 Practices
APIGW_TIMEOUT_S: Final = 29

_PRICES_VERIFIED: Final = "2025-11"

_FACT_LIST: Final = (
    Fact("memory_mb", MEMORY_DEFAULT_MB, "MB", "R-1.1", MEMORY_MIN_MB, MEMORY_MAX_MB),
    Fact("mb_per_vcpu", MB_PER_VCPU, "MB", "R-1.1"),
    Fact("max_vcpus", MAX_VCPUS, "vCPU", "R-1.1"),
    Fact("timeout_s", TIMEOUT_DEFAULT_S, "s", "R-1.2", TIMEOUT_MIN_S, TIMEOUT_MAX_S),
    Fact("ephemeral_mb", EPHEMERAL_DEFAULT_MB, "MB", "R-1.3", EPHEMERAL_MIN_MB, EPHEMERAL_MAX_MB),
    Fact("env_vars_bytes", ENV_VARS_MAX_BYTES, "B", "R-1.4", None, ENV_VARS_MAX_BYTES),
    Fact("layers", 0, "count", "R-1.5", 0, LAYERS_MAX),
    Fact("code_request_bytes", CODE_REQUEST_MAX_BYTES, "B", "R-1.5", None, CODE_REQUEST_MAX_BYTES),
    Fact("sync_payload_bytes", SYNC_PAYLOAD_MAX_BYTES, "B", "R-2.5", None, SYNC_PAYLOAD_MAX_BYTES),
    Fact("function_name_chars", FUNCTION_NAME_MAX_CHARS, "chars", "R-1", 1,
         FUNCTION_NAME_MAX_CHARS),
    Fact("alias_weight", 0.0, "fraction", "R-9.2", 0.0, 1.0),
    Fact("alias_additional_versions", 0, "count", "R-9.2", 0, 1),
    Fact(
        "async_payload_bytes",
        ASYNC_PAYLOAD_MAX_BYTES,
        "B",
        "R-2.5",
        None,
        ASYNC_PAYLOAD_MAX_BYTES,
        verified="2025-10",
    ),
    Fact(
        "async_max_retries",
        ASYNC_MAX_RETRIES_DEFAULT,
        "count",
        "R-3.2",
        ASYNC_MAX_RETRIES_MIN,
        ASYNC_MAX_RETRIES_MAX,
    ),
    Fact("async_retry_delays_s", ASYNC_RETRY_DELAYS_S, "s", "R-3.2"),
    Fact(
        "async_throttle_backoff_s",
        ASYNC_THROTTLE_BACKOFF_MIN_S,
        "s",
        "R-3.3",
        ASYNC_THROTTLE_BACKOFF_MIN_S,
        ASYNC_THROTTLE_BACKOFF_MAX_S,
    ),
    Fact(
        "async_max_event_age_s",
        ASYNC_MAX_EVENT_AGE_DEFAULT_S,
        "s",
        "R-3.4",
        ASYNC_MAX_EVENT_AGE_MIN_S,
        ASYNC_MAX_EVENT_AGE_MAX_S,
    ),
    Fact(
        "sqs_batch_size", SQS_BATCH_SIZE_DEFAULT, "count", "R-4.1", 1, SQS_BATCH_SIZE_MAX_STANDARD
    ),
    Fact("sqs_fifo_batch_size_max", SQS_BATCH_SIZE_MAX_FIFO, "count", "R-4.1"),
    Fact("batching_window_s", 0, "s", "R-4.1", 0, BATCHING_WINDOW_MAX_S),
    Fact("sqs_vt_factor", SQS_VISIBILITY_TIMEOUT_FACTOR, "x timeout", "R-4.3"),
    Fact("sqs_initial_pollers", SQS_INITIAL_POLLERS, "batches", "R-4.6"),
    Fact("sqs_scale_per_min", SQS_SCALE_PER_MINUTE, "invocations/min", "R-4.6"),
    Fact("sqs_max_pollers", SQS_MAX_POLLERS, "concurrency", "R-4.6"),
    Fact(
        "esm_max_concurrency",
        ESM_MAX_CONCURRENCY_MAX,
        "concurrency",
        "R-4.6",
        ESM_MAX_CONCURRENCY_MIN,
        ESM_MAX_CONCURRENCY_MAX,
    ),
    Fact(
        "stream_batch_size", STREAM_BATCH_SIZE_DEFAULT, "count", "R-4.9", 1, STREAM_BATCH_SIZE_MAX
    ),
    Fact(
        "parallelization_factor",
        PARALLELIZATION_FACTOR_MIN,
        "count",
        "R-4.8",
        PARALLELIZATION_FACTOR_MIN,
        PARALLELIZATION_FACTOR_MAX,
    ),
    Fact(
        "stream_max_retries",
        STREAM_MAX_RETRIES_DEFAULT,
        "count",
        "R-4.10",
        -1,
        STREAM_MAX_RETRIES_MAX,
    ),
    Fact(
        "stream_max_record_age_s",
        STREAM_MAX_RECORD_AGE_DEFAULT_S,
        "s",
        "R-4.10",
        STREAM_MAX_RECORD_AGE_MIN_S,
        STREAM_MAX_RECORD_AGE_MAX_S,
    ),
    Fact("recursion_limit", RECURSION_LIMIT, "invocations", "R-4.15"),
    Fact("account_concurrency", ACCOUNT_CONCURRENCY_DEFAULT, "concurrency", "R-5.2"),
    Fact("unreserved_min", UNRESERVED_MIN, "concurrency", "R-5.3"),
    Fact("scale_envs_per_10s", SCALE_ENVS_PER_10S, "environments", "R-5.5", verified="2023-11"),
    Fact("init_limit_s", INIT_LIMIT_S, "s", "R-6.1"),
    Fact("billing_granularity_ms", BILLING_GRANULARITY_MS, "ms", "R-6.5"),
    Fact(
        "price_request_per_million",
        PRICE_REQUEST_PER_MILLION_USD,
        "USD",
        "R-10.1",
        verified=_PRICES_VERIFIED,
    ),
    Fact("price_gb_s_x86", PRICE_GB_S_X86_USD, "USD", "R-10.2", verified=_PRICES_VERIFIED),
    Fact("price_gb_s_arm", PRICE_GB_S_ARM_USD, "USD", "R-10.2", verified=_PRICES_VERIFIED),
    Fact(
        "price_provisioned_gb_s_x86",
        PRICE_PROVISIONED_GB_S_X86_USD,
        "USD",
        "R-10.5",
        verified=_PRICES_VERIFIED,
    ),
    Fact(
        "price_provisioned_gb_s_arm",
        PRICE_PROVISIONED_GB_S_ARM_USD,
        "USD",
        "R-10.5",
        verified=_PRICES_VERIFIED,
    ),
    Fact(
        "price_provisioned_duration_gb_s_x86",
        PRICE_PROVISIONED_DURATION_GB_S_X86_USD,
        "USD",
        "R-10.5",
        verified=_PRICES_VERIFIED,
    ),
    Fact(
        "price_provisioned_duration_gb_s_arm",
        PRICE_PROVISIONED_DURATION_GB_S_ARM_USD,
        "USD",
        "R-10.5",
        verified=_PRICES_VERIFIED,
    ),
    Fact(
        "price_ephemeral_gb_s", PRICE_EPHEMERAL_GB_S_USD, "USD", "R-10.6", verified=_PRICES_VERIFIED
    ),
    Fact("free_requests", FREE_REQUESTS_PER_MONTH, "per month", "R-10.3"),
    Fact("free_gb_s", FREE_GB_S_PER_MONTH, "per month", "R-10.3"),
    Fact("apigw_timeout_s", APIGW_TIMEOUT_S, "s", "R-12.3"),
)

FACTS: Final[Mapping[str, Fact]] = MappingProxyType({fact.name: fact for fact in _FACT_LIST})
