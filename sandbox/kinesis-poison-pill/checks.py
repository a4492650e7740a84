"""Checks for kinesis-poison-pill: the mapping's failure controls, then lambda-spec worked
scenario 8 in lambdasim with the mapping as configured in the account and the handler as
deployed in it: a generated backlog on one shard (its size, pages and the number and
positions of poison records change with the grading seed), R-4.8-R-4.13."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from labtui.grading import cases, state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.sim import AccountHandler, new_simulation, record_trace

FUNCTION = "click-aggregator"
ROLE = "click-aggregator-role"
STREAM = "clickstream"
QUEUE = "click-failures"
# Real runs of the learner's handler one check may spend; a mapping that retries forever
# reaches it and then fails at no cost (bisect over 140 records needs under 100).
MAX_HANDLER_CALLS = 200
# Poison shapes: bodies the seeded handler cannot read (not JSON, or no "page"). Never the
# earlier fixed example ("poison{"), so a handler written for that one cannot pass.
_POISON = ("<html>oops</html>", "", "{'page': '/p/1'}", '{"path": "/p/2"}', "null",
           '["/p/3"]', "page=/p/4", '{"page": "/p/5"')


def _backlog(ctx: GradingContext) -> tuple[list[str], list[int]]:
    """The records waiting in the stuck shard, and the positions of the poison ones."""
    rng = ctx.cases("backlog")
    total = rng.randint(40, 140)
    poison = cases.positions(rng, total, rng.randint(1, 2))
    pages = [f"/{cases.word(rng, 5)}" for _ in range(rng.randint(3, 9))]
    records = []
    for index in range(total):
        if index in poison:
            records.append(rng.choice(_POISON))
        else:
            click = {"page": rng.choice(pages), "ms": rng.randint(5, 4000)}
            records.append(json.dumps(click))
    return records, poison


def _mapping(ctx: GradingContext) -> dict[str, Any] | None:
    def find() -> dict[str, Any] | None:
        for mapping in state.event_source_mappings(ctx, FUNCTION):
            if str(mapping.get("EventSourceArn", "")).endswith(f":stream/{STREAM}"):
                return mapping
        return None

    return ctx.once("mapping", find)  # type: ignore[no-any-return]


def _missing(ctx: GradingContext, check_id: str, expected: str) -> CheckResult:
    return ctx.result(check_id, False, expected=expected,
                      actual="no mapping from clickstream to click-aggregator",
                      hint="Change the existing mapping with update-event-source-mapping.")


def _on_failure(mapping: dict[str, Any]) -> str | None:
    target = ((mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return str(target) if target else None


def _may_send(ctx: GradingContext) -> bool:
    statements = ctx.once("role-statements", lambda: state.role_statements(ctx, ROLE))
    return state.allows(statements, "sqs:SendMessage", ctx.arn("sqs", QUEUE))


def c1(ctx: GradingContext) -> CheckResult:
    # bisect splits a failing batch until the bad record is alone.
    expected = "BisectBatchOnFunctionError true"
    mapping = _mapping(ctx)
    if mapping is None:
        return _missing(ctx, "c1", expected)
    bisect = bool(mapping.get("BisectBatchOnFunctionError"))
    hint = ("Without bisect a failing batch fails as a whole, good records included. "
            "With BisectBatchOnFunctionError on, the mapping splits it in halves until the "
            "poison record is alone.")
    if (mapping.get("ParallelizationFactor") or 1) > 1:
        hint += (" (More parallelization does not help here: records with one partition key "
                 "stay in order in one lane.)")
    return ctx.result("c1", bisect, expected=expected,
                      actual=f"BisectBatchOnFunctionError {str(bisect).lower()}", hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # R-4.10: -1 (the default) retries until the records expire.
    expected = "MaximumRetryAttempts 0-5"
    mapping = _mapping(ctx)
    if mapping is None:
        return _missing(ctx, "c2", expected)
    retries = mapping.get("MaximumRetryAttempts")
    retries = -1 if retries is None else int(retries)
    return ctx.result("c2", 0 <= retries <= 5, expected=expected,
                      actual=f"MaximumRetryAttempts {retries}" + (" (retry forever)" if retries == -1 else ""),
                      hint="The default -1 retries a failing batch until its records expire. "
                           "A small MaximumRetryAttempts on the mapping lets the shard move "
                           "on.")


def c3(ctx: GradingContext) -> CheckResult:
    # R-4.10: -1 (the default) keeps records until the stream's retention ends.
    expected = "MaximumRecordAgeInSeconds 60-3600"
    mapping = _mapping(ctx)
    if mapping is None:
        return _missing(ctx, "c3", expected)
    age = mapping.get("MaximumRecordAgeInSeconds")
    age = -1 if age is None else int(age)
    return ctx.result("c3", 60 <= age <= 3600, expected=expected,
                      actual=f"MaximumRecordAgeInSeconds {age}" + (" (no limit)" if age == -1 else ""),
                      hint="The default -1 keeps a record until the stream drops it. With "
                           "MaximumRecordAgeInSeconds at most an hour, an older record is "
                           "skipped (and described in the on-failure destination).")


def c4(ctx: GradingContext) -> CheckResult:
    # on-failure destination for stream batches; the execution role sends.
    queue_arn = ctx.arn("sqs", QUEUE)
    expected = f"OnFailure destination {queue_arn}; {ROLE} allows sqs:SendMessage on it"
    mapping = _mapping(ctx)
    if mapping is None:
        return _missing(ctx, "c4", expected)
    target = _on_failure(mapping)
    allowed = _may_send(ctx)
    actual = (f"OnFailure destination {target or 'none'}; role "
              f"{'may' if allowed else 'may not'} send to {QUEUE}")
    hint = ("What is skipped must be described somewhere: the mapping's DestinationConfig "
            "needs an OnFailure destination, click-failures (aws lambda "
            "get-event-source-mapping shows it)."
            if target != queue_arn else
            "Lambda sends the on-failure record with the execution role: allow sqs:SendMessage "
            "on click-failures in click-aggregator-role.")
    return ctx.result("c4", target == queue_arn and allowed, expected=expected, actual=actual,
                      hint=hint)


def _scenario(ctx: GradingContext, mapping: dict[str, Any]) -> dict[str, Any]:
    from labtui.lambdasim import FunctionSpec, LambdaApiError, StreamMappingSpec, StreamSpec

    records, poison = _backlog(ctx)
    config = state.function_config(ctx, FUNCTION) or {}
    # Failed batches are retried after 1 simulated second, so "retry forever" stays bounded.
    sim = new_simulation(ctx, seed=ctx.seed, stream_retry_delay_s=1.0)
    handler = AccountHandler(ctx.account, FUNCTION, max_calls=MAX_HANDLER_CALLS)
    sim.add_function(FunctionSpec(FUNCTION, memory_mb=int(config.get("MemorySize") or 128),
                                  timeout_s=int(config.get("Timeout") or 30), behaviour=handler))
    sim.add_stream(StreamSpec(STREAM, kind="kinesis", shards=2))
    stream = sim.stream(STREAM)
    key = f"session-{ctx.cases('key').randint(1, 9999)}"
    for data in records:  # the backlog already waiting in the stuck shard
        stream.put(key, data)
    retries = mapping.get("MaximumRetryAttempts")
    age = mapping.get("MaximumRecordAgeInSeconds")
    target = _on_failure(mapping) if _may_send(ctx) else None
    try:
        poller = sim.add_stream_mapping(StreamMappingSpec(
            FUNCTION, STREAM,
            batch_size=int(mapping.get("BatchSize") or 100),
            starting_position=str(mapping.get("StartingPosition") or "TRIM_HORIZON"),  # type: ignore[arg-type]
            parallelization_factor=int(mapping.get("ParallelizationFactor") or 1),
            bisect_on_error=bool(mapping.get("BisectBatchOnFunctionError")),
            max_retries=-1 if retries is None else int(retries),
            max_record_age_s=-1 if age is None else int(age),
            on_failure=target,
        ))
    except LambdaApiError as error:
        return {"error": str(error)}
    sim.run(until=4000.0)
    record_trace(ctx, sim)
    successes: list[int] = [i for _, indexes, status in poller.invocations if status == "success"
                            for i in indexes]
    failures = [d for d in sim.deliveries if d.kind == "stream-failure"]
    return {"successes": successes, "failures": failures, "invocations": len(poller.invocations),
            "total": len(records), "poison": poison, "records": dict(enumerate(records))}


def c5(ctx: GradingContext) -> CheckResult:
    # Worked scenario 8 (R-4.8-R-4.13), on the deployed handler.
    expected = ("every good record succeeds exactly once, in shard order; each poison record "
                "is described alone in its own on-failure record in click-failures")
    mapping = _mapping(ctx)
    if mapping is None:
        return _missing(ctx, "c5", expected)
    outcome = ctx.once("scenario", lambda: _scenario(ctx, mapping))
    if "error" in outcome:
        return ctx.result("c5", False, expected=expected,
                          actual=f"the mapping is not valid: {outcome['error']}",
                          hint="Fix the mapping settings AWS would reject.")
    successes: list[int] = outcome["successes"]
    poison: list[int] = outcome["poison"]
    counts = Counter(successes)
    good = [i for i in range(outcome["total"]) if i not in poison]
    once = sum(1 for i in good if counts[i] == 1)
    in_order = successes == sorted(successes)
    parked = [f.payload.get("KinesisBatchInfo", {}) for f in outcome["failures"]]
    alone = sorted(int(p.get("startSequenceNumber", -1)) for p in parked
                   if p.get("batchSize") == 1)
    poison_alone = len(parked) == len(poison) and alone == poison
    swallowed = [i for i in poison if counts[i] > 0]
    actual = (f"{outcome['total']} records, poison at {', '.join(map(str, poison))}: "
              f"{once} of {len(good)} good records succeeded exactly once"
              f"{'' if in_order else ' (out of order)'}; {len(parked)} on-failure record(s)"
              + (f" covering {', '.join(str(p.get('batchSize')) for p in parked)} record(s)"
                 if parked else "")
              + f"; {outcome['invocations']} invocations")
    ok = once == len(good) and in_order and poison_alone and not swallowed
    if swallowed:
        hint = (f"Your deployed handler returned success for poison record {swallowed[0]} "
                f"(data {outcome['records'][swallowed[0]]!r}), so Lambda never saw it fail and "
                "nothing could reach click-failures. Let a record the handler cannot read "
                "raise, and let the mapping (bisect, retries, destination) deal with it.")
    elif once == 0 and not parked:
        hint = ("Nothing behind the poison record was processed. Either the shard is still "
                "blocked (retries/age unlimited) or the backlog was skipped: a new mapping at "
                "LATEST ignores every record already in the stream.")
    elif not poison_alone and parked:
        hint = ("Good records were skipped together with the poison one: without bisect the "
                "whole failing batch goes to on-failure handling. Turn on bisect.")
    elif not parked:
        hint = ("The poison record was skipped without a trace: the on-failure record needs the "
                "destination and the role's sqs:SendMessage permission (check c4).")
    else:
        hint = "Check bisect, the retry limit and the destination together."
    return ctx.result("c5", ok, expected=expected, actual=actual, hint=hint)
