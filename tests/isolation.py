"""Running the suite on several pytest-xdist workers without disturbing the CPU-calibrated tests.

The physics, timeline and SLO-calibration tests measure latency and CPU against the paper's bands
on a 2-core machine: anything else running beside them shifts the figures. Every test holds a
shared lock while it runs; a test marked `calibrated` holds it exclusively, so it runs alone.
A turnstile gives the exclusive side priority: once a calibrated test waits, no new test starts
until it has run; `Alone` keeps the exclusive lock across a run of calibrated tests, so the others
wait once, not once per test. And since the calibrated tests are queued first, the other workers
wait for them to be done (`wait_calibrated`) instead of each starting a long test the calibrated
worker would then have to wait out; the locks keep it correct if that wait is cut short. Without
xdist (one process) there is nothing to lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

RUN_ID_VARIABLE = "PYTEST_XDIST_TESTRUNUID"
"""Set by pytest-xdist to the same value in every worker of one run."""
CALIBRATED_DONE = "calibrated.done"
WAIT_LIMIT = 1800.0
"""Seconds the other workers wait for the calibrated tests before they go on regardless (the locks still hold)."""


def lock_dir() -> Path | None:
    """The folder of this xdist run's lock files, or None when the tests run in one process."""
    run_id = os.environ.get(RUN_ID_VARIABLE)
    if not run_id:
        return None
    folder = Path(tempfile.gettempdir()) / f"sockshop-tests-{run_id}"
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def _flock(path: Path, mode: int) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def hold(folder: Path, *, alone: bool) -> Iterator[None]:
    """Hold the run's test lock: shared, or exclusive when `alone`."""
    turnstile, tests = folder / "turnstile.lock", folder / "tests.lock"
    if alone:
        with _flock(turnstile, fcntl.LOCK_EX), _flock(tests, fcntl.LOCK_EX):
            yield
        return
    with _flock(turnstile, fcntl.LOCK_EX):
        pass
    with _flock(tests, fcntl.LOCK_SH):
        yield


class Alone:
    """The exclusive side, held from `take()` until `release()` (both safe to call again)."""

    def __init__(self) -> None:
        self._stack: contextlib.ExitStack | None = None

    def take(self, folder: Path) -> None:
        if self._stack is None:
            stack = contextlib.ExitStack()
            stack.enter_context(hold(folder, alone=True))
            self._stack = stack

    def release(self, folder: Path) -> None:
        """Let the other workers go: the lock, and the flag `wait_calibrated` looks for."""
        if self._stack is not None:
            (folder / CALIBRATED_DONE).touch()
            self._stack.close()
            self._stack = None


def wait_calibrated(folder: Path, limit: float = WAIT_LIMIT) -> None:
    """Return once a run of calibrated tests has ended (or after `limit` seconds)."""
    deadline = time.monotonic() + limit
    while not (folder / CALIBRATED_DONE).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
