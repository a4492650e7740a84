"""Checks for report-line-forensics: the learner's answers.yaml against what the 30 REPORT
lines in starter/report-lines.log say (R-6.5). Every expected value is computed here from
those lines; none is written down anywhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult

LOG = Path("starter") / "report-lines.log"
HEADROOM_MIN = 0.25  # keep at least a quarter of the memory free at the peak (README)
_FIELDS = re.compile(
    r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
    r"Billed Duration: (?P<billed>\d+) ms\s+Memory Size: (?P<size>\d+) MB\s+"
    r"Max Memory Used: (?P<used>\d+) MB(?:\s+Init Duration: (?P<init>[\d.]+) ms)?"
)


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_used_mb: int
    init_ms: float | None


def parse(text: str) -> list[Report]:
    """The REPORT lines of a log (R-6.5); other lines are ignored."""
    reports = []
    for line in text.splitlines():
        match = _FIELDS.search(line)
        if match:
            init = match.group("init")
            reports.append(Report(match.group("id"), float(match.group("duration")),
                                  int(match.group("billed")), int(match.group("size")),
                                  int(match.group("used")), float(init) if init else None))
    return reports


@dataclass(frozen=True)
class Findings:
    cold_starts: int
    headroom_mb: dict[int, int]
    gb_s_per_call: dict[int, float]
    fits: list[int]
    right_size_mb: int


def findings(reports: list[Report]) -> Findings:
    """What the lines say: cold starts (R-6.2), headroom per size, and the right size."""
    sizes = sorted({r.memory_mb for r in reports})
    peak = {s: max(r.max_used_mb for r in reports if r.memory_mb == s) for s in sizes}
    headroom = {s: s - peak[s] for s in sizes}
    # GB-seconds = memory GB x billed seconds; Billed Duration includes Init.
    gb_s = {}
    for size in sizes:
        billed = [r.billed_ms for r in reports if r.memory_mb == size]
        gb_s[size] = size / 1024 * sum(billed) / len(billed) / 1000
    fits = [s for s in sizes if headroom[s] >= HEADROOM_MIN * s]
    right = min(fits or sizes, key=lambda s: gb_s[s])
    return Findings(sum(1 for r in reports if r.init_ms is not None), headroom, gb_s, fits, right)


def _findings(ctx: GradingContext) -> Findings:
    return ctx.once(  # type: ignore[no-any-return]
        "findings", lambda: findings(parse((ctx.pack_dir / LOG).read_text(encoding="utf-8"))))


def _number(value: Any) -> float | None:
    """The learner's number as written (``45``, ``"45.6"``, ``"45 MB"``), never rounded."""
    if isinstance(value, bool):
        return None
    try:
        return float(str(value).strip().removesuffix("MB").strip())
    except ValueError:
        return None


def _integer(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _shown(value: Any) -> str:
    """A value as the learner wrote it (17.6 stays 17.6); a blank is "not answered" (the
    starter's null showed as Python's None)."""
    if value is None or value == "":
        return "not answered"
    number = _number(value)
    if number is None:
        return repr(value)
    return f"{number:g}"


def c1(ctx: GradingContext) -> CheckResult:
    # only a cold start's REPORT line has Init Duration.
    found = _findings(ctx)
    answer = _integer(ctx.answer("cold_starts"))
    ok = answer == found.cold_starts
    # The figures are the exercise's answers: shown only once the learner has them right.
    return ctx.result(
        "c1", ok, expected=f"cold_starts: {found.cold_starts}" if ok else
        "cold_starts: the number of REPORT lines that carry an Init Duration",
        actual=f"cold_starts: {_shown(ctx.answer('cold_starts'))}",
        hint="A cold start is not a slow call: Duration is the handler's time only. Only a cold "
             "start's REPORT line carries the field that measures the Init phase; count the "
             "lines that have it.",
    )


def c2(ctx: GradingContext) -> CheckResult:
    # Max Memory Used is the environment's peak; headroom = Memory Size - the peak.
    found = _findings(ctx)
    raw = ctx.answer("headroom_mb")
    given = ({_integer(k): _number(v) for k, v in raw.items()} if isinstance(raw, dict) else {})
    actual = ("headroom_mb: " + ", ".join(f"{_shown(k)}: {_shown(v)}" for k, v in raw.items())
              if isinstance(raw, dict) and raw else f"headroom_mb: {_shown(raw or None)}")
    ok = all(given.get(size) is not None and abs(float(given[size] or 0) - headroom) <= 1
             for size, headroom in found.headroom_mb.items())
    expected = ("headroom_mb: " + ", ".join(f"{s}: {h}" for s, h in found.headroom_mb.items())
                if ok else "headroom_mb: for " + ", ".join(map(str, found.headroom_mb))
                + " MB, Memory Size minus that size's highest Max Memory Used (+/- 1 MB)")
    return ctx.result(
        "c2", ok, expected=expected, actual=actual,
        hint="For each Memory Size, take the HIGHEST Max Memory Used among its lines (an "
             "out-of-memory kill happens at the peak, not on average) and subtract it from the "
             "Memory Size.",
    )


def c3(ctx: GradingContext) -> CheckResult:
    # R-1.1 + R-10.4: among sizes that keep the headroom, the lowest GB-seconds per call.
    found = _findings(ctx)
    answer = _integer(ctx.answer("right_size_mb"))
    ok = answer == found.right_size_mb
    expected = (f"right_size_mb: {found.right_size_mb}" if ok else
                f"right_size_mb: the size with the fewest GB-seconds per call among those whose "
                f"peak leaves at least {HEADROOM_MIN:.0%} free")
    actual = f"right_size_mb: {_shown(ctx.answer('right_size_mb'))}"
    if answer is not None and answer in found.headroom_mb and answer not in found.fits:
        free = found.headroom_mb[answer]
        hint = (f"{answer} MB is cheap per call but its peak leaves only {free} MB free "
                f"({free / answer:.1%}), less than {HEADROOM_MIN:.0%} of the memory: a larger "
                "invoice ends in 'signal: killed'. Exclude it first, then compare the rest.")
    else:
        hint = ("Compare what a call costs at each size in GB-seconds (R-10.4: memory GB x "
                "billed seconds; Billed Duration already includes Init on cold starts), among "
                "the sizes that keep the headroom; the smallest is not always the cheapest.")
    return ctx.result("c3", ok, expected=expected, actual=actual,
                      hint=hint)
