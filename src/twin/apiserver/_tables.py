"""Server-side printing: objects as the `meta.k8s.io/v1 Table` that `kubectl get` renders.

kubectl asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` and prints whatever columns
the server sends, so the columns and cell wording here are the apiserver's own printers
(`pkg/printers/internalversion`). Like the real server we always fill the wide (priority 1) cells;
kubectl hides them unless `-o wide`. Column names are in the server's case ("Up-to-date"), kubectl
upper-cases them.

Cells follow kubectl's conventions: "<none>" for empty lists, "<unknown>" for a missing timestamp,
integers as JSON numbers where the real printer emits int64.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..store import LabelSelector, SelectorError, parse_timestamp
from ._podstatus import PodSummary

logger = logging.getLogger(__name__)

Obj = dict[str, Any]
Printer = Callable[[Obj, datetime], list[Any]]

_NAME_DESCRIPTION = "Name must be unique within a namespace."
_AGE_DESCRIPTION = "CreationTimestamp is when this object was created, in UTC."
CHAOS_KINDS = ("PodChaos", "StressChaos", "NetworkChaos")


def _column(name: str, description: str, type_: str = "string", *, fmt: str = "", priority: int = 0) -> Obj:
    return {"name": name, "type": type_, "format": fmt, "description": description, "priority": priority}


def _name_column() -> Obj:
    return _column("Name", _NAME_DESCRIPTION, fmt="name")


def _age_column(type_: str = "string") -> Obj:
    return _column("Age", _AGE_DESCRIPTION, type_)


def _wide(name: str, description: str) -> Obj:
    return _column(name, description, priority=1)


# --- ages ----------------------------------------------------------------------------------------


def human_duration(delta: timedelta) -> str:
    """A duration with ~2-3 significant figures, exactly like Go's `duration.HumanDuration`."""
    micros = delta // timedelta(microseconds=1)
    seconds = int(micros / 1_000_000)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y{days}d" if days else f"{years}y"
    return f"{hours // 24 // 365}y"


def human_age(created: str | None, now: datetime) -> str:
    """How long ago `created` was, as kubectl's AGE column prints it; "<unknown>" when unset."""
    if not created:
        return "<unknown>"
    try:
        return human_duration(now - parse_timestamp(created))
    except ValueError:
        logger.debug("unparseable timestamp %r", created)
        return "<unknown>"


def _age(obj: Obj, now: datetime) -> str:
    return human_age(obj.get("metadata", {}).get("creationTimestamp"), now)


# --- shared cell helpers -------------------------------------------------------------------------


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _status(obj: Obj) -> Obj:
    return obj.get("status") or {}


def _name(obj: Obj) -> str:
    return str(obj.get("metadata", {}).get("name", ""))


def format_labels(labels: dict[str, str] | None) -> str:
    """`a=b,c=d` sorted by key, "<none>" when empty (labels.FormatLabels)."""
    if not labels:
        return "<none>"
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def format_selector(selector: Obj | None) -> str:
    """A LabelSelector as `name=x,tier in (a,b),!gone` (requirements sorted by key); "" when unset."""
    try:
        return str(LabelSelector.from_spec(selector))
    except SelectorError:
        return "<invalid>"


def _containers_and_images(template: Obj) -> tuple[str, str]:
    containers = (template.get("spec") or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


# --- Pod -----------------------------------------------------------------------------------------


def _readiness_gates(spec: Obj, status: Obj) -> str:
    gates = spec.get("readinessGates") or []
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    passed = sum(1 for gate in gates if conditions.get(gate.get("conditionType")) == "True")
    return f"{passed}/{len(gates)}"


def _pod_ip(status: Obj) -> str:
    ips = status.get("podIPs") or []
    ip = ips[0].get("ip", "") if ips else status.get("podIP", "")
    return ip or "<none>"


def _restarts(summary: PodSummary, now: datetime) -> str:
    """RESTARTS as recent kubectl prints it: "2 (5m ago)" once a container has restarted."""
    if summary.restarts and summary.last_restart:
        return f"{summary.restarts} ({human_age(summary.last_restart, now)} ago)"
    return str(summary.restarts)


def _pod(pod: Obj, now: datetime) -> list[Any]:
    summary = PodSummary(pod)
    spec, status = _spec(pod), _status(pod)
    return [
        _name(pod),
        f"{summary.ready}/{summary.total}",
        summary.reason,
        _restarts(summary, now),
        _age(pod, now),
        _pod_ip(status),
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        _readiness_gates(spec, status),
    ]


def _pod_conditions(pod: Obj) -> list[Obj] | None:
    phase = _status(pod).get("phase")
    if phase == "Succeeded":
        message = "The pod has completed successfully."
    elif phase == "Failed":
        message = "The pod failed."
    else:
        return None
    return [{"type": "Completed", "status": "True", "reason": phase, "message": message}]


_POD_COLUMNS = [
    _name_column(),
    _column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    _column("Status", "The aggregate status of the containers in this pod."),
    _column("Restarts", "The number of times the containers in this pod have been restarted."),
    _age_column(),
    _wide("IP", "IP address allocated to the pod."),
    _wide("Node", "The node the pod is scheduled onto."),
    _wide("Nominated Node", "The node the scheduler nominated for preemption."),
    _wide("Readiness Gates", "Pod readiness gates that passed, of all declared."),
]


# --- workloads -----------------------------------------------------------------------------------

_WORKLOAD_WIDE = [
    _wide("Containers", "Names of each container in the template."),
    _wide("Images", "Images referenced by each container in the template."),
    _wide("Selector", "Label query over pods that should match the replica count."),
]


def _deployment(obj: Obj, now: datetime) -> list[Any]:
    spec, status = _spec(obj), _status(obj)
    containers, images = _containers_and_images(spec.get("template") or {})
    return [
        _name(obj),
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
        _age(obj, now),
        containers,
        images,
        format_selector(spec.get("selector")),
    ]


def _replicaset(obj: Obj, now: datetime) -> list[Any]:
    spec, status = _spec(obj), _status(obj)
    containers, images = _containers_and_images(spec.get("template") or {})
    return [
        _name(obj),
        spec.get("replicas", 1),
        status.get("replicas", 0),
        status.get("readyReplicas", 0),
        _age(obj, now),
        containers,
        images,
        format_selector(spec.get("selector")) or "<none>",
    ]


_DEPLOYMENT_COLUMNS = [
    _name_column(),
    _column("Ready", "Number of the pod with ready state"),
    _column("Up-to-date", "Total number of non-terminated pods that have the desired template spec."),
    _column("Available", "Total number of available pods (ready for at least minReadySeconds)."),
    _age_column(),
    *_WORKLOAD_WIDE,
]
_REPLICASET_COLUMNS = [
    _name_column(),
    _column("Desired", "Number of desired pods.", "integer"),
    _column("Current", "The most recently observed number of replicas.", "integer"),
    _column("Ready", "The number of pods targeted by this ReplicaSet with a Ready Condition.", "integer"),
    _age_column(),
    *_WORKLOAD_WIDE,
]


# --- networking ----------------------------------------------------------------------------------


def _external_ip(spec: Obj, status: Obj) -> str:
    external = spec.get("externalIPs") or []
    kind = spec.get("type", "ClusterIP")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        ingress = (status.get("loadBalancer") or {}).get("ingress") or []
        found = sorted({i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")})
        return ",".join(found + external) or "<pending>"
    if kind == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def _ports(ports: list[Obj]) -> str:
    pieces = []
    for port in ports:
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces) or "<none>"


def _service(obj: Obj, now: datetime) -> list[Any]:
    spec = _spec(obj)
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        _name(obj),
        spec.get("type", "ClusterIP"),
        cluster_ips[0] if cluster_ips else "<none>",
        _external_ip(spec, _status(obj)),
        _ports(spec.get("ports") or []),
        _age(obj, now),
        format_labels(spec.get("selector")),
    ]


def _endpoint_list(subsets: list[Obj], limit: int = 3) -> str:
    if not subsets:
        return "<none>"
    shown: list[str] = []
    count = 0
    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            shown += addresses[: max(0, limit - len(shown))]
            continue
        for port in ports:
            count += len(addresses)
            for ip in addresses[: max(0, limit - len(shown))]:
                host = f"[{ip}]" if ":" in ip else ip
                shown.append(f"{host}:{port.get('port')}")
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if count > limit else text


def _endpoints(obj: Obj, now: datetime) -> list[Any]:
    return [_name(obj), _endpoint_list(obj.get("subsets") or []), _age(obj, now)]


_SERVICE_COLUMNS = [
    _name_column(),
    _column("Type", "How the Service is exposed."),
    _column("Cluster-IP", "The IP address of the service, assigned by the master."),
    _column("External-IP", "IP addresses for which nodes also accept traffic for this service."),
    _column("Port(s)", "The list of ports that are exposed by this service."),
    _age_column(),
    _wide("Selector", "Route service traffic to pods with label keys and values matching this selector."),
]
_ENDPOINTS_COLUMNS = [
    _name_column(),
    _column("Endpoints", "The set of all endpoints is the union of all subsets."),
    _age_column(),
]


# --- events --------------------------------------------------------------------------------------


def _event(obj: Obj, now: datetime) -> list[Any]:
    first = human_age(obj.get("firstTimestamp"), now)
    if not obj.get("firstTimestamp"):
        first = human_age(obj.get("eventTime"), now)
    last = human_age(obj.get("lastTimestamp"), now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 0
    series = obj.get("series")
    if series:
        last = human_age(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    elif not count:
        count = 1
    involved = obj.get("involvedObject") or {}
    target = (involved.get("kind") or "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    source = obj.get("source") or {}
    component = source.get("component") or obj.get("reportingComponent") or ""
    instance = source.get("host") or obj.get("reportingInstance") or ""
    return [
        last,
        obj.get("type", ""),
        obj.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        f"{component}, {instance}" if instance else component,
        (obj.get("message") or "").strip(),
        first,
        count,
        _name(obj),
    ]


_EVENT_COLUMNS = [
    _column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
    _column("Type", "Type of this event (Normal, Warning)."),
    _column("Reason", "A short, machine understandable string that gives the reason for the transition."),
    _column("Object", "The object that this event is about."),
    _wide("Subobject", "The part of the object the event is about, e.g. a container."),
    _wide("Source", "The component reporting this event."),
    _column("Message", "A human-readable description of the status of this operation."),
    _wide("First Seen", "The time at which the event was first recorded."),
    _wide("Count", "The number of times this event has occurred."),
    _column("Name", _NAME_DESCRIPTION, fmt="name", priority=1),
]


# --- cluster objects -----------------------------------------------------------------------------


def _namespace(obj: Obj, now: datetime) -> list[Any]:
    return [_name(obj), _status(obj).get("phase", "Active"), _age(obj, now)]


def _node_roles(labels: dict[str, str]) -> str:
    roles = set()
    for key, value in labels.items():
        if key.startswith("node-role.kubernetes.io/") and key.removeprefix("node-role.kubernetes.io/"):
            roles.add(key.removeprefix("node-role.kubernetes.io/"))
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(status: Obj, kind: str) -> str:
    for address in status.get("addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address", ""))
    return "<none>"


def _node(obj: Obj, now: datetime) -> list[Any]:
    status = _status(obj)
    info = status.get("nodeInfo") or {}
    states = [
        "Ready" if c.get("status") == "True" else "NotReady"
        for c in status.get("conditions") or []
        if c.get("type") == "Ready"
    ][:1] or ["Unknown"]
    if _spec(obj).get("unschedulable"):
        states.append("SchedulingDisabled")
    return [
        _name(obj),
        ",".join(states),
        _node_roles(obj.get("metadata", {}).get("labels") or {}),
        _age(obj, now),
        info.get("kubeletVersion", ""),
        _node_address(status, "InternalIP"),
        _node_address(status, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


_NAMESPACE_COLUMNS = [_name_column(), _column("Status", "The status of the namespace"), _age_column()]
_NODE_COLUMNS = [
    _name_column(),
    _column("Status", "The status of the node"),
    _column("Roles", "The roles of the node"),
    _age_column(),
    _column("Version", "Kubelet Version reported by the node."),
    _wide("Internal-IP", "The node's internal address."),
    _wide("External-IP", "The node's external address."),
    _wide("OS-Image", "OS Image reported by the node."),
    _wide("Kernel-Version", "Kernel Version reported by the node."),
    _wide("Container-Runtime", "ContainerRuntime Version reported by the node."),
]


# --- autoscaling ---------------------------------------------------------------------------------


def _hpa_metrics(spec: Obj, status: Obj) -> tuple[list[Obj], list[Obj]]:
    """Spec and status metrics in the autoscaling/v2 shape, converting a v1 object."""
    if "metrics" in spec:
        return spec.get("metrics") or [], status.get("currentMetrics") or []
    target = spec.get("targetCPUUtilizationPercentage", 80)
    metrics = [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}},
        }
    ]
    current = status.get("currentCPUUtilizationPercentage")
    statuses = [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}]
    return metrics, statuses if current is not None else []


def _resource_target(name: str, target: Obj, current: Obj | None) -> str:
    if target.get("averageValue") is not None:
        shown = current.get("averageValue", "<unknown>") if current else "<unknown>"
        return f"{name}: {shown}/{target['averageValue']}"
    used = current.get("averageUtilization") if current else None
    shown = f"{used}%" if used is not None else "<unknown>"
    goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    return f"{name}: {shown}/{goal}"


def _hpa_metric(spec: Obj, status: Obj | None) -> str:
    kind = spec.get("type")
    if kind in ("Resource", "ContainerResource"):
        key = "resource" if kind == "Resource" else "containerResource"
        source = spec.get(key) or {}
        current = ((status or {}).get(key) or {}).get("current") if status else None
        return _resource_target(source.get("name", ""), source.get("target") or {}, current)
    if kind in ("Pods", "Object", "External"):
        key = kind.lower()
        target = (spec.get(key) or {}).get("target") or {}
        current = (((status or {}).get(key) or {}).get("current")) or {}
        if target.get("averageValue") is not None:
            suffix = "" if kind == "Pods" else " (avg)"
            return f"{current.get('averageValue', '<unknown>')}/{target['averageValue']}{suffix}"
        return f"{current.get('value', '<unknown>')}/{target.get('value', '<unknown>')}"
    return "<unknown type>"


def format_hpa_targets(hpa: Obj) -> str:
    """The TARGETS cell: "cpu: 12%/50%", "cpu: <unknown>/50%", "+ N more..." beyond two metrics."""
    metrics, statuses = _hpa_metrics(_spec(hpa), _status(hpa))
    if not metrics:
        return "<none>"
    cells = [_hpa_metric(m, statuses[i] if i < len(statuses) else None) for i, m in enumerate(metrics)]
    if len(cells) > 2:
        return f"{', '.join(cells[:2])} + {len(cells) - 2} more..."
    return ", ".join(cells)


def _hpa(obj: Obj, now: datetime) -> list[Any]:
    spec = _spec(obj)
    ref = spec.get("scaleTargetRef") or {}
    min_pods = spec.get("minReplicas")
    return [
        _name(obj),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        format_hpa_targets(obj),
        str(min_pods) if min_pods is not None else "<unset>",
        spec.get("maxReplicas", 0),
        _status(obj).get("currentReplicas", 0),
        _age(obj, now),
    ]


_HPA_COLUMNS = [
    _name_column(),
    _column("Reference", "The scale target."),
    _column("Targets", "The metrics used to compute the desired replica count."),
    _column("MinPods", "The lower limit for the number of replicas."),
    _column("MaxPods", "The upper limit for the number of replicas."),
    _column("Replicas", "The current number of replicas of pods managed by this autoscaler."),
    _age_column(),
]


# --- configuration, RBAC and custom resources ----------------------------------------------------


def _configmap(obj: Obj, now: datetime) -> list[Any]:
    return [_name(obj), len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), _age(obj, now)]


def _secret(obj: Obj, now: datetime) -> list[Any]:
    return [_name(obj), obj.get("type", "Opaque"), len(obj.get("data") or {}), _age(obj, now)]


def _serviceaccount(obj: Obj, now: datetime) -> list[Any]:
    return [_name(obj), len(obj.get("secrets") or []), _age(obj, now)]


def _created_at(obj: Obj, now: datetime) -> list[Any]:
    """Roles print their creation time itself, not an age (`convertToHumanReadableDateType`)."""
    created = obj.get("metadata", {}).get("creationTimestamp")
    return [_name(obj), created or "<unknown>"]


def _subjects(obj: Obj, kind: str) -> str:
    names = []
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and subject.get("kind") == kind:
            name = subject.get("name", "")
            names.append(f"{subject.get('namespace', '')}/{name}" if kind == "ServiceAccount" else name)
    return ", ".join(names)


def _binding(obj: Obj, now: datetime) -> list[Any]:
    ref = obj.get("roleRef") or {}
    return [
        _name(obj),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        _age(obj, now),
        _subjects(obj, "User"),
        _subjects(obj, "Group"),
        _subjects(obj, "ServiceAccount"),
    ]


def _chaos(obj: Obj, now: datetime) -> list[Any]:
    spec = _spec(obj)
    action = "stress" if obj.get("kind") == "StressChaos" else spec.get("action")
    return [_name(obj), action, spec.get("duration"), _age(obj, now)]


def _default(obj: Obj, now: datetime) -> list[Any]:
    return [_name(obj), _age(obj, now)]


_CONFIGMAP_COLUMNS = [_name_column(), _column("Data", "Number of data keys."), _age_column()]
_SECRET_COLUMNS = [
    _name_column(),
    _column("Type", "Used to facilitate programmatic handling of secret data."),
    _column("Data", "Number of data keys."),
    _age_column(),
]
_SERVICEACCOUNT_COLUMNS = [_name_column(), _column("Secrets", "Number of secrets."), _age_column()]
_ROLE_COLUMNS = [_name_column(), _column("Created At", _AGE_DESCRIPTION, "date")]
_BINDING_COLUMNS = [
    _name_column(),
    _column("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."),
    _age_column(),
    _wide("Users", "Users in the roleBinding"),
    _wide("Groups", "Groups in the roleBinding"),
    _wide("ServiceAccounts", "ServiceAccounts in the roleBinding"),
]
_CHAOS_COLUMNS = [
    _name_column(),
    _column("action", "Custom resource definition column (in JSONPath format): .spec.action"),
    _column("duration", "Custom resource definition column (in JSONPath format): .spec.duration"),
    _age_column("date"),
]
_DEFAULT_COLUMNS = [_name_column(), _age_column("date")]

_PRINTERS: dict[str, tuple[list[Obj], Printer]] = {
    "Pod": (_POD_COLUMNS, _pod),
    "Deployment": (_DEPLOYMENT_COLUMNS, _deployment),
    "ReplicaSet": (_REPLICASET_COLUMNS, _replicaset),
    "Service": (_SERVICE_COLUMNS, _service),
    "Endpoints": (_ENDPOINTS_COLUMNS, _endpoints),
    "Event": (_EVENT_COLUMNS, _event),
    "Namespace": (_NAMESPACE_COLUMNS, _namespace),
    "Node": (_NODE_COLUMNS, _node),
    "HorizontalPodAutoscaler": (_HPA_COLUMNS, _hpa),
    "ConfigMap": (_CONFIGMAP_COLUMNS, _configmap),
    "Secret": (_SECRET_COLUMNS, _secret),
    "ServiceAccount": (_SERVICEACCOUNT_COLUMNS, _serviceaccount),
    "Role": (_ROLE_COLUMNS, _created_at),
    "ClusterRole": (_ROLE_COLUMNS, _created_at),
    "RoleBinding": (_BINDING_COLUMNS, _binding),
    "ClusterRoleBinding": (_BINDING_COLUMNS, _binding),
    **{kind: (_CHAOS_COLUMNS, _chaos) for kind in CHAOS_KINDS},
}


# --- the table -----------------------------------------------------------------------------------


def _row_object(obj: Obj, include_object: str) -> Obj | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def _table_meta(objects: list[Obj], list_meta: Obj | None) -> Obj:
    if list_meta is not None:
        keys = ("resourceVersion", "continue", "remainingItemCount")
        return {key: list_meta[key] for key in keys if key in list_meta}
    if len(objects) == 1:
        return {"resourceVersion": objects[0].get("metadata", {}).get("resourceVersion", "")}
    return {}


def to_table(
    kind: str,
    objects: list[Obj],
    now: datetime,
    include_object: str = "Metadata",
    list_meta: Obj | None = None,
) -> Obj:
    """Render objects of one kind as a `meta.k8s.io/v1` Table, columns as the real apiserver sends.

    Args:
        kind: the objects' kind ("Pod", "Deployment", "PodChaos" ...); unknown kinds get NAME, AGE.
        objects: the objects in storage form, already filtered and ordered.
        now: the reference time for AGE, LAST SEEN and restart ages.
        include_object: the `includeObject` query parameter: "Metadata" (a PartialObjectMetadata per
            row, kubectl's default), "Object" (the whole object) or "None".
        list_meta: the list's metadata (resourceVersion, continue); None for a single-object GET,
            whose table then carries the object's resourceVersion.
    """
    columns, printer = _PRINTERS.get(kind, (_DEFAULT_COLUMNS, _default))
    rows = []
    for obj in objects:
        row: Obj = {"cells": printer(obj, now), "object": _row_object(obj, include_object)}
        if kind == "Pod" and (conditions := _pod_conditions(obj)):
            row["conditions"] = conditions
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": _table_meta(objects, list_meta),
        "columnDefinitions": [dict(column) for column in columns],
        "rows": rows,
    }
