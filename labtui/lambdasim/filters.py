"""Event filtering for event source mappings (R-4.7), the EventBridge pattern subset.

A filter's pattern is a JSON object; an SQS message matches when its record
(``body`` parsed as JSON when possible, plus ``messageAttributes`` etc.)
matches every key of the pattern. Leaves are lists of allowed values, each a
literal or one of ``{"prefix": s}``, ``{"suffix": s}``, ``{"exists": bool}``,
``{"anything-but": [values]}``, ``{"numeric": [op, n, ...]}``. A message
matching any filter of the mapping is delivered; the others are deleted
without invoking the function (R-4.7).
"""

from __future__ import annotations

import contextlib
import json
import operator
from typing import Any

_MISSING = object()
_NUMERIC = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
}


def matches(pattern: dict[str, Any], document: dict[str, Any]) -> bool:
    """Every key of ``pattern`` matches in ``document`` (nested objects recurse)."""
    for key, expected in pattern.items():
        value = document.get(key, _MISSING) if isinstance(document, dict) else _MISSING
        if isinstance(expected, dict):
            if value is _MISSING or not isinstance(value, dict) or not matches(expected, value):
                return False
        elif isinstance(expected, list):
            if not any(_leaf(rule, value) for rule in expected):
                return False
        else:
            return False  # a malformed pattern matches nothing
    return True


def _leaf(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return (value is not _MISSING) == bool(rule["exists"])
        if value is _MISSING:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "suffix" in rule:
            return isinstance(value, str) and value.endswith(rule["suffix"])
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            return value not in (excluded if isinstance(excluded, list) else [excluded])
        if "numeric" in rule:
            terms = rule["numeric"]
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return False
            return all(
                _NUMERIC[op](value, bound)
                for op, bound in zip(terms[::2], terms[1::2], strict=False)
            )
        return False
    if isinstance(value, list):
        return rule in value
    return value is not _MISSING and value == rule


def sqs_record_document(record: dict[str, Any]) -> dict[str, Any]:
    """The SQS record as a filter sees it: ``body`` as JSON when it parses (R-4.7)."""
    document = dict(record)
    with contextlib.suppress(TypeError, ValueError):
        document["body"] = json.loads(record["body"])
    return document


def any_filter_matches(patterns: tuple[dict[str, Any], ...], record: dict[str, Any]) -> bool:
    return not patterns or any(matches(p, sqs_record_document(record)) for p in patterns)
