"""Running a simulation against the wall clock, for the live sandbox (design.md §5).

:class:`LiveSimulation` owns a :class:`Simulation` and a background thread that
processes its events when their (scaled) real time comes: with ``scale=60`` a
retry due one simulated minute later happens one real second later. Other
threads (the sandbox gateway's request handlers) talk to it through
:meth:`LiveSimulation.submit` and :meth:`LiveSimulation.invoke_sync`; every
access to the simulation happens under one lock, so the engine itself stays
single-threaded.

A handler backend that runs real code blocks the event thread while the code
runs; invocations are therefore started one at a time (their simulated
durations still overlap). That is fine for a learner's sandbox, not for load.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from labtui.lambdasim.invoke_sync import InvokeResponse
from labtui.lambdasim.simulation import Simulation

T = TypeVar("T")


class LiveSimulation:
    """A simulation whose time follows the wall clock, ``scale`` simulated seconds a second."""

    def __init__(self, simulation: Simulation, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.simulation = simulation
        self.scale = scale
        self._condition = threading.Condition()
        self._origin = time.monotonic() - simulation.now / scale
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="lambdasim-live", daemon=True)
        self._thread.start()

    def sim_time(self) -> float:
        """The simulated time that corresponds to now on the wall clock."""
        return (time.monotonic() - self._origin) * self.scale

    def submit(self, action: Callable[[Simulation], T]) -> T:
        """Run ``action(simulation)`` now (simulated time brought up to date first)."""
        with self._condition:
            self._catch_up()
            result = action(self.simulation)
            self._condition.notify_all()
            return result

    def invoke_sync(
        self,
        function: str,
        payload: Any = None,
        qualifier: str | None = None,
        timeout_s: float | None = None,
    ) -> InvokeResponse | None:
        """A synchronous call that blocks until its response (None if ``timeout_s`` passed)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._condition:
            self._catch_up()
            call = self.simulation.invoke_sync(function, payload, qualifier)
            self._condition.notify_all()
            while not call.done:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._condition.wait(remaining)
            return call.response

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------ the event thread
    def _catch_up(self) -> None:
        self.simulation.run(until=max(self.sim_time(), self.simulation.now))

    def _loop(self) -> None:
        engine = self.simulation.engine
        with self._condition:
            while not self._stopped:
                self._catch_up()
                self._condition.notify_all()  # callers waiting for a response
                pending = engine.next_event_time()
                if pending is None:
                    self._condition.wait()
                else:
                    self._condition.wait(max(0.0, (pending - self.sim_time()) / self.scale))
