"""Running the suite on several pytest-xdist workers without disturbing the CPU-calibrated tests.

The physics, timeline and SLO-calibration tests measure latency and CPU against the paper's bands
on a 2-core machine: anything else running beside them shifts the figures. Every test holds a
shared lock while it runs; a test marked `calibrated` holds it exclusively, so it runs alone.
A turnstile gives the exclusive side priority: once a calibrated test waits, no new test starts
until it has run; `Alone` keeps the exclusive lock across a run of calibrated tests, so the others
wait once, not once per test. Without xdist (one process) there is nothing to lock.
(The other workers do not wait for the calibrated group up front: xdist deals the largest groups
first, so that group may sit behind a waiting test on its own worker, and the run would deadlock.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

RUN_ID_VARIABLE = "PYTEST_XDIST_TESTRUNUID"
"""Set by pytest-xdist to the same value in every worker of one run."""


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

    def release(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None
