"""An SQS queue shared by lambdasim's pollers and the learner's moto queue.

lambdasim's :class:`~labtui.lambdasim.sqs.SqsQueue` decides what Lambda's pollers do
(batches, visibility timeout, receive counts, redrive: R-4.1–R-4.7).
:class:`MirroredQueue` is that queue with every decision written at once into the
real moto queue of the learner's account, so ``aws sqs get-queue-attributes`` and
``receive-message`` show what AWS would: a received batch is in flight (not visible)
for the visibility timeout on the sandbox's scaled clock, a message is deleted only
when Lambda deletes it (R-4.2, R-4.4, R-4.7), and a message past ``maxReceiveCount``
moves to the queue's own DLQ (R-4.2).

The moto queue stays the store the learner sees: a message the learner deleted, or a
purge, takes the message away from the pollers too (checked when it is received).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from labtui.lambdasim.config import Redrive, SqsQueueSpec
from labtui.lambdasim.engine import Engine
from labtui.lambdasim.esm_sqs import SqsPoller
from labtui.lambdasim.sqs import Message, SqsQueue

_log = logging.getLogger(__name__)
_IN_FLIGHT_MS = 12 * 3600 * 1000.0  # until lambdasim returns it (SQS's 12 h cap)
_OURS = "labtui_pollers_hold"  # set on a moto message the pollers have in flight


def moto_queue(account_id: str, region: str, name: str) -> Any:
    """The moto queue called ``name``, or None when it does not exist (any more)."""
    from moto.sqs.models import sqs_backends

    return sqs_backends[account_id][region].queues.get(name)


def queue_spec(queue: Any) -> SqsQueueSpec:
    """The lambdasim view of a moto queue: visibility timeout, FIFO, redrive policy."""
    policy = queue.redrive_policy or {}
    redrive = None
    target = str(policy.get("deadLetterTargetArn", ""))
    if target and policy.get("maxReceiveCount"):
        redrive = Redrive(target.rsplit(":", 1)[-1], int(policy["maxReceiveCount"]))
    return SqsQueueSpec(
        str(queue.name),
        visibility_timeout_s=float(queue.visibility_timeout or 0),
        fifo=bool(queue.fifo_queue),
        redrive=redrive,
    )


def string_attributes(message: Any) -> dict[str, str]:
    """A moto message's attributes as lambdasim keeps them (their string values)."""
    found: dict[str, str] = {}
    for name, value in (message.message_attributes or {}).items():
        text = value.get("StringValue") if isinstance(value, dict) else None
        if text is not None:
            found[str(name)] = str(text)
    return found


class MirroredQueue(SqsQueue):
    """lambdasim's queue whose receives, deletes and redrives also happen in moto."""

    def __init__(
        self,
        spec: SqsQueueSpec,
        engine: Engine,
        arn: str,
        lookup: Callable[[str], SqsQueue],
        place: tuple[str, str],
        guard: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
    ) -> None:
        super().__init__(spec, engine, arn, lookup)
        self.account_id, self.region = place
        # Held around every touch of moto: a snapshot or restore never sees half a change.
        self._guard = guard
        self.receipt_handles: dict[str, str] = {}  # message id -> its handle in moto
        self.sent_at_ms: dict[str, int] = {}  # message id -> SentTimestamp in moto

    # --- from moto into lambdasim ------------------------------------------------------

    def import_from_moto(self) -> int:
        """Take in the moto messages the pollers do not know yet; forget the ones that
        left moto (the learner deleted or purged them). Returns how many came in."""
        with self._guard():
            queue = moto_queue(self.account_id, self.region, self.name)
            if queue is None:
                return 0
            with queue._messages_lock:
                present = list(queue._messages)
                for message in present:
                    if str(message.id) not in self._all and getattr(message, _OURS, False):
                        # Hidden by pollers whose world is gone (a reset, or a restore of a
                        # snapshot taken mid-batch): their visibility timeout has ended.
                        _release(queue, message)
        known = self._all
        added = 0
        for message in present:
            # A delayed message, or one the learner holds in flight, joins when visible.
            if message.id in known or message.delayed or not message.visible:
                continue
            ours = self.send(
                str(message.body), string_attributes(message), message.group_id, str(message.id)
            )
            ours.receive_count = int(message.approximate_receive_count or 0)
            self.sent_at_ms[ours.message_id] = int(message.sent_timestamp or 0)
            added += 1
        ids = {str(message.id) for message in present}
        for message in list(known.values()):
            if message.message_id not in ids:
                SqsQueue.delete(self, message)
                self._forget(message.message_id)
        return added

    # --- lambdasim's decisions, written into moto ----------------------------------------

    def receive(self, max_messages: int) -> list[Message]:
        batch = super().receive(max_messages)
        kept: list[Message] = []
        with self._guard():
            queue = moto_queue(self.account_id, self.region, self.name)
            by_id: dict[str, Any] = {}
            if queue is not None:
                with queue._messages_lock:
                    by_id = {str(m.id): m for m in queue._messages}
            for message in batch:
                found = by_id.get(message.message_id)
                if found is None:  # the learner deleted it, or purged the queue
                    SqsQueue.delete(self, message)
                    self._forget(message.message_id)
                    continue
                _mark_received(queue, found, message.receive_count)
                self.receipt_handles[message.message_id] = str(found.receipt_handle)
                kept.append(message)
        return kept

    def send(
        self,
        body: str,
        message_attributes: dict[str, str] | None = None,
        group_id: str | None = None,
        message_id: str | None = None,
    ) -> Message:
        if message_id is None:
            # A DLQ message or destination record lambdasim sends: the sandbox writes it into
            # moto (live_async_targets), and it comes in from there with moto's message id.
            return Message("", body, dict(message_attributes or {}), group_id, self._engine.now, 0)
        return super().send(body, message_attributes, group_id, message_id)

    def _leave_flight(self, message: Message) -> None:
        was_in_flight = message.in_flight
        super()._leave_flight(message)
        if was_in_flight and not message.deleted:
            # The visibility timeout ran out on lambdasim's clock: visible in moto again.
            with self._guard():
                queue = moto_queue(self.account_id, self.region, self.name)
                found = _find(queue, message.message_id) if queue is not None else None
                if found is not None:
                    _release(queue, found)

    def delete(self, message: Message) -> None:
        if message.deleted:
            return
        super().delete(message)
        self._forget(message.message_id)
        with self._guard():
            queue = moto_queue(self.account_id, self.region, self.name)
            if queue is None:
                return
            with queue._messages_lock:
                found = next((m for m in queue._messages if str(m.id) == message.message_id), None)
                if found is not None:
                    queue.pending_messages.discard(found)
                    queue.deleted_messages.update(h for h in found.all_receipt_handles if h)
                    queue._messages = [m for m in queue._messages if m is not found]

    def _redriven(self, message: Message) -> bool:
        if not super()._redriven(message):
            return False
        redrive = self.spec.redrive
        assert redrive is not None
        self._forget(message.message_id)
        with self._guard():
            queue = moto_queue(self.account_id, self.region, self.name)
            target = moto_queue(self.account_id, self.region, redrive.dead_letter_queue)
            if queue is None or target is None:
                return True
            with queue._messages_lock:
                found = next((m for m in queue._messages if str(m.id) == message.message_id), None)
                if found is None:
                    return True
                queue.pending_messages.discard(found)
                queue._messages = [m for m in queue._messages if m is not found]
            _release(queue, found)  # it arrives in the DLQ visible, its receive count kept
            try:
                target.add_message(found)  # the queue's own DLQ, as SQS moves it
            except Exception:
                _log.exception("could not move %s to %s", message.message_id, target.name)
        return True

    def _forget(self, message_id: str) -> None:
        self.receipt_handles.pop(message_id, None)
        self.sent_at_ms.pop(message_id, None)


def _release(queue: Any, message: Any) -> None:
    """Visible again in moto, no longer held by the pollers."""
    message.visible_at = 0.0
    setattr(message, _OURS, False)
    queue.pending_messages.discard(message)


def _find(queue: Any, message_id: str) -> Any:
    with queue._messages_lock:
        return next((m for m in queue._messages if str(m.id) == message_id), None)


def _mark_received(queue: Any, message: Any, receive_count: int) -> None:
    """What SQS does to a message a poller receives: a new receipt handle, the receive
    count, in flight (not visible). It stays in flight until lambdasim's visibility
    timeout ends (``_leave_flight``), however long the handler runs in real time: the
    handler's run is not scaled, the timeout is."""
    from moto.core.utils import unix_time_millis
    from moto.sqs.utils import generate_receipt_handle

    now_ms = unix_time_millis()
    if not message.approximate_first_receive_timestamp:
        message.approximate_first_receive_timestamp = int(now_ms)
    message.approximate_receive_count = receive_count
    if message.receipt_handle is not None:
        message._old_receipt_handles.append(message.receipt_handle)
    message.receipt_handle = generate_receipt_handle()
    message.visible_at = now_ms + _IN_FLIGHT_MS
    setattr(message, _OURS, True)
    queue.pending_messages.add(message)


class LiveSqsPoller(SqsPoller):
    """lambdasim's SQS poller whose records carry the moto message's receipt handle and
    SentTimestamp: a handler may delete a message or change its visibility itself."""

    def _record(self, message: Message) -> dict[str, Any]:
        record = super()._record(message)
        queue = self.queue
        if isinstance(queue, MirroredQueue):
            handle = queue.receipt_handles.get(message.message_id)
            if handle:
                record["receiptHandle"] = handle
            sent = queue.sent_at_ms.get(message.message_id)
            if sent:
                record["attributes"]["SentTimestamp"] = str(sent)
        return record
