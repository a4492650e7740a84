"""One sandbox for the whole grading test session; every grade restores a seeded snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    from labtui.grading import sandbox as grading_sandbox

    started = grading_sandbox.shared_sandbox()
    try:
        yield started
    finally:
        grading_sandbox.stop_shared_sandbox()
