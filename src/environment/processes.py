"""Helper processes the environment starts (the twin, Prometheus): spawn, probe, find again, stop.

They all follow one pattern. A process is started in its own session with its output appended
to a log file, so Ctrl-C in the terminal that started it does not reach it and it can outlive
that command. Its pid goes into a pid file. "Ready" means an HTTP probe answers 200, and the
wait for it ends early if the process exits. Stopping goes by pid: SIGTERM, then SIGKILL after a
timeout. A pid file counts only while its process runs the expected program; it is never trusted.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from ..config import REPO_ROOT

logger = logging.getLogger(__name__)

T = TypeVar("T")

STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.05
"""Seconds between checks while waiting for a process to answer or to end."""


class StartupFailed(RuntimeError):
    """A started process exited or never answered; the message says which ("exited with code 1")."""


def spawn(command: list[str], log: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `command` in a new session, stdout and stderr appended to `log`, stdin closed.

    `env` replaces the inherited environment when given (RabbitMQ is configured through it).
    """
    with log.open("ab") as log_file:
        return subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in `pid_file`, or None when the file is missing or garbled."""
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs(pid: int, marker: str) -> bool:
    """Whether `pid` is a live process whose command line mentions `marker` (e.g. "prometheus").

    Pid files outlive their processes and the kernel reuses pids, so a bare liveness check on
    a stale pid file could have us signal some unrelated process. Where there is no /proc to
    read the command line from, liveness is all that can be checked.
    """
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False if Path("/proc/self").exists() else alive(pid)
    except OSError:
        return alive(pid)
    return marker.encode() in command_line


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether a GET of `url` returns HTTP 200 within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(process: subprocess.Popen[bytes], probe: Callable[[], T | None], timeout: float) -> T:
    """Poll `probe` until it returns something, and return that.

    Raises:
        StartupFailed: the process exited first (reported at once, not after the whole
            timeout), or `probe` found nothing within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupFailed(f"exited with code {process.returncode}")
        found = probe()
        if found is not None:
            return found
        time.sleep(POLL_INTERVAL)
    raise StartupFailed(f"did not answer within {timeout:.0f} s")


def stop_pid(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL after `timeout`; returns once the process is gone (and reaped, if ours)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if _gone_within(pid, timeout):
        return
    logger.warning("process %d ignored SIGTERM for %.1f s; killing it", pid, timeout)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    _gone_within(pid, timeout)


def _gone_within(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0 if alive(pid) else pid
        if finished == pid:
            return True
        time.sleep(POLL_INTERVAL)
    return False
