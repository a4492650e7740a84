"""Checks for idempotent-async-handler: notify-customer's deployed handler receives
duplicate deliveries (R-3.1) through the sandbox runner; the checks count the messages it
puts on customer-notifications and the items in processed-events (R-12.1).

Events are generated from the grading seed (ids, order, customer, extra fields). c1 spaces
two to four deliveries of one event out, as AWS does (a retry comes about a minute later), then
sends another event for the same order, which must be sent too;
c2 delivers two copies together in two warm environments while the sandbox's DynamoDB
lets concurrent readers meet before answering (the worst interleaving, made certain) and
keeps conditional writes atomic; c3 makes writes to processed-events fail with a
AccessDeniedException, which the handler must not mistake for "already done" (R-3.2)."""

from __future__ import annotations

import uuid
from typing import Any

from labtui.grading import cases, iam_checks
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


def _event(ctx: GradingContext, name: str, order: str | None = None) -> dict[str, Any]:
    """A generated event (ids, order, customer and shape from the grading seed). A fresh
    suffix per grading run: a live account may hold ids from the learner's own tests."""
    rng = ctx.cases(f"event {name}")
    event_id = f"evt-{rng.randint(10_000, 99_999)}-{uuid.uuid4().hex[:8]}"
    event: dict[str, Any] = {
        "eventId": event_id,
        "orderId": order or f"o-{rng.randint(10_000, 99_999)}",
        "customer": f"{cases.word(rng, rng.randint(3, 8))}@{rng.choice(_DOMAINS)}",
        "detail-type": rng.choice(["OrderShipped", "OrderShipped", "OrderDelayed"]),
    }
    if rng.random() < 0.5:  # shapes vary: fields a handler must simply ignore
        event["source"] = "shop.orders"
        event["time"] = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
    return event


_DOMAINS = ("example.com", "example.org", "mail.example.net")


def _keys(ctx: GradingContext) -> set[str]:
    """Every eventId recorded in processed-events (the evidence for c1's hint)."""
    items = ctx.aws("dynamodb").scan(TableName=TABLE).get("Items", [])
    return {str(next(iter(item.get("eventId", {"S": "?"}).values()))) for item in items}


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
    copies = ctx.cases("c1 copies").randint(2, 4)
    # (items are counted for both events together: the second delivery is inside the same
    # recording of the table's operations, where the grader's own scan would count as code's)
    expected = (f"{copies} deliveries of one event -> 1 message; another event for the same "
                "order -> its own message; 1 item per event; every call succeeds")
    if (missing := _missing(ctx, "c1", expected)) is not None:
        return missing
    sent_before, items_before = _counts(ctx)
    keys_before = _keys(ctx)
    event = _event(ctx, "c1")
    other = _event(ctx, "c1 same order", order=event["orderId"])
    with recorded_operations(ctx, TABLE) as used:
        results = []
        for _ in range(copies):
            start_of_next_second()
            results.append(deliver(ctx, FUNCTION, event))
        sent_mid = queue_depth(ctx, QUEUE)
        results.append(deliver(ctx, FUNCTION, other))
    sent_after, items_after = _counts(ctx)
    sent, items = sent_mid - sent_before, items_after - items_before
    other_sent = sent_after - sent_mid
    actual = (f"{sent} message(s) sent for {copies} copies; {other_sent} message(s) for the "
              f"other event; {items} item(s) for the 2 events")
    if error := _errors(results):
        return ctx.result("c1", False, expected=expected, actual=f"{actual}; a call failed: "
                          f"{error}", hint="Invoke notify-customer yourself with an event like "
                          "the README's and read the error.")
    statements = iam_checks.role_policy_statements(ctx, ROLE) or []
    table_arn = ctx.arn("dynamodb", f"table/{TABLE}")
    denied = sorted(a for a in used if not iam_checks.allowed(statements, a, table_arn))
    if denied:
        return ctx.result(
            "c1", False, expected=expected + f"; {ROLE} allows what the code calls",
            actual=f"{actual}, but in AWS {', '.join(denied)} on {TABLE} would be denied",
            hint=f"The sandbox does not enforce IAM, AWS does: give {ROLE} "
                 f"{', '.join(denied)} on {table_arn} (aws iam put-role-policy).")
    if sent == 1 and items == 2 and other_sent == 1:
        return ctx.result("c1", True, expected=expected, actual=actual)
    new_keys = sorted(_keys(ctx) - keys_before)
    return ctx.result("c1", False, expected=expected, actual=actual,
                      hint=_c1_hint(event, other, sent, other_sent, copies, new_keys))


def _c1_hint(event: dict[str, Any], other: dict[str, Any], sent: int, other_sent: int,
             copies: int, keys: list[str]) -> str:
    """What the deliveries showed, from the keys the handler recorded."""
    event_id = event["eventId"]
    if sent == 1 and other_sent == 0:
        return (f"The other event ({other['eventId']}) for the same order {event['orderId']} "
                "sent nothing: it was taken for a duplicate. The key must be the event's own "
                "eventId, not the order or the customer.")
    if not keys:
        return ("Every delivery sends and nothing is recorded. Record the event's eventId in "
                "processed-events before sending, and skip the send when it is already there.")
    if event_id in keys and sent > 1:
        return (f"The eventId {event_id} was recorded, yet {sent} of {copies} copies sent. "
                "Recording is not enough: the put must be the test. Make it conditional on "
                "the key not being there yet and send only when it succeeds (a "
                "ConditionalCheckFailedException means a copy already sent).")
    shown = ", ".join(keys[:3]) + (" ..." if len(keys) > 3 else "")
    return (f"processed-events got {len(keys)} key(s) for these deliveries ({shown}), not the "
            f"event's eventId {event_id}. Copies that arrive at different times must map to "
            "the same key: take it from the event (eventId), not from when or where it was "
            "processed.")


def c2(ctx: GradingContext) -> CheckResult:
    # at-least-once delivery; two environments can run the same event together.
    expected = "2 simultaneous copies of one event -> 1 message"
    if (missing := _missing(ctx, "c2", expected)) is not None:
        return missing
    # Two warm environments first, so the copies really run side by side.
    deliver_together(ctx, FUNCTION, [_event(ctx, "warm 1"), _event(ctx, "warm 2")])
    for attempt in range(3):
        sent_before, items_before = _counts(ctx)
        event = _event(ctx, "c2" if attempt == 0 else f"c2 again {attempt}")
        start_of_next_second()
        with interleaved_reads(ctx, TABLE, parties=2) as meeting, atomic_writes(ctx):
            results = deliver_together(ctx, FUNCTION, [event, event], meeting)
        sent_after, items_after = _counts(ctx)
        sent = sent_after - sent_before
        # Two items for one event: the copies wrote under two keys. A key taken from the
        # clock (c1's mistake) splits copies that a slow machine ran across a second's
        # boundary; they are sent again at the start of a second. A key that differs
        # every time (a random one) still sends twice, and fails here.
        if not (sent == 2 and items_after - items_before == 2):
            break
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
                           "request: a write that fails when the eventId is already there.")


def c3(ctx: GradingContext) -> CheckResult:
    # a raised error makes Lambda retry the event; swallowing it loses or fakes work.
    expected = "when writing to processed-events is denied, the call fails and sends nothing"
    if (missing := _missing(ctx, "c3", expected)) is not None:
        return missing
    sent_before, _ = _counts(ctx)
    with failing_writes(ctx, TABLE) as refused:
        result = deliver(ctx, FUNCTION, _event(ctx, "c3"))
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
