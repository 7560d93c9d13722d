"""Admission: the defaulting, allocation and validation every write passes, as in a real apiserver.

HTTP clients and the twin's own controllers write through the same `Store`, and the store calls
`Admission` on every create and update; so a controller cannot create an object that `kubectl`
could not. Defaults are the ones the API server's scheme sets (strategy 25 %/25 %, imagePullPolicy,
protocol TCP ...), so objects read back look like a real cluster's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from ..store import ResourceType, Store, errors, lookup
from ._validation import Webhook, validate, validate_update
from ._validation_rbac import default_rbac

SERVICE_NETWORK = ipaddress.ip_network("10.96.0.0/16")
NODE_PORT_RANGE = range(30000, 32768)


def _default_container(container: dict[str, Any]) -> None:
    image = container.get("image", "")
    tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest"
    container.setdefault("imagePullPolicy", "Always" if tag == "latest" else "IfNotPresent")
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(probe_name)
        if isinstance(probe, dict):
            probe.setdefault("periodSeconds", 10)
            probe.setdefault("timeoutSeconds", 1)
            probe.setdefault("successThreshold", 1)
            probe.setdefault("failureThreshold", 3)
            probe.setdefault("initialDelaySeconds", 0)
            http = probe.get("httpGet")
            if isinstance(http, dict):
                http.setdefault("scheme", "HTTP")
                http.setdefault("path", "/")


def default_pod_spec(spec: dict[str, Any]) -> None:
    """Scheme defaults of a PodSpec (also inside templates)."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if isinstance(container, dict):
            _default_container(container)


def _default_deployment(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxSurge", "25%")
        rolling.setdefault("maxUnavailable", "25%")
    _default_template(spec)


def _default_template(spec: dict[str, Any]) -> None:
    template = spec.get("template")
    if isinstance(template, dict):
        template.setdefault("metadata", {}).setdefault("creationTimestamp", None)
        default_pod_spec(template.setdefault("spec", {}))


def _default_replicaset(obj: dict[str, Any]) -> None:
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _default_template(obj["spec"])


def _default_hpa(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)


def _check_shape(resource: ResourceType, obj: dict[str, Any]) -> None:
    """Reject top-level fields of the wrong JSON type before defaulting touches them."""
    causes = [
        {"reason": "FieldValueInvalid", "message": "Invalid value: must be an object", "field": part}
        for part in ("metadata", "spec", "status")
        if part in obj and obj[part] is not None and not isinstance(obj[part], dict)
    ]
    if causes:
        name = obj["metadata"].get("name", "") if isinstance(obj.get("metadata"), dict) else ""
        raise errors.invalid(resource.kind, name, causes, resource.group)


class Admission:
    """Defaults, allocates Service IPs and node ports, checks namespaces and validates.

    `webhooks` validate the custom kinds (Chaos Mesh's experiments) after the built-in rules.
    """

    def __init__(self, store: Store, namespace_resource: ResourceType, webhooks: Sequence[Webhook] = ()) -> None:
        self._store = store
        self._namespaces = namespace_resource
        self._webhooks = tuple(webhooks)

    def __call__(self, resource: ResourceType, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        _check_shape(resource, new)
        if old is None:
            self._check_namespace(resource, new)
        self._default(resource, new)
        causes = validate(resource.kind, new, self._webhooks)
        if old is not None:
            causes += validate_update(resource.kind, old, new, self._webhooks)
        if causes:
            raise errors.invalid(resource.kind, new["metadata"].get("name", ""), causes, resource.group)

    def _check_namespace(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        if not resource.namespaced:
            return
        namespace = obj["metadata"].get("namespace") or "default"
        obj["metadata"]["namespace"] = namespace
        found = self._store.peek(self._namespaces, "", namespace)
        if found is None:
            raise errors.not_found("namespaces", namespace)
        if found["metadata"].get("deletionTimestamp") and resource.kind != "Event":
            raise errors.ApiError(
                403,
                "Forbidden",
                f'{resource.plural} "{obj["metadata"].get("name", "")}" is forbidden: unable to create new '
                f"content in namespace {namespace} because it is being terminated",
            )

    def _default(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        kind = resource.kind
        if kind == "Deployment":
            _default_deployment(obj)
        elif kind == "ReplicaSet":
            _default_replicaset(obj)
        elif kind == "Pod":
            default_pod_spec(obj.setdefault("spec", {}))
            obj.setdefault("status", {}).setdefault("phase", "Pending")
        elif kind == "Service":
            self._default_service(obj)
        elif kind == "Namespace":
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj.setdefault("status", {}).setdefault("phase", "Active")
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"].get("name", "")
        elif kind == "HorizontalPodAutoscaler":
            _default_hpa(obj)
        else:
            default_rbac(kind, obj)

    def _default_service(self, obj: dict[str, Any]) -> None:
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        for port in spec.get("ports") or []:
            if not isinstance(port, dict):
                continue
            port.setdefault("protocol", "TCP")
            port.setdefault("targetPort", port.get("port"))
            if spec["type"] in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
                port["nodePort"] = self._free_node_port()
        if spec["type"] != "ExternalName" and not spec.get("clusterIP"):
            spec["clusterIP"] = self._free_cluster_ip()
        if spec.get("clusterIP"):
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")

    def _services(self) -> list[dict[str, Any]]:
        services = lookup("", "v1", "services")
        assert services is not None
        return list(self._store.iter(services))

    def _free_cluster_ip(self) -> str:
        used = {svc.get("spec", {}).get("clusterIP") for svc in self._services()}
        for offset in range(10, SERVICE_NETWORK.num_addresses - 1):
            candidate = str(SERVICE_NETWORK[offset])
            if candidate not in used:
                return candidate
        raise errors.ApiError(500, "InternalError", "the service IP range is exhausted")

    def _free_node_port(self) -> int:
        used = {port.get("nodePort") for svc in self._services() for port in svc.get("spec", {}).get("ports") or []}
        free = [port for port in NODE_PORT_RANGE if port not in used]
        if not free:
            raise errors.ApiError(500, "InternalError", "the node port range is exhausted")
        return self._store.rng.choice(free)
