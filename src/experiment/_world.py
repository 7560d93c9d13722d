"""The world-side steps of a trial: reset the shop to the instance's manifests, wait Ready, chaos on and off.

Everything goes through kubectl, so the steps mean the same on the twin and on a real cluster.
Waiting is a condition checked against a deadline (`wait_ready`), never a fixed sleep.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from ..environment.deploy import DeployError, remove
from ..environment.kubectl import run_kubectl
from ._instance import Chaos

logger = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
READY_TIMEOUT = 300.0


class WorldError(RuntimeError):
    """The cluster could not be brought into the instance's starting state; the message says what failed."""


def _kubectl(args: list[str], kubeconfig: Path, timeout: float = 120, stdin: str | None = None) -> str:
    try:
        return run_kubectl(args, kubeconfig, timeout=timeout, stdin=stdin).stdout
    except subprocess.CalledProcessError as err:
        raise WorldError(f"kubectl {' '.join(args)} failed: {err.stderr.strip()}") from err
    except subprocess.TimeoutExpired as err:
        raise WorldError(f"kubectl {' '.join(args)} did not finish within {timeout:.0f} s") from err


def unready_replicas(kubeconfig: Path, namespace: str) -> tuple[int, int]:
    """(replicas asked for but not Ready, deployments) over every Deployment of `namespace`."""
    document = json.loads(_kubectl(["get", "deployments", "-n", namespace, "-o", "json"], kubeconfig))
    missing = 0
    for item in document.get("items", []):
        wanted = item.get("spec", {}).get("replicas", 1)
        ready = item.get("status", {}).get("readyReplicas") or 0
        missing += max(0, wanted - ready)
    return missing, len(document.get("items", []))


def wait_ready(
    kubeconfig: Path,
    namespace: str,
    allowed_unready: int = 0,
    timeout: float = READY_TIMEOUT,
    *,
    clock: Callable[[], float] = time.monotonic,
    stop: threading.Event | None = None,
) -> None:
    """Wait until at most `allowed_unready` replicas of the namespace's Deployments are not Ready.

    Raises:
        WorldError: the condition did not hold within `timeout` seconds (the message says how far off).
    """
    stop = stop or threading.Event()
    deadline = clock() + timeout
    while True:
        missing, deployments = unready_replicas(kubeconfig, namespace)
        if deployments and missing <= allowed_unready:
            logger.info("%s is Ready (%d replicas not Ready, %d allowed)", namespace, missing, allowed_unready)
            return
        if clock() >= deadline:
            raise WorldError(
                f"{namespace} was not Ready within {timeout:.0f} s: {missing} replicas not Ready "
                f"({allowed_unready} allowed) over {deployments} deployments"
            )
        stop.wait(POLL_INTERVAL)


def reset_shop(kubeconfig: Path, namespace: str, manifests: Path, timeout: float = READY_TIMEOUT) -> None:
    """Delete the namespace (and every object in it), then apply `manifests`.

    Raises:
        WorldError: kubectl refused or timed out.
    """
    try:
        remove(kubeconfig, namespace, timeout=timeout)
    except DeployError as err:
        raise WorldError(str(err)) from err
    _kubectl(["apply", "-f", str(manifests)], kubeconfig, timeout=timeout)
    logger.info("%s re-created from %s", namespace, manifests)


def apply_chaos(kubeconfig: Path, namespace: str, chaos: Chaos) -> None:
    """Create the instance's Chaos Mesh object."""
    _kubectl(["apply", "-f", "-"], kubeconfig, stdin=yaml.safe_dump(chaos.manifest(namespace)))
    logger.info("chaos %s/%s injected", chaos.kind, chaos.name)


def remove_chaos(kubeconfig: Path, namespace: str, chaos: Chaos) -> None:
    """Delete the instance's Chaos Mesh object (no error when it is already gone)."""
    _kubectl(["delete", chaos.kind.lower(), chaos.name, "-n", namespace, "--ignore-not-found"], kubeconfig)
    logger.info("chaos %s/%s removed", chaos.kind, chaos.name)
