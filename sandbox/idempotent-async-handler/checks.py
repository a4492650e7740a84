"""Checks for idempotent-async-handler: notify-customer's deployed handler receives
duplicate deliveries (R-3.1) through the sandbox runner; the checks count the messages it
puts on customer-notifications and the items in processed-events (R-12.1).

c1 spaces the three deliveries out, as AWS does (a retry comes about a minute later);
c2 delivers two copies together in two warm environments while the sandbox's DynamoDB
lets concurrent readers meet before answering (the worst interleaving, made certain) and
keeps conditional writes atomic; c3 makes writes to processed-events fail with a
AccessDeniedException, which the handler must not mistake for "already done" (R-3.2)."""

from __future__ import annotations

import uuid
from typing import Any

from labtui.grading import iam_checks
from labtui.grading.context import GradingContext
from labtui.grading.idempotency_checks import (
    atomic_writes,
    deliver,
    deliver_together,
    failing_writes,
    interleaved_reads,
    queue_depth,
    recorded_operations,
    start_of_next_second,
    table_item_count,
)
from labtui.grading.results import CheckResult

FUNCTION = "notify-customer"
ROLE = "notify-customer-role"
QUEUE = "customer-notifications"
TABLE = "processed-events"


def _event(event_id: str, order: str) -> dict[str, Any]:
    # A fresh id per grading run: a live account may hold ids from the learner's own tests.
    event_id = f"{event_id}-{uuid.uuid4().hex[:8]}"
    return {"eventId": event_id, "orderId": order, "customer": "dana@example.com",
            "detail-type": "OrderShipped"}


def _counts(ctx: GradingContext) -> tuple[int, int]:
    return queue_depth(ctx, QUEUE), table_item_count(ctx, TABLE)


def _errors(results: list[Any]) -> str:
    for result in results:
        if result is not None and result.function_error:
            try:
                document = result.json()
            except ValueError:
                document = {}
            if isinstance(document, dict):
                return f"{document.get('errorType', 'Error')}: {document.get('errorMessage', '')}"
    return ""


def _missing(ctx: GradingContext, check_id: str, expected: str) -> CheckResult | None:
    from labtui.grading import state

    if state.function_config(ctx, FUNCTION) is not None:
        return None
    return ctx.result(check_id, False, expected=expected, actual=f"{FUNCTION} does not exist",
                      hint="Reset the exercise: notify-customer is created for you.")


def c1(ctx: GradingContext) -> CheckResult:
    # the key comes from the event: a repeat arrives later (R-3.2 retry delay).
    expected = "3 deliveries of one event -> 1 message, 1 item; every call succeeds"
    if (missing := _missing(ctx, "c1", expected)) is not None:
        return missing
    sent_before, items_before = _counts(ctx)
    event = _event("evt-1001", "o-1001")
    with recorded_operations(ctx, TABLE) as used:
        results = []
        for _ in range(3):
            start_of_next_second()
            results.append(deliver(ctx, FUNCTION, event))
    sent_after, items_after = _counts(ctx)
    sent, items = sent_after - sent_before, items_after - items_before
    actual = f"{sent} message(s) sent, {items} item(s) recorded"
    if error := _errors(results):
        return ctx.result("c1", False, expected=expected, actual=f"{actual}; a call failed: "
                          f"{error}", hint="Invoke notify-customer yourself with the event in "
                          "the README and read the error.")
    statements = iam_checks.role_policy_statements(ctx, ROLE) or []
    table_arn = ctx.arn("dynamodb", f"table/{TABLE}")
    denied = sorted(a for a in used if not iam_checks.allowed(statements, a, table_arn))
    if denied:
        return ctx.result(
            "c1", False, expected=expected + f"; {ROLE} allows what the code calls",
            actual=f"{actual}, but in AWS {', '.join(denied)} on {TABLE} would be denied",
            hint=f"The sandbox does not enforce IAM, AWS does: give {ROLE} "
                 f"{', '.join(denied)} on {table_arn} (aws iam put-role-policy).")
    if sent == 1 and items == 1:
        return ctx.result("c1", True, expected=expected, actual=actual)
    if sent == 3 and items == 0:
        hint = ("Every delivery sends. Record the event's id in processed-events before "
                "sending, and skip the send when it is already there.")
    else:
        hint = ("Copies that arrive at different times must map to the same key. The key has to "
                "come from the event (eventId), not from when or where it was processed.")
    return ctx.result("c1", False, expected=expected, actual=actual, hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # at-least-once delivery; two environments can run the same event together.
    expected = "2 simultaneous copies of one event -> 1 message"
    if (missing := _missing(ctx, "c2", expected)) is not None:
        return missing
    # Two warm environments first, so the copies really run side by side.
    deliver_together(ctx, FUNCTION, [_event("evt-warm-1", "o-1"), _event("evt-warm-2", "o-2")])
    sent_before, _ = _counts(ctx)
    event = _event("evt-2002", "o-2002")
    start_of_next_second()
    with interleaved_reads(ctx, TABLE, parties=2), atomic_writes(ctx):
        results = deliver_together(ctx, FUNCTION, [event, event])
    sent = queue_depth(ctx, QUEUE) - sent_before
    actual = f"{sent} message(s) sent"
    error = _errors(results)
    if error and "ConditionalCheckFailed" in error:
        return ctx.result("c2", False, expected=expected,
                          actual=f"{actual}; the duplicate call failed: {error}",
                          hint="A failed condition means another copy already did the work: "
                               "catch ConditionalCheckFailedException and return normally.")
    if error:
        return ctx.result("c2", False, expected=expected, actual=f"{actual}; a call failed: "
                          f"{error}", hint="Invoke notify-customer yourself and read the error.")
    return ctx.result("c2", sent == 1, expected=expected, actual=actual,
                      hint="Both copies decided \"not processed yet\" before either recorded it. "
                           "Reading and then writing leaves a gap; let DynamoDB decide in one "
                           "request with ConditionExpression='attribute_not_exists(eventId)'.")


def c3(ctx: GradingContext) -> CheckResult:
    # a raised error makes Lambda retry the event; swallowing it loses or fakes work.
    expected = "when writing to processed-events is denied, the call fails and sends nothing"
    if (missing := _missing(ctx, "c3", expected)) is not None:
        return missing
    sent_before, _ = _counts(ctx)
    with failing_writes(ctx, TABLE) as refused:
        result = deliver(ctx, FUNCTION, _event("evt-3003", "o-3003"))
    sent = queue_depth(ctx, QUEUE) - sent_before
    outcome = (f"the call failed ({_errors([result])})" if result.function_error
               else "the call succeeded")
    actual = f"{outcome}; {sent} message(s) sent"
    if not refused:
        actual += "; the handler never wrote to processed-events"
    ok = bool(result.function_error) and sent == 0
    if sent:
        hint = ("The message went out although the event could not be recorded, so a retry would "
                "send it again. Record the event first; send only after the write succeeded.")
    else:
        hint = ("Catch only ConditionalCheckFailedException. Any other error (here "
                "AccessDeniedException) must propagate, so that Lambda retries "
                "the event instead of treating it as done.")
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)
