"""Route moto's own Lambda invocations (S3 notifications, SNS) to the runner instead of
Docker, and hand event source mappings to labtui's pollers.

moto calls ``LambdaFunction.invoke`` when a trigger fires; without this it answers
"error running docker". With the live async engine the call is queued as an
asynchronous invocation (:mod:`labtui.account.live_triggers`); otherwise it runs once,
synchronously, nested runs counted for R-4.15. Event source mappings (SQS, Kinesis, DynamoDB streams) are not
moto's to run once the live sandbox watches them (:func:`watch_event_sources`): moto's
triggers are switched off and every new message, stream record or mapping change is
passed to :class:`labtui.account.live_esm.LiveEventSources`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from labtui import facts

if TYPE_CHECKING:
    from labtui.account.lambda_invoke import InvokeService

_log = logging.getLogger(__name__)
_ACTIVE: list[InvokeService] = []
_CHAIN_DEPTH: dict[tuple[str, str], int] = {}
_CHAIN_LOCK = threading.Lock()
_ORIGINAL: dict[str, Any] = {}
# The event sources of the sandbox whose gateway is serving the current request (moto's
# backends are per process, so two sandboxes in one process share an account's queues:
# a send through one sandbox must wake that sandbox's pollers only, or both would poll).
_SERVING = threading.local()


@contextlib.contextmanager
def serving(sources: Any) -> Iterator[None]:
    """Moto calls made inside this block belong to the sandbox that owns ``sources``."""
    previous = getattr(_SERVING, "sources", None)
    _SERVING.sources = sources
    try:
        yield
    finally:
        _SERVING.sources = previous


def _pollers() -> list[Any]:
    """The pollers a moto change is for: the serving sandbox's, else every sandbox's."""
    current = getattr(_SERVING, "sources", None)
    if current is not None and current in _EVENT_SOURCES:
        return [current]
    return list(_EVENT_SOURCES)


def _invoke_through_runner(
    self: Any, body: Any, request_headers: Any, response_headers: Any
) -> bytes:
    if not _ACTIVE:
        return bytes(_ORIGINAL["invoke"](self, body, request_headers, response_headers))
    invoker = _ACTIVE[-1]
    payload = body.encode() if isinstance(body, str) else bytes(body or b"{}")
    qualifier = None if str(self.version) == "$LATEST" else str(self.version)
    if _NOTIFICATIONS:
        # S3 and SNS invoke asynchronously (retries, DLQ, destinations).
        _NOTIFICATIONS[-1].invoke(
            str(self.account_id), str(self.region), str(self.function_name), qualifier, payload
        )
        return b""
    chain = (str(self.account_id), str(self.function_name))
    with _CHAIN_LOCK:
        depth = _CHAIN_DEPTH.get(chain, 0)
        if depth >= facts.RECURSION_LIMIT:
            # Lambda stops a recursive loop after about 16 invocations. moto fires
            # triggers synchronously, so a loop shows as nested runs of one function.
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(
                {
                    "errorType": "RecursiveInvocationException",
                    "errorMessage": "Recursive loop detected; invocation stopped",
                }
            ).encode()
        _CHAIN_DEPTH[chain] = depth + 1
    try:
        result = invoker.invoke_direct(
            str(self.account_id), str(self.region), str(self.function_name), payload, qualifier
        )
    finally:
        with _CHAIN_LOCK:
            _CHAIN_DEPTH[chain] -= 1
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    return result.payload


def activate(invoker: InvokeService) -> None:
    from moto.awslambda.models import LambdaFunction

    if "invoke" not in _ORIGINAL:
        _ORIGINAL["invoke"] = LambdaFunction.invoke
        LambdaFunction.invoke = _invoke_through_runner  # type: ignore[method-assign]
    _ACTIVE.append(invoker)


def deactivate(invoker: InvokeService) -> None:
    from moto.awslambda.models import LambdaFunction

    if invoker in _ACTIVE:
        _ACTIVE.remove(invoker)
    if not _ACTIVE and "invoke" in _ORIGINAL:
        LambdaFunction.invoke = _ORIGINAL.pop("invoke")  # type: ignore[method-assign]


# --- event source mappings run by labtui (labtui.account.live_esm) -----------------------

_EVENT_SOURCES: list[Any] = []  # LiveEventSources instances, newest last
_NOTIFICATIONS: list[Any] = []  # AsyncNotifications instances, newest last


def route_notifications(notifications: Any) -> None:
    """moto's S3/SNS invocations go to ``notifications`` (asynchronous) from now on."""
    _NOTIFICATIONS.append(notifications)


def unroute_notifications(notifications: Any) -> None:
    if notifications in _NOTIFICATIONS:
        _NOTIFICATIONS.remove(notifications)


def _add_message_for_pollers(self: Any, message: Any) -> None:
    if _EVENT_SOURCES:
        # labtui's pollers run SQS mappings; moto's trigger (one message at a time,
        # deleted on any answer) must never receive or delete a message of theirs.
        self.lambda_event_source_mappings.clear()
    _ORIGINAL["add_message"](self, message)
    for sources in _pollers():
        try:
            sources.on_queue_message(str(self.account_id), str(self.region), str(self.name))
        except Exception:  # a send must never fail because of the pollers
            _log.exception("could not tell the pollers about a message")


def _put_record_for_pollers(self: Any, *arguments: Any, **keywords: Any) -> Any:
    if _EVENT_SOURCES:
        self.lambda_event_source_mappings.clear()  # labtui's shard pollers read it
    result = _ORIGINAL["put_record"](self, *arguments, **keywords)
    _tell_stream_pollers(str(self.account_id), str(self.region))
    return result


def _stream_add_for_pollers(self: Any, *arguments: Any, **keywords: Any) -> Any:
    if _EVENT_SOURCES:
        # moto's trigger would also drop the stream's records after one delivery.
        self.table.lambda_event_source_mappings.clear()
    result = _ORIGINAL["stream_add"](self, *arguments, **keywords)
    _tell_stream_pollers(str(self.account_id), str(self.table.region_name))
    return result


def _tell_stream_pollers(account_id: str, region: str) -> None:
    for sources in _pollers():
        try:
            sources.on_stream_record(account_id, region)
        except Exception:  # a write must never fail because of the pollers
            _log.exception("could not tell the pollers about a stream record")


def _mappings_changed(original: Any) -> Any:
    def changed(self: Any, *arguments: Any, **keywords: Any) -> Any:
        result = original(self, *arguments, **keywords)
        for sources in _pollers():
            sources.on_mappings_changed(str(self.account_id), str(self.region_name))
        return result

    return changed


_MAPPING_METHODS = (
    "create_event_source_mapping",
    "update_event_source_mapping",
    "delete_event_source_mapping",
)


def _configuration_as_lambda_reports(self: Any) -> dict[str, Any]:
    """GetEventSourceMapping as Lambda answers it: its defaults filled in, the reason
    for the state in Lambda's words, and LastProcessingResult only for streams."""
    found: dict[str, Any] = _ORIGINAL["get_configuration"](self)
    found["StateTransitionReason"] = "USER_INITIATED"
    found.setdefault("MaximumBatchingWindowInSeconds", 0)
    found.setdefault("FunctionResponseTypes", [])
    if str(self.event_source_arn).split(":")[2:3] == ["sqs"]:
        found.pop("LastProcessingResult", None)
        found.pop("StartingPosition", None)
        return found
    result = None
    for sources in _pollers():
        result = sources.last_processing_result(str(self.uuid)) or result
    found["LastProcessingResult"] = result or "No records processed"
    # R-4.10: -1 = infinite retries and record age; R-4.8: ParallelizationFactor 1.
    found.setdefault("MaximumRetryAttempts", -1)
    found.setdefault("MaximumRecordAgeInSeconds", -1)
    found.setdefault("BisectBatchOnFunctionError", False)
    found.setdefault("ParallelizationFactor", 1)
    found.setdefault("TumblingWindowInSeconds", 0)
    found.setdefault("DestinationConfig", {"OnFailure": {}})
    return found


def watch_event_sources(sources: Any) -> None:
    """Send SQS messages and mapping changes to ``sources`` instead of moto's trigger."""
    from moto.awslambda.models import EventSourceMapping, LambdaBackend
    from moto.dynamodb.models.table import StreamShard
    from moto.kinesis.models import Stream
    from moto.sqs.models import Queue

    if "add_message" not in _ORIGINAL:
        _ORIGINAL["add_message"] = Queue.add_message
        Queue.add_message = _add_message_for_pollers  # type: ignore[method-assign]
        _ORIGINAL["put_record"] = Stream.put_record
        Stream.put_record = _put_record_for_pollers  # type: ignore[method-assign]
        _ORIGINAL["stream_add"] = StreamShard.add
        StreamShard.add = _stream_add_for_pollers  # type: ignore[method-assign]
        _ORIGINAL["get_configuration"] = EventSourceMapping.get_configuration
        EventSourceMapping.get_configuration = (  # type: ignore[method-assign]
            _configuration_as_lambda_reports
        )
        for name in _MAPPING_METHODS:
            _ORIGINAL[name] = getattr(LambdaBackend, name)
            setattr(LambdaBackend, name, _mappings_changed(_ORIGINAL[name]))
    _EVENT_SOURCES.append(sources)


def unwatch_event_sources(sources: Any) -> None:
    from moto.awslambda.models import EventSourceMapping, LambdaBackend
    from moto.dynamodb.models.table import StreamShard
    from moto.kinesis.models import Stream
    from moto.sqs.models import Queue

    if sources in _EVENT_SOURCES:
        _EVENT_SOURCES.remove(sources)
    if not _EVENT_SOURCES and "add_message" in _ORIGINAL:
        Queue.add_message = _ORIGINAL.pop("add_message")  # type: ignore[method-assign]
        Stream.put_record = _ORIGINAL.pop("put_record")  # type: ignore[method-assign]
        StreamShard.add = _ORIGINAL.pop("stream_add")  # type: ignore[method-assign]
        EventSourceMapping.get_configuration = _ORIGINAL.pop(  # type: ignore[method-assign]
            "get_configuration"
        )
        for name in _MAPPING_METHODS:
            setattr(LambdaBackend, name, _ORIGINAL.pop(name))
