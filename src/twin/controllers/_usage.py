"""Resource usage of the emulated containers, and the metrics.k8s.io objects built from it.

`UsageModel` is the seam between the API server and whatever decides how busy a pod is. Without
load (this module's `IdleUsage`) a Sock Shop container idles at a few millicores and a steady
working set; the performance model replaces it with usage driven by real traffic, and `kubectl top`,
the HPA controller and the cAdvisor metrics all read the same numbers through this interface.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..store import parse_bytes, parse_cpu, rfc3339

METRICS_WINDOW = "15s"


@dataclass(frozen=True)
class ContainerUsage:
    """What one container uses right now."""

    cpu_cores: float
    memory_bytes: int


class UsageModel(Protocol):
    """Answers how much CPU and memory each container of a running pod uses."""

    def container_usage(self, pod: dict[str, Any], container: dict[str, Any], now: datetime) -> ContainerUsage: ...


def _fraction(seed: str, low: float, high: float) -> float:
    digest = hashlib.sha256(seed.encode()).digest()
    return low + (high - low) * int.from_bytes(digest[:4], "big") / 2**32


class IdleUsage:
    """A quiet cluster: each container uses 1-4 % of its CPU limit and 30-50 % of its memory request."""

    def container_usage(self, pod: dict[str, Any], container: dict[str, Any], now: datetime) -> ContainerUsage:
        resources = container.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        seed = f"{pod['metadata'].get('uid', '')}/{container.get('name', '')}"
        cpu_limit = parse_cpu(limits.get("cpu") or requests.get("cpu") or "100m")
        memory_basis = parse_bytes(requests.get("memory") or limits.get("memory") or "64Mi")
        cpu = cpu_limit * _fraction(seed + "/cpu", 0.01, 0.04)
        memory = int(memory_basis * _fraction(seed + "/mem", 0.30, 0.50))
        return ContainerUsage(cpu, memory)


def _running(pod: dict[str, Any]) -> bool:
    return pod.get("status", {}).get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")


def _cpu_text(cores: float) -> str:
    return f"{int(cores * 1e9)}n"


def _memory_text(amount: int) -> str:
    return f"{amount // 1024}Ki"


def pod_metrics(pod: dict[str, Any], usage: UsageModel, now: datetime) -> dict[str, Any] | None:
    """The `PodMetrics` of a running pod (None for pods metrics-server would not report)."""
    if not _running(pod):
        return None
    containers = []
    for container in pod.get("spec", {}).get("containers", []):
        used = usage.container_usage(pod, container, now)
        containers.append(
            {
                "name": container["name"],
                "usage": {"cpu": _cpu_text(used.cpu_cores), "memory": _memory_text(used.memory_bytes)},
            }
        )
    metadata = pod["metadata"]
    return {
        "metadata": {
            "name": metadata["name"],
            "namespace": metadata.get("namespace", ""),
            "creationTimestamp": rfc3339(now.timestamp()),
            "labels": metadata.get("labels") or {},
        },
        "timestamp": rfc3339(now.timestamp()),
        "window": METRICS_WINDOW,
        "containers": containers,
    }


SYSTEM_OVERHEAD = ContainerUsage(cpu_cores=0.15, memory_bytes=900 * 1024 * 1024)


def node_metrics(node: dict[str, Any], pods: list[dict[str, Any]], usage: UsageModel, now: datetime) -> dict[str, Any]:
    """The `NodeMetrics` of a node: its pods' usage plus the system daemons' overhead."""
    name = node["metadata"]["name"]
    cpu, memory = SYSTEM_OVERHEAD.cpu_cores, SYSTEM_OVERHEAD.memory_bytes
    for pod in pods:
        if pod.get("spec", {}).get("nodeName") != name or not _running(pod):
            continue
        for container in pod.get("spec", {}).get("containers", []):
            used = usage.container_usage(pod, container, now)
            cpu, memory = cpu + used.cpu_cores, memory + used.memory_bytes
    return {
        "metadata": {
            "name": name,
            "creationTimestamp": rfc3339(now.timestamp()),
            "labels": node["metadata"].get("labels") or {},
        },
        "timestamp": rfc3339(now.timestamp()),
        "window": METRICS_WINDOW,
        "usage": {"cpu": _cpu_text(cpu), "memory": _memory_text(memory)},
    }
