"""Checks for right-size-memory: the memory the learner left resize-worker at (R-1.1) and
the cost per million calls they submitted in answers.yaml, priced with lambdasim's cost
module and labtui.facts (R-10). The profile comes from function/resize_profile.py, the
same file the deployed handler uses, so the checks and the function cannot disagree."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from labtui import facts
from labtui.grading import state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult

FUNCTION = "resize-worker"
TARGET_MS = 300.0
CALLS = 1_000_000
TOLERANCE = 0.01  # 1 %


def _profile(pack_dir: Path) -> ModuleType:
    path = pack_dir / "function" / "resize_profile.py"
    spec = importlib.util.spec_from_file_location("labtui_pack_right_size_profile", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def billed_ms(duration_ms: float) -> int:
    """R-6.5: billed duration rounds up to the billing granularity (1 ms)."""
    step = facts.BILLING_GRANULARITY_MS
    return int(math.ceil(duration_ms / step) * step)


def cost_per_million(memory_mb: int, duration_ms: float, architecture: str = "x86_64") -> float:
    """R-10.1 requests + R-10.4 GB-seconds x R-10.2 price, free tier ignored."""
    from labtui.lambdasim import monthly_cost

    return monthly_cost(CALLS, billed_ms(duration_ms), memory_mb, architecture).total_usd


def right_size(pack_dir: Path) -> tuple[int, float]:
    """The cheapest profiled size averaging <= 300 ms, and its x86 cost per 1M calls."""
    profile = _profile(pack_dir)
    fits = {mb: ms for mb, ms in profile.PROFILE_MS.items() if ms <= TARGET_MS}
    best = min(fits, key=lambda mb: cost_per_million(mb, fits[mb]))
    return best, cost_per_million(best, fits[best])


def _config(ctx: GradingContext) -> dict[str, Any] | None:
    return ctx.once("config", lambda: state.function_config(ctx, FUNCTION))  # type: ignore[no-any-return]


def c1(ctx: GradingContext) -> CheckResult:
    # CPU grows with memory up to ~1 vCPU at 1,769 MB; past that a single-threaded
    # job gains almost nothing.: cost = memory x duration.
    best, best_cost = right_size(ctx.pack_dir)
    profile = _profile(ctx.pack_dir)
    expected = (f"MemorySize {best} ({profile.duration_ms(best):.0f} ms, "
                f"${best_cost:.2f} per 1M calls)")
    config = _config(ctx)
    if config is None:
        return ctx.result("c1", False, expected=expected, actual="resize-worker does not exist",
                          hint="Keep the seeded function; change only its memory.")
    memory = int(config["MemorySize"])
    took = profile.duration_ms(memory)
    cost = cost_per_million(memory, took, (config.get("Architectures") or ["x86_64"])[0])
    actual = f"MemorySize {memory} ({took:.0f} ms average, ${cost:.2f} per 1M calls)"
    if took > TARGET_MS:
        hint = (f"At {memory} MB a resize takes {took:.0f} ms: the function is CPU-starved and "
                f"misses the {TARGET_MS:.0f} ms target. Memory also buys CPU; go up until the "
                "duration fits.")
    else:
        hint = (f"{memory} MB meets the target but is not the cheapest that does: past the "
                "point where more CPU stops helping, each extra GB is billed for nothing. "
                "Price every size that fits and pick the cheapest.")
    return ctx.result("c1", memory == best, expected=expected, actual=actual, hint=hint)


def _number(value: Any) -> float | None:
    """The learner's figure: 7.11, "$7.11", "7.11 USD", "1,234.50" (thousands) or "7,11"
    (a decimal comma; it was read as 711 and answered with a hint about GB-seconds)."""
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    text = re.sub(r"(?i)\s*(usd|us\$|\$)\s*", "", text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d*,\d+", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def c2(ctx: GradingContext) -> CheckResult:
    # R-10.1 + R-10.2 + R-10.4, for the memory actually configured.
    config = _config(ctx)
    profile = _profile(ctx.pack_dir)
    memory = int(config["MemorySize"]) if config else facts.MEMORY_DEFAULT_MB
    architecture = (config or {}).get("Architectures", ["x86_64"])[0]
    took = profile.duration_ms(memory)
    right = cost_per_million(memory, took, architecture)
    expected = (f"cost_per_million_usd {right:.2f} (+/- 1%) for {memory} MB x "
                f"{billed_ms(took)} ms on {architecture}")
    answer = _number(ctx.answer("cost_per_million_usd"))
    if answer is None:
        return ctx.result("c2", False, expected=expected,
                          actual="answers.yaml has no number for cost_per_million_usd",
                          hint="Write your figure in answers.yaml, e.g. cost_per_million_usd: 1.23")
    ok = abs(answer - right) <= TOLERANCE * right
    actual = f"cost_per_million_usd {answer:g}"
    arm = cost_per_million(memory, took, "arm64")
    no_requests = right - CALLS / 1_000_000 * facts.PRICE_REQUEST_PER_MILLION_USD
    if abs(answer - arm) <= TOLERANCE * arm:
        hint = ("That is the arm64 price per GB-second. resize-worker runs on x86_64, which "
                f"costs ${facts.PRICE_GB_S_X86_USD:.10f} per GB-s.")
    elif abs(answer - no_requests) <= TOLERANCE * no_requests:
        hint = ("The duration part is right; add the request charge: $0.20 per million "
                "requests.")
    else:
        hint = (f"GB-seconds per call = {memory}/1024 GB x {billed_ms(took) / 1000:g} s; times "
                f"1,000,000 calls times ${facts.PRICE_GB_S_X86_USD:.10f} per GB-s, plus $0.20 for "
                "the million requests. Price the memory you actually set.")
    return ctx.result("c2", ok, expected=expected, actual=actual, hint=hint)
