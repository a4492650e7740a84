"""Deliver duplicate events to a learner's handler and make the sandbox's DynamoDB behave
like the real one under concurrency (R-3.1 at-least-once delivery, R-12.1 idempotency).

Asynchronous sources deliver at least once, so the same event can arrive twice, later
(a retry) or at the same moment (two environments). The helpers here run the learner's
deployed handler through the sandbox runner for such deliveries, and shape the sandbox's
DynamoDB (an in-process moto backend) for the graded account while they run:

* :func:`interleaved_reads` makes concurrent readers of a table meet before any of them
  gets an answer: the worst interleaving a check-then-act handler can meet in AWS, made
  certain instead of lucky, however slowly a loaded machine runs either copy.
* :func:`atomic_writes` serialises writes, so a conditional write is atomic, as
  DynamoDB guarantees.
* :func:`failing_writes` makes writes to a table fail with AccessDeniedException (what
  AWS answers when the role lost its permission; botocore does not retry it), to see
  whether the handler lets errors other than "already done" reach Lambda.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import in_process_sandbox

READ_METHODS = ("get_item", "query", "scan", "batch_get_item")
WRITE_METHODS = ("put_item", "update_item", "delete_item", "transact_write_items")
RENDEZVOUS_TIMEOUT_S = 10.0  # deliveries "at the same moment" start together or after this
DELIVERY_BOUND_S = 120.0  # a bound on one delivery (its function's timeout is far less)
# (method name, the original method, the backend, args, kwargs) -> result
Wrapper = Callable[[str, Any, Any, tuple[Any, ...], dict[str, Any]], Any]


def deliver(ctx: GradingContext, function: str, event: Any) -> Any:
    """One delivery of ``event`` to ``function`` ($LATEST), run by the sandbox's runner."""
    return ctx.account.invoke(function, event)


def start_of_next_second(offset_s: float = 0.1) -> None:
    """Sleep until ``offset_s`` past the next whole second. Deliveries that AWS makes at
    different times (a retry comes about a minute later, R-3.2) then fall in different
    seconds; deliveries meant to be simultaneous share one."""
    now = time.time()
    time.sleep((int(now) + 1 + offset_s) - now)


def deliver_together(ctx: GradingContext, function: str, events: Sequence[Any],
                     meeting: ReadMeeting | None = None) -> list[Any]:
    """Deliver ``events`` at the same moment, one thread (and environment) each; each one
    that ends is told to ``meeting`` (from :func:`interleaved_reads`)."""
    results: list[Any] = [None] * len(events)
    start = threading.Barrier(len(events))

    def one(index: int) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(RENDEZVOUS_TIMEOUT_S)
        try:
            results[index] = deliver(ctx, function, events[index])
        finally:
            if meeting is not None:
                meeting.delivery_ended()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DELIVERY_BOUND_S)
    return results


class ReadMeeting:
    """Where the reads of concurrent deliveries wait for each other: a read waits until
    ``parties`` reads have come, or until the deliveries that have not read have ended
    (they will not read now). No clock decides: a copy that a loaded machine starts
    seconds late still meets the other's read, and a handler that reads once (or never)
    waits only until the other copy is done."""

    def __init__(self, parties: int) -> None:
        self._parties = parties
        self._reads = 0
        self._ended = 0
        self._condition = threading.Condition()

    def arrive(self) -> None:
        with self._condition:
            self._reads += 1
            self._condition.notify_all()
            self._condition.wait_for(self._met, DELIVERY_BOUND_S)

    def delivery_ended(self) -> None:
        with self._condition:
            self._ended += 1
            self._condition.notify_all()

    def _met(self) -> bool:
        return self._reads >= self._parties or self._reads + self._ended >= self._parties


def _dynamodb_backend_class() -> type:
    from moto.dynamodb.models import DynamoDBBackend

    return DynamoDBBackend


def _table_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    name = kwargs.get("table_name", args[0] if args else "")
    return str(name).rsplit("/", 1)[-1]


@contextlib.contextmanager
def _wrapped(ctx: GradingContext, methods: Sequence[str], wrapper: Wrapper) -> Iterator[None]:
    in_process_sandbox(ctx)  # the patch only reaches a sandbox served by this process
    backend = _dynamodb_backend_class()
    originals = {name: getattr(backend, name) for name in methods if hasattr(backend, name)}

    def make(name: str, original: Any) -> Any:
        def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
            return wrapper(name, original, self, args, kwargs)
        return patched

    for name, original in originals.items():
        setattr(backend, name, make(name, original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(backend, name, original)


@contextlib.contextmanager
def interleaved_reads(ctx: GradingContext, table: str, parties: int) -> Iterator[ReadMeeting]:
    """Hold each read of ``table`` until ``parties`` readers have arrived: every reader then
    sees the table as it was before any of them wrote. Pass the meeting it yields to
    :func:`deliver_together`, which tells it when a delivery has ended."""
    meeting = ReadMeeting(parties)

    def wrapper(method: str, original: Any, backend: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        if str(backend.account_id) == ctx.account_id and _table_of(args, kwargs) == table:
            meeting.arrive()
        return original(backend, *args, **kwargs)

    with _wrapped(ctx, READ_METHODS, wrapper):
        yield meeting


@contextlib.contextmanager
def atomic_writes(ctx: GradingContext) -> Iterator[None]:
    """One write at a time for the graded account: a conditional put is atomic in DynamoDB."""
    lock = threading.Lock()

    def wrapper(method: str, original: Any, backend: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        if str(backend.account_id) != ctx.account_id:
            return original(backend, *args, **kwargs)
        with lock:
            return original(backend, *args, **kwargs)

    with _wrapped(ctx, WRITE_METHODS, wrapper):
        yield


@contextlib.contextmanager
def failing_writes(ctx: GradingContext, table: str) -> Iterator[list[str]]:
    """Writes to ``table`` fail with AccessDeniedException (an error that is not "already
    processed"); yields the list of refused operations."""
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException

    refused: list[str] = []

    def wrapper(method: str, original: Any, backend: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        if str(backend.account_id) == ctx.account_id and _table_of(args, kwargs) == table:
            refused.append(method)
            action = _IAM_ACTIONS.get(method, "dynamodb:PutItem")
            raise DynamodbException(
                ERROR_TYPE_PREFIX + "AccessDeniedException",
                f"User is not authorized to perform: {action} on resource: {table} "
                "because no identity-based policy allows the action",
            )
        return original(backend, *args, **kwargs)

    with _wrapped(ctx, ("put_item", "update_item"), wrapper):
        yield refused


@contextlib.contextmanager
def recorded_operations(ctx: GradingContext, table: str) -> Iterator[set[str]]:
    """The IAM actions (``dynamodb:PutItem``, ...) the graded account used on ``table``."""
    used: set[str] = set()

    def wrapper(method: str, original: Any, backend: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        if str(backend.account_id) == ctx.account_id and _table_of(args, kwargs) == table:
            used.add(_IAM_ACTIONS[method])
        return original(backend, *args, **kwargs)

    with _wrapped(ctx, tuple(_IAM_ACTIONS), wrapper):
        yield used


_IAM_ACTIONS = {
    "get_item": "dynamodb:GetItem", "query": "dynamodb:Query", "scan": "dynamodb:Scan",
    "put_item": "dynamodb:PutItem", "update_item": "dynamodb:UpdateItem",
    "delete_item": "dynamodb:DeleteItem",
}


def table_item_count(ctx: GradingContext, table: str) -> int:
    paginator = ctx.aws("dynamodb").get_paginator("scan")
    return sum(int(page.get("Count", 0)) for page in paginator.paginate(TableName=table))


def queue_depth(ctx: GradingContext, queue: str) -> int:
    """Messages waiting in ``queue`` (visible + in flight)."""
    sqs = ctx.aws("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )
