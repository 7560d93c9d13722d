"""Waiting for a condition in a test: read again until the value is what we want, or fail showing the last one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(
    read: Callable[[], T],
    *,
    until: Callable[[T], object] = bool,
    timeout: float,
    interval: float = 0.5,
    what: str = "the condition",
) -> T:
    """Call `read()` every `interval` s until `until(value)` holds, and return that value.

    Raises:
        AssertionError: not within `timeout` seconds; the message names `what` and the last value read.
    """
    deadline = time.monotonic() + timeout
    value = read()
    while not until(value):
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not hold within {timeout:.0f} s; last value: {value!r}")
        time.sleep(interval)
        value = read()
    return value
