"""REPORT line arithmetic and format (R-6.5)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from labtui.runner.logs import billed_ms, invocation_log, report_line

durations = st.floats(min_value=0.0, max_value=900_000.0, allow_nan=False)


@given(durations, st.one_of(st.none(), durations))
def test_billing_is_per_millisecond_rounded_up(duration: float, init: float | None) -> None:
    billed = billed_ms(duration, init)
    total = duration + (init or 0.0)
    assert isinstance(billed, int)
    assert billed >= 1 and billed >= total
    assert billed == max(1, math.ceil(total))


def test_report_line_fields_in_aws_order() -> None:
    line = report_line("r-1", 12.345, 250.5, 128, 40)
    assert line == (
        "REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 263 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 250.50 ms\t"
    )
    assert "Init Duration" not in report_line("r-2", 1.0, None, 128, 40)


def test_a_timeout_log_says_so_before_end() -> None:
    text = invocation_log(
        request_id="r-3",
        version="7",
        runtime="python3.13",
        init_log=None,
        output="working\n",
        timeout_s=3.0,
        error_type=None,
        duration_ms=3000.0,
        init_ms=None,
        memory_mb=256,
        used_mb=50,
    )
    lines = text.splitlines()
    assert lines[0] == "START RequestId: r-3 Version: 7"
    assert lines[1] == "working"
    assert lines[2].endswith("r-3 Task timed out after 3.00 seconds")
    assert lines[3] == "END RequestId: r-3"
    assert lines[4].rstrip("\t").endswith("Status: timeout")
