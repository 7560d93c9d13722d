"""The watchdog of a harness process: when the harness is gone, however it went, its children go too.

`python -m src.environment._watchdog PID_FILE` is started by `processes.Children` the first time
the harness ties a child to itself. It reads its stdin, a pipe whose other end only the harness
holds, until end of file: that happens when the harness exits, also after `kill -9`, a crash or
`os._exit`, since the kernel closes the pipe then. The watchdog then stops every process group
listed in PID_FILE (SIGTERM, SIGKILL after a grace period), removes the file, and exits. A harness
that stopped its children itself has untied them, so there is nothing left to do.

`stop_groups` is also what `processes.reap_leftovers` uses at the next start, for pid files whose
owner and watchdog both are gone (a reboot, a killed session).

A pid file is JSON: `{"owner": pid, "owner_started": t, "children": [{"pid", "started",
"command"}]}`. Each child leads its own process group (it was started in a session of its own),
and `started` (its creation time) guards against a reused pid: a live process with that pid but
another start time is someone else's, and so is its group.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

GRACE = 2.0
"""Seconds a process group gets after SIGTERM before SIGKILL."""
POLL = 0.05
SAME_START = 0.05
"""Seconds two creation times may differ and still name the same process."""


def started_at(pid: int) -> float | None:
    """The creation time of `pid` (seconds since the epoch), or None when there is no such process."""
    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return None


def is_same_process(pid: int, started: float) -> bool:
    """Whether `pid` is alive and is the process that was created at `started`."""
    now = started_at(pid)
    return now is not None and abs(now - started) < SAME_START


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ours(child: dict[str, Any]) -> bool:
    """Whether the group of `child` may still hold its processes (and nobody else's)."""
    pid, started = int(child["pid"]), float(child["started"])
    now = started_at(pid)
    if now is not None:
        return abs(now - started) < SAME_START
    # The leader is gone. A group id is never reused while the group has members, so any
    # process still in group `pid` is one the leader started.
    return _group_alive(pid)


def _signal(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_groups(children: Sequence[dict[str, Any]], grace: float = GRACE) -> list[int]:
    """SIGTERM every child's process group that is still ours, SIGKILL what is left after `grace` s.

    Returns:
        The process group ids that were signalled.
    """
    groups = [int(child["pid"]) for child in children if _ours(child)]
    for pgid in groups:
        _signal(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(_group_alive(pgid) for pgid in groups) and time.monotonic() < deadline:
        time.sleep(POLL)
    for pgid in groups:
        if _group_alive(pgid):
            _signal(pgid, signal.SIGKILL)
    return groups


def read_pid_file(path: Path) -> dict[str, Any] | None:
    """The pid file's document, or None when it is missing or not one."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("children"), list):
        return None
    return document


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python -m src.environment._watchdog PID_FILE\n")
        return 2
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pid_file = Path(argv[1])
    while sys.stdin.buffer.read(4096):
        pass  # nobody writes; end of file is the message
    document = read_pid_file(pid_file)
    if document is not None:
        stop_groups(document["children"])
    pid_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
