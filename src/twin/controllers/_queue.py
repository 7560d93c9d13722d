"""`WorkQueue`: the per-controller queue of keys to reconcile, with de-duplication and delayed requeue.

This is client-go's rate-limited work queue reduced to what one asyncio loop needs. Store listeners
only `add` keys (they run inside the store's write and must not write themselves); one worker task
per queue takes keys in order and calls the controller's `reconcile(key)`, which reads the current
state from the store and acts on it. A key queued many times before the worker reaches it is
reconciled once, because reconciling is level-based: it looks at what is, not at what happened.

`reconcile` returns the delay after which it wants to look again (a probe's initial delay, a
back-off, a progress deadline), or None. Delays are `loop.call_later` timers, never sleeps, and an
event that queues the key earlier simply runs it earlier; the reconcile then sets its timer anew.
A failure is logged and retried with exponential back-off; a 409 Conflict is retried at once,
since it only means somebody wrote first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from ..store import ApiError

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

RETRY_BASE = 0.05
RETRY_MAX = 30.0
CONFLICT_DELAY = 0.01


class WorkQueue(Generic[K]):
    """Keys waiting for one controller's worker, each at most once, some after a delay."""

    def __init__(self, name: str, reconcile: Callable[[K], float | None]) -> None:
        self.name = name
        self._reconcile = reconcile
        self._ready: dict[K, None] = {}
        self._timers: dict[K, tuple[float, asyncio.TimerHandle]] = {}
        self._failures: dict[K, int] = {}
        self._wakeup = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Start the worker task on the running loop."""
        self._task = self._loop.create_task(self._work(), name=f"controller:{self.name}")

    def add(self, key: K) -> None:
        """Reconcile `key` as soon as the worker gets to it."""
        if self._closed:
            return
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer[1].cancel()
        self._ready[key] = None
        self._wakeup.set()

    def add_after(self, key: K, delay: float) -> None:
        """Reconcile `key` after `delay` seconds, unless it is due earlier anyway."""
        if self._closed or key in self._ready:
            return
        if delay <= 0:
            self.add(key)
            return
        due = self._loop.time() + delay
        current = self._timers.get(key)
        if current is not None:
            if current[0] <= due:
                return
            current[1].cancel()
        self._timers[key] = (due, self._loop.call_at(due, self._fire, key))

    def pending(self) -> int:
        """How many keys wait to run now (for tests and debugging)."""
        return len(self._ready)

    async def stop(self) -> None:
        """Stop the worker and drop every queued key and timer."""
        self._closed = True
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._ready.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self.add(key)

    async def _work(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._ready:
                key = next(iter(self._ready))
                del self._ready[key]
                self._process(key)
                await asyncio.sleep(0)

    def _process(self, key: K) -> None:
        """Run one reconcile; the catch-all keeps one bad object from stopping the controller."""
        try:
            delay = self._reconcile(key)
        except ApiError as err:
            if err.code == 409:
                logger.debug("%s: conflict on %s, retrying", self.name, key)
                self.add_after(key, CONFLICT_DELAY)
                return
            self._retry(key, f"{err.code} {err.reason}: {err.message}")
            return
        except Exception:
            logger.exception("%s: reconciling %s failed", self.name, key)
            self._retry(key, "unexpected error")
            return
        self._failures.pop(key, None)
        if delay is not None:
            self.add_after(key, delay)

    def _retry(self, key: K, reason: str) -> None:
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        delay = min(RETRY_BASE * 2 ** (failures - 1), RETRY_MAX)
        logger.warning("%s: %s (attempt %d), retrying in %.2fs: %s", self.name, key, failures, delay, reason)
        self.add_after(key, delay)
