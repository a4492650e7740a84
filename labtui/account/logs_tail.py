"""``aws logs tail``, an AWS CLI v2 command, for the lab's CLI (v1 has no ``tail``).

Lessons and learners use it to read a function's log (``aws logs tail
/aws/lambda/NAME --since 10m --follow``); the bundled v1 CLI answered with its usage
error. This reads the group with ``FilterLogEvents`` as v2 does and prints the same
formats: ``detailed`` (timestamp, stream, message; the default), ``short`` (timestamp,
message) and ``json`` (the message only). ``--follow`` polls until Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

from labtui.account.aws_access import SandboxTarget, sdk_client

FOLLOW_POLL_S = 5.0
_SINCE = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aws logs tail", add_help=True)
    parser.add_argument("group_name")
    parser.add_argument("--since", default="10m")
    parser.add_argument("--follow", action="store_true")
    parser.add_argument("--format", choices=("detailed", "short", "json"), default="detailed")
    parser.add_argument("--log-stream-names", nargs="+")
    parser.add_argument("--log-stream-name-prefix")
    parser.add_argument("--filter-pattern")
    return parser


def since_ms(value: str, now_s: float) -> int:
    """``10m``, ``2h``, ``1d``, ``1w``, ``30s`` ago, or an ISO 8601 time, in epoch ms."""
    match = _SINCE.fullmatch(value.strip())
    if match:
        return int((now_s - int(match.group(1)) * _UNITS[match.group(2)]) * 1000)
    moment = datetime.datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp() * 1000)


def format_event(event: dict[str, Any], style: str) -> str:
    message = str(event.get("message", "")).rstrip("\n")
    if style == "json":
        return message
    moment = datetime.datetime.fromtimestamp(int(event["timestamp"]) / 1000, tz=datetime.UTC)
    if style == "short":
        return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')} {message}"
    return f"{moment.isoformat(timespec='microseconds')} {event.get('logStreamName', '')} {message}"


def tail(
    arguments: Sequence[str],
    target: SandboxTarget,
    out: IO[str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``aws logs tail ARGUMENTS`` against ``target``; the exit code."""
    out = sys.stdout if out is None else out
    # global options (--output, --region, --endpoint-url, ...) do not change what tail prints
    options, _ = _parser().parse_known_args(list(arguments))
    try:
        start = since_ms(options.since, time.time())
    except ValueError:
        print(f"aws: error: argument --since: invalid value: {options.since!r} "
              "(use 10m, 2h, 1d or an ISO 8601 time)", file=sys.stderr)
        return 252
    logs = sdk_client("logs", target)
    request: dict[str, Any] = {"logGroupName": options.group_name}
    if options.log_stream_names:
        request["logStreamNames"] = options.log_stream_names
    if options.log_stream_name_prefix:
        request["logStreamNamePrefix"] = options.log_stream_name_prefix
    if options.filter_pattern:
        request["filterPattern"] = options.filter_pattern
    seen: set[str] = set()
    from botocore.exceptions import ClientError

    while True:
        try:
            for page in logs.get_paginator("filter_log_events").paginate(
                    startTime=start, **request):
                for event in page.get("events", []):
                    key = str(event.get("eventId") or (event["timestamp"], event["message"]))
                    if key in seen:
                        continue
                    seen.add(key)
                    start = max(start, int(event["timestamp"]))
                    print(format_event(event, options.format), file=out, flush=True)
        except ClientError as error:
            print(f"\nAn error occurred ({error.response['Error'].get('Code')}) when calling "
                  f"the FilterLogEvents operation: {error.response['Error'].get('Message')}",
                  file=sys.stderr)
            return 255
        if not options.follow:
            return 0
        sleep(FOLLOW_POLL_S)
