"""lambdasim — a faithful, deterministic AWS Lambda behaviour engine.

Pure Python (imports only ``labtui.facts`` from labtui; no boto3, moto or
textual). Every behaviour follows ``lambda-spec.md``; rule ids (``R-x.y``) are
cited where they are implemented.

Building a world
----------------
::

    from labtui.lambdasim import *

    sim = Simulation(seed=0)                       # virtual clock, trace in memory
    sim.add_function(FunctionSpec(
        "checkout", memory_mb=512, timeout_s=3, reserved_concurrency=100,
        architecture="arm64",
        behaviour=BehaviourModel(duration=Duration("fixed", 120),
                                 failure=FailureRule("contains", needle="poison")),
    ))
    v1 = sim.publish_version("checkout")                         # "1" (R-9.1)
    sim.create_alias("checkout", "live", v1)                     # R-9.2 (weights too)
    sim.set_provisioned_concurrency("checkout", "live", 10)      # R-5.4
    sim.put_event_invoke_config("checkout", AsyncConfig(max_retries=2,
        max_event_age_s=3600, on_failure="arn:aws:sqs:us-east-1:123456789012:failures"))
    sim.set_dead_letter("checkout", DeadLetter("arn:aws:sqs:...:checkout-dlq"))

    sim.add_sqs_queue(SqsQueueSpec("payments-dlq"))
    sim.add_sqs_queue(SqsQueueSpec("payments", visibility_timeout_s=30,
                                   redrive=Redrive("payments-dlq", max_receive_count=3)))
    sim.add_sqs_mapping(SqsMappingSpec("checkout", "payments", batch_size=10,
                                       report_batch_item_failures=True))
    sim.add_stream(StreamSpec("orders", kind="kinesis", shards=2))
    sim.add_stream_mapping(StreamMappingSpec("checkout", "orders", bisect_on_error=True,
                                             max_retries=2, on_failure="failures"))

Also: ``update_function(spec)`` (changes ``$LATEST`` only),
``set_reserved_concurrency(name, n | None)``, ``set_account_concurrency(n)``,
``delete_provisioned_concurrency(name, qualifier)``,
``add_fault(name, Fault(start_s, end_s, "error" | "timeout" | "latency" |
"system_error", extra_ms))``.

Configuration errors raise :class:`LambdaApiError` with AWS's code and exact
wording (``ValidationException: 1 validation error detected: Value '20000' at
'memorySize' failed to satisfy constraint: ...``).

Traffic and running
-------------------
``invoke_sync`` returns a :class:`SyncInvocation` whose ``response``
(:class:`InvokeResponse`: status code, payload, function error, 429 Reason,
durations, env id) is set once the run passes its end. ``invoke_async``
returns an :class:`AsyncEvent` whose ``state`` ends as ``success``, ``failed``
or ``dropped`` (``condition``, ``attempts``). ``send_sqs_messages`` and
``put_stream_records`` feed the event sources. Every call takes ``at=`` (a
simulated time in seconds). ``sim.run(until=None, max_events=None)`` processes
events (returns False if ``max_events`` stopped a world that never settles, or a
livelock was found; ``sim.engine.stop_reason`` says which). Events at the same
instant run in the order they were scheduled, except that completions run first:
a completion at t frees its environment before an arrival at t (times sit on a
2**-30 s grid so that equal instants compare equal);
:class:`ScaledClock` makes simulated time follow real time for a live sandbox
(``Simulation(clock=ScaledClock(60))``).

Results
-------
* ``sim.trace`` — list of :class:`TraceEvent` (time, kind, function, version,
  env_id, request_id, attempt, outcome, duration_ms, detail) in processing
  order; ``timeline(sim.trace)`` sorts it by time for display; see ``trace``
  for the kinds. ``Simulation(trace=open(path, "w"))`` streams JSON lines
  instead; ``trace="off"`` records nothing (fastest; memory stays flat with
  ``keep_history=False``, which also stops keeping ``sim.async_events``).
* ``sim.queue(name).messages`` — :class:`Message` objects (body,
  ``receive_count``, ``attributes``, ``message_attributes``) still in a queue,
  including DLQs and SQS destinations.
* ``sim.deliveries`` — every :class:`Delivery` (DLQ message, R-3.8 invocation
  record, R-4.13 stream batch record) in order, with the record as a dict.
* ``sim.async_events``, ``sim.sqs_pollers``, ``sim.stream_pollers[i].invocations``
  (shard, record indexes, status) / ``processed_records()``, ``sim.summary()``
  (:class:`Summary`), ``sim.cost(free_tier=False)`` (:class:`CostBreakdown`).
* Errors of the engine's own making follow AWS: 429 Reasons
  (:data:`RESERVED_LIMIT`, :data:`ACCOUNT_LIMIT`, :data:`SCALING_LIMIT`),
  ``Sandbox.Timedout`` timeouts, ``Runtime.ExitError`` memory kills.

Function behaviour
------------------
A function runs through a :class:`HandlerBackend`: ``bind(rng)``,
``start_environment(env) -> InitResult``, ``invoke(env, event, context) ->
HandlerResult`` and ``stop_environment(env)``. :class:`BehaviourModel` is the
built-in statistical backend; ``labtui.runner`` provides one for real code.

Elsewhere in the package
------------------------
* VPC reachability (R-7.7, module ``labtui.lambdasim.vpc``): :class:`VpcModel`
  (vpcs, subnets with AZ, route tables with routes and associations, internet
  and NAT gateways, gateway/interface endpoints, security groups with rules
  that reference groups, network ACLs) and ``can_reach(model,
  FunctionVpcConfig(subnet_ids, security_group_ids) or None, target) ->
  Reachability(reachable, reason, rule)`` for an :class:`InternetTarget`,
  :class:`AwsServiceTarget` or :class:`VpcResourceTarget`.
* Monthly cost (R-10): ``monthly_cost(invocations, billed_duration_ms,
  memory_mb, architecture, free_tier=..., provisioned_concurrency=...) ->
  CostBreakdown``.
* Scenario files (module ``labtui.lambdasim.report``, also importable from
  here, loaded lazily because they need pydantic and PyYAML):
  ``run_scenario_file(path, seed=None) -> ScenarioReport`` (what ``labtui
  simulate`` and the TUI call; ``report.summary``, ``report.trace``,
  ``report.ok``, ``render_text(report, trace=False)``);
  ``load_scenario(path)`` raises :class:`ScenarioError` whose ``problems`` are
  every ``file:line: message``.

Live use (sandbox gateway): ``LiveSimulation(sim, scale)`` runs the events of
``sim`` in a background thread when their scaled wall-clock time comes; other
threads call ``live.submit(lambda sim: sim.invoke_async(...))`` or
``live.invoke_sync(name, payload)`` (blocks until the response). A bare
``Simulation`` is not thread-safe; ``Simulation(clock=ScaledClock(scale))``
makes a single-threaded ``run()`` sleep instead.

Randomness is one seeded ``random.Random`` (alias weights, duration
distributions, retry jitter, duplicates): the same seed gives the same trace.
Simulator conventions where AWS publishes no number are listed on
:class:`EngineOptions`.
"""

# Everything is imported on first use (PEP 562): ``import labtui.lambdasim.commands``
# (done by ``labtui --help``) must not build the engine's classes.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labtui.lambdasim.behaviour import (
        BehaviourModel,
        Duration,
        EnvironmentInfo,
        FailureRule,
        HandlerBackend,
        HandlerResult,
        InitResult,
        InvocationContext,
    )
    from labtui.lambdasim.clock import ScaledClock, VirtualClock
    from labtui.lambdasim.config import (
        LATEST,
        AsyncConfig,
        DeadLetter,
        EngineOptions,
        FunctionSpec,
        Redrive,
        SqsMappingSpec,
        SqsQueueSpec,
        StreamMappingSpec,
        StreamSpec,
    )
    from labtui.lambdasim.cost import CostBreakdown, monthly_cost
    from labtui.lambdasim.engine import ACCOUNT_LIMIT, RESERVED_LIMIT, SCALING_LIMIT, SYSTEM_ERROR
    from labtui.lambdasim.invoke_async import AsyncEvent
    from labtui.lambdasim.invoke_sync import InvokeResponse, SyncInvocation
    from labtui.lambdasim.live import LiveSimulation
    from labtui.lambdasim.records import Delivery
    from labtui.lambdasim.report import ScenarioReport, render_text, run_scenario_file
    from labtui.lambdasim.scenario import ScenarioError, load_scenario
    from labtui.lambdasim.simulation import Simulation
    from labtui.lambdasim.sqs import Message, SqsQueue
    from labtui.lambdasim.state import Fault
    from labtui.lambdasim.streams import StreamRecord
    from labtui.lambdasim.summary import Summary
    from labtui.lambdasim.trace import JsonLinesTrace, ListTrace, TraceEvent, format_event, timeline
    from labtui.lambdasim.validation import LambdaApiError
    from labtui.lambdasim.vpc import (
        AclRule,
        AwsServiceTarget,
        FunctionVpcConfig,
        InternetGateway,
        InternetTarget,
        NatGateway,
        NetworkAcl,
        Reachability,
        Route,
        RouteTable,
        SecurityGroup,
        SgRule,
        Subnet,
        Vpc,
        VpcEndpoint,
        VpcModel,
        VpcResourceTarget,
        can_reach,
        vpc_warnings,
    )

_EXPORTS: dict[str, str] = {
    "ACCOUNT_LIMIT": "labtui.lambdasim.engine",
    "AclRule": "labtui.lambdasim.vpc",
    "AsyncConfig": "labtui.lambdasim.config",
    "AsyncEvent": "labtui.lambdasim.invoke_async",
    "AwsServiceTarget": "labtui.lambdasim.vpc",
    "BehaviourModel": "labtui.lambdasim.behaviour",
    "CostBreakdown": "labtui.lambdasim.cost",
    "DeadLetter": "labtui.lambdasim.config",
    "Delivery": "labtui.lambdasim.records",
    "Duration": "labtui.lambdasim.behaviour",
    "EngineOptions": "labtui.lambdasim.config",
    "EnvironmentInfo": "labtui.lambdasim.behaviour",
    "FailureRule": "labtui.lambdasim.behaviour",
    "Fault": "labtui.lambdasim.state",
    "FunctionSpec": "labtui.lambdasim.config",
    "FunctionVpcConfig": "labtui.lambdasim.vpc",
    "HandlerBackend": "labtui.lambdasim.behaviour",
    "HandlerResult": "labtui.lambdasim.behaviour",
    "InitResult": "labtui.lambdasim.behaviour",
    "InternetGateway": "labtui.lambdasim.vpc",
    "InternetTarget": "labtui.lambdasim.vpc",
    "InvocationContext": "labtui.lambdasim.behaviour",
    "InvokeResponse": "labtui.lambdasim.invoke_sync",
    "JsonLinesTrace": "labtui.lambdasim.trace",
    "LATEST": "labtui.lambdasim.config",
    "LambdaApiError": "labtui.lambdasim.validation",
    "LiveSimulation": "labtui.lambdasim.live",
    "ListTrace": "labtui.lambdasim.trace",
    "Message": "labtui.lambdasim.sqs",
    "NatGateway": "labtui.lambdasim.vpc",
    "NetworkAcl": "labtui.lambdasim.vpc",
    "RESERVED_LIMIT": "labtui.lambdasim.engine",
    "Reachability": "labtui.lambdasim.vpc",
    "Redrive": "labtui.lambdasim.config",
    "Route": "labtui.lambdasim.vpc",
    "RouteTable": "labtui.lambdasim.vpc",
    "SCALING_LIMIT": "labtui.lambdasim.engine",
    "SYSTEM_ERROR": "labtui.lambdasim.engine",
    "ScaledClock": "labtui.lambdasim.clock",
    "ScenarioError": "labtui.lambdasim.scenario",
    "ScenarioReport": "labtui.lambdasim.report",
    "SecurityGroup": "labtui.lambdasim.vpc",
    "SgRule": "labtui.lambdasim.vpc",
    "Simulation": "labtui.lambdasim.simulation",
    "SqsMappingSpec": "labtui.lambdasim.config",
    "SqsQueue": "labtui.lambdasim.sqs",
    "SqsQueueSpec": "labtui.lambdasim.config",
    "StreamMappingSpec": "labtui.lambdasim.config",
    "StreamRecord": "labtui.lambdasim.streams",
    "StreamSpec": "labtui.lambdasim.config",
    "Subnet": "labtui.lambdasim.vpc",
    "Summary": "labtui.lambdasim.summary",
    "SyncInvocation": "labtui.lambdasim.invoke_sync",
    "TraceEvent": "labtui.lambdasim.trace",
    "VirtualClock": "labtui.lambdasim.clock",
    "Vpc": "labtui.lambdasim.vpc",
    "VpcEndpoint": "labtui.lambdasim.vpc",
    "VpcModel": "labtui.lambdasim.vpc",
    "VpcResourceTarget": "labtui.lambdasim.vpc",
    "can_reach": "labtui.lambdasim.vpc",
    "format_event": "labtui.lambdasim.trace",
    "load_scenario": "labtui.lambdasim.scenario",
    "monthly_cost": "labtui.lambdasim.cost",
    "render_text": "labtui.lambdasim.report",
    "run_scenario_file": "labtui.lambdasim.report",
    "timeline": "labtui.lambdasim.trace",
    "vpc_warnings": "labtui.lambdasim.vpc",
}

__all__ = [
    "ACCOUNT_LIMIT",
    "LATEST",
    "RESERVED_LIMIT",
    "SCALING_LIMIT",
    "SYSTEM_ERROR",
    "AclRule",
    "AsyncConfig",
    "AsyncEvent",
    "AwsServiceTarget",
    "BehaviourModel",
    "CostBreakdown",
    "DeadLetter",
    "Delivery",
    "Duration",
    "EngineOptions",
    "EnvironmentInfo",
    "FailureRule",
    "Fault",
    "FunctionSpec",
    "FunctionVpcConfig",
    "HandlerBackend",
    "HandlerResult",
    "InitResult",
    "InternetGateway",
    "InternetTarget",
    "InvocationContext",
    "InvokeResponse",
    "JsonLinesTrace",
    "LambdaApiError",
    "ListTrace",
    "LiveSimulation",
    "Message",
    "NatGateway",
    "NetworkAcl",
    "Reachability",
    "Redrive",
    "Route",
    "RouteTable",
    "ScaledClock",
    "ScenarioError",
    "ScenarioReport",
    "SecurityGroup",
    "SgRule",
    "Simulation",
    "SqsMappingSpec",
    "SqsQueue",
    "SqsQueueSpec",
    "StreamMappingSpec",
    "StreamRecord",
    "StreamSpec",
    "Subnet",
    "Summary",
    "SyncInvocation",
    "TraceEvent",
    "VirtualClock",
    "Vpc",
    "VpcEndpoint",
    "VpcModel",
    "VpcResourceTarget",
    "can_reach",
    "format_event",
    "load_scenario",
    "monthly_cost",
    "render_text",
    "run_scenario_file",
    "timeline",
    "vpc_warnings",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'labtui.lambdasim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(_EXPORTS)
