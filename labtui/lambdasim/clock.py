"""Clocks: virtual (deterministic, instant) or scaled real time (live sandbox).

The engine asks the clock to wait before processing an event at a simulated
time. The virtual clock never waits: time jumps from event to event, so six
hours of retries take milliseconds. :class:`ScaledClock` sleeps so that
simulated time runs ``scale`` times faster than real time.
"""

from __future__ import annotations

import time as _time

# Simultaneity needs exact arithmetic: 0.2 + 0.1 != 0.3 in floating point, so a call
# arriving "when another finishes" could land a rounding error before or after it. Arrival
# times and durations are snapped to a grid of 2**-30 s (about 1 ns); sums of grid values
# below 2**23 s (97 days) are exact, so equal instants compare equal. Adding and removing
# 2**22 rounds to that grid in two float operations (``round(t, 9)`` costs ten times more).
_SNAP = float(2**22)


def snap(seconds: float) -> float:
    """``seconds`` (>= 0) on the engine's time grid (the nearest multiple of 2**-30 s)."""
    return (seconds + _SNAP) - _SNAP


class VirtualClock:
    """Deterministic and instant: time is whatever the next event says."""

    realtime = False

    def wait_until(self, sim_time: float) -> None:
        return None


class ScaledClock:
    """Simulated time runs ``scale`` times faster than real time (60 = a minute a second)."""

    realtime = True

    def __init__(self, scale: float = 60.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self._origin: float | None = None

    def wait_until(self, sim_time: float) -> None:
        if self._origin is None:
            self._origin = _time.monotonic() - sim_time / self.scale
        delay = self._origin + sim_time / self.scale - _time.monotonic()
        if delay > 0:
            _time.sleep(delay)


Clock = VirtualClock | ScaledClock
