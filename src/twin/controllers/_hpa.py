"""The HorizontalPodAutoscaler controller (autoscaling/v2) on the twin's modelled resource usage.

Every `hpa_sync_period` seconds each HPA reads its target's pods' usage through the `UsageModel`
(the same numbers `kubectl top` shows), computes utilisation against the pods' requests in whole
millicores (as the real controller does, so 150m of 100m is exactly 150 %), and proposes
`ceil(ready pods * utilisation / target)`, within a 10 % tolerance. As in the real replica
calculator, pods without metrics or not yet ready count as idle when scaling up and as on
target when scaling down, so a rollout cannot trigger a scale-down by itself. A scale-down is
held back by the highest recommendation of the stabilisation window (300 s by default), a
scale-up is limited to max(2x, +4) per sync, and the result is clamped to min/max replicas.
The new size is written to the target's `spec.replicas`, the way the scale subresource does.

Only Resource and ContainerResource metrics are served; Pods, Object and External metrics fail as
they do on a cluster without a custom or external metrics adapter.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..store import (
    HPAS,
    PODS,
    LabelSelector,
    QuantityError,
    ResourceType,
    SelectorError,
    Store,
    WatchEvent,
    by_kind,
    clone,
    format_bytes,
    format_cpu,
    labels_of,
    parse_bytes,
    parse_cpu,
    rfc3339,
)
from ._config import ControllerConfig
from ._events import EventRecorder
from ._pods import container_request, is_ready, is_terminating, set_condition
from ._queue import WorkQueue
from ._rollout import replicas
from ._usage import UsageModel

logger = logging.getLogger(__name__)

COMPONENT = "horizontal-pod-autoscaler"
TOLERANCE = 0.1
CONDITION_ORDER = {"AbleToScale": 0, "ScalingActive": 1, "ScalingLimited": 2}
DEFAULT_METRIC = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
}
"""What an HPA without `metrics` targets (the autoscaling/v2 default)."""

Key = tuple[str, str]


class MetricError(Exception):
    """A metric could not be computed; the message is the one `kubectl describe hpa` shows."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Proposal:
    """One metric's recommendation and what it measured."""

    replicas: int
    current: dict[str, Any]
    description: str


def _amount(name: str, value: Any) -> float:
    return parse_cpu(value) if name == "cpu" else float(parse_bytes(value))


def _shown(name: str, value: float) -> str:
    return format_cpu(value) if name == "cpu" else format_bytes(int(value))


class HpaController:
    """Scales Deployments and ReplicaSets to their HPAs' metric targets."""

    def __init__(self, store: Store, recorder: EventRecorder, usage: UsageModel, config: ControllerConfig) -> None:
        self._store = store
        self._recorder = recorder
        self._usage = usage
        self._config = config
        self._history: dict[Key, list[tuple[float, int]]] = {}
        self.queue: WorkQueue[Key] = WorkQueue("horizontal-pod-autoscaler", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        if event.resource_key != HPAS.key:
            return
        if event.type != "MODIFIED" or event.old is None or event.old.get("spec") != event.object.get("spec"):
            self.queue.add((event.object["metadata"]["namespace"], event.object["metadata"]["name"]))

    def reconcile(self, key: Key) -> float | None:
        hpa = self._store.peek(HPAS, *key)
        if hpa is None:
            self._history.pop(key, None)
            return None
        status = clone(hpa.get("status") or {})
        status["observedGeneration"] = hpa["metadata"].get("generation", 1)
        conditions = status.setdefault("conditions", [])
        self._evaluate(key, hpa, status, conditions, self._store.clock())
        conditions.sort(key=lambda c: CONDITION_ORDER.get(c.get("type", ""), len(CONDITION_ORDER)))
        if status != hpa.get("status"):

            def change(draft: dict[str, Any]) -> None:
                draft["status"] = status

            self._store.mutate(HPAS, *key, change, subresource="status")
        return self._config.hpa_sync_period

    def _evaluate(
        self, key: Key, hpa: dict[str, Any], status: dict[str, Any], conditions: list[dict[str, Any]], now: float
    ) -> None:
        spec = hpa.get("spec", {})
        ref = spec.get("scaleTargetRef") or {}
        resource = by_kind(ref.get("kind", ""), ref.get("apiVersion"))
        target = self._store.peek(resource, key[0], ref.get("name", "")) if resource else None
        if resource is None or target is None or "scale" not in resource.subresources:
            plural = f"{resource.plural}.{resource.group}" if resource and resource.group else ref.get("kind", "")
            message = (
                "the HPA controller was unable to get the target's current scale: "
                f'{plural} "{ref.get("name")}" not found'
            )
            set_condition(conditions, "AbleToScale", "False", now, "FailedGetScale", message)
            self._recorder.record(hpa, "Warning", "FailedGetScale", message, COMPONENT)
            return
        current = replicas(target)
        status["currentReplicas"] = current
        minimum, maximum = int(spec.get("minReplicas") or 1), int(spec.get("maxReplicas") or 1)
        if current == 0 and minimum != 0:
            status["desiredReplicas"] = 0
            set_condition(
                conditions,
                "AbleToScale",
                "True",
                now,
                "SucceededGetScale",
                "the HPA controller was able to get the target's current scale",
            )
            set_condition(
                conditions,
                "ScalingActive",
                "False",
                now,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            )
            return
        pods = self._pods(target)
        proposals, failures = [], []
        for metric in spec.get("metrics") or [DEFAULT_METRIC]:
            try:
                proposals.append(self._propose(metric, pods, current, now))
            except MetricError as err:
                failures.append(err)
        if not proposals:
            first = failures[0]
            set_condition(
                conditions,
                "AbleToScale",
                "True",
                now,
                "SucceededGetScale",
                "the HPA controller was able to get the target's current scale",
            )
            set_condition(conditions, "ScalingActive", "False", now, first.reason, first.message)
            self._recorder.record(hpa, "Warning", first.reason, first.message, COMPONENT)
            self._recorder.record(
                hpa,
                "Warning",
                "FailedComputeMetricsReplicas",
                f"invalid metrics ({len(failures)} invalid out of {len(failures)}), first error is: {first.message}",
                COMPONENT,
            )
            return
        status["currentMetrics"] = [p.current for p in proposals]
        best = max(proposals, key=lambda p: p.replicas)
        set_condition(
            conditions,
            "ScalingActive",
            "True",
            now,
            "ValidMetricFound",
            f"the HPA was able to successfully calculate a replica count from {best.description}",
        )
        stabilized = self._stabilize(key, spec, best.replicas, current, now)
        desired = min(stabilized, max(2 * current, current + 4))
        if desired < minimum:
            desired = minimum
            set_condition(
                conditions,
                "ScalingLimited",
                "True",
                now,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        elif desired > maximum:
            desired = maximum
            set_condition(
                conditions,
                "ScalingLimited",
                "True",
                now,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        elif desired < stabilized:
            set_condition(
                conditions,
                "ScalingLimited",
                "True",
                now,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        else:
            set_condition(
                conditions,
                "ScalingLimited",
                "False",
                now,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        status["desiredReplicas"] = desired
        if desired == current:
            if stabilized > best.replicas:
                set_condition(
                    conditions,
                    "AbleToScale",
                    "True",
                    now,
                    "ScaleDownStabilized",
                    "recent recommendations were higher than current one, applying the highest recent recommendation",
                )
            else:
                set_condition(
                    conditions, "AbleToScale", "True", now, "ReadyForNewScale", "recommended size matches current size"
                )
            return
        self._rescale(resource, target, desired)
        reason = f"{best.description} above target" if desired > current else "All metrics below target"
        self._recorder.record(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}", COMPONENT)
        status["lastScaleTime"] = rfc3339(now)
        set_condition(
            conditions,
            "AbleToScale",
            "True",
            now,
            "SucceededRescale",
            f"the HPA controller was able to update the target scale to {desired}",
        )

    def _pods(self, target: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            selector = LabelSelector.from_spec(target.get("spec", {}).get("selector"))
        except SelectorError:
            return []
        return [
            pod
            for pod in self._store.iter(PODS, target["metadata"]["namespace"])
            if selector.matches(labels_of(pod))
            and not is_terminating(pod)
            and pod.get("status", {}).get("phase") not in ("Failed", "Succeeded")
        ]

    def _rescale(self, resource: ResourceType, target: dict[str, Any], desired: int) -> None:
        def change(draft: dict[str, Any]) -> None:
            draft["spec"]["replicas"] = desired

        self._store.mutate(resource, target["metadata"]["namespace"], target["metadata"]["name"], change)

    def _stabilize(self, key: Key, spec: dict[str, Any], recommended: int, current: int, now: float) -> int:
        """The recommendation after the scale-up and scale-down stabilisation windows."""
        behavior = spec.get("behavior") or {}
        down = (behavior.get("scaleDown") or {}).get("stabilizationWindowSeconds")
        up = (behavior.get("scaleUp") or {}).get("stabilizationWindowSeconds")
        down_window = self._config.hpa_downscale_stabilization if down is None else float(down)
        up_window = 0.0 if up is None else float(up)
        history = self._history.setdefault(key, [])
        history.append((now, recommended))
        history[:] = [(t, r) for t, r in history if t > now - max(up_window, down_window) or t == now]
        up_recommendation = min(r for t, r in history if t > now - up_window or t == now)
        down_recommendation = max(r for t, r in history if t > now - down_window or t == now)
        return min(max(current, up_recommendation), down_recommendation)

    def _propose(self, metric: dict[str, Any], pods: list[dict[str, Any]], current: int, now: float) -> Proposal:
        kind = metric.get("type")
        if kind not in ("Resource", "ContainerResource"):
            api = "external" if kind == "External" else "custom"
            raise MetricError(
                f"FailedGet{kind}Metric",
                f"unable to get metric: unable to fetch metrics from {api} metrics API: "
                f"no {api} metrics API ({api}.metrics.k8s.io) registered",
            )
        source = metric.get("resource" if kind == "Resource" else "containerResource") or {}
        name, target = source.get("name", "cpu"), source.get("target") or {}
        only = source.get("container") if kind == "ContainerResource" else None
        usage, requests, ready, missing = self._measure(name, only, pods, now)
        try:
            if target.get("type") == "AverageValue":
                per_pod = _amount(name, target.get("averageValue", 0))
                ratio = (sum(usage) / len(usage)) / per_pod if per_pod else 0.0
                shown: dict[str, Any] = {"averageValue": _shown(name, sum(usage) / len(usage))}
                description = f"{name} resource"
            else:
                goal = float(target.get("averageUtilization") or 80)
                unit = 1000 if name == "cpu" else 1
                utilization = round(sum(usage) * unit) * 100 // max(round(sum(requests) * unit), 1)
                ratio = utilization / goal
                shown = {"averageUtilization": utilization, "averageValue": _shown(name, sum(usage) / len(usage))}
                description = f"{name} resource utilization (percentage of request)"
        except QuantityError as err:
            raise MetricError("FailedGetResourceMetric", f"invalid metric target: {err}") from err
        entry = {"name": name, "current": shown}
        if only:
            entry["container"] = only
        key = "resource" if kind == "Resource" else "containerResource"
        return Proposal(_replicas(ratio, ready, missing, current), {"type": kind, key: entry}, description)

    def _measure(
        self, name: str, only: str | None, pods: list[dict[str, Any]], now: float
    ) -> tuple[list[float], list[float], int, int]:
        """Usage and requests of the ready pods, how many are ready, and how many lack metrics."""
        moment = datetime.fromtimestamp(now, UTC)
        usage, requests, unready = [], [], 0
        for pod in pods:
            if pod.get("status", {}).get("phase") != "Running" or not is_ready(pod):
                unready += 1
                continue
            used = requested = 0.0
            for container in pod.get("spec", {}).get("containers") or []:
                if only and container.get("name") != only:
                    continue
                request = container_request(container, name)
                if request is None:
                    raise MetricError(
                        "FailedGetResourceMetric",
                        f"failed to get {name} utilization: missing request for {name} in container "
                        f"{container.get('name')} of Pod {pod['metadata']['name']}",
                    )
                sample = self._usage.container_usage(pod, container, moment)
                used += sample.cpu_cores if name == "cpu" else float(sample.memory_bytes)
                requested += request
            usage.append(used)
            requests.append(requested)
        if not usage or not sum(requests):
            raise MetricError(
                "FailedGetResourceMetric",
                f"failed to get {name} utilization: unable to get metrics for resource {name}: "
                "no metrics returned from resource metrics API",
            )
        return usage, requests, len(usage), unready


def _replicas(ratio: float, ready: int, unready: int, current: int) -> int:
    """The replica calculator: the ready pods' ratio, corrected for pods without metrics."""
    if unready == 0:
        if abs(ratio - 1.0) <= TOLERANCE:
            return current
        return math.ceil(ratio * ready)
    counted = ready + unready
    adjusted = ratio * ready / counted if ratio > 1.0 else (ratio * ready + unready) / counted
    if abs(adjusted - 1.0) <= TOLERANCE or (ratio < 1.0 < adjusted) or (ratio > 1.0 > adjusted):
        return current
    proposal = math.ceil(adjusted * (ready + unready))
    if (adjusted < 1.0 and proposal > current) or (adjusted > 1.0 and proposal < current):
        return current
    return proposal
