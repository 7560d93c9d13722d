"""The L1/L2 state checks: did the change the task asked for reach the running component?

Corrected versions of the original harness's checks, which never passed (an unset attribute made
four of them fail before reading anything, and the restart check matched `catalogue-db` by
substring). Every check here reads the live objects with kubectl, selects pods through the
Deployment's own selector, ignores pods already being deleted, and looks at what *runs*, not
only at what the Deployment asks for: a rollback is done when pods with the old image are Ready,
not when the spec names it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ._cluster import (
    container_started,
    containers,
    get_deployment,
    get_json,
    image_tag,
    is_ready,
    pod_name,
    pods_of,
)
from ._score import Score

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoscalerBounds:
    """What makes an autoscaler's settings sensible."""

    min_replicas_at_least: int = 1
    cpu_percent_range: tuple[float, float] = (30.0, 90.0)
    """The CPU utilisation target (percent of the request, as the HPA counts it) must lie in this range."""


def _pod_summary(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "pod": pod_name(pod),
            "ready": is_ready(pod),
            "started": started.isoformat() if (started := container_started(pod)) else None,
            "images": [container.get("image") for container in containers(pod)],
        }
        for pod in pods
    ]


def _component(kubeconfig: Path, namespace: str, component: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    deployment = get_deployment(kubeconfig, namespace, component)
    return deployment, (pods_of(kubeconfig, namespace, deployment) if deployment else [])


def _missing(namespace: str, component: str) -> Score:
    return Score(False, f"deployment {component} does not exist in {namespace}", {"deployment": None})


def check_restarted(kubeconfig: Path, namespace: str, component: str, since: datetime) -> Score:
    """Every pod of `component` runs containers started at or after `since` (the task's start), and is Ready.

    Timestamps in pod status have whole seconds, so `since` is compared at that precision.
    """
    deployment, pods = _component(kubeconfig, namespace, component)
    if deployment is None:
        return _missing(namespace, component)
    cutoff = since.replace(microsecond=0)
    evidence: dict[str, Any] = {"since": cutoff.isoformat(), "pods": _pod_summary(pods)}
    if not pods:
        return Score(False, f"{component} has no pods", evidence)
    old = [pod_name(pod) for pod in pods if (started := container_started(pod)) is None or started < cutoff]
    unready = [pod_name(pod) for pod in pods if not is_ready(pod)]
    if old:
        return Score(False, f"not restarted since {cutoff.isoformat()}: {', '.join(old)}", evidence)
    if unready:
        return Score(False, f"restarted, but not Ready: {', '.join(unready)}", evidence)
    return Score(
        True, f"all {len(pods)} pods of {component} started after {cutoff.isoformat()} and are Ready", evidence
    )


def check_replicas(kubeconfig: Path, namespace: str, component: str, replicas: int) -> Score:
    """The Deployment wants `replicas` and exactly that many pods run, all Ready."""
    deployment, pods = _component(kubeconfig, namespace, component)
    if deployment is None:
        return _missing(namespace, component)
    wanted = (deployment.get("spec") or {}).get("replicas", 1)
    ready = sum(1 for pod in pods if is_ready(pod))
    evidence = {"expected": replicas, "spec_replicas": wanted, "ready": ready, "pods": _pod_summary(pods)}
    passed = wanted == replicas and ready == replicas and len(pods) == replicas
    return Score(
        passed,
        f"{component}: {wanted} replicas wanted, {ready}/{len(pods)} pods Ready; expected {replicas} Ready",
        evidence,
    )


def check_deployment_ready(kubeconfig: Path, namespace: str, component: str) -> Score:
    """The Deployment exists and has at least one pod, all of them Ready."""
    deployment, pods = _component(kubeconfig, namespace, component)
    if deployment is None:
        return _missing(namespace, component)
    ready = sum(1 for pod in pods if is_ready(pod))
    evidence = {"ready": ready, "pods": _pod_summary(pods)}
    passed = ready >= 1 and ready == len(pods)
    return Score(passed, f"deployment {component} exists with {ready}/{len(pods)} pods Ready", evidence)


def _env_value(container: dict[str, Any], name: str) -> str | None:
    for variable in container.get("env") or []:
        if variable.get("name") == name:
            return str(variable.get("value", ""))
    return None


def check_env(kubeconfig: Path, namespace: str, component: str, name: str, value: str) -> Score:
    """Every pod of the component has a container with env `name=value`, and at least one pod is Ready."""
    deployment, pods = _component(kubeconfig, namespace, component)
    if deployment is None:
        return _missing(namespace, component)
    seen = {pod_name(pod): [_env_value(c, name) for c in containers(pod)] for pod in pods}
    evidence = {"expected": {name: value}, "seen": seen, "pods": _pod_summary(pods)}
    lacking = [pod for pod, values in seen.items() if value not in values]
    if not pods:
        return Score(False, f"{component} has no pods", evidence)
    if lacking:
        return Score(False, f"{name}={value} missing in {', '.join(lacking)}", evidence)
    if not any(is_ready(pod) for pod in pods):
        return Score(False, f"{name}={value} is set, but no pod of {component} is Ready", evidence)
    return Score(True, f"all {len(pods)} pods of {component} run with {name}={value}", evidence)


def check_image_tag(kubeconfig: Path, namespace: str, component: str, tag: str) -> Score:
    """Every pod of the component runs images with `tag`, and all of them are Ready."""
    deployment, pods = _component(kubeconfig, namespace, component)
    if deployment is None:
        return _missing(namespace, component)
    evidence = {"expected_tag": tag, "pods": _pod_summary(pods)}
    if not pods:
        return Score(False, f"{component} has no pods", evidence)
    other = [pod_name(pod) for pod in pods if any(image_tag(c.get("image", "")) != tag for c in containers(pod))]
    unready = [pod_name(pod) for pod in pods if not is_ready(pod)]
    if other:
        return Score(False, f"pods not on tag {tag}: {', '.join(other)}", evidence)
    if unready:
        return Score(False, f"on tag {tag}, but not Ready: {', '.join(unready)}", evidence)
    return Score(True, f"all {len(pods)} pods of {component} run tag {tag} and are Ready", evidence)


def _cpu_cores(quantity: Any) -> float | None:
    text = str(quantity).strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return None


def _cpu_request(deployment: dict[str, Any] | None) -> float | None:
    template = (((deployment or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    requests = [
        _cpu_cores(((c.get("resources") or {}).get("requests") or {}).get("cpu", ""))
        for c in template.get("containers") or []
    ]
    known = [value for value in requests if value]
    return sum(known) if known else None


def _cpu_target_percent(hpa: dict[str, Any], request_cores: float | None) -> float | None:
    """The HPA's CPU target as a utilisation percentage (autoscaling/v1 or v2; an AverageValue via the request)."""
    spec = hpa.get("spec") or {}
    if "targetCPUUtilizationPercentage" in spec:
        return float(spec["targetCPUUtilizationPercentage"])
    for metric in spec.get("metrics") or []:
        resource = metric.get("resource") or {}
        if metric.get("type") != "Resource" or resource.get("name") != "cpu":
            continue
        target = resource.get("target") or {}
        if target.get("averageUtilization") is not None:
            return float(target["averageUtilization"])
        average = _cpu_cores(target.get("averageValue", ""))
        if average is not None and request_cores:
            return average / request_cores * 100
    return None


def check_autoscaler(kubeconfig: Path, namespace: str, component: str, bounds: AutoscalerBounds | None = None) -> Score:
    """Exactly one HorizontalPodAutoscaler targets the Deployment, with sensible replica and CPU bounds."""
    bounds = bounds or AutoscalerBounds()
    listing = get_json(kubeconfig, ["horizontalpodautoscalers", "-n", namespace]) or {}
    targeting = [
        hpa
        for hpa in listing.get("items") or []
        if ((hpa.get("spec") or {}).get("scaleTargetRef") or {}).get("kind") == "Deployment"
        and hpa["spec"]["scaleTargetRef"].get("name") == component
    ]
    if not targeting:
        return Score(False, f"no HorizontalPodAutoscaler targets deployment {component}", {"autoscalers": []})
    names = [hpa["metadata"]["name"] for hpa in targeting]
    if len(targeting) > 1:
        return Score(
            False,
            f"{len(targeting)} autoscalers target {component} and would fight: {', '.join(names)}",
            {"autoscalers": names},
        )
    hpa = targeting[0]
    spec = hpa.get("spec") or {}
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas", 0)
    target = _cpu_target_percent(hpa, _cpu_request(get_deployment(kubeconfig, namespace, component)))
    evidence = {
        "autoscaler": names[0],
        "min_replicas": low,
        "max_replicas": high,
        "cpu_target_percent": target,
        "bounds": {
            "min_replicas_at_least": bounds.min_replicas_at_least,
            "cpu_percent_range": list(bounds.cpu_percent_range),
        },
    }
    problems = []
    if low < bounds.min_replicas_at_least:
        problems.append(f"minReplicas {low} < {bounds.min_replicas_at_least}")
    if high <= low:
        problems.append(f"maxReplicas {high} leaves no room above minReplicas {low}")
    first, last = bounds.cpu_percent_range
    if target is None:
        problems.append("no CPU utilisation target")
    elif not first <= target <= last:
        problems.append(f"CPU target {target:.0f}% outside {first:.0f}-{last:.0f}%")
    if problems:
        return Score(False, f"autoscaler {names[0]}: " + "; ".join(problems), evidence)
    return Score(
        True,
        f"autoscaler {names[0]} scales {component} between {low} and {high} replicas at {target:.0f}% CPU",
        evidence,
    )
