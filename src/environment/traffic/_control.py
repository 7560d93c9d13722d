"""The control file: how the harness changes the load of a running Locust without restarting it.

Locust runs in its own process (it monkey-patches sockets), so the harness cannot call its
runner. Instead it writes a small JSON file, `{"users": N, "spawn_rate": R}` plus optional
`"run_time"` (seconds of load, counted from when Locust starts its users) and `"stop": true`, and
the locustfile's `LoadTestShape` turns the file into `(users, spawn_rate)` once a second. Writers
replace the file atomically, so a reader sees either the old or the new content; the reader
re-parses only when the file's identity (inode, mtime, size) changes.

This module imports nothing from Locust, so both sides (and the unit tests) share it without
being monkey-patched.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...files import write_text_atomically

logger = logging.getLogger(__name__)


class ControlError(ValueError):
    """The control file's content is not a valid load level."""


@dataclass(frozen=True)
class Control:
    """What the control file asks of Locust."""

    users: int
    spawn_rate: float
    run_time: float | None = None
    """Seconds of load after which Locust ends by itself; None runs until stopped."""
    stop: bool = False
    """True asks Locust to stop now and exit."""

    def to_json(self) -> str:
        document: dict[str, Any] = {"users": self.users, "spawn_rate": self.spawn_rate}
        if self.run_time is not None:
            document["run_time"] = self.run_time
        if self.stop:
            document["stop"] = True
        return json.dumps(document)


def _number(document: dict[str, Any], key: str) -> float | None:
    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"control field {key!r} must be a number, got {value!r}")
    return float(value)


def parse_control(text: str) -> Control:
    """Parse the control file's JSON.

    Raises:
        ControlError: not JSON, or a field is missing or of the wrong type.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise ControlError(f"control file is not JSON ({err})") from err
    if not isinstance(document, dict):
        raise ControlError("control file must hold a JSON object")
    stop = document.get("stop", False)
    if not isinstance(stop, bool):
        raise ControlError(f"control field 'stop' must be true or false, got {stop!r}")
    users = document.get("users", 0 if stop else None)
    if isinstance(users, bool) or not isinstance(users, int) or users < 0:
        raise ControlError(f"control field 'users' must be a whole number >= 0, got {users!r}")
    spawn_rate = _number(document, "spawn_rate")
    if spawn_rate is None and stop:
        spawn_rate = 1.0
    if spawn_rate is None or spawn_rate <= 0:
        raise ControlError(f"control field 'spawn_rate' must be a number > 0, got {document.get('spawn_rate')!r}")
    run_time = _number(document, "run_time")
    if run_time is not None and run_time <= 0:
        raise ControlError(f"control field 'run_time' must be > 0, got {run_time!r}")
    return Control(users=users, spawn_rate=spawn_rate, run_time=run_time, stop=stop)


def write_control(path: Path, control: Control) -> None:
    """Replace the control file atomically (write a sibling, then rename over it)."""
    write_text_atomically(path, control.to_json())


class ControlReader:
    """Reads the control file, re-parsing only when it has been replaced or edited.

    A file that disappears or turns invalid after a good read keeps the last good control (a hand
    edit in progress should not stop the load); before any good read, `current()` is None.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity: tuple[int, int, int] | None = None
        self._control: Control | None = None

    def current(self) -> Control | None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return self._control
        identity = (status.st_ino, status.st_mtime_ns, status.st_size)
        if identity == self._identity:
            return self._control
        self._identity = identity
        try:
            self._control = parse_control(self.path.read_text())
        except (OSError, ControlError) as err:
            logger.warning("ignoring control file %s: %s", self.path, err)
        return self._control


def next_load(control: Control | None, elapsed: float, orphaned: bool) -> tuple[int, float] | None:
    """The shape's decision for one tick: `(users, spawn_rate)`, or None to end the load test.

    Args:
        control: the current control, None when no valid control file was ever read.
        elapsed: seconds since Locust started its users.
        orphaned: the process that started Locust is gone, so nobody would ever stop it.
    """
    if control is None or orphaned or control.stop:
        return None
    if control.run_time is not None and elapsed >= control.run_time:
        return None
    return control.users, control.spawn_rate
