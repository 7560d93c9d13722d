"""Conversion between served versions and the stored version (only HPA has two: v1 and v2).

The store keeps `autoscaling/v2`; an `autoscaling/v1` client (older `kubectl autoscale`, the Python
client's `AutoscalingV1Api`) reads and writes the v1 shape, where the CPU target is a single
`targetCPUUtilizationPercentage`.
"""

from __future__ import annotations

from typing import Any

from ..store import ResourceType, clone


def _cpu_metric(percent: int) -> dict[str, Any]:
    return {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}},
    }


def _hpa_v1_to_v2(obj: dict[str, Any]) -> dict[str, Any]:
    new = clone(obj)
    spec = new.get("spec")
    if isinstance(spec, dict) and "targetCPUUtilizationPercentage" in spec:
        spec["metrics"] = [_cpu_metric(spec.pop("targetCPUUtilizationPercentage"))]
    status = new.get("status")
    if isinstance(status, dict) and "currentCPUUtilizationPercentage" in status:
        current = status.pop("currentCPUUtilizationPercentage")
        status["currentMetrics"] = [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}
        ]
    new["apiVersion"] = "autoscaling/v2"
    return new


def _cpu_target(metrics: list[dict[str, Any]], side: str) -> int | None:
    for metric in metrics or []:
        resource = metric.get("resource") or {}
        if metric.get("type") == "Resource" and resource.get("name") == "cpu":
            return (resource.get(side) or {}).get("averageUtilization")
    return None


def _hpa_v2_to_v1(obj: dict[str, Any]) -> dict[str, Any]:
    new = clone(obj)
    spec = new.get("spec") or {}
    target = _cpu_target(spec.pop("metrics", None) or [], "target")
    spec.pop("behavior", None)
    if target is not None:
        spec["targetCPUUtilizationPercentage"] = target
    status = new.get("status") or {}
    current = _cpu_target(status.pop("currentMetrics", None) or [], "current")
    status.pop("conditions", None)
    if current is not None:
        status["currentCPUUtilizationPercentage"] = current
    new["apiVersion"] = "autoscaling/v1"
    return new


def to_storage(resource: ResourceType, version: str, obj: dict[str, Any]) -> dict[str, Any]:
    """An object sent to `version` in the stored version's shape."""
    if version != resource.version and resource.kind == "HorizontalPodAutoscaler":
        return _hpa_v1_to_v2(obj)
    return obj


def from_storage(resource: ResourceType, version: str, obj: dict[str, Any]) -> dict[str, Any]:
    """A stored object in the shape of the version the client asked for."""
    if version != resource.version and resource.kind == "HorizontalPodAutoscaler":
        return _hpa_v2_to_v1(obj)
    return obj
