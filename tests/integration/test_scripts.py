"""scripts/create_project.sh and remove_project.sh, run as a user would (twice each: idempotent)."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
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


def test_create_prints_exports_and_remove_leaves_no_process(tmp_path: Path) -> None:
    created = _script("create_project.sh", tmp_path)
    assert created.returncode == 0, created.stderr
    exports = _exports(created.stdout)
    assert list(exports) == ["KUBECONFIG", "PROMETHEUS_URL"]
    assert exports["KUBECONFIG"] == str(tmp_path / "kubeconfig")
    assert exports["PROMETHEUS_URL"].startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{exports['PROMETHEUS_URL']}/-/ready", timeout=5) as response:
        assert response.status == 200
    twin_pid = int((tmp_path / "twin.pid").read_text())
    prometheus_pid = int((tmp_path / "prometheus" / "prometheus.pid").read_text())

    again = _script("create_project.sh", tmp_path)
    assert again.returncode == 0, again.stderr
    assert _exports(again.stdout) == exports
    assert int((tmp_path / "twin.pid").read_text()) == twin_pid
    assert int((tmp_path / "prometheus" / "prometheus.pid").read_text()) == prometheus_pid
    status = subprocess.run(
        [sys.executable, "-m", "src.environment", "status", f"--state-dir={tmp_path}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"prometheus: running (pid {prometheus_pid})" in status.stdout
    assert _exports(status.stdout) == exports
    pods = run_kubectl(["get", "pods", "-n", "sock-shop", "--no-headers"], tmp_path / "kubeconfig").stdout
    assert len(pods.strip().splitlines()) == 14

    removed = _script("remove_project.sh", tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert not alive(twin_pid)
    assert not alive(prometheus_pid)
    assert not (tmp_path / "twin.pid").exists()
    assert not (tmp_path / "prometheus" / "prometheus.pid").exists()
    assert _script("remove_project.sh", tmp_path).returncode == 0
