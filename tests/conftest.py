"""Shared fixtures: a Sock Shop twin started as its own process, and kubectl pointed at it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from src.config import load_settings
from src.environment.deploy import deploy
from src.environment.kubectl import run_kubectl
from src.environment.twin_process import TwinHandle, start_twin, stop_twin

TEST_TIME_SCALE = 0.05


class Cluster:
    """A running twin with Sock Shop deployed, and kubectl bound to it."""

    def __init__(self, handle: TwinHandle) -> None:
        self.handle = handle
        self.kubeconfig = handle.kubeconfig
        self.url = handle.url

    def kubectl(self, *args: str, check: bool = True, timeout: float = 60, stdin: str | None = None) -> str:
        """Run kubectl; returns stdout, raises with stderr in the message when it fails and `check`."""
        result = run_kubectl(list(args), self.kubeconfig, timeout=timeout, check=False, stdin=stdin)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result.stdout

    def kubectl_result(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return run_kubectl(list(args), self.kubeconfig, timeout=timeout, check=False)


def _start(state_dir: Path) -> Cluster:
    handle = start_twin(state_dir, startup_time_scale=TEST_TIME_SCALE)
    settings = load_settings()
    try:
        deploy(handle.kubeconfig, settings.manifests, settings.namespace, timeout=60)
    except Exception:
        stop_twin(state_dir)
        raise
    return Cluster(handle)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Cluster]:
    """A fresh twin with Sock Shop deployed and Ready, stopped after the test."""
    cluster = _start(tmp_path / "twin")
    yield cluster
    stop_twin(tmp_path / "twin")


@pytest.fixture(scope="module")
def shared_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One twin for a module's read-only tests."""
    state_dir = tmp_path_factory.mktemp("twin")
    cluster = _start(state_dir)
    yield cluster
    stop_twin(state_dir)
