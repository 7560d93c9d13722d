"""Reading pods and conditions the way the controllers do: active, ready, available, requests.

These are the predicates of `k8s.io/kubernetes/pkg/api/v1/pod` and the controller utilities, in
one place so the ReplicaSet, Deployment, Endpoints, scheduler and HPA controllers agree on what a
ready or available pod is.
"""

from __future__ import annotations

from typing import Any

from ..store import QuantityError, parse_bytes, parse_cpu, parse_time, rfc3339


def is_terminating(obj: dict[str, Any]) -> bool:
    return bool(obj.get("metadata", {}).get("deletionTimestamp"))


def is_active(pod: dict[str, Any]) -> bool:
    """Counted by its ReplicaSet: not being deleted, and not finished."""
    return not is_terminating(pod) and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    found: dict[str, Any]
    for found in obj.get("status", {}).get("conditions") or []:
        if found.get("type") == kind:
            return found
    return None


def is_ready(pod: dict[str, Any]) -> bool:
    cond = condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def ready_since(pod: dict[str, Any]) -> float | None:
    """When the pod last became Ready, or None when it is not Ready."""
    cond = condition(pod, "Ready")
    if cond is None or cond.get("status") != "True":
        return None
    stamp = cond.get("lastTransitionTime")
    return parse_time(stamp) if stamp else 0.0


def available_in(pod: dict[str, Any], min_ready_seconds: int, now: float) -> float | None:
    """Seconds until a Ready pod counts as available (0 when it already does); None if not Ready."""
    since = ready_since(pod)
    if since is None:
        return None
    return max(0.0, since + min_ready_seconds - now) if min_ready_seconds else 0.0


def set_condition(
    conditions: list[dict[str, Any]],
    kind: str,
    status: str,
    now: float,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    """Set one condition in place, keeping `lastTransitionTime` while the status does not change."""
    wanted: dict[str, Any] = {"type": kind, "status": status}
    if reason:
        wanted["reason"] = reason
    if message:
        wanted["message"] = message
    for index, current in enumerate(conditions):
        if current.get("type") != kind:
            continue
        same = current.get("status") == status
        wanted["lastTransitionTime"] = current.get("lastTransitionTime") if same else rfc3339(now)
        conditions[index] = wanted
        return
    wanted["lastTransitionTime"] = rfc3339(now)
    conditions.append(wanted)


def _quantity(resources: dict[str, Any], name: str) -> str | int | float | None:
    """A container's request, defaulting to its limit as the apiserver does."""
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    return requests.get(name, limits.get(name))


def container_request(container: dict[str, Any], name: str) -> float | None:
    """The container's request of `cpu` (cores) or `memory` (bytes), or None when it has none."""
    value = _quantity(container.get("resources") or {}, name)
    if value is None:
        return None
    try:
        return parse_cpu(value) if name == "cpu" else float(parse_bytes(value))
    except QuantityError:
        return None


def pod_requests(pod: dict[str, Any]) -> dict[str, float]:
    """What the scheduler reserves for a pod: the sum over containers, or the largest init container."""
    spec = pod.get("spec", {})
    totals: dict[str, float] = {}
    for name in ("cpu", "memory"):
        regular = sum(container_request(c, name) or 0.0 for c in spec.get("containers") or [])
        init = max((container_request(c, name) or 0.0 for c in spec.get("initContainers") or []), default=0.0)
        totals[name] = max(regular, init)
    return totals
