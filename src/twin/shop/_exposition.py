"""Prometheus text exposition of the twin: what Sock Shop pods, cAdvisor and kube-state-metrics export.

Names and labels are the real ones, because agents are told to query them: each service family
labels `request_duration_seconds` its own way (Go: method/route/status_code/isWS; Node: service,
lower-case method, raw path; Java: service/method/route/status_code), and the `name`/`job` labels
are added by Prometheus relabelling, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..store import parse_bytes, parse_cpu
from ._runtime import DEFAULT_BUCKETS, PodRuntime
from ._spec import ModelSpec


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{key}="{_escape(str(value))}"' for key, value in pairs)
    return "{" + inner + "}" if inner else ""


def _number(value: float) -> str:
    return repr(float(value)) if value != int(value) or abs(value) >= 1e15 else str(int(value))


def _family_header(name: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


def pod_exposition(runtime: PodRuntime, spec: ModelSpec, now: float) -> str:
    """What one Sock Shop pod answers on `/metrics`."""
    family = spec.families.get(runtime.service.family)
    lines: list[str] = []
    if family and family.labels:
        lines += _family_header(
            "request_duration_seconds", "histogram", "Time (in seconds) spent serving HTTP requests."
        )
        for (method, route, status), histogram in sorted(runtime.requests.items()):
            values = {
                "service": runtime.service.name,
                "method": method,
                "route": route,
                "status_code": status,
                "isWS": "false",
            }
            base = [(label, values[label]) for label in family.labels]
            cumulative = 0
            for bound, count in zip((*DEFAULT_BUCKETS, float("inf")), histogram.counts, strict=True):
                cumulative += count
                le = "+Inf" if bound == float("inf") else _number(bound)
                lines.append(f"request_duration_seconds_bucket{_labels([*base, ('le', le)])} {cumulative}")
            lines.append(f"request_duration_seconds_sum{_labels(base)} {histogram.total!r}")
            lines.append(f"request_duration_seconds_count{_labels(base)} {histogram.count}")
    lines += _family_header("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
    lines.append(f"process_cpu_seconds_total {runtime.cpu_seconds(now)!r}")
    lines += _family_header("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
    lines.append(f"process_resident_memory_bytes {runtime.memory_bytes(now)}")
    lines += _family_header(
        "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds."
    )
    lines.append(f"process_start_time_seconds {runtime.started!r}")
    return "\n".join(lines) + "\n"


def cadvisor_exposition(
    pods: Iterable[dict[str, Any]], runtimes: dict[str, PodRuntime], spec: ModelSpec, now: float
) -> str:
    """The kubelet's cAdvisor container metrics for every running pod."""
    series: dict[str, list[str]] = {
        "container_cpu_usage_seconds_total": [],
        "container_memory_working_set_bytes": [],
        "container_spec_cpu_quota": [],
        "container_spec_cpu_period": [],
        "container_spec_memory_limit_bytes": [],
    }
    period_us = int(spec.cfs_period * 1_000_000)
    for pod in pods:
        runtime = runtimes.get(pod["metadata"]["uid"])
        if runtime is None:
            continue
        base = [
            ("namespace", runtime.namespace),
            ("pod", runtime.name),
            ("container", runtime.container),
            ("image", runtime.image),
            ("name", f"k8s_{runtime.container}_{runtime.name}"),
        ]
        labels = _labels(base)
        series["container_cpu_usage_seconds_total"].append(f"{labels} {runtime.cpu_seconds(now)!r}")
        series["container_memory_working_set_bytes"].append(f"{labels} {runtime.memory_bytes(now)}")
        series["container_spec_cpu_period"].append(f"{labels} {period_us}")
        if runtime.cpu_limit is not None:
            series["container_spec_cpu_quota"].append(f"{labels} {int(runtime.cpu_limit * period_us)}")
        series["container_spec_memory_limit_bytes"].append(f"{labels} {runtime.memory_limit or 0}")
    kinds = {"container_cpu_usage_seconds_total": "counter"}
    lines: list[str] = []
    for name, rows in series.items():
        lines += [f"# TYPE {name} {kinds.get(name, 'gauge')}", *(f"{name}{row}" for row in rows)]
    return "\n".join(lines) + "\n"


def _condition(obj: dict[str, Any], kind: str) -> str | None:
    """`true`, `false` or `unknown`; None when the object has no condition of that type."""
    for condition in obj.get("status", {}).get("conditions") or []:
        if condition.get("type") == kind:
            return str(condition.get("status", "Unknown")).lower()
    return None


def kube_state_exposition(pods: Iterable[dict[str, Any]], deployments: Iterable[dict[str, Any]]) -> str:
    """kube-state-metrics' (v2) view of pods and deployments.

    As there, a pod without a Ready condition yet (just created, not scheduled) has no
    `kube_pod_status_ready` series and one without a phase no `kube_pod_status_phase` series, so
    `sum(kube_pod_status_ready{condition="true"})` counts exactly the pods the API calls Ready.
    """
    lines = [
        "# TYPE kube_pod_status_ready gauge",
        "# TYPE kube_pod_status_phase gauge",
        "# TYPE kube_pod_container_resource_limits gauge",
        "# TYPE kube_pod_container_resource_requests gauge",
        "# TYPE kube_pod_container_status_restarts_total counter",
    ]
    for pod in pods:
        namespace, name = pod["metadata"].get("namespace", ""), pod["metadata"]["name"]
        uid = pod["metadata"]["uid"]
        ready = _condition(pod, "Ready")
        for value in ("true", "false", "unknown") if ready else ():
            labels = _labels([("namespace", namespace), ("pod", name), ("uid", uid), ("condition", value)])
            lines.append(f"kube_pod_status_ready{labels} {int(ready == value)}")
        phase = pod.get("status", {}).get("phase")
        for value in ("Pending", "Running", "Succeeded", "Failed", "Unknown") if phase else ():
            labels = _labels([("namespace", namespace), ("pod", name), ("uid", uid), ("phase", value)])
            lines.append(f"kube_pod_status_phase{labels} {int(phase == value)}")
        node = pod.get("spec", {}).get("nodeName", "")
        for container in pod.get("spec", {}).get("containers") or []:
            resources = container.get("resources") or {}
            for kind in ("limits", "requests"):
                for resource, quantity in (resources.get(kind) or {}).items():
                    unit, amount = (
                        ("core", parse_cpu(quantity)) if resource == "cpu" else ("byte", parse_bytes(quantity))
                    )
                    labels = _labels(
                        [
                            ("namespace", namespace),
                            ("pod", name),
                            ("uid", uid),
                            ("container", container["name"]),
                            ("node", node),
                            ("resource", resource),
                            ("unit", unit),
                        ]
                    )
                    lines.append(f"kube_pod_container_resource_{kind}{labels} {_number(amount)}")
        for status in pod.get("status", {}).get("containerStatuses") or []:
            labels = _labels([("namespace", namespace), ("pod", name), ("uid", uid), ("container", status["name"])])
            lines.append(f"kube_pod_container_status_restarts_total{labels} {status.get('restartCount', 0)}")
    lines += [
        "# TYPE kube_deployment_spec_replicas gauge",
        "# TYPE kube_deployment_status_replicas gauge",
        "# TYPE kube_deployment_status_replicas_available gauge",
        "# TYPE kube_deployment_status_replicas_ready gauge",
    ]
    for deployment in deployments:
        labels = _labels(
            [("namespace", deployment["metadata"].get("namespace", "")), ("deployment", deployment["metadata"]["name"])]
        )
        status = deployment.get("status", {})
        lines.append(f"kube_deployment_spec_replicas{labels} {deployment.get('spec', {}).get('replicas', 0)}")
        lines.append(f"kube_deployment_status_replicas{labels} {status.get('replicas', 0)}")
        lines.append(f"kube_deployment_status_replicas_available{labels} {status.get('availableReplicas', 0)}")
        lines.append(f"kube_deployment_status_replicas_ready{labels} {status.get('readyReplicas', 0)}")
    return "\n".join(lines) + "\n"
