"""Reading the cluster for the evaluators: kubectl with `-o json`, nothing else.

The same commands work on the twin and on a real cluster. A component's pods are found through
its Deployment's own selector (never by name prefix, which is how `catalogue-db` once counted as
catalogue); pods already being deleted are left out, since they are on their way out and no
longer the component's state.
"""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from ..environment.kubectl import run_kubectl
from ._score import EvaluationError

logger = logging.getLogger(__name__)

KUBECTL_TIMEOUT = 60.0


def get_json(kubeconfig: Path, args: list[str]) -> dict[str, Any] | None:
    """`kubectl get ... -o json` as a mapping; None when the object does not exist.

    Raises:
        EvaluationError: kubectl failed for any other reason, or printed something that is not JSON.
    """
    command = ["get", *args, "-o", "json"]
    try:
        result = run_kubectl(command, kubeconfig, timeout=KUBECTL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as err:
        raise EvaluationError(f"kubectl {' '.join(command)} did not answer within {KUBECTL_TIMEOUT:.0f} s") from err
    if result.returncode != 0:
        if "NotFound" in result.stderr or "not found" in result.stderr:
            return None
        raise EvaluationError(f"kubectl {' '.join(command)} failed: {result.stderr.strip()}")
    try:
        document: dict[str, Any] = json.loads(result.stdout)
    except ValueError as err:
        raise EvaluationError(f"kubectl {' '.join(command)} printed something that is not JSON") from err
    return document


def get_deployment(kubeconfig: Path, namespace: str, name: str) -> dict[str, Any] | None:
    """The Deployment object, or None when it does not exist."""
    return get_json(kubeconfig, ["deployment", name, "-n", namespace])


def selector_of(deployment: dict[str, Any]) -> str:
    """The Deployment's `matchLabels` as a kubectl label selector (`name=catalogue`)."""
    labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))


def pods_of(kubeconfig: Path, namespace: str, deployment: dict[str, Any]) -> list[dict[str, Any]]:
    """The Deployment's pods that are not being deleted, oldest first."""
    selector = selector_of(deployment)
    if not selector:
        return []
    listing = get_json(kubeconfig, ["pods", "-n", namespace, "-l", selector]) or {}
    pods = [pod for pod in listing.get("items") or [] if not pod["metadata"].get("deletionTimestamp")]
    return sorted(pods, key=lambda pod: pod["metadata"].get("creationTimestamp") or "")


def pod_name(pod: dict[str, Any]) -> str:
    return str(pod["metadata"]["name"])


def is_ready(pod: dict[str, Any]) -> bool:
    """The pod's Ready condition is True."""
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 timestamp as Kubernetes writes it (`2025-05-01T12:00:00Z`)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def container_started(pod: dict[str, Any]) -> datetime | None:
    """When the pod's latest running container started; None when none is running."""
    starts = [
        parse_timestamp(state["running"]["startedAt"])
        for status in (pod.get("status") or {}).get("containerStatuses") or []
        if (state := status.get("state") or {}).get("running", {}).get("startedAt")
    ]
    return max(starts) if starts else None


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return list((pod.get("spec") or {}).get("containers") or [])


def image_tag(image: str) -> str:
    """The tag of an image reference (`weaveworksdemos/catalogue:0.3.4` -> `0.3.4`; none -> `latest`)."""
    reference = image.split("@", 1)[0]
    last = reference.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"
