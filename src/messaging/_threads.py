"""`DaemonThreads`: `submit` work to threads that never keep the interpreter alive.

`concurrent.futures.ThreadPoolExecutor` joins its workers when the interpreter exits, so a
handler stuck for minutes (an agent waiting on an LLM request) kept a finished, interrupted run
alive until it returned. These threads are daemons: whoever needs a result waits on its
`Future`, with a deadline of its own, and nothing is awaited at exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class DaemonThreads:
    """At most `max_workers` calls at a time, each on a daemon thread of its own; more wait for a slot."""

    def __init__(self, max_workers: int, name: str) -> None:
        self.name = name
        self._slots = threading.Semaphore(max_workers)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._started = 0

    def submit(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Run `call(*args, **kwargs)` on a daemon thread; its outcome goes into the returned future."""
        future: Future[T] = Future()
        with self._lock:
            self._started += 1
            thread = threading.Thread(
                target=self._run, args=(future, call, args, kwargs), name=f"{self.name}-{self._started}", daemon=True
            )
            self._threads = [*(alive for alive in self._threads if alive.is_alive()), thread]
        thread.start()
        return future

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds (None: for ever) for every call so far; True when all ended."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in threads)

    def _run(self, future: Future[T], call: Callable[..., T], args: Any, kwargs: Any) -> None:
        with self._slots:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = call(*args, **kwargs)
            except BaseException as error:  # a thread boundary: the future carries it to whoever waits
                future.set_exception(error)
            else:
                future.set_result(result)
