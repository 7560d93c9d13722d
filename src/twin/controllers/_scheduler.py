"""The scheduler: binds each pending pod to the node when its requests fit, else reports why not.

One node makes the default scheduler's filters short: the node must be schedulable, match the
pod's `nodeSelector`, and have the pod's CPU, memory and pod-count requests free in its
allocatable after the pods already bound (terminating pods still hold theirs). A pod that does not
fit stays Pending with `PodScheduled=False/Unschedulable` and a `FailedScheduling` event in the
scheduler's words, and is tried again whenever a pod leaves or the node changes.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import NODES, PODS, ApiError, QuantityError, Store, WatchEvent, labels_of, parse_bytes, parse_cpu
from ._events import EventRecorder
from ._pods import condition, is_terminating, pod_requests, set_condition
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

COMPONENT = "default-scheduler"
SCHEDULER_NAME = "default-scheduler"
RETRY_UNSCHEDULABLE = 60.0

Key = tuple[str, str]


def _unbound(pod: dict[str, Any]) -> bool:
    spec = pod.get("spec", {})
    return (
        not spec.get("nodeName")
        and not is_terminating(pod)
        and spec.get("schedulerName", SCHEDULER_NAME) == SCHEDULER_NAME
        and pod.get("status", {}).get("phase", "Pending") == "Pending"
    )


def _allocatable(node: dict[str, Any]) -> dict[str, float]:
    raw = node.get("status", {}).get("allocatable") or node.get("status", {}).get("capacity") or {}
    try:
        return {
            "cpu": parse_cpu(raw.get("cpu", 0)),
            "memory": float(parse_bytes(raw.get("memory", 0))),
            "pods": float(parse_cpu(raw.get("pods", 0))),
        }
    except QuantityError:
        return {"cpu": 0.0, "memory": 0.0, "pods": 0.0}


class Scheduler:
    """Binds pods to the twin's node."""

    def __init__(self, store: Store, recorder: EventRecorder) -> None:
        self._store = store
        self._recorder = recorder
        self._waiting: set[Key] = set()
        self.queue: WorkQueue[Key] = WorkQueue("scheduler", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        if event.resource_key == NODES.key:
            self._retry_waiting()
        elif event.resource_key == PODS.key:
            pod, metadata = event.object, event.object["metadata"]
            key = (metadata.get("namespace", ""), metadata["name"])
            if event.type != "DELETED" and _unbound(pod):
                if event.old is None or event.old.get("spec") != pod.get("spec"):
                    self.queue.add(key)
            elif event.type == "DELETED" or is_terminating(pod):
                self._waiting.discard(key)
                if pod.get("spec", {}).get("nodeName"):
                    self._retry_waiting()

    def _retry_waiting(self) -> None:
        for key in self._waiting:
            self.queue.add(key)

    def reconcile(self, key: Key) -> float | None:
        pod = self._store.peek(PODS, *key)
        if pod is None or not _unbound(pod):
            self._waiting.discard(key)
            return None
        nodes = list(self._store.iter(NODES))
        reasons: dict[str, int] = {}
        for node in nodes:
            why = self._misfit(pod, node)
            if not why:
                self._bind(pod, node)
                self._waiting.discard(key)
                return None
            for reason in why:
                reasons[reason] = reasons.get(reason, 0) + 1
        self._waiting.add(key)
        detail = ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        message = f"0/{len(nodes)} nodes are available: {detail}." if nodes else "no nodes available to schedule pods"
        self._unschedulable(key, pod, message)
        return RETRY_UNSCHEDULABLE

    def _misfit(self, pod: dict[str, Any], node: dict[str, Any]) -> list[str]:
        """Why `pod` cannot go to `node`, in the scheduler's filter wording (empty when it fits)."""
        if node.get("spec", {}).get("unschedulable"):
            return ["node(s) were unschedulable"]
        selector = pod.get("spec", {}).get("nodeSelector") or {}
        if any(labels_of(node).get(k) != v for k, v in selector.items()):
            return ["node(s) didn't match Pod's node affinity/selector"]
        free = _allocatable(node)
        name = node["metadata"]["name"]
        bound = [
            other
            for other in self._store.iter(PODS)
            if other.get("spec", {}).get("nodeName") == name
            and other.get("status", {}).get("phase") not in ("Succeeded", "Failed")
        ]
        free["pods"] -= len(bound)
        for other in bound:
            for resource, amount in pod_requests(other).items():
                free[resource] -= amount
        wanted = pod_requests(pod)
        reasons = []
        if free["pods"] < 1:
            reasons.append("Too many pods")
        for resource in ("cpu", "memory"):
            if wanted[resource] > free[resource] + 1e-9:
                reasons.append(f"Insufficient {resource}")
        return reasons

    def _bind(self, pod: dict[str, Any], node: dict[str, Any]) -> None:
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        node_name = node["metadata"]["name"]

        def assign(draft: dict[str, Any]) -> None:
            draft["spec"]["nodeName"] = node_name

        def scheduled(draft: dict[str, Any]) -> None:
            conditions = draft.setdefault("status", {}).setdefault("conditions", [])
            set_condition(conditions, "PodScheduled", "True", self._store.clock())

        self._store.mutate(PODS, namespace, name, assign)
        self._store.mutate(PODS, namespace, name, scheduled, subresource="status")
        self._recorder.record(
            self._store.peek(PODS, namespace, name) or pod,
            "Normal",
            "Scheduled",
            f"Successfully assigned {namespace}/{name} to {node_name}",
            COMPONENT,
        )
        logger.debug("bound %s/%s to %s", namespace, name, node_name)

    def _unschedulable(self, key: Key, pod: dict[str, Any], message: str) -> None:
        current = condition(pod, "PodScheduled")
        if current is None or current.get("status") != "False" or current.get("message") != message:

            def change(draft: dict[str, Any]) -> None:
                conditions = draft.setdefault("status", {}).setdefault("conditions", [])
                set_condition(conditions, "PodScheduled", "False", self._store.clock(), "Unschedulable", message)

            try:
                self._store.mutate(PODS, *key, change, subresource="status")
            except ApiError as err:
                if err.code != 404:
                    raise
                return
        self._recorder.record(pod, "Warning", "FailedScheduling", message, COMPONENT)
