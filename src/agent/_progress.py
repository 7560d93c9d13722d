"""Live progress of the agents, one line per event on a stream (stderr for the entry modules).

The agents report through the `Progress` protocol and never write to the terminal themselves;
tests pass `NoProgress` or a list-backed fake. `StreamProgress.tick()` repeats the state of every
agent that has been doing the same thing for a while, so a slow LLM does not look like a hang.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    """Receives what the agents are doing."""

    def update(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        """`agent` is at `step`, `elapsed` seconds after it started, doing `activity`."""


class NoProgress:
    """Discards progress."""

    def update(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        return None


class StreamProgress:
    """Writes `[  12.3 s] catalogue      step 3   code ran (exit 0)` lines, whole lines from any thread."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, float, str, float]] = {}
        """agent -> (step, elapsed at the update, activity, monotonic time of the update)."""

    def update(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        with self._lock:
            self._state[agent] = (step, elapsed, activity, time.monotonic())
            self._write(agent, step, elapsed, activity)

    def tick(self, quiet_for: float = 10.0) -> None:
        """Repeat the state of agents with no news for `quiet_for` seconds (idle ones excepted)."""
        now = time.monotonic()
        with self._lock:
            for agent, (step, elapsed, activity, at) in self._state.items():
                if now - at >= quiet_for and not activity.startswith(("done", "awaiting")):
                    self._write(agent, step, elapsed + now - at, f"{activity} (still)")

    def _write(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        self.stream.write(f"[{elapsed:7.1f} s] {agent:<14} step {step:<3} {activity}\n")
        self.stream.flush()
