"""Phases of a trial: each is timed into the record and announced on a stream, waits show the time left.

`Phases.run(name)` is a context manager that appends a `PhaseTiming` when the phase ends (also when
it fails). `Phases.wait(seconds)` is the one deliberate wait of a profile: an `Event.wait` that
reports the time left every `every` seconds and ends early when `stop` is set. The clock and the
stream are injected so tests need neither real time nor a terminal.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from ._record import PhaseTiming

REPORT_EVERY = 10.0


class Phases:
    """Times phases into `timings` and writes one line per event to `stream`."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        stop: threading.Event | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.now = now
        self.stop = stop or threading.Event()
        self.timings: list[PhaseTiming] = []
        self.current = ""
        self._lock = threading.RLock()
        """Re-entrant: a signal handler on the same thread may say something while a line is being written."""

    def say(self, text: str) -> None:
        """One line on the stream, prefixed by the current phase."""
        with self._lock:
            self.stream.write(f"[{self.current or 'run'}] {text}\n")
            self.stream.flush()

    @contextmanager
    def run(self, name: str, planned: float | None = None) -> Iterator[None]:
        """Time the phase `name`; `planned` (seconds) is announced when known."""
        previous, self.current = self.current, name
        started_at, started = self.now(), self.clock()
        try:
            self.say(f"started{f' ({planned:.0f} s)' if planned else ''}")
            yield
        finally:
            seconds = round(self.clock() - started, 3)
            self.timings.append(PhaseTiming(name, started_at.isoformat(), seconds))
            self.say(f"ended after {seconds:.1f} s")
            self.current = previous

    def wait(self, seconds: float, every: float = REPORT_EVERY) -> None:
        """Wait `seconds`, saying the time left every `every` seconds; return early when `stop` is set."""
        deadline = self.clock() + seconds
        while (left := deadline - self.clock()) > 0:
            self.say(f"{left:.0f} s left")
            if self.stop.wait(min(every, left)):
                return
