"""Run the twin as a background process: a run's own, or one that outlives the command that started it.

`scripts/create_project.sh` starts it detached and exits; later commands find it again through
the pid file and kubeconfig under the state directory (default `logs/twin/`). A twin a run starts
for itself is tied to that run (see `processes.Children`): it never outlives it. Stopping is by
pid, and a pid file whose process is gone is cleaned up rather than trusted.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import REPO_ROOT
from .processes import CHILDREN, StartupFailed, answers, read_pid, runs, spawn, stop_pid, wait_ready

logger = logging.getLogger(__name__)

DEFAULT_STATE_DIR = REPO_ROOT / "logs" / "twin"
START_TIMEOUT = 30.0
TWIN_MODULE = "src.twin"


NO_ENVIRONMENT = "no environment is running: bash scripts/create_project.sh"
"""What a command that needs a running environment says when there is none."""


class TwinStartError(RuntimeError):
    """The twin process did not come up; the message points at its log."""


class NoEnvironment(RuntimeError):
    """A command needs a running environment and there is none; the message says how to create one."""

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(NO_ENVIRONMENT if detail is None else f"{NO_ENVIRONMENT} ({detail})")


@dataclass(frozen=True)
class TwinHandle:
    """A running twin: its process, API URL and kubeconfig."""

    pid: int
    url: str
    kubeconfig: Path
    log: Path

    @property
    def tls_kubeconfig(self) -> Path:
        """The admin kubeconfig of the twin's TLS port: the cluster entry an agent's kubeconfig copies.

        kubectl sends a token only over TLS, so a ServiceAccount's kubeconfig must name this port.
        """
        return tls_kubeconfig_path(self.kubeconfig)


def tls_kubeconfig_path(kubeconfig: Path) -> Path:
    """Where the twin writes its TLS kubeconfig, beside the admin one (`python -m src.twin serve`'s default)."""
    return kubeconfig.with_name(kubeconfig.name + "-tls")


def _paths(state_dir: Path) -> tuple[Path, Path, Path]:
    return state_dir / "twin.pid", state_dir / "kubeconfig", state_dir / "twin.log"


def _server_url(kubeconfig: Path) -> str | None:
    try:
        document = yaml.safe_load(kubeconfig.read_text())
        server = document["clusters"][0]["cluster"]["server"]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None
    return server if isinstance(server, str) else None


def _answering(pid: int, kubeconfig: Path, log: Path) -> TwinHandle | None:
    url = _server_url(kubeconfig)
    if url is None or not answers(f"{url}/healthz"):
        return None
    return TwinHandle(pid, url, kubeconfig, log)


def find_twin(state_dir: Path = DEFAULT_STATE_DIR) -> TwinHandle | None:
    """The twin started from `state_dir`, if it is still running and answering."""
    pid_file, kubeconfig, log = _paths(state_dir)
    pid = read_pid(pid_file)
    if pid is None or not runs(pid, TWIN_MODULE):
        return None
    return _answering(pid, kubeconfig, log)


def running_twin(state_dir: Path = DEFAULT_STATE_DIR) -> TwinHandle:
    """The twin started from `state_dir`; raises `NoEnvironment` when it is not running and answering."""
    handle = find_twin(state_dir)
    if handle is None:
        raise NoEnvironment()
    return handle


def start_twin(
    state_dir: Path = DEFAULT_STATE_DIR,
    *,
    port: int | None = None,
    startup_time_scale: float | None = None,
    config: Path | None = None,
    timeout: float = START_TIMEOUT,
    detached: bool = False,
) -> TwinHandle:
    """Start `python -m src.twin serve` and wait until its API answers.

    A `detached` twin outlives this process (once it answers); otherwise it is stopped with it.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    pid_file, kubeconfig, log = _paths(state_dir)
    kubeconfig.unlink(missing_ok=True)
    tls_kubeconfig_path(kubeconfig).unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        TWIN_MODULE,
        "serve",
        f"--kubeconfig={kubeconfig}",
        f"--tls-kubeconfig={tls_kubeconfig_path(kubeconfig)}",
    ]
    if port is not None:
        command.append(f"--port={port}")
    if startup_time_scale is not None:
        command.append(f"--startup-time-scale={startup_time_scale}")
    if config is not None:
        command.append(f"--config={config}")
    process = spawn(command, log)
    pid_file.write_text(f"{process.pid}\n")
    try:
        handle = wait_ready(process, lambda: _answering(process.pid, kubeconfig, log), timeout)
    except StartupFailed as err:
        stop_pid(process.pid)
        pid_file.unlink(missing_ok=True)
        raise TwinStartError(f"the twin {err}; see {log}") from err
    if detached:
        CHILDREN.untie(process.pid)
    return handle


def stop_twin(state_dir: Path = DEFAULT_STATE_DIR) -> bool:
    """Stop the twin started from `state_dir`; False when none was running."""
    pid_file, kubeconfig, _ = _paths(state_dir)
    pid = read_pid(pid_file)
    if pid is None:
        return False
    was_running = runs(pid, TWIN_MODULE)
    if was_running:
        stop_pid(pid)
    pid_file.unlink(missing_ok=True)
    kubeconfig.unlink(missing_ok=True)
    tls_kubeconfig_path(kubeconfig).unlink(missing_ok=True)
    return was_running
