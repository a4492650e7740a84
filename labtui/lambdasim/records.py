"""The exact records Lambda sends to destinations (R-3.8, R-4.13) and DLQs (R-3.6)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
STREAM_RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
STREAM_RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


@dataclass(slots=True)
class Delivery:
    """Something Lambda sent to a target: a DLQ message or a destination record.

    ``kind``: ``dlq`` (body = the original event, R-3.6), ``destination`` (an
    async invocation record, R-3.8) or ``stream-failure`` (a stream batch
    record, R-4.13). ``condition`` repeats the record's condition (empty for
    DLQ messages); ``attributes`` are the DLQ message attributes.
    """

    time: float
    target: str
    kind: str
    payload: Any
    condition: str = ""
    request_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def iso_timestamp(epoch_s: float) -> str:
    """``2025-01-01T00:03:00.000Z``: how records write their timestamps."""
    moment = _dt.datetime.fromtimestamp(epoch_s, tz=_dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def async_invocation_record(
    *,
    timestamp: str,
    request_id: str,
    function_arn: str,
    condition: str,
    approximate_invoke_count: int,
    request_payload: Any,
    status_code: int,
    executed_version: str | None,
    function_error: str | None,
    response_payload: Any,
) -> dict[str, Any]:
    """R-3.8: the invocation record sent to an OnSuccess / OnFailure destination."""
    response_context: dict[str, Any] = {"statusCode": status_code}
    if executed_version is not None:
        response_context["executedVersion"] = executed_version
    if function_error is not None:
        response_context["functionError"] = function_error
    return {
        "version": "1.0",
        "timestamp": timestamp,
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": request_payload,
        "responseContext": response_context,
        "responsePayload": response_payload,
    }


def stream_failure_record(
    *,
    timestamp: str,
    request_id: str,
    function_arn: str,
    condition: str,
    approximate_invoke_count: int,
    status_code: int,
    executed_version: str,
    function_error: str | None,
    kind: str,
    shard_id: str,
    stream_arn: str,
    start_sequence: str,
    end_sequence: str,
    first_arrival: str,
    last_arrival: str,
    batch_size: int,
) -> dict[str, Any]:
    """R-4.13: the on-failure record of a stream batch (describes it, no data)."""
    response_context: dict[str, Any] = {
        "statusCode": status_code,
        "executedVersion": executed_version,
    }
    if function_error is not None:
        response_context["functionError"] = function_error
    info_key = "KinesisBatchInfo" if kind == "kinesis" else "DDBStreamBatchInfo"
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "responseContext": response_context,
        "version": "1.0",
        "timestamp": timestamp,
        info_key: {
            "shardId": shard_id,
            "startSequenceNumber": start_sequence,
            "endSequenceNumber": end_sequence,
            "approximateArrivalOfFirstRecord": first_arrival,
            "approximateArrivalOfLastRecord": last_arrival,
            "batchSize": batch_size,
            "streamArn": stream_arn,
        },
    }


def dlq_attributes(request_id: str, error_code: int, error_message: str) -> dict[str, str]:
    """R-3.6: the message attributes of a dead-letter message."""
    return {
        "RequestID": request_id,
        "ErrorCode": str(error_code),
        "ErrorMessage": error_message,
    }
