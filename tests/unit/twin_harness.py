"""What the in-process twin tests share: waiting on the store's changes, and simulated time.

`wait_for_change` re-checks a condition whenever the store changes, instead of sleeping.
`run_simulated` runs a scenario on a `SimulatedLoop`, whose time stands still while anything is
ready to run and jumps straight to the next timer when nothing is: the controllers' delays
(`WorkQueue.add_after`, i.e. `loop.call_at`), a Chaos Mesh `duration`, an HPA stabilisation window
or an Event's TTL then pass in milliseconds of real time, in the order they would in real time.
Give the twin `SimulatedLoop.clock` as its clock so its timestamps follow the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import selectors
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

RECHECK_SECONDS = 0.05
SIMULATED_RECHECK_SECONDS = 1.0
"""On simulated time a recheck costs real time per simulated second, so waits of an hour poll less often."""
SIMULATED_EPOCH = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp()
"""Wall-clock time at which every simulated run starts, so its timestamps are the same each run."""

T = TypeVar("T")


async def wait_for_change(changed: asyncio.Event, predicate: Callable[[], Any], what: str, timeout: float) -> Any:
    """Re-check `predicate` after every store change (or 50 ms, 1 s simulated) until it is truthy or time is up."""
    loop = asyncio.get_running_loop()
    recheck = SIMULATED_RECHECK_SECONDS if isinstance(loop, SimulatedLoop) else RECHECK_SECONDS
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), min(remaining, recheck))


class _JumpingSelector(selectors.DefaultSelector):
    """Polls for I/O; where the loop would block until its next timer, moves time there instead."""

    def __init__(self, jump: Callable[[float], None]) -> None:
        super().__init__()
        self._jump = jump

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # no timer at all: only I/O (another thread) can wake the loop
            return super().select(None)
        self._jump(timeout)
        return []


class SimulatedLoop(asyncio.SelectorEventLoop):
    """An event loop on simulated time: idle waits cost no real time."""

    def __init__(self) -> None:
        self._elapsed = 0.0
        super().__init__(_JumpingSelector(self._jump))

    def time(self) -> float:
        return self._elapsed

    def clock(self) -> float:
        """Simulated wall-clock time, in seconds since the epoch: the clock to give the twin."""
        return SIMULATED_EPOCH + self._elapsed

    def _jump(self, seconds: float) -> None:
        self._elapsed += seconds


def simulated_clock() -> Callable[[], float]:
    """The clock of the running `SimulatedLoop` (call from inside `run_simulated`)."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, SimulatedLoop), "not running on simulated time"
    return loop.clock


def run_simulated(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to completion on a fresh `SimulatedLoop`, as `asyncio.run` would on a real one."""
    with asyncio.Runner(loop_factory=SimulatedLoop) as runner:
        return runner.run(main)
