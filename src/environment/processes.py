"""Helper processes the harness starts (the twin, Prometheus, RabbitMQ, Locust, the local model): spawn, tie, stop.

They all follow one pattern. A process is started in its own session (so its own process group)
with its output appended to a log file, so Ctrl-C in the terminal that started it does not reach
it: the harness stops it, in order. "Ready" means a probe answers, and the wait for it ends early
if the process exits. Stopping goes by pid: SIGTERM, then SIGKILL after a timeout (at once when
the run is hurried by a second Ctrl-C). A pid file counts only while its process runs the
expected program; it is never trusted.

No child outlives the harness. `spawn` ties each child to this process (`Children`): its group
is listed in `logs/children/<our pid>.json`, and a watchdog process (`_watchdog.py`) stops every
group still listed there as soon as this process is gone, however it went (`kill -9` included).
A process meant to outlive its launcher (the twin and Prometheus that `scripts/create_project.sh`
starts) is untied once it is up. Should the watchdog be gone too, the next run reaps what the pid
files list (`reap_leftovers`).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from ..config import REPO_ROOT
from ..interrupts import INTERRUPTS
from ._watchdog import is_same_process, read_pid_file, started_at, stop_groups

logger = logging.getLogger(__name__)

T = TypeVar("T")

STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.05
"""Seconds between checks while waiting for a process to answer or to end."""
CHILDREN_DIR = REPO_ROOT / "logs" / "children"
"""Where each harness process lists the process groups it started (`<pid>.json`)."""
WATCHDOG_MODULE = "src.environment._watchdog"


class StartupFailed(RuntimeError):
    """A started process exited or never answered; the message says which ("exited with code 1")."""


class Children:
    """The process groups this process started and must not outlive, in a pid file its watchdog reads.

    `tie(pid)` lists a child (the leader of a process group of its own) in `<folder>/<our pid>.json`
    and starts the watchdog the first time; `untie(pid)` takes it off the list once it has been
    stopped (or released to outlive us). The file goes when the list is empty. Safe from any thread.
    """

    def __init__(self, folder: Path = CHILDREN_DIR) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._owner = 0
        self._entries: dict[int, dict[str, object]] = {}
        self._watchdog: subprocess.Popen[bytes] | None = None

    @property
    def pid_file(self) -> Path:
        """This process's pid file."""
        return self.folder / f"{os.getpid()}.json"

    def tie(self, pid: int, command: str = "") -> None:
        """List `pid`'s process group: it is stopped when this process is gone."""
        started = started_at(pid)
        if started is None:
            return
        with self._lock:
            self._adopt()
            self._entries[pid] = {"pid": pid, "started": started, "command": command[:200]}
            self._write()
            self._ensure_watchdog()

    def untie(self, pid: int) -> None:
        """Take `pid` off the list (it was stopped, or it is meant to outlive us); no-op when not listed."""
        with self._lock:
            self._adopt()
            if self._entries.pop(pid, None) is not None:
                self._write()

    def tied(self) -> list[int]:
        """The pids listed now."""
        with self._lock:
            self._adopt()
            return list(self._entries)

    def _adopt(self) -> None:
        """After a fork, the parent's children and watchdog are not ours."""
        if self._owner != os.getpid():
            self._owner, self._entries, self._watchdog = os.getpid(), {}, None

    def _write(self) -> None:
        path = self.pid_file
        if not self._entries:
            path.unlink(missing_ok=True)
            return
        children = [*self._entries.values()]
        document = {"owner": self._owner, "owner_started": started_at(self._owner), "children": children}
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps(document) + "\n")
        os.replace(temporary, path)

    def _ensure_watchdog(self) -> None:
        if self._watchdog is not None and self._watchdog.poll() is None:
            return
        # Its stdin is a pipe only we hold the other end of, and we never write to it: the kernel
        # closes it when this process ends, however it ends, and that end of file is the signal.
        self._watchdog = subprocess.Popen(
            [sys.executable, "-m", WATCHDOG_MODULE, str(self.pid_file)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


CHILDREN = Children()
"""This process's children (a process has one set of them, as it has one pid)."""


def spawn(
    command: list[str], log: Path, env: Mapping[str, str] | None = None, *, tied: bool = True
) -> subprocess.Popen[bytes]:
    """Start `command` in a new session, stdout and stderr appended to `log`, stdin closed.

    `env` replaces the inherited environment when given (RabbitMQ is configured through it).
    `tied` (the default) lists it in `CHILDREN`, so it is stopped should this process end first.
    """
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    if tied:
        CHILDREN.tie(process.pid, " ".join(command))
    return process


def reap_leftovers(folder: Path = CHILDREN_DIR) -> list[int]:
    """Stop what harness processes that are gone left running, by their pid files; return the groups stopped.

    A pid file whose owner still runs is left alone (another run, in parallel); so is this process's own.
    """
    stopped: list[int] = []
    for path in sorted(folder.glob("*.json")):
        document = read_pid_file(path)
        if document is None:
            continue
        owner, owner_started = document.get("owner"), document.get("owner_started")
        if not isinstance(owner, int) or owner == os.getpid():
            continue
        if isinstance(owner_started, float | int) and is_same_process(owner, owner_started):
            continue
        groups = stop_groups(document["children"])
        if groups:
            logger.warning("stopped %d process group(s) left by run %d, which ended abruptly", len(groups), owner)
        stopped += groups
        path.unlink(missing_ok=True)
    return stopped


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
    """SIGTERM, then SIGKILL after `timeout` (at once when the run is hurried); returns once the process is gone.

    The process is reaped, if it is our child, and untied (see `Children`).
    """
    try:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if _gone_within(pid, timeout):
            return
        if not INTERRUPTS.hurry.is_set():
            logger.warning("process %d ignored SIGTERM for %.1f s; killing it", pid, timeout)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        _gone_within(pid, timeout, hurried=False)
    finally:
        CHILDREN.untie(pid)


def _gone_within(pid: int, timeout: float, *, hurried: bool = True) -> bool:
    """Whether `pid` ended within `timeout`; gives up early when `hurried` and the run is hurried."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0 if alive(pid) else pid
        if finished == pid:
            return True
        if time.monotonic() >= deadline or (hurried and INTERRUPTS.hurry.is_set()):
            return False
        time.sleep(POLL_INTERVAL)
