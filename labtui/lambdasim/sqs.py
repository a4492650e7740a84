"""SQS queues as Lambda sees them: visibility timeout, receive counts, redrive, FIFO groups.

A queue holds undeleted messages in send order. Receiving a message hides it
for the visibility timeout and raises its receive count; a message whose
receive count already reached the redrive policy's ``maxReceiveCount`` moves
to the queue's DLQ instead of being delivered (R-4.2). FIFO queues deliver a
message group in order and never hand out a group while one of its messages
is in flight (R-4.5).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, Any

from labtui.lambdasim.config import SqsQueueSpec
from labtui.lambdasim.engine import RunStopped
from labtui.lambdasim.trace import TraceEvent

# A message received this often with no redrive policy is in a livelock: its handler keeps
# failing and it keeps coming back (at once with a visibility timeout of 0). With a 30 s
# timeout it takes 3.5 simulated days, about SQS's default retention of 4 days.
LIVELOCK_RECEIVES = 10_000

if TYPE_CHECKING:
    from labtui.lambdasim.engine import Engine


class Message:
    """One SQS message with the attributes a grader reads."""

    __slots__ = (
        "body",
        "deleted",
        "first_receive_at",
        "group_id",
        "in_flight",
        "message_attributes",
        "message_id",
        "receive_count",
        "sent_at",
        "sequence",
        "visible_at",
    )

    def __init__(
        self,
        message_id: str,
        body: str,
        message_attributes: dict[str, str],
        group_id: str | None,
        sent_at: float,
        sequence: int,
    ) -> None:
        self.message_id = message_id
        self.body = body
        self.message_attributes = message_attributes
        self.group_id = group_id
        self.sent_at = sent_at
        self.receive_count = 0
        self.first_receive_at: float | None = None
        self.visible_at = sent_at
        self.deleted = False
        self.sequence = sequence
        self.in_flight = False

    @property
    def attributes(self) -> dict[str, str]:
        """SQS system attributes (``ApproximateReceiveCount`` etc.), times in ms."""
        attributes = {
            "ApproximateReceiveCount": str(self.receive_count),
            "SentTimestamp": str(int(self.sent_at * 1000)),
        }
        if self.first_receive_at is not None:
            attributes["ApproximateFirstReceiveTimestamp"] = str(int(self.first_receive_at * 1000))
        if self.group_id is not None:
            attributes["MessageGroupId"] = self.group_id
            attributes["SequenceNumber"] = str(self.sequence)
        return attributes

    def __repr__(self) -> str:
        return f"Message({self.message_id!r}, body={self.body!r}, receives={self.receive_count})"


class SqsQueue:
    """A simulated queue; ``messages`` lists what is still in it."""

    def __init__(
        self,
        spec: SqsQueueSpec,
        engine: Engine,
        arn: str,
        lookup: Callable[[str], SqsQueue],
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.arn = arn
        self.fifo = spec.fifo
        self._engine = engine
        self._lookup = lookup
        self._all: dict[str, Message] = {}
        self._ready: deque[Message] = deque()  # standard: visible, roughly in order
        self._groups: dict[str, deque[Message]] = {}  # FIFO: undeleted per group
        self._in_flight: dict[str, int] = {}  # FIFO: invisible messages per group
        self._hidden: list[tuple[float, int, Message]] = []
        self._sequence = 0
        self.listeners: list[Callable[[], None]] = []
        self.sent_count = 0

    # ------------------------------------------------------------------ reading
    @property
    def messages(self) -> list[Message]:
        return list(self._all.values())

    def first_messages(self, limit: int) -> list[Message]:
        """The oldest ``limit`` messages still in the queue (for display)."""
        return list(islice(self._all.values(), limit))

    def __len__(self) -> int:
        return len(self._all)

    def visible_count(self) -> int:
        if not self.fifo:
            return len(self._ready)
        return sum(
            len(items) for group, items in self._groups.items() if not self._in_flight.get(group)
        )

    # ------------------------------------------------------------------ writing
    def send(
        self,
        body: str,
        message_attributes: dict[str, str] | None = None,
        group_id: str | None = None,
        message_id: str | None = None,
    ) -> Message:
        engine = self._engine
        self._sequence += 1
        if self.fifo and group_id is None:
            group_id = "default"
        message = Message(
            message_id or engine.new_request_id(),
            body,
            dict(message_attributes or {}),
            group_id if self.fifo else None,
            engine.now,
            self._sequence,
        )
        self._all[message.message_id] = message
        self.sent_count += 1
        if self.fifo:
            assert group_id is not None
            self._groups.setdefault(group_id, deque()).append(message)
        else:
            self._ready.append(message)
        self._notify()
        return message

    def receive(self, max_messages: int) -> list[Message]:
        """Hide up to ``max_messages`` visible messages for the visibility timeout."""
        self._release_due()
        batch: list[Message] = []
        if self.fifo:
            for group, items in self._groups.items():
                if self._in_flight.get(group) or not items:
                    continue
                for message in list(items):
                    if len(batch) >= max_messages:
                        break
                    if not self._redriven(message):
                        batch.append(message)
                if len(batch) >= max_messages:
                    break
        else:
            ready = self._ready
            while ready and len(batch) < max_messages:
                message = ready.popleft()
                if message.deleted or self._redriven(message):
                    continue
                batch.append(message)
        now = self._engine.now
        visible_at = now + self.spec.visibility_timeout_s
        for message in batch:
            message.in_flight = True
            if message.group_id is not None:
                self._in_flight[message.group_id] = self._in_flight.get(message.group_id, 0) + 1
            message.receive_count += 1
            if message.receive_count >= LIVELOCK_RECEIVES and self.spec.redrive is None:
                raise RunStopped(self._livelock(message))
            if message.first_receive_at is None:
                message.first_receive_at = now
            message.visible_at = visible_at
            heapq.heappush(self._hidden, (visible_at, message.sequence, message))
        if batch:
            self._engine.schedule(visible_at, self._on_visibility_expired)
        return batch

    def _livelock(self, message: Message) -> str:
        timeout = self.spec.visibility_timeout_s
        again = "at once" if timeout == 0 else f"after {timeout:g} s"
        return (
            f"livelock: message {message.message_id} in queue '{self.name}' was received "
            f"{message.receive_count:,} times; its batch keeps failing and, with no redrive "
            f"policy, it comes back {again} forever (visibility timeout {timeout:g} s). Give "
            "the queue a redrive policy to a dead-letter queue (R-4.2, R-4.3)"
        )

    def delete(self, message: Message) -> None:
        if not message.deleted:
            self._remove(message)

    # ------------------------------------------------------------------ internals
    def _redriven(self, message: Message) -> bool:
        """R-4.2: past maxReceiveCount the message moves to the queue's DLQ."""
        redrive = self.spec.redrive
        if redrive is None or message.receive_count < redrive.max_receive_count:
            return False
        engine = self._engine
        self._remove(message)
        target = self._lookup(redrive.dead_letter_queue)
        moved = target.send(
            message.body, message.message_attributes, message.group_id, message.message_id
        )
        moved.receive_count = message.receive_count
        engine.counters.sqs_redriven += 1
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "sqs-redrive",
                    detail=f"{self.name} -> {target.name} "
                    f"{message.message_id} after {message.receive_count} receives",
                )
            )
        return True

    def _remove(self, message: Message) -> None:
        message.deleted = True
        self._all.pop(message.message_id, None)
        self._leave_flight(message)
        if self.fifo and message.group_id is not None:
            self._groups[message.group_id].remove(message)

    def _leave_flight(self, message: Message) -> None:
        if message.in_flight:
            message.in_flight = False
            if message.group_id is not None:
                self._in_flight[message.group_id] -= 1

    def _release_due(self) -> None:
        hidden = self._hidden
        now = self._engine.now
        released = False
        while hidden and hidden[0][0] <= now:
            visible_at, _, message = heapq.heappop(hidden)
            if message.deleted or message.visible_at != visible_at:
                continue
            released = True
            self._leave_flight(message)
            if not self.fifo:
                self._ready.append(message)
        if released and not self.fifo:
            # Standard queues make no order promise; returned messages keep send order.
            self._ready = deque(sorted(self._ready, key=_by_sequence))

    def _on_visibility_expired(self, _: Any) -> None:
        self._release_due()
        self._notify()

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()


def _by_sequence(message: Message) -> int:
    return message.sequence
