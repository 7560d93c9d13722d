"""Deploying and removing Sock Shop with kubectl: the same commands on the twin and a real cluster."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from .kubectl import run_kubectl

logger = logging.getLogger(__name__)


class DeployError(RuntimeError):
    """kubectl refused or timed out; the message carries its stderr."""


def _kubectl(args: list[str], kubeconfig: Path, timeout: float) -> str:
    try:
        return run_kubectl(args, kubeconfig, timeout=timeout + 10).stdout
    except subprocess.CalledProcessError as err:
        raise DeployError(f"kubectl {' '.join(args)} failed: {err.stderr.strip()}") from err
    except subprocess.TimeoutExpired as err:
        raise DeployError(f"kubectl {' '.join(args)} did not finish within {timeout:.0f} s") from err


def deploy(kubeconfig: Path, manifests: Path, namespace: str, timeout: float = 180) -> None:
    """`kubectl apply` the manifests, then wait until every deployment is Available."""
    _kubectl(["apply", "-f", str(manifests)], kubeconfig, timeout)
    _kubectl(
        ["wait", "--for=condition=Available", "deployment", "--all", "-n", namespace, f"--timeout={timeout:.0f}s"],
        kubeconfig,
        timeout,
    )
    logger.info("every deployment in %s is Available", namespace)


def remove(kubeconfig: Path, namespace: str, timeout: float = 120) -> None:
    """Delete the namespace and wait until it is gone (a no-op when it does not exist)."""
    _kubectl(
        ["delete", "namespace", namespace, "--ignore-not-found", "--wait=true", f"--timeout={timeout:.0f}s"],
        kubeconfig,
        timeout,
    )
