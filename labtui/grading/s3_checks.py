"""Follow an S3 → Lambda notification chain in the graded account, hop by hop (R-4.14,
R-4.15).

An upload that matches a bucket's Lambda notification invokes the function with an S3
event; every object the function writes is itself an ``ObjectCreated`` event that may
match a notification again. :func:`follow_upload` plays that chain out under the checker's
control: the buckets' notification configurations are set aside (so the sandbox's own
synchronous triggers stay quiet), the object is uploaded, and each matching notification
runs the learner's deployed handler (through the sandbox runner) with the event S3 would
send. The writes of each run are recorded where they land (the sandbox's S3 backend:
PutObject and CopyObject, rewrites of an existing key included) and matched against the
set-aside configurations to decide the next hops. Like Lambda's
recursive loop detection, the chain stops after ``facts.RECURSION_LIMIT`` invocations.
"""

from __future__ import annotations

import contextlib
import fnmatch
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from labtui import facts
from labtui.grading.context import GradingContext
from labtui.grading.lifecycle_checks import in_process_sandbox


@dataclass(frozen=True)
class Hop:
    """One invocation in the chain: what triggered it and what it wrote."""

    function: str
    bucket: str
    key: str
    event_name: str
    error: str | None
    created: tuple[tuple[str, str], ...]  # new objects (bucket, key)
    rewritten: tuple[tuple[str, str], ...]  # existing objects written again

    @property
    def outputs(self) -> list[tuple[str, str]]:
        """What this run wrote, other than the object that triggered it."""
        return [obj for obj in self.created + self.rewritten if obj != (self.bucket, self.key)]


@dataclass
class ChainRun:
    upload: tuple[str, str]
    hops: list[Hop] = field(default_factory=list)
    stopped_by_loop_detection: bool = False

    @property
    def invocations(self) -> int:
        return len(self.hops)

    @property
    def created(self) -> list[tuple[str, str]]:
        return [obj for hop in self.hops for obj in hop.created]

    @property
    def outputs(self) -> list[tuple[str, str]]:
        """Distinct objects the chain wrote, new or existing, other than the upload itself
        (an account that already holds last run's thumbnail still counts it once)."""
        written = [obj for hop in self.hops for obj in hop.created + hop.rewritten]
        return [obj for obj in dict.fromkeys(written) if obj != self.upload]


def lambda_notifications(ctx: GradingContext, bucket: str) -> list[dict[str, Any]]:
    response = ctx.aws("s3").get_bucket_notification_configuration(Bucket=bucket)
    return list(response.get("LambdaFunctionConfigurations") or [])


def filter_rules(configuration: dict[str, Any]) -> dict[str, str]:
    """``{"prefix": ..., "suffix": ...}`` (lower-cased rule names) of one configuration."""
    rules = (((configuration.get("Filter") or {}).get("Key") or {}).get("FilterRules")) or []
    return {str(rule.get("Name", "")).lower(): str(rule.get("Value", "")) for rule in rules}


def matches(configuration: dict[str, Any], event_name: str, key: str) -> bool:
    """Would this notification configuration fire for ``event_name`` on ``key``?"""
    events = [str(e).removeprefix("s3:") for e in configuration.get("Events") or []]
    if not any(fnmatch.fnmatchcase(event_name, pattern) for pattern in events):
        return False
    rules = filter_rules(configuration)
    return key.startswith(rules.get("prefix", "")) and key.endswith(rules.get("suffix", ""))


def function_name_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[6] if len(parts) > 6 else arn


@contextlib.contextmanager
def recorded_writes(ctx: GradingContext) -> Iterator[list[tuple[str, str, str]]]:
    """Every object write the sandbox's S3 serves for the graded account while the block
    runs, as (bucket, key, event name): PutObject is ``ObjectCreated:Put``, CopyObject
    (onto itself too) ``ObjectCreated:Copy``."""
    from moto.s3.models import S3Backend

    in_process_sandbox(ctx)
    writes: list[tuple[str, str, str]] = []
    lock = threading.Lock()
    put_object, copy_object = S3Backend.put_object, S3Backend.copy_object
    copying = threading.local()

    def record(backend: Any, bucket: str, key: str, event_name: str) -> None:
        if str(getattr(backend, "account_id", "")) == ctx.account_id:
            with lock:
                writes.append((str(bucket), str(key), event_name))

    def put(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        if not getattr(copying, "active", False):
            record(self, bucket_name, key_name, "ObjectCreated:Put")
        return put_object(self, bucket_name, key_name, *args, **kwargs)

    def copy(self: Any, src_key: Any, dest_bucket_name: str, dest_key_name: str,
             *args: Any, **kwargs: Any) -> Any:
        record(self, dest_bucket_name, dest_key_name, "ObjectCreated:Copy")
        copying.active = True  # moto's copy writes through put_object: count it once
        try:
            return copy_object(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs)
        finally:
            copying.active = False

    S3Backend.put_object = put  # type: ignore[method-assign]
    S3Backend.copy_object = copy  # type: ignore[method-assign]
    try:
        yield writes
    finally:
        S3Backend.put_object = put_object  # type: ignore[method-assign]
        S3Backend.copy_object = copy_object  # type: ignore[method-assign]


def _existing(ctx: GradingContext) -> set[tuple[str, str]]:
    s3 = ctx.aws("s3")
    found: set[tuple[str, str]] = set()
    for bucket in s3.list_buckets().get("Buckets", []):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            found.update((bucket["Name"], item["Key"]) for item in page.get("Contents") or [])
    return found


def s3_event(ctx: GradingContext, bucket: str, key: str, event_name: str,
             etag: str) -> dict[str, Any]:
    """The event S3 sends to Lambda (R-4.14: metadata only, key URL-encoded)."""
    return {"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": ctx.region,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:LEARNER"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}",
                       "ownerIdentity": {"principalId": "LEARNER"}},
            "object": {"key": urllib.parse.quote_plus(key), "eTag": etag.strip('"'),
                       "sequencer": "0"},
        },
    }]}


def _etag(ctx: GradingContext, bucket: str, key: str) -> str:
    from botocore.exceptions import ClientError

    try:
        return str(ctx.aws("s3").head_object(Bucket=bucket, Key=key).get("ETag", ""))
    except ClientError:
        return ""  # written, then deleted again by the handler


def follow_upload(ctx: GradingContext, bucket: str, key: str, body: bytes) -> ChainRun:
    """Upload ``key`` to ``bucket`` and run the notification chain it starts."""
    s3 = ctx.aws("s3")
    buckets = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    saved = {name: s3.get_bucket_notification_configuration(Bucket=name) for name in buckets}
    run = ChainRun((bucket, key))
    try:
        for name in buckets:
            s3.put_bucket_notification_configuration(Bucket=name,
                                                     NotificationConfiguration={})
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        existing = _existing(ctx)
        pending: deque[tuple[str, str, str]] = deque([(bucket, key, "ObjectCreated:Put")])
        while pending:
            source_bucket, source_key, event_name = pending.popleft()
            configs = (saved.get(source_bucket) or {}).get("LambdaFunctionConfigurations") or []
            for config in configs:
                if not matches(config, event_name, source_key):
                    continue
                if run.invocations >= facts.RECURSION_LIMIT:
                    # Lambda stops the chain after about 16 invocations.
                    run.stopped_by_loop_detection = True
                    return run
                event = s3_event(ctx, source_bucket, source_key, event_name,
                                 _etag(ctx, source_bucket, source_key))
                function = function_name_of(str(config.get("LambdaFunctionArn", "")))
                with recorded_writes(ctx) as writes:
                    result = ctx.account.invoke(function, event)
                written = list(dict.fromkeys(writes))  # in order, each write once
                created = tuple(dict.fromkeys((b, k) for b, k, _ in written
                                              if (b, k) not in existing))
                rewritten = tuple(dict.fromkeys((b, k) for b, k, _ in written
                                                if (b, k) in existing))
                existing.update(created)
                error = (result.payload.decode("utf-8", "replace")
                         if result.function_error else None)
                run.hops.append(Hop(function, source_bucket, source_key, event_name, error,
                                    created, rewritten))
                pending.extend(written)
        return run
    finally:
        for name, configuration in saved.items():
            document = {k: v for k, v in configuration.items() if k != "ResponseMetadata"}
            s3.put_bucket_notification_configuration(Bucket=name,
                                                     NotificationConfiguration=document)
