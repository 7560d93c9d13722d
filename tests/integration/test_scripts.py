"""scripts/create_project.sh and remove_project.sh, run as a user would (twice each: idempotent)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from src.config import REPO_ROOT
from src.environment.kubectl import run_kubectl

pytestmark = pytest.mark.integration


def _script(name: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", f"scripts/{name}", f"--state-dir={state_dir}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_create_prints_exports_and_remove_leaves_no_process(tmp_path: Path) -> None:
    created = _script("create_project.sh", tmp_path)
    assert created.returncode == 0, created.stderr
    exports = [line for line in created.stdout.splitlines() if line.startswith("export ")]
    assert exports == [f"export KUBECONFIG={tmp_path / 'kubeconfig'}"]
    pid = int((tmp_path / "twin.pid").read_text())
    again = _script("create_project.sh", tmp_path)
    assert again.returncode == 0, again.stderr
    assert int((tmp_path / "twin.pid").read_text()) == pid
    pods = run_kubectl(["get", "pods", "-n", "sock-shop", "--no-headers"], tmp_path / "kubeconfig").stdout
    assert len(pods.strip().splitlines()) == 14

    removed = _script("remove_project.sh", tmp_path)
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not (tmp_path / "twin.pid").exists()
    assert _script("remove_project.sh", tmp_path).returncode == 0
