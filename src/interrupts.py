"""Ctrl-C and SIGTERM for a whole run: the first ends it cleanly within seconds, the second at once.

Signals are delivered to the process, so their state is the process's too: one `Interrupts`
object, `INTERRUPTS`, which the entry modules install for the length of a run.

- The first SIGINT, SIGTERM or SIGHUP raises `KeyboardInterrupt` in the main thread, so context
  managers and `finally` blocks stop what the run started and write its record. Everything on
  that path is bounded (an agent stuck in an LLM request is abandoned, not awaited), so the run
  ends within seconds.
- Inside `shielded()` (a cleanup that must not be abandoned half-way, such as deleting the chaos
  and writing the record) a signal never raises: it hurries the block instead.
- The second signal sets `hurry`: the callbacks registered with `on_hurry` run (Locust is
  killed, not stopped gently), processes are killed without their grace period, and a fuse is
  lit: a run still alive `fuse` seconds later exits with code 130 at once. Nothing started is
  left behind even then: the watchdog of `src.environment.processes` stops the run's children
  when this process is gone.

Standard library only; every package may import it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TextIO

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
FUSE = 3.0
"""Seconds a run may still take after the second signal (time to delete the chaos, write the record)."""
EXIT_INTERRUPTED = 130


class Interrupts:
    """The run's signal state; see the module docstring.

    Args:
        fuse: seconds from the second signal until the process exits regardless.
        exit_code: the code the fuse exits with.
        stream: where the fuse says why the process ends (stderr when None).
    """

    def __init__(self, *, fuse: float = FUSE, exit_code: int = EXIT_INTERRUPTED, stream: TextIO | None = None) -> None:
        self.fuse = fuse
        self.exit_code = exit_code
        self.stream = stream
        self.interrupted = threading.Event()
        """Set by the first signal."""
        self.hurry = threading.Event()
        """Set by the second signal, or by any signal inside `shielded()`: skip grace periods."""
        self.count = 0
        """Signals received since `installed()` began."""
        self._shields = 0
        self._callbacks: list[Callable[[], None]] = []
        self._fuse: threading.Timer | None = None
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[Interrupts]:
        """Handle SIGINT, SIGTERM and SIGHUP for the block (main thread only); the state starts afresh.

        SIGINT is installed too: a process started in the background by a non-interactive shell
        inherits SIGINT ignored, and Python then never raises KeyboardInterrupt for Ctrl-C.
        """
        self._reset()
        previous = {number: signal.signal(number, self._handle) for number in SIGNALS}
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            self._defuse()

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """A block that signals hurry instead of interrupting; handlers are installed for it when none are."""
        ours = threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) != self._handle
        previous = {number: signal.signal(number, self._handle) for number in SIGNALS} if ours else {}
        with self._lock:
            self._shields += 1
        try:
            yield
        finally:
            with self._lock:
                self._shields -= 1
            for number, handler in previous.items():
                signal.signal(number, handler)

    @contextlib.contextmanager
    def on_hurry(self, callback: Callable[[], None]) -> Iterator[None]:
        """Call `callback` (on the main thread, from the signal handler) if the run is hurried during the block."""
        with self._lock:
            self._callbacks.append(callback)
        try:
            yield
        finally:
            with self._lock:
                self._callbacks.remove(callback)

    def _reset(self) -> None:
        with self._lock:
            self.interrupted.clear()
            self.hurry.clear()
            self.count = 0
            self._defuse()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        with self._lock:
            self.count += 1
            first = not self.interrupted.is_set()
            self.interrupted.set()
            shielded = self._shields > 0
        if first and not shielded:
            raise KeyboardInterrupt(f"signal {signum}")
        self._hurry_up(light_fuse=not first)

    def _hurry_up(self, *, light_fuse: bool) -> None:
        self.hurry.set()
        with self._lock:
            callbacks = list(self._callbacks)
            if light_fuse and self._fuse is None:
                self._fuse = threading.Timer(self.fuse, self._blow)
                self._fuse.daemon = True
                self._fuse.start()
        for callback in callbacks:
            try:
                callback()
            except OSError as err:  # a process already gone; the others still get their turn
                logger.warning("hurrying: %s", err)

    def _blow(self) -> None:
        stream = self.stream if self.stream is not None else sys.stderr
        try:
            stream.write("error: interrupted twice; ended at once (the watchdog stops whatever the run started)\n")
            stream.flush()
        finally:
            os._exit(self.exit_code)

    def _defuse(self) -> None:
        with self._lock:
            if self._fuse is not None:
                self._fuse.cancel()
                self._fuse = None


INTERRUPTS = Interrupts()
"""The process's one signal state (signals are process-wide)."""
