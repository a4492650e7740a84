"""The scenario file schema (``labtui simulate SCENARIO.yaml``): strict pydantic models.

A scenario names functions (with a behaviour model), queues, streams, event
source mappings, traffic and faults, optionally a VPC and cost estimates, and
an ``expect`` block of numbers the run must reproduce. Unknown keys are errors
(``extra="forbid"``); values are not coerced (``strict``: ``timeout_s: "3"`` is
wrong). Skeleton (every key but ``title`` and ``description`` is optional)::

    title: One line
    description: A short paragraph for the learner.
    seed: 0
    account: {concurrency: 1000}
    options: {idle_reclaim_s: 600, retry_jitter_s: 0, duplicate_probability: 0}
    functions:
      - name: worker
        memory_mb: 512
        timeout_s: 5
        architecture: arm64
        reserved_concurrency: 10
        behaviour:
          duration_ms: 120                 # or {distribution: uniform, min: 80, max: 200}
          init_duration_ms: 300
          max_memory_mb: 90
          fail: {when: contains, needle: poison, effect: report}   # raise|timeout|crash|report
          response: null                   # returned on success
        publish_versions: 2
        aliases: [{name: live, version: "1", additional_version: "2", weight: 0.1}]
        provisioned: [{qualifier: live, count: 5}]
        async_config: {max_retries: 2, max_event_age_s: 3600, on_failure: failures}
        dead_letter: arn:aws:sqs:us-east-1:123456789012:worker-dlq
    queues: [{name: jobs, visibility_timeout_s: 30, redrive: {dead_letter_queue: jobs-dlq,
              max_receive_count: 3}}, {name: jobs-dlq}]
    streams: [{name: clicks, kind: kinesis, shards: 2}]
    sqs_mappings: [{function: worker, queue: jobs, batch_size: 10,
                    report_batch_item_failures: true, filter_patterns: [{body: {type: [job]}}]}]
    stream_mappings: [{function: worker, stream: clicks, bisect_on_error: true,
                       max_retries: 2, on_failure: failures}]
    traffic:
      - {type: sync, function: worker, count: 100, at_s: 0, interval_s: 0}
      - {type: async, function: worker, payload: {id: 1}}
      - {type: rate, mode: async, function: worker, per_second: 50, duration_s: 60}
      - {type: sqs, queue: jobs, count: 20, body: "job {i}", poison: [3]}
      - {type: stream, stream: clicks, count: 100, data: "click {i}", poison: [37]}
    faults: [{function: worker, kind: system_error, start_s: 0, end_s: 30}]
    run_until_s: 3600          # default: until nothing is left (max_events guards)
    max_events: 5000000        # default: 25 per declared call/message/record, >= 2,000,000;
                               # a run that reaches it is cut short: exit 1, never "ok"
    cost_estimates: [{label: x86, invocations: 3000000, billed_duration_ms: 120,
                      memory_mb: 512, expect_total_usd: 3.60}]
    vpc: {network: {...}, function: {subnet_ids: [...], security_group_ids: [...]},
          checks: [{label: internet, target: {kind: internet}, expect_reachable: false}]}
    expect: {invocations: 3, throttles: 0, queue.jobs-dlq: 1, deliveries.RetriesExhausted: 1,
             max_concurrency.worker: 10}

``expect`` keys are :class:`~labtui.lambdasim.summary.Summary` fields, or
``queue.<name>`` (messages left), ``deliveries.<condition or kind>``,
``max_concurrency.<function>``. Amounts in USD (``cost_usd``, ``expect_total_usd``)
match within 0.5 % of the expected amount; everything else exactly.

Simulator bounds (so that no file can exhaust memory; the loader says them in
its error): at most :data:`MAX_CALLS` synchronous/asynchronous calls in all
``sync``/``async``/``rate`` traffic together, at most :data:`MAX_MESSAGES` SQS
messages and stream records together, :data:`MAX_ACCOUNT_CONCURRENCY`,
:data:`MAX_SHARDS` shards per stream, :data:`MAX_PUBLISHED_VERSIONS` versions
per function. Times and durations are never negative, fault windows end after
they start, poison indexes lie inside ``count``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from labtui import facts

MAX_CALLS = 10_000_000  # sync + async + rate calls in one scenario
MAX_MESSAGES = 1_000_000  # SQS messages + stream records in one scenario
MAX_ACCOUNT_CONCURRENCY = 100_000
MAX_SHARDS = 1_000
MAX_PUBLISHED_VERSIONS = 1_000
MAX_EVENTS = 1_000_000_000  # the most a run may be allowed to process (max_events)

NonNegative = Annotated[float, Field(ge=0.0)]


class Strict(BaseModel):
    # NaN and infinity are never meaningful in a scenario (and NaN compares false with
    # every bound, so it would slip past all of them).
    model_config = ConfigDict(
        extra="forbid", strict=True, populate_by_name=True, allow_inf_nan=False
    )


class DistributionYaml(Strict):
    """``fixed`` (``ms``), ``uniform`` (``min``..``max``), ``normal`` (``mean``, ``stddev``),
    ``exponential`` (``mean``)."""

    distribution: Literal["fixed", "uniform", "normal", "exponential"] = "fixed"
    ms: NonNegative = 100.0
    min: NonNegative = 0.0
    max: NonNegative = 0.0
    mean: NonNegative = 100.0
    stddev: NonNegative = 0.0


class FailureYaml(Strict):
    when: Literal["always", "probability", "contains"] = "always"
    probability: float = Field(default=0.0, ge=0.0, le=1.0)
    needle: str = ""
    effect: Literal["raise", "timeout", "crash", "report"] = "raise"
    error_type: str = "Exception"
    error_message: str = "simulated failure"


class BehaviourYaml(Strict):
    duration_ms: NonNegative | DistributionYaml = 100.0
    init_duration_ms: NonNegative | DistributionYaml = 200.0
    max_memory_mb: int = Field(default=64, ge=0)
    fail: FailureYaml | None = None
    response: Any = None


class AliasYaml(Strict):
    name: str
    version: str
    additional_version: str | None = None
    weight: float = 0.0


class ProvisionedYaml(Strict):
    qualifier: str
    count: int


class AsyncYaml(Strict):
    max_retries: int = facts.ASYNC_MAX_RETRIES_DEFAULT
    max_event_age_s: int = facts.ASYNC_MAX_EVENT_AGE_DEFAULT_S
    on_success: str | None = None
    on_failure: str | None = None


class FunctionYaml(Strict):
    name: str
    memory_mb: int = facts.MEMORY_DEFAULT_MB
    timeout_s: int = facts.TIMEOUT_DEFAULT_S
    architecture: str = "x86_64"
    ephemeral_mb: int = facts.EPHEMERAL_DEFAULT_MB
    reserved_concurrency: int | None = None
    behaviour: BehaviourYaml = Field(default_factory=BehaviourYaml)
    publish_versions: int = Field(default=0, ge=0, le=MAX_PUBLISHED_VERSIONS)
    aliases: list[AliasYaml] = Field(default_factory=list)
    provisioned: list[ProvisionedYaml] = Field(default_factory=list)
    async_config: AsyncYaml | None = None
    dead_letter: str | None = None


class RedriveYaml(Strict):
    dead_letter_queue: str
    max_receive_count: int = Field(ge=1, le=1000)  # SQS RedrivePolicy range


class QueueYaml(Strict):
    name: str
    fifo: bool = False
    visibility_timeout_s: float = Field(default=30.0, ge=0.0, le=43_200.0)  # SQS: 0 s-12 h
    redrive: RedriveYaml | None = None


class StreamYaml(Strict):
    name: str
    kind: Literal["kinesis", "dynamodb"] = "kinesis"
    shards: int = Field(default=1, ge=1, le=MAX_SHARDS)


class SqsMappingYaml(Strict):
    function: str
    queue: str
    qualifier: str | None = None
    batch_size: int = facts.SQS_BATCH_SIZE_DEFAULT
    batching_window_s: int = 0
    report_batch_item_failures: bool = False
    max_concurrency: int | None = None
    filter_patterns: list[dict[str, Any]] = Field(default_factory=list)


class StreamMappingYaml(Strict):
    function: str
    stream: str
    qualifier: str | None = None
    batch_size: int = facts.STREAM_BATCH_SIZE_DEFAULT
    batching_window_s: int = 0
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = "TRIM_HORIZON"
    parallelization_factor: int = 1
    bisect_on_error: bool = False
    max_retries: int = facts.STREAM_MAX_RETRIES_DEFAULT
    max_record_age_s: int = facts.STREAM_MAX_RECORD_AGE_DEFAULT_S
    report_batch_item_failures: bool = False
    on_failure: str | None = None


class InvokeTraffic(Strict):
    """``count`` calls starting at ``at_s``, ``interval_s`` apart (0 = a burst)."""

    type: Literal["sync", "async"]
    function: str
    qualifier: str | None = None
    count: int = Field(default=1, ge=1, le=MAX_CALLS)
    at_s: NonNegative = 0.0
    interval_s: NonNegative = 0.0
    payload: Any = None


class RateTraffic(Strict):
    """A steady rate: ``per_second`` calls for ``duration_s`` from ``start_s``."""

    type: Literal["rate"]
    mode: Literal["sync", "async"] = "sync"
    function: str
    qualifier: str | None = None
    per_second: float = Field(gt=0, le=MAX_CALLS)
    start_s: NonNegative = 0.0
    duration_s: float = Field(gt=0, le=365 * 86_400.0)
    payload: Any = None


class SqsTraffic(Strict):
    """Messages for a queue: explicit ``bodies``, or ``count`` of ``body`` with ``{i}``
    replaced by the index; indexes in ``poison`` get the body ``poison {i}``."""

    type: Literal["sqs"]
    queue: str
    bodies: list[str] = Field(default_factory=list)
    count: int = Field(default=0, ge=0, le=MAX_MESSAGES)
    body: str = "message {i}"
    poison: list[int] = Field(default_factory=list)
    group_id: str | None = None
    at_s: NonNegative = 0.0


class StreamTraffic(Strict):
    """Records for a stream, like SqsTraffic; ``partition_keys`` keys round-robin."""

    type: Literal["stream"]
    stream: str
    count: int = Field(default=1, ge=1, le=MAX_MESSAGES)
    data: str = "record {i}"
    poison: list[int] = Field(default_factory=list)
    partition_keys: list[str] = Field(default_factory=lambda: ["key"], min_length=1)
    at_s: NonNegative = 0.0


Traffic = Annotated[
    InvokeTraffic | RateTraffic | SqsTraffic | StreamTraffic, Field(discriminator="type")
]


class FaultYaml(Strict):
    function: str
    kind: Literal["error", "timeout", "latency", "system_error"]
    start_s: NonNegative
    end_s: NonNegative
    extra_ms: NonNegative = 0.0


class AccountYaml(Strict):
    concurrency: int = Field(
        default=facts.ACCOUNT_CONCURRENCY_DEFAULT, ge=1, le=MAX_ACCOUNT_CONCURRENCY
    )


class OptionsYaml(Strict):
    idle_reclaim_s: NonNegative = 600.0
    retry_jitter_s: float = Field(default=0.0, ge=0.0)
    duplicate_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    async_queue_delay_s: float = Field(default=0.0, ge=0.0)
    stream_retry_delay_s: float = Field(default=0.0, ge=0.0)


class CostEstimateYaml(Strict):
    label: str
    invocations: int = Field(ge=0)
    billed_duration_ms: float = Field(ge=0, le=facts.TIMEOUT_MAX_S * 1000.0)
    memory_mb: int = Field(ge=facts.MEMORY_MIN_MB, le=facts.MEMORY_MAX_MB)
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    free_tier: bool = False
    ephemeral_mb: int = Field(
        default=facts.EPHEMERAL_DEFAULT_MB, ge=facts.EPHEMERAL_MIN_MB, le=facts.EPHEMERAL_MAX_MB
    )
    provisioned_concurrency: int = Field(default=0, ge=0, le=MAX_ACCOUNT_CONCURRENCY)
    provisioned_hours: float = Field(default=0.0, ge=0.0, le=744.0)  # hours in a month
    expect_total_usd: float | None = Field(default=None, ge=0.0)


# ------------------------------------------------------------------ VPC
class RouteYaml(Strict):
    destination: str
    target: str


class RouteTableYaml(Strict):
    id: str
    vpc_id: str
    main: bool = False
    subnets: list[str] = Field(default_factory=list)
    routes: list[RouteYaml] = Field(default_factory=list)


class SgRuleYaml(Strict):
    protocol: str = "tcp"
    from_port: int = 0
    to_port: int = 65535
    cidrs: list[str] = Field(default_factory=list)
    security_groups: list[str] = Field(default_factory=list)


class SecurityGroupYaml(Strict):
    id: str
    vpc_id: str
    name: str = ""
    ingress: list[SgRuleYaml] = Field(default_factory=list)
    egress: list[SgRuleYaml] | None = None  # None = AWS default (all outbound)


class EndpointYaml(Strict):
    id: str
    vpc_id: str
    service: str
    type: Literal["Gateway", "Interface"] = "Gateway"
    route_table_ids: list[str] = Field(default_factory=list)
    subnet_ids: list[str] = Field(default_factory=list)
    security_group_ids: list[str] = Field(default_factory=list)
    policy_allows: bool = True
    private_dns: bool = True


class AclRuleYaml(Strict):
    number: int
    allow: bool
    cidr: str = "0.0.0.0/0"
    protocol: str = "-1"
    from_port: int = 0
    to_port: int = 65535


class NetworkAclYaml(Strict):
    id: str
    subnets: list[str]
    ingress: list[AclRuleYaml] = Field(default_factory=list)
    egress: list[AclRuleYaml] = Field(default_factory=list)


class IdCidrYaml(Strict):
    id: str
    cidr: str


class SubnetYaml(Strict):
    id: str
    vpc_id: str
    cidr: str
    az: str


class IgwYaml(Strict):
    id: str
    vpc_id: str | None = None


class NatYaml(Strict):
    id: str
    subnet_id: str
    state: str = "available"


class NetworkYaml(Strict):
    vpcs: list[IdCidrYaml] = Field(default_factory=list)
    subnets: list[SubnetYaml] = Field(default_factory=list)
    route_tables: list[RouteTableYaml] = Field(default_factory=list)
    internet_gateways: list[IgwYaml] = Field(default_factory=list)
    nat_gateways: list[NatYaml] = Field(default_factory=list)
    endpoints: list[EndpointYaml] = Field(default_factory=list)
    security_groups: list[SecurityGroupYaml] = Field(default_factory=list)
    network_acls: list[NetworkAclYaml] = Field(default_factory=list)


class FunctionVpcYaml(Strict):
    subnet_ids: list[str] = Field(default_factory=list)
    security_group_ids: list[str] = Field(default_factory=list)


class ReachTargetYaml(Strict):
    kind: Literal["internet", "service", "resource"]
    host: str = "example.com"
    service: str = ""
    name: str = ""
    subnet_id: str = ""
    port: int = 443
    security_group_ids: list[str] = Field(default_factory=list)


class ReachCheckYaml(Strict):
    label: str
    target: ReachTargetYaml
    expect_reachable: bool | None = None


class VpcScenarioYaml(Strict):
    network: NetworkYaml = Field(default_factory=NetworkYaml)
    function: FunctionVpcYaml | None = None
    checks: list[ReachCheckYaml] = Field(default_factory=list)


class ScenarioYaml(Strict):
    title: str
    description: str
    seed: int = 0
    account: AccountYaml = Field(default_factory=lambda: AccountYaml())
    options: OptionsYaml = Field(default_factory=lambda: OptionsYaml())
    functions: list[FunctionYaml] = Field(default_factory=list)
    queues: list[QueueYaml] = Field(default_factory=list)
    streams: list[StreamYaml] = Field(default_factory=list)
    sqs_mappings: list[SqsMappingYaml] = Field(default_factory=list)
    stream_mappings: list[StreamMappingYaml] = Field(default_factory=list)
    traffic: list[Traffic] = Field(default_factory=list)
    faults: list[FaultYaml] = Field(default_factory=list)
    run_until_s: NonNegative | None = None
    max_events: int | None = Field(default=None, ge=1, le=MAX_EVENTS)
    cost_estimates: list[CostEstimateYaml] = Field(default_factory=list)
    vpc: VpcScenarioYaml | None = None
    expect: dict[str, int | float] = Field(default_factory=dict)
