"""Run a scenario file and report on it (the service behind ``labtui simulate``)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from labtui.lambdasim.cost import CostBreakdown, monthly_cost
from labtui.lambdasim.diagnose import cut_short
from labtui.lambdasim.records import Delivery
from labtui.lambdasim.scenario import ScenarioBuild, ScenarioError, load_scenario
from labtui.lambdasim.scenario_checks import traffic_totals
from labtui.lambdasim.scenario_models import ReachTargetYaml, VpcScenarioYaml
from labtui.lambdasim.simulation import Simulation
from labtui.lambdasim.summary import Summary
from labtui.lambdasim.trace import BoundedTrace, TraceEvent, format_event, timeline
from labtui.lambdasim.vpc import (
    ALLOW_ALL_OUT,
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
    Target,
    Vpc,
    VpcEndpoint,
    VpcModel,
    VpcResourceTarget,
    can_reach,
    describe_target,
)

__all__ = ["ScenarioError", "ScenarioReport", "render_text", "run_scenario_file"]

# Amounts of money match within half a percent of the expected amount (R-10 prices have
# six significant digits; a fixed tolerance would let $0.004 "match" $0.000143).
MONEY_TOLERANCE = 0.005
TRACE_LIMIT = 100_000  # trace events kept for display (``--trace``, the TUI timeline)
DELIVERIES_KEPT = 1_000  # delivery records kept for display; every one is counted
MESSAGES_SHOWN = 100  # messages listed per queue in --json (all are counted)
# Default event budget: generous for the declared traffic (a call takes about two
# events, a message a few), small enough that a world that never settles stops soon.
DEFAULT_MAX_EVENTS = 2_000_000
EVENTS_PER_WORK_ITEM = 25


def money_matches(actual: float, expected: float) -> bool:
    """Equal within MONEY_TOLERANCE of the expected amount (and within a nano-dollar)."""
    return abs(actual - expected) <= max(MONEY_TOLERANCE * abs(expected), 1e-9)


def default_max_events(calls: int, messages: int) -> int:
    return max(DEFAULT_MAX_EVENTS, EVENTS_PER_WORK_ITEM * (calls + messages))


@dataclass(slots=True)
class Expectation:
    key: str
    expected: float
    actual: float | None

    @property
    def met(self) -> bool:
        if self.actual is None:
            return False
        if self.key.endswith("usd"):
            return money_matches(self.actual, self.expected)
        return abs(self.actual - self.expected) <= 1e-6


@dataclass(slots=True)
class ReachResult:
    label: str
    target: str
    result: Reachability
    expected: bool | None

    @property
    def met(self) -> bool:
        return self.expected is None or self.expected == self.result.reachable


@dataclass(slots=True)
class ScenarioReport:
    """Everything a run produced; ``ok`` when every expectation was met."""

    path: str
    title: str
    description: str
    seed: int
    summary: Summary | None
    trace: list[TraceEvent] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cost_estimates: list[tuple[str, CostBreakdown, float | None]] = field(default_factory=list)
    reachability: list[ReachResult] = field(default_factory=list)
    expectations: list[Expectation] = field(default_factory=list)
    simulation: Simulation | None = None
    settled: bool = True  # False: the run was cut short (``cut_reason`` says how)
    cut_reason: str = ""
    trace_dropped: int = 0  # trace events beyond TRACE_LIMIT, not kept
    queue_sizes: dict[str, int] = field(default_factory=dict)
    delivery_count: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.settled
            and all(e.met for e in self.expectations)
            and all(r.met for r in self.reachability)
            and all(
                expected is None or money_matches(cost.total_usd, expected)
                for _, cost, expected in self.cost_estimates
            )
        )

    def as_dict(self, include_trace: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "title": self.title,
            "seed": self.seed,
            "ok": self.ok,
            "settled": self.settled,
            "cut_reason": self.cut_reason,
            "queue_sizes": self.queue_sizes,
            "delivery_count": self.delivery_count,
            "summary": self.summary.as_dict() if self.summary else None,
            "expectations": [
                {"key": e.key, "expected": e.expected, "actual": e.actual, "met": e.met}
                for e in self.expectations
            ],
            "queues": self.queues,
            "deliveries": [
                {
                    "time": d.time,
                    "target": d.target,
                    "kind": d.kind,
                    "condition": d.condition,
                    "payload": d.payload,
                    "attributes": d.attributes,
                }
                for d in self.deliveries
            ],
            "cost_estimates": [
                {"label": label, **cost.as_dict(), "expected_total_usd": expected}
                for label, cost, expected in self.cost_estimates
            ],
            "reachability": [
                {
                    "label": r.label,
                    "target": r.target,
                    "reachable": r.result.reachable,
                    "reason": r.result.reason,
                    "rule": r.result.rule,
                    "expected": r.expected,
                }
                for r in self.reachability
            ],
        }
        if include_trace:
            data["trace"] = [event.as_dict() for event in self.trace]
            data["trace_dropped"] = self.trace_dropped
        return data


def run_scenario_file(
    path: str | Path,
    seed: int | None = None,
    *,
    trace: bool = True,
    max_events: int | None = None,
) -> ScenarioReport:
    """Load, run and check a scenario; raises ScenarioError listing every problem.

    Memory stays bounded however long the run: ``trace`` keeps the first TRACE_LIMIT
    events (False keeps none, the fastest), deliveries and queue listings are capped
    (every one is still counted). ``max_events`` overrides the scenario's budget
    (default: :func:`default_max_events` of the declared traffic). A run that stops
    before its world settles has ``settled`` False, ``cut_reason`` saying what was
    cut and why, and is never ``ok``.
    """
    loaded = load_scenario(path)
    scenario = loaded.model
    report = ScenarioReport(
        str(path),
        scenario.title,
        scenario.description.strip(),
        scenario.seed if seed is None else seed,
        None,
    )
    if scenario.functions:
        sink: BoundedTrace | Literal["off"] = BoundedTrace(TRACE_LIMIT) if trace else "off"
        build = ScenarioBuild(
            scenario, seed, trace=sink, keep_history=False, delivery_limit=DELIVERIES_KEPT
        )
        sim = build.sim
        budget = max_events or scenario.max_events or default_max_events(*traffic_totals(scenario))
        report.settled = sim.run(scenario.run_until_s, budget)
        if not report.settled:
            report.cut_reason = cut_short(sim, sim.engine.stop_reason)
        report.simulation = sim
        report.summary = sim.summary()
        if isinstance(sink, BoundedTrace):
            report.trace = timeline(sink.events)
            report.trace_dropped = sink.dropped
        report.deliveries = list(sim.deliveries)
        report.delivery_count = sum(
            n for kind, n in sim.router.counts.items() if kind in _DELIVERY_KINDS
        )
        report.queue_sizes = {name: len(queue) for name, queue in sim.queues.items()}
        report.queues = {
            name: [
                {
                    "message_id": m.message_id,
                    "body": m.body,
                    "receive_count": m.receive_count,
                    "message_attributes": m.message_attributes,
                }
                for m in queue.first_messages(MESSAGES_SHOWN)
            ]
            for name, queue in sim.queues.items()
        }
        for key, expected in scenario.expect.items():
            report.expectations.append(Expectation(key, float(expected), _actual(sim, key)))
    for estimate in scenario.cost_estimates:
        cost = monthly_cost(
            estimate.invocations,
            estimate.billed_duration_ms,
            estimate.memory_mb,
            estimate.architecture,
            free_tier=estimate.free_tier,
            ephemeral_mb=estimate.ephemeral_mb,
            provisioned_concurrency=estimate.provisioned_concurrency,
            provisioned_hours=estimate.provisioned_hours,
        )
        report.cost_estimates.append((estimate.label, cost, estimate.expect_total_usd))
    if scenario.vpc is not None:
        report.reachability = _reachability(scenario.vpc)
    return report


def _actual(sim: Simulation, key: str) -> float | None:
    if key.startswith("queue."):
        name = key.removeprefix("queue.")
        return float(len(sim.queues[name].messages)) if name in sim.queues else None
    if key.startswith("deliveries."):
        return float(sim.router.counts.get(key.removeprefix("deliveries."), 0))
    if key.startswith("max_concurrency."):
        name = key.removeprefix("max_concurrency.")
        fn = sim.engine.functions.get(name)
        return float(fn.max_concurrency) if fn else None
    value = getattr(sim.summary(), key)
    return float(value)


def _reachability(vpc: VpcScenarioYaml) -> list[ReachResult]:
    net = vpc.network

    def rules(items: list[Any]) -> tuple[SgRule, ...]:
        return tuple(
            SgRule(r.protocol, r.from_port, r.to_port, tuple(r.cidrs), tuple(r.security_groups))
            for r in items
        )

    def acl_rules(items: list[Any]) -> tuple[AclRule, ...]:
        return tuple(
            AclRule(r.number, r.allow, r.cidr, r.protocol, r.from_port, r.to_port) for r in items
        )

    model = VpcModel(
        vpcs=[Vpc(v.id, v.cidr) for v in net.vpcs],
        subnets=[Subnet(s.id, s.vpc_id, s.cidr, s.az) for s in net.subnets],
        route_tables=[
            RouteTable(
                t.id,
                t.vpc_id,
                tuple(Route(r.destination, r.target) for r in t.routes),
                tuple(t.subnets),
                t.main,
            )
            for t in net.route_tables
        ],
        internet_gateways=[InternetGateway(g.id, g.vpc_id) for g in net.internet_gateways],
        nat_gateways=[NatGateway(n.id, n.subnet_id, n.state) for n in net.nat_gateways],
        endpoints=[
            VpcEndpoint(
                e.id,
                e.vpc_id,
                e.service,
                e.type,
                tuple(e.route_table_ids),
                tuple(e.subnet_ids),
                tuple(e.security_group_ids),
                e.policy_allows,
                e.private_dns,
            )
            for e in net.endpoints
        ],
        security_groups=[
            SecurityGroup(
                g.id,
                g.vpc_id,
                g.name,
                rules(g.ingress),
                ALLOW_ALL_OUT if g.egress is None else rules(g.egress),
            )
            for g in net.security_groups
        ],
        network_acls=[
            NetworkAcl(a.id, tuple(a.subnets), acl_rules(a.ingress), acl_rules(a.egress))
            for a in net.network_acls
        ],
    )
    config = (
        FunctionVpcConfig(tuple(vpc.function.subnet_ids), tuple(vpc.function.security_group_ids))
        if vpc.function
        else None
    )
    results: list[ReachResult] = []
    for check in vpc.checks:
        target = _target(check.target)
        results.append(
            ReachResult(
                check.label,
                describe_target(target),
                can_reach(model, config, target),
                check.expect_reachable,
            )
        )
    return results


def _target(t: ReachTargetYaml) -> Target:
    if t.kind == "internet":
        return InternetTarget(t.host, t.port)
    if t.kind == "service":
        return AwsServiceTarget(t.service, t.port)
    return VpcResourceTarget(t.name, t.subnet_id, t.port, tuple(t.security_group_ids))


# ------------------------------------------------------------------ text output
_SUMMARY_LINES = (
    ("invocations", "invocations"),
    ("successes", "successes"),
    ("errors", "errors"),
    ("timeouts", "timeouts"),
    ("throttles", "throttles (429)"),
    ("retries", "retries"),
    ("cold_starts", "cold starts"),
    ("provisioned_starts", "provisioned (warm) starts"),
    ("max_concurrency", "max concurrency"),
    ("dlq_deliveries", "DLQ deliveries"),
    ("destination_deliveries", "destination deliveries"),
    ("dropped", "async events dropped"),
    ("sqs_deleted", "SQS messages deleted"),
    ("sqs_redriven", "SQS messages redriven to DLQ"),
    ("stream_records_skipped", "stream records skipped"),
)


_DELIVERIES_SHOWN = 10
_DELIVERY_KINDS = frozenset({"dlq", "destination", "stream-failure"})
_ALWAYS_SHOWN = frozenset(
    {
        "invocations",
        "successes",
        "errors",
        "throttles",
        "retries",
        "cold_starts",
        "max_concurrency",
        "dlq_deliveries",
        "destination_deliveries",
    }
)


def render_text(report: ScenarioReport, trace: bool = False) -> str:
    """The plain-text summary (and optional timeline) ``labtui simulate`` prints."""
    out = [report.title, "=" * len(report.title)]
    if report.description:
        out += [textwrap.fill(report.description, width=78), ""]
    if report.summary is not None:
        s = report.summary
        out.append(f"Simulated {s.simulated_seconds:,.3f} s (seed {report.seed})")
        if not report.settled:
            out.append(f"  RUN CUT SHORT: {report.cut_reason}")
            out.append("  (the numbers below cover only what ran before the cut)")
        for key, label in _SUMMARY_LINES:
            value = getattr(s, key)
            if value or key in _ALWAYS_SHOWN:
                out.append(f"  {label:<32} {value:>10,}")
        out.append(f"  {'cost (USD, no free tier)':<32} {s.cost_usd:>10.6f}")
    if report.deliveries:
        out.append("Deliveries (DLQ messages and destination records):")
        for delivery in report.deliveries[:_DELIVERIES_SHOWN]:
            what = delivery.condition or "event payload"
            out.append(f"  t=+{delivery.time:.3f}s {delivery.kind} {what} -> {delivery.target}")
        if report.delivery_count > _DELIVERIES_SHOWN:
            out.append(f"  ... {report.delivery_count - _DELIVERIES_SHOWN:,} more (see --json)")
    for label, cost, expected in report.cost_estimates:
        out.append(f"Cost estimate: {label}")
        out.append(
            f"  requests ${cost.request_usd:.2f} + duration ${cost.duration_usd:.2f} "
            f"({cost.gb_seconds:,.0f} GB-s)"
            + (f" + provisioned ${cost.provisioned_usd:.2f}" if cost.provisioned_usd else "")
            + f" = ${cost.total_usd:.2f}"
            + ("" if expected is None else f"   (expected ${expected:.2f})")
        )
    for r in report.reachability:
        verdict = "reachable" if r.result.reachable else "NOT reachable"
        mark = "" if r.met else "   <-- expected the opposite"
        out.append(f"Reach {r.label}: {verdict} [{r.result.rule}] {r.result.reason}{mark}")
    if report.expectations:
        out.append("Expectations:")
        for e in report.expectations:
            actual = "missing" if e.actual is None else f"{e.actual:g}"
            out.append(
                f"  {'ok ' if e.met else 'FAIL'} {e.key}: expected {e.expected:g}, got {actual}"
            )
    if not report.settled:
        out.append("Result: CUT SHORT, not comparable with expectations")
    else:
        out.append("Result: " + ("as expected" if report.ok else "DIFFERS from expectations"))
    if trace:
        out += ["", "Trace:"] + [format_event(event) for event in report.trace]
        if report.trace_dropped:
            out.append(
                f"... {report.trace_dropped:,} more events not kept (the trace keeps the "
                f"first {TRACE_LIMIT:,})"
            )
    return "\n".join(out)
