"""The resource types the twin's own parts (controllers, shop, chaos, auth) read and write, looked up once."""

from __future__ import annotations

from ._resources import METRICS_GROUP, RBAC_GROUP, RESOURCES, ResourceType
from ._resources import require as _resource

NAMESPACES = _resource("", "v1", "namespaces")
NODES = _resource("", "v1", "nodes")
PODS = _resource("", "v1", "pods")
SERVICES = _resource("", "v1", "services")
ENDPOINTS = _resource("", "v1", "endpoints")
EVENTS = _resource("", "v1", "events")
DEPLOYMENTS = _resource("apps", "v1", "deployments")
REPLICASETS = _resource("apps", "v1", "replicasets")
HPAS = _resource("autoscaling", "v2", "horizontalpodautoscalers")
SERVICE_ACCOUNTS = _resource("", "v1", "serviceaccounts")
ROLES = _resource(RBAC_GROUP, "v1", "roles")
ROLE_BINDINGS = _resource(RBAC_GROUP, "v1", "rolebindings")
CLUSTER_ROLES = _resource(RBAC_GROUP, "v1", "clusterroles")
CLUSTER_ROLE_BINDINGS = _resource(RBAC_GROUP, "v1", "clusterrolebindings")

NAMESPACED_STORED: tuple[ResourceType, ...] = tuple(r for r in RESOURCES if r.namespaced and r.group != METRICS_GROUP)
"""Every namespaced kind the store holds (metrics.k8s.io objects are computed, never stored)."""
