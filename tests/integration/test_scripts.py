"""scripts/create_project.sh and remove_project.sh, run as a user would (twice each: idempotent)."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from src.config import REPO_ROOT
from src.environment.kubectl import run_kubectl
from src.environment.processes import alive

pytestmark = pytest.mark.integration


def _script(name: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", f"scripts/{name}", f"--state-dir={state_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _exports(stdout: str) -> dict[str, str]:
    pairs = (line.removeprefix("export ").split("=", 1) for line in stdout.splitlines() if line.startswith("export "))
    return dict(pairs)


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    """The environment's state directory; removed again even when the test fails half-way."""
    yield tmp_path
    _script("remove_project.sh", tmp_path)


def test_create_prints_exports_and_remove_leaves_no_process(state_dir: Path) -> None:
    created = _script("create_project.sh", state_dir)
    assert created.returncode == 0, created.stderr
    exports = _exports(created.stdout)
    assert list(exports) == ["KUBECONFIG", "PROMETHEUS_URL"]
    assert exports["KUBECONFIG"] == str(state_dir / "kubeconfig")
    assert exports["PROMETHEUS_URL"].startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{exports['PROMETHEUS_URL']}/-/ready", timeout=5) as response:
        assert response.status == 200
    twin_pid = int((state_dir / "twin.pid").read_text())
    prometheus_pid = int((state_dir / "prometheus" / "prometheus.pid").read_text())

    again = _script("create_project.sh", state_dir)
    assert again.returncode == 0, again.stderr
    assert _exports(again.stdout) == exports
    assert int((state_dir / "twin.pid").read_text()) == twin_pid
    assert int((state_dir / "prometheus" / "prometheus.pid").read_text()) == prometheus_pid
    status = subprocess.run(
        [sys.executable, "-m", "src.environment", "status", f"--state-dir={state_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"prometheus: running (pid {prometheus_pid})" in status.stdout
    assert _exports(status.stdout) == exports
    pods = run_kubectl(["get", "pods", "-n", "sock-shop", "--no-headers"], state_dir / "kubeconfig").stdout
    assert len(pods.strip().splitlines()) == 14

    assert (state_dir / "prometheus" / "data").is_dir()

    removed = _script("remove_project.sh", state_dir)
    assert removed.returncode == 0, removed.stderr
    assert removed.stderr.splitlines() == [
        "namespace sock-shop deleted",
        "prometheus stopped",
        f"prometheus data deleted ({state_dir / 'prometheus' / 'data'})",
        "twin stopped",
    ]
    assert not alive(twin_pid)
    assert not alive(prometheus_pid)
    assert not (state_dir / "twin.pid").exists()
    assert not (state_dir / "kubeconfig").exists()
    assert not (state_dir / "prometheus" / "prometheus.pid").exists()
    assert not (state_dir / "prometheus" / "data").exists()  # the next create_project.sh starts on an empty TSDB
    assert (state_dir / "prometheus" / "prometheus.log").exists()
    again = _script("remove_project.sh", state_dir)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines() == ["no prometheus was running", "no twin was running"]
