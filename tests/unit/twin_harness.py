"""What the in-process twin tests share: waiting on the store's changes instead of sleeping."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

RECHECK_SECONDS = 0.05


async def wait_for_change(changed: asyncio.Event, predicate: Callable[[], Any], what: str, timeout: float) -> Any:
    """Re-check `predicate` after every store change (or 50 ms) until it is truthy or the deadline passes."""
    loop = asyncio.get_running_loop()
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
            await asyncio.wait_for(changed.wait(), min(remaining, RECHECK_SECONDS))
