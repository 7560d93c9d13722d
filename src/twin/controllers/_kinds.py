"""The resource types the controllers read and write, looked up once from `RESOURCES`."""

from __future__ import annotations

from .._resources import METRICS_GROUP, RESOURCES, ResourceType, lookup


def _resource(group: str, version: str, plural: str) -> ResourceType:
    found = lookup(group, version, plural)
    if found is None:
        raise LookupError(f"the twin does not serve {plural} in {group or 'core'}/{version}")
    return found


NAMESPACES = _resource("", "v1", "namespaces")
NODES = _resource("", "v1", "nodes")
PODS = _resource("", "v1", "pods")
SERVICES = _resource("", "v1", "services")
ENDPOINTS = _resource("", "v1", "endpoints")
EVENTS = _resource("", "v1", "events")
DEPLOYMENTS = _resource("apps", "v1", "deployments")
REPLICASETS = _resource("apps", "v1", "replicasets")
HPAS = _resource("autoscaling", "v2", "horizontalpodautoscalers")

NAMESPACED_STORED: tuple[ResourceType, ...] = tuple(
    r for r in RESOURCES if r.namespaced and r.group != METRICS_GROUP
)
"""Every namespaced kind the store holds (metrics.k8s.io objects are computed, never stored)."""
