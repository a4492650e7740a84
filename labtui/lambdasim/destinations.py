"""Where DLQ messages and destination records go (R-3.6, R-3.7, R-4.13).

A target is an ARN or a bare queue name. SQS targets become messages in the
simulated queue of that name (created on first use, so ``sim.queue(name)``
always answers); Lambda targets are invoked asynchronously with the record as
the event; SNS, EventBridge and S3 targets are only recorded. Every delivery is
also appended to :attr:`Router.deliveries` in order. FIFO queues and topics are
not supported targets: such a delivery fails (``delivery_failures`` counts it,
like the ``DestinationDeliveryFailures`` / ``DeadLetterErrors`` metrics).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from labtui.lambdasim.records import Delivery
from labtui.lambdasim.trace import TraceEvent

if TYPE_CHECKING:
    from labtui.lambdasim.engine import Engine
    from labtui.lambdasim.sqs import SqsQueue


def target_kind(target: str) -> tuple[str, str]:
    """(service, resource name) of a target ARN or bare queue name."""
    if not target.startswith("arn:"):
        return "sqs", target
    parts = target.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "lambda" and len(parts) >= 7:
        return "lambda", parts[6]
    if service == "s3":
        return "s3", parts[-1]
    return service, parts[-1] if parts else target


class Router:
    """Delivers what Lambda sends to queues, functions and other targets."""

    def __init__(
        self,
        engine: Engine,
        queue_lookup: Callable[[str], SqsQueue],
        invoke_async: Callable[[str, Any, int], object],
    ) -> None:
        self.engine = engine
        self._queue = queue_lookup
        self._invoke_async = invoke_async
        self.deliveries: list[Delivery] = []
        # ``limit`` caps ``deliveries`` (a long run keeps the first ones; None = all);
        # ``counts`` counts every delivery by condition and by kind, kept or not.
        self.limit: int | None = None
        self.counts: dict[str, int] = {}

    def _keep(self, delivery: Delivery) -> None:
        counts = self.counts
        counts[delivery.kind] = counts.get(delivery.kind, 0) + 1
        if delivery.condition and delivery.condition != delivery.kind:
            counts[delivery.condition] = counts.get(delivery.condition, 0) + 1
        if self.limit is None or len(self.deliveries) < self.limit:
            self.deliveries.append(delivery)

    def deliver_dlq(
        self, target: str, body: str, attributes: dict[str, str], request_id: str, function: str
    ) -> None:
        """R-3.6: the original event as body, with RequestID / ErrorCode / ErrorMessage."""
        engine = self.engine
        if self._unsupported(target, function, request_id, "DeadLetterErrors"):
            return
        engine.counters.dlq_deliveries += 1
        self._keep(
            Delivery(engine.now, target, "dlq", json.loads(body), "", request_id, attributes)
        )
        service, name = target_kind(target)
        if service == "sqs":
            self._queue(name).send(body, attributes)
        if engine.tracing:
            engine.emit(
                TraceEvent(engine.now, "dlq", function, "", "", request_id, 0, "sent", 0.0, target)
            )

    def deliver_record(
        self,
        target: str,
        record: dict[str, Any],
        condition: str,
        request_id: str,
        function: str,
        kind: str = "destination",
        chain: int = 0,
    ) -> None:
        """R-3.8 / R-4.13: an invocation or batch record to a destination."""
        engine = self.engine
        if self._unsupported(target, function, request_id, "DestinationDeliveryFailures"):
            return
        engine.counters.destination_deliveries += 1
        self._keep(Delivery(engine.now, target, kind, record, condition, request_id))
        service, name = target_kind(target)
        if service == "sqs":
            self._queue(name).send(json.dumps(record))
        elif service == "lambda":
            self._invoke_async(name, record, chain + 1)
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "destination",
                    function,
                    "",
                    "",
                    request_id,
                    0,
                    condition,
                    0.0,
                    target,
                )
            )

    def _unsupported(self, target: str, function: str, request_id: str, metric: str) -> bool:
        """FIFO queues and topics cannot receive DLQ messages or records: the delivery fails
        and only the CloudWatch metric counts it."""
        service, name = target_kind(target)
        if service not in ("sqs", "sns") or not name.endswith(".fifo"):
            return False
        engine = self.engine
        engine.counters.delivery_failures += 1
        if engine.tracing:
            engine.emit(
                TraceEvent(
                    engine.now,
                    "delivery-failed",
                    function,
                    "",
                    "",
                    request_id,
                    0,
                    metric,
                    0.0,
                    f"{target} is a FIFO target",
                )
            )
        return True
