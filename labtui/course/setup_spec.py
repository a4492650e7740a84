"""The ``setup:`` block of an exercise pack: the resources seeded before the learner starts.

``sandbox/<id>/exercise.yaml`` describes, in learner-visible names (curriculum.md §6),
what exists in the sandbox account when the exercise opens: roles, functions, queues,
streams, tables, buckets, VPC pieces, secrets, event source mappings. The course linter
validates the block with these models; ``labtui.account`` seeds an account from them.

Everything is strict (no type coercion, unknown keys rejected) and references between
resources are checked by name, so a typo in a pack is reported by the linter rather than
discovered as a failed seed. This module imports only pydantic.

Example::

    setup:
      roles:
        - name: order-processor-role
          managed_policies: [AWSLambdaBasicExecutionRole]
      queues:
        - name: order-failures
      functions:
        - name: order-processor
          role: order-processor-role
          code: starter
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Architecture = Literal["x86_64", "arm64"]
Runtime = Literal["python3.9", "python3.10", "python3.11", "python3.12", "python3.13"]


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# --- IAM -------------------------------------------------------------------------------


class InlinePolicy(_Spec):
    name: str
    document: dict[str, Any]


class RoleSpec(_Spec):
    """An IAM role. ``trust`` lists the service principals allowed to assume it (R-8.1)."""

    name: str
    trust: list[str] = Field(default_factory=lambda: ["lambda.amazonaws.com"])
    managed_policies: list[str] = Field(default_factory=list)  # names or full ARNs
    inline_policies: list[InlinePolicy] = Field(default_factory=list)
    description: str = ""


# --- Lambda ----------------------------------------------------------------------------


class VpcAttachment(_Spec):
    subnets: list[str]  # subnet names from ``vpcs[].subnets``
    security_groups: list[str]  # security group names


class VersionSpec(_Spec):
    """One version to publish; the overrides apply to ``$LATEST`` before publishing (R-9.1)."""

    description: str = ""
    code: str | None = None
    files: dict[str, str] | None = None
    memory: int | None = None
    timeout: int | None = None
    environment: dict[str, str] | None = None


class AliasSpec(_Spec):
    """An alias on a published version, with an optional weighted second version (R-9.2)."""

    name: str
    version: str
    weights: dict[str, float] = Field(default_factory=dict)
    description: str = ""

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        # YAML reads `version: 3` as an int; versions are strings in the Lambda API.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("weights", mode="before")
    @classmethod
    def _weight_keys_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(key): weight for key, weight in value.items()}
        return value

    @field_validator("weights")
    @classmethod
    def _weights_in_range(cls, weights: dict[str, float]) -> dict[str, float]:
        if len(weights) > 1:
            raise ValueError("an alias routes to at most one additional version (R-9.2)")
        for version, weight in weights.items():
            if not 0.0 <= weight <= 1.0:
                raise ValueError(f"weight for version {version} must be 0.0-1.0 (R-9.2)")
        return weights


class EventInvokeConfigSpec(_Spec):
    """Async settings (R-3.2, R-3.4) and destinations (R-3.7) by resource name or ARN."""

    maximum_retry_attempts: int | None = Field(default=None, ge=0, le=2)
    maximum_event_age: int | None = Field(default=None, ge=60, le=21_600)
    on_success: str | None = None
    on_failure: str | None = None


class FunctionUrlSpec(_Spec):
    auth_type: Literal["NONE", "AWS_IAM"] = "AWS_IAM"
    public_statement: bool = False  # add the `*` InvokeFunctionUrl statement


class PermissionSpec(_Spec):
    """A resource-policy statement (``add-permission``, R-8.3)."""

    statement_id: str
    principal: str
    action: str = "lambda:InvokeFunction"
    source_arn: str | None = None
    source_account: str | None = None
    function_url_auth_type: Literal["NONE", "AWS_IAM"] | None = None


class FunctionSpec(_Spec):
    """A Lambda function. Code comes from ``code`` (a directory relative to the pack)
    or from inline ``files`` (path -> source)."""

    name: str
    role: str  # role name from ``roles`` (or a full ARN)
    runtime: Runtime = "python3.13"
    handler: str = "app.lambda_handler"
    code: str | None = None
    files: dict[str, str] | None = None
    memory: int = Field(default=128, ge=128, le=10_240)
    timeout: int = Field(default=3, ge=1, le=900)
    ephemeral_storage: int = Field(default=512, ge=512, le=10_240)
    architecture: Architecture = "x86_64"
    environment: dict[str, str] = Field(default_factory=dict)
    vpc: VpcAttachment | None = None
    reserved_concurrency: int | None = Field(default=None, ge=0)
    dead_letter_target: str | None = None  # queue name or ARN
    event_invoke_config: EventInvokeConfigSpec | None = None
    versions: list[VersionSpec] = Field(default_factory=list)
    aliases: list[AliasSpec] = Field(default_factory=list)
    provisioned_concurrency: dict[str, int] = Field(default_factory=dict)  # qualifier -> n
    url: FunctionUrlSpec | None = None
    permissions: list[PermissionSpec] = Field(default_factory=list)
    description: str = ""

    @field_validator("provisioned_concurrency", mode="before")
    @classmethod
    def _qualifiers_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(key): count for key, count in value.items()}
        return value

    @field_validator("versions", mode="before")
    @classmethod
    def _count_means_identical_versions(cls, value: object) -> object:
        # ``versions: 3`` is shorthand for three versions of the same code.
        if isinstance(value, int) and not isinstance(value, bool):
            return [{} for _ in range(value)]
        return value

    @model_validator(mode="after")
    def _one_code_source(self) -> FunctionSpec:
        if (self.code is None) == (self.files is None):
            raise ValueError(f"function {self.name}: give exactly one of 'code' or 'files'")
        if "." not in self.handler:
            raise ValueError(f"function {self.name}: handler must be module.function (R-1.7)")
        return self


# --- Storage, queues, streams ----------------------------------------------------------


class BucketNotification(_Spec):
    function: str
    events: list[str] = Field(default_factory=lambda: ["s3:ObjectCreated:*"])
    prefix: str | None = None
    suffix: str | None = None


class BucketSpec(_Spec):
    name: str
    notifications: list[BucketNotification] = Field(default_factory=list)
    objects: dict[str, str] = Field(default_factory=dict)  # key -> text body


class RedriveSpec(_Spec):
    """The queue's own DLQ (R-4.2): messages move after ``max_receive_count`` receives."""

    dead_letter_queue: str
    max_receive_count: int = Field(ge=1, le=1000)


class QueueSpec(_Spec):
    name: str
    fifo: bool = False
    visibility_timeout: int = Field(default=30, ge=0, le=43_200)
    message_retention: int | None = Field(default=None, ge=60, le=1_209_600)
    redrive: RedriveSpec | None = None
    messages: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fifo_suffix(self) -> QueueSpec:
        if self.fifo != self.name.endswith(".fifo"):
            raise ValueError(f"queue {self.name}: FIFO queues (and only they) end in .fifo")
        return self


class StreamSpec(_Spec):
    name: str
    shards: int = Field(default=1, ge=1, le=100)


class KeyAttribute(_Spec):
    name: str
    type: Literal["S", "N", "B"] = "S"
    key_type: Literal["HASH", "RANGE"] = "HASH"


class TableSpec(_Spec):
    name: str
    key: list[KeyAttribute]
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = None

    @field_validator("key")
    @classmethod
    def _one_hash_key(cls, key: list[KeyAttribute]) -> list[KeyAttribute]:
        if [attribute.key_type for attribute in key].count("HASH") != 1:
            raise ValueError("a table key has exactly one HASH attribute")
        return key


class SecretSpec(_Spec):
    name: str
    value: str | dict[str, str]
    description: str = ""


# --- VPC -------------------------------------------------------------------------------


class SubnetSpec(_Spec):
    name: str
    cidr: str
    az: str = "us-east-1a"
    public: bool = False  # maps public IPs on launch; routing is the route table's job


class RouteSpec(_Spec):
    """A route: ``target`` is ``igw``, ``nat:<nat name>`` or ``local`` (implicit anyway)."""

    destination: str = "0.0.0.0/0"
    target: str

    @field_validator("target")
    @classmethod
    def _known_target_kind(cls, target: str) -> str:
        if target not in ("igw", "local") and not target.startswith("nat:"):
            raise ValueError("route target is 'igw', 'local' or 'nat:<name>'")
        return target


class RouteTableSpec(_Spec):
    name: str
    routes: list[RouteSpec] = Field(default_factory=list)
    subnets: list[str] = Field(default_factory=list)


class NatGatewaySpec(_Spec):
    name: str
    subnet: str


class EndpointSpec(_Spec):
    """A VPC endpoint: Gateway (S3/DynamoDB, on route tables) or Interface (R-7.3)."""

    service: str  # short name: s3, dynamodb, secretsmanager, ...
    type: Literal["Gateway", "Interface"] = "Gateway"
    route_tables: list[str] = Field(default_factory=list)
    subnets: list[str] = Field(default_factory=list)
    security_groups: list[str] = Field(default_factory=list)


class SecurityGroupRule(_Spec):
    """One rule: a port (or range) from/to a CIDR or another group by name (R-7.4)."""

    protocol: Literal["tcp", "udp", "icmp", "-1"] = "tcp"
    port: int | None = Field(default=None, ge=0, le=65_535)
    to_port: int | None = Field(default=None, ge=0, le=65_535)
    cidr: str | None = None
    group: str | None = None
    description: str = ""

    @model_validator(mode="after")
    def _one_peer(self) -> SecurityGroupRule:
        if (self.cidr is None) == (self.group is None):
            raise ValueError("a security group rule names exactly one of 'cidr' or 'group'")
        if self.protocol != "-1" and self.port is None:
            raise ValueError("a tcp/udp/icmp rule needs a 'port'")
        return self


class SecurityGroupSpec(_Spec):
    name: str
    description: str = ""
    ingress: list[SecurityGroupRule] = Field(default_factory=list)
    # None keeps AWS's default egress (all traffic to 0.0.0.0/0); a list replaces it.
    egress: list[SecurityGroupRule] | None = None


class VpcSpec(_Spec):
    name: str
    cidr: str = "10.0.0.0/16"
    subnets: list[SubnetSpec] = Field(default_factory=list)
    internet_gateway: bool = False
    nat_gateways: list[NatGatewaySpec] = Field(default_factory=list)
    route_tables: list[RouteTableSpec] = Field(default_factory=list)
    endpoints: list[EndpointSpec] = Field(default_factory=list)
    security_groups: list[SecurityGroupSpec] = Field(default_factory=list)


# --- Event source mappings -------------------------------------------------------------


class EventSourceMappingSpec(_Spec):
    """A mapping from a queue, stream or table stream (by name) to a function (R-4)."""

    function: str  # function name, optionally ``name:qualifier``
    source: str  # queue, stream or table name
    source_type: Literal["sqs", "kinesis", "dynamodb"]
    batch_size: int | None = Field(default=None, ge=1, le=10_000)
    batching_window: int | None = Field(default=None, ge=0, le=300)
    enabled: bool = True
    starting_position: Literal["TRIM_HORIZON", "LATEST"] | None = None
    report_batch_item_failures: bool = False
    bisect_on_error: bool | None = None
    maximum_retry_attempts: int | None = Field(default=None, ge=-1, le=10_000)
    maximum_record_age: int | None = Field(default=None, ge=-1, le=604_800)
    parallelization_factor: int | None = Field(default=None, ge=1, le=10)
    on_failure: str | None = None
    maximum_concurrency: int | None = Field(default=None, ge=2, le=1000)


class AccountSettingsSpec(_Spec):
    concurrent_executions: int = Field(default=1000, ge=100)


# --- The whole block -------------------------------------------------------------------


class ExerciseSetup(_Spec):
    """Everything seeded for one exercise. Names refer to each other; all checked here."""

    account: AccountSettingsSpec | None = None
    roles: list[RoleSpec] = Field(default_factory=list)
    buckets: list[BucketSpec] = Field(default_factory=list)
    queues: list[QueueSpec] = Field(default_factory=list)
    streams: list[StreamSpec] = Field(default_factory=list)
    tables: list[TableSpec] = Field(default_factory=list)
    secrets: list[SecretSpec] = Field(default_factory=list)
    vpcs: list[VpcSpec] = Field(default_factory=list)
    functions: list[FunctionSpec] = Field(default_factory=list)
    event_source_mappings: list[EventSourceMappingSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> ExerciseSetup:
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def subnet_names(self) -> set[str]:
        return {subnet.name for vpc in self.vpcs for subnet in vpc.subnets}

    def security_group_names(self) -> set[str]:
        return {group.name for vpc in self.vpcs for group in vpc.security_groups}


def _duplicates(kind: str, names: list[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for name in names:
        if name in seen:
            problems.append(f"{kind} '{name}' is defined twice")
        seen.add(name)
    return problems


def _missing(kind: str, name: str, known: set[str], where: str) -> list[str]:
    if name.startswith("arn:") or name in known:
        return []
    return [f"{where}: unknown {kind} '{name}'"]


def reference_problems(setup: ExerciseSetup) -> list[str]:
    """Every dangling or duplicated name in ``setup``, in document order."""
    roles = {role.name for role in setup.roles}
    functions = {function.name for function in setup.functions}
    queues = {queue.name for queue in setup.queues}
    subnets = setup.subnet_names()
    groups = setup.security_group_names()
    targets = queues | functions
    problems = _duplicates("role", [r.name for r in setup.roles])
    problems += _duplicates("function", [f.name for f in setup.functions])
    problems += _duplicates("queue", [q.name for q in setup.queues])
    problems += _duplicates("subnet", [s.name for v in setup.vpcs for s in v.subnets])
    problems += _duplicates(
        "security group", [g.name for v in setup.vpcs for g in v.security_groups]
    )
    for queue in setup.queues:
        if queue.redrive:
            where = f"queue {queue.name} redrive"
            problems += _missing("queue", queue.redrive.dead_letter_queue, queues, where)
    for bucket in setup.buckets:
        for notification in bucket.notifications:
            where = f"bucket {bucket.name}"
            problems += _missing("function", notification.function, functions, where)
    for function in setup.functions:
        where = f"function {function.name}"
        problems += _missing("role", function.role, roles, where)
        if function.vpc:
            for subnet in function.vpc.subnets:
                problems += _missing("subnet", subnet, subnets, where)
            for group in function.vpc.security_groups:
                problems += _missing("security group", group, groups, where)
        if function.dead_letter_target:
            problems += _missing("queue", function.dead_letter_target, queues, where)
        if function.event_invoke_config:
            for target in (
                function.event_invoke_config.on_success,
                function.event_invoke_config.on_failure,
            ):
                if target:
                    problems += _missing("destination", target, targets, where)
        published = {str(number) for number in range(1, len(function.versions) + 1)}
        for alias in function.aliases:
            for version in [alias.version, *alias.weights]:
                problems += _missing("published version", version, published, where)
    for vpc in setup.vpcs:
        problems += _vpc_problems(vpc)
    for mapping in setup.event_source_mappings:
        where = f"event source mapping {mapping.source} -> {mapping.function}"
        problems += _missing("function", mapping.function.split(":")[0], functions, where)
        sources = {
            "sqs": queues,
            "kinesis": {stream.name for stream in setup.streams},
            "dynamodb": {table.name for table in setup.tables if table.stream},
        }[mapping.source_type]
        problems += _missing(f"{mapping.source_type} source", mapping.source, sources, where)
        if mapping.on_failure:
            problems += _missing("queue", mapping.on_failure, queues, where)
    return problems


def _vpc_problems(vpc: VpcSpec) -> list[str]:
    subnets = {subnet.name for subnet in vpc.subnets}
    groups = {group.name for group in vpc.security_groups}
    nats = {nat.name for nat in vpc.nat_gateways}
    tables = {table.name for table in vpc.route_tables}
    where = f"vpc {vpc.name}"
    problems = []
    for nat in vpc.nat_gateways:
        problems += _missing("subnet", nat.subnet, subnets, f"{where} nat {nat.name}")
    for table in vpc.route_tables:
        for subnet in table.subnets:
            problems += _missing("subnet", subnet, subnets, f"{where} route table {table.name}")
        for route in table.routes:
            if route.target == "igw" and not vpc.internet_gateway:
                problems.append(f"{where} route table {table.name}: route to igw but no igw")
            if route.target.startswith("nat:"):
                nat_name = route.target.removeprefix("nat:")
                problems += _missing("nat gateway", nat_name, nats, f"{where} {table.name}")
    for endpoint in vpc.endpoints:
        for table_name in endpoint.route_tables:
            problems += _missing("route table", table_name, tables, f"{where} endpoint")
        for subnet in endpoint.subnets:
            problems += _missing("subnet", subnet, subnets, f"{where} endpoint")
        for group_name in endpoint.security_groups:
            problems += _missing("security group", group_name, groups, f"{where} endpoint")
    for group in vpc.security_groups:
        for rule in [*group.ingress, *(group.egress or [])]:
            if rule.group:
                problems += _missing("security group", rule.group, groups, f"{where} {group.name}")
    return problems
