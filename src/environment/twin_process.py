"""Run the twin as a background process that outlives the command that started it.

`scripts/create_project.sh` starts it and exits; later commands find it again through the pid
file and kubeconfig under the state directory (default `logs/twin/`). Stopping is by pid, and a
pid file whose process is gone is cleaned up rather than trusted.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import REPO_ROOT

logger = logging.getLogger(__name__)

DEFAULT_STATE_DIR = REPO_ROOT / "logs" / "twin"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class TwinStartError(RuntimeError):
    """The twin process did not come up; the message points at its log."""


@dataclass(frozen=True)
class TwinHandle:
    """A running twin: its process, API URL and kubeconfig."""

    pid: int
    url: str
    kubeconfig: Path
    log: Path


def _paths(state_dir: Path) -> tuple[Path, Path, Path]:
    return state_dir / "twin.pid", state_dir / "kubeconfig", state_dir / "twin.log"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _server_url(kubeconfig: Path) -> str | None:
    try:
        document = yaml.safe_load(kubeconfig.read_text())
        return document["clusters"][0]["cluster"]["server"]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None


def find_twin(state_dir: Path = DEFAULT_STATE_DIR) -> TwinHandle | None:
    """The twin started from `state_dir`, if it is still running and answering."""
    pid_file, kubeconfig, log = _paths(state_dir)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    url = _server_url(kubeconfig)
    if not _alive(pid) or url is None or not _healthy(url):
        return None
    return TwinHandle(pid, url, kubeconfig, log)


def start_twin(
    state_dir: Path = DEFAULT_STATE_DIR,
    *,
    port: int | None = None,
    startup_time_scale: float | None = None,
    config: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> TwinHandle:
    """Start `python -m src.twin serve` detached, and wait until its API answers."""
    state_dir.mkdir(parents=True, exist_ok=True)
    pid_file, kubeconfig, log = _paths(state_dir)
    kubeconfig.unlink(missing_ok=True)
    command = [sys.executable, "-m", "src.twin", "serve", f"--kubeconfig={kubeconfig}"]
    if port is not None:
        command.append(f"--port={port}")
    if startup_time_scale is not None:
        command.append(f"--startup-time-scale={startup_time_scale}")
    if config is not None:
        command.append(f"--config={config}")
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pid_file.unlink(missing_ok=True)
            raise TwinStartError(f"the twin exited with code {process.returncode}; see {log}")
        url = _server_url(kubeconfig) if kubeconfig.exists() else None
        if url and _healthy(url):
            return TwinHandle(process.pid, url, kubeconfig, log)
        time.sleep(0.05)
    stop_pid(process.pid)
    pid_file.unlink(missing_ok=True)
    raise TwinStartError(f"the twin did not answer within {timeout:.0f} s; see {log}")


def stop_pid(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL after `timeout`; returns once the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0 if _alive(pid) else pid
        if finished == pid or not _alive(pid):
            return
        time.sleep(0.05)
    logger.warning("twin process %d ignored SIGTERM; killing it", pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def stop_twin(state_dir: Path = DEFAULT_STATE_DIR) -> bool:
    """Stop the twin started from `state_dir`; False when none was running."""
    pid_file, kubeconfig, _ = _paths(state_dir)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return False
    was_running = _alive(pid)
    if was_running:
        stop_pid(pid)
    pid_file.unlink(missing_ok=True)
    kubeconfig.unlink(missing_ok=True)
    return was_running
