"""The configuration a simulation is built from: plain, frozen dataclasses.

These mirror the Lambda API's configuration objects (CreateFunction,
PutFunctionEventInvokeConfig, CreateEventSourceMapping, ...). Defaults are the
AWS defaults from ``labtui.facts``. Range checks happen when a spec is added to
a :class:`~labtui.lambdasim.Simulation` (see ``validation``), so a spec object
can hold a wrong value long enough for a check to report it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from labtui import facts
from labtui.lambdasim.behaviour import BehaviourModel, HandlerBackend

Architecture = Literal["x86_64", "arm64"]
LATEST = "$LATEST"


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function's configuration (R-1); ``behaviour`` runs its handler."""

    name: str
    memory_mb: int = facts.MEMORY_DEFAULT_MB
    timeout_s: int = facts.TIMEOUT_DEFAULT_S
    architecture: str = "x86_64"
    reserved_concurrency: int | None = None
    ephemeral_mb: int = facts.EPHEMERAL_DEFAULT_MB
    behaviour: HandlerBackend = field(default_factory=BehaviourModel)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """``DeadLetterConfig.TargetArn`` of a function (R-3.6): an SQS queue or SNS topic."""

    target: str


@dataclass(frozen=True, slots=True)
class AsyncConfig:
    """Event invoke config (R-3.2, R-3.4, R-3.7) for a function or qualifier."""

    max_retries: int = facts.ASYNC_MAX_RETRIES_DEFAULT
    max_event_age_s: int = facts.ASYNC_MAX_EVENT_AGE_DEFAULT_S
    on_success: str | None = None
    on_failure: str | None = None


@dataclass(frozen=True, slots=True)
class Redrive:
    """An SQS queue's redrive policy: its DLQ and ``maxReceiveCount`` (R-4.2)."""

    dead_letter_queue: str
    max_receive_count: int


@dataclass(frozen=True, slots=True)
class SqsQueueSpec:
    """An SQS queue (standard or FIFO) with its visibility timeout and redrive."""

    name: str
    visibility_timeout_s: float = 30.0
    fifo: bool = False
    redrive: Redrive | None = None


@dataclass(frozen=True, slots=True)
class SqsMappingSpec:
    """An SQS event source mapping (R-4.1–R-4.7)."""

    function: str
    queue: str
    qualifier: str | None = None
    batch_size: int = facts.SQS_BATCH_SIZE_DEFAULT
    batching_window_s: int = 0
    report_batch_item_failures: bool = False
    max_concurrency: int | None = None
    enabled: bool = True
    filter_patterns: tuple[dict[str, Any], ...] = ()  # see ``filters``


StreamKind = Literal["kinesis", "dynamodb"]


@dataclass(frozen=True, slots=True)
class StreamSpec:
    """A Kinesis data stream or DynamoDB stream with its shard count."""

    name: str
    kind: StreamKind = "kinesis"
    shards: int = 1


@dataclass(frozen=True, slots=True)
class StreamMappingSpec:
    """A Kinesis / DynamoDB Streams event source mapping (R-4.8–R-4.13)."""

    function: str
    stream: str
    qualifier: str | None = None
    batch_size: int = facts.STREAM_BATCH_SIZE_DEFAULT
    batching_window_s: int = 0
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = "TRIM_HORIZON"
    parallelization_factor: int = facts.PARALLELIZATION_FACTOR_MIN
    bisect_on_error: bool = False
    max_retries: int = facts.STREAM_MAX_RETRIES_DEFAULT
    max_record_age_s: int = facts.STREAM_MAX_RECORD_AGE_DEFAULT_S
    report_batch_item_failures: bool = False
    on_failure: str | None = None


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Simulator conventions where AWS documents no exact number.

    * ``idle_reclaim_s``: an idle on-demand environment is reclaimed after this
      long (AWS: "some minutes", undocumented). Default 600 s.
    * ``retry_jitter_s``: async retries (R-3.2) and throttle backoff (R-3.3) get
      a uniform jitter in ``[0, retry_jitter_s]`` seconds added. Default 0, so
      worked scenarios show exactly 60 s and 120 s.
    * ``duplicate_probability``: chance in ``[0, 1]`` that a successful async
      event is delivered once more (R-3.1). Default 0.
    * ``async_queue_delay_s``: time an async event waits in the internal queue
      before its first attempt. Default 0.
    * ``stream_retry_delay_s``: pause before a failed stream batch is retried.
    * ``stream_retry_backoff_max_s``: when above ``stream_retry_delay_s``, that pause
      doubles with each retry of the same batch up to this many seconds (a split
      starts again from ``stream_retry_delay_s``). Default 0: no doubling.
    * ``esm_throttle_backoff_s``: first backoff of a throttled poller (doubles, ≤ 300 s).
    """

    idle_reclaim_s: float = 600.0
    retry_jitter_s: float = 0.0
    duplicate_probability: float = 0.0
    async_queue_delay_s: float = 0.0
    stream_retry_delay_s: float = 0.0
    stream_retry_backoff_max_s: float = 0.0
    esm_throttle_backoff_s: float = 1.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    start_epoch_s: float = 1_735_689_600.0  # 2025-01-01T00:00:00Z: record timestamps
