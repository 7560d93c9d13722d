"""The ReplicaSet controller: keeps `spec.replicas` active pods and reports how many are ready and available.

It mirrors kube-controller-manager's: pods are created from the template with `generateName:
<rs>-` and a controller reference; surplus pods are deleted least valuable first (unscheduled,
pending, not ready, ready for the shortest time, most restarts, newest); pods being deleted or
finished do not count. Each create and delete posts the event `kubectl describe rs` shows.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import (
    PODS,
    REPLICASETS,
    ApiError,
    LabelSelector,
    SelectorError,
    Store,
    WatchEvent,
    clone,
    controller_ref,
    labels_of,
    parse_time,
)
from ._events import EventRecorder
from ._ownership import claim, controller_of
from ._pods import available_in, is_active, is_ready, is_terminating, ready_since
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

COMPONENT = "replicaset-controller"
_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}

Key = tuple[str, str]


def _deletion_rank(pod: dict[str, Any]) -> tuple[Any, ...]:
    """Sort key: the pod to delete first sorts first."""
    status = pod.get("status", {})
    restarts = sum(int(c.get("restartCount", 0)) for c in status.get("containerStatuses") or [])
    since = ready_since(pod)
    created = parse_time(pod["metadata"].get("creationTimestamp") or "1970-01-01T00:00:00Z")
    return (
        bool(pod.get("spec", {}).get("nodeName")),
        _PHASE_RANK.get(status.get("phase", "Pending"), 0),
        is_ready(pod),
        -(since or 0.0),
        -restarts,
        -created,
    )


class ReplicaSetController:
    """Reconciles ReplicaSets against their pods."""

    def __init__(self, store: Store, recorder: EventRecorder) -> None:
        self._store = store
        self._recorder = recorder
        self.queue: WorkQueue[Key] = WorkQueue("replicaset", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        if event.resource_key == REPLICASETS.key:
            self.queue.add((event.object["metadata"]["namespace"], event.object["metadata"]["name"]))
        elif event.resource_key == PODS.key:
            for pod in (event.object, event.old):
                if pod is not None:
                    self._enqueue_owner(pod)

    def _enqueue_owner(self, pod: dict[str, Any]) -> None:
        namespace = pod["metadata"].get("namespace", "")
        ref = controller_of(pod)
        if ref is not None:
            if ref.get("kind") == "ReplicaSet":
                self.queue.add((namespace, ref["name"]))
            return
        for rs in self._store.iter(REPLICASETS, namespace):
            if _selector(rs).matches(labels_of(pod)):
                self.queue.add((namespace, rs["metadata"]["name"]))

    def reconcile(self, key: Key) -> float | None:
        rs = self._store.peek(REPLICASETS, *key)
        if rs is None:
            return None
        selector = _selector(rs)
        pods = claim(self._store, PODS, rs, selector.matches)
        active = [pod for pod in pods if is_active(pod)]
        if not is_terminating(rs):
            wanted = int(rs.get("spec", {}).get("replicas", 1))
            if len(active) < wanted:
                active += self._create_pods(rs, wanted - len(active))
            elif len(active) > wanted:
                active = self._delete_pods(rs, active, len(active) - wanted)
        return self._write_status(key, active)

    def _create_pods(self, rs: dict[str, Any], count: int) -> list[dict[str, Any]]:
        template = rs.get("spec", {}).get("template") or {}
        template_meta = template.get("metadata") or {}
        created = []
        for _ in range(count):
            pod = {
                "metadata": {
                    "generateName": f"{rs['metadata']['name']}-",
                    "namespace": rs["metadata"]["namespace"],
                    "labels": clone(template_meta.get("labels") or {}),
                    "ownerReferences": [controller_ref(rs)],
                },
                "spec": clone(template.get("spec") or {}),
            }
            if template_meta.get("annotations"):
                pod["metadata"]["annotations"] = clone(template_meta["annotations"])
            try:
                new = self._store.create(PODS, pod)
            except ApiError as err:
                self._recorder.record(rs, "Warning", "FailedCreate", f"Error creating: {err.message}", COMPONENT)
                raise
            name = new["metadata"]["name"]
            self._recorder.record(rs, "Normal", "SuccessfulCreate", f"Created pod: {name}", COMPONENT)
            created.append(new)
        return created

    def _delete_pods(self, rs: dict[str, Any], active: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
        ranked = sorted(active, key=_deletion_rank)
        for pod in ranked[:count]:
            name = pod["metadata"]["name"]
            try:
                self._store.delete(PODS, pod["metadata"]["namespace"], name)
            except ApiError as err:
                if err.code != 404:
                    raise
            self._recorder.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {name}", COMPONENT)
        return ranked[count:]

    def _write_status(self, key: Key, active: list[dict[str, Any]]) -> float | None:
        rs = self._store.peek(REPLICASETS, *key)
        if rs is None:
            return None
        spec = rs.get("spec", {})
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = self._store.clock()
        template_labels = LabelSelector.from_labels((spec.get("template") or {}).get("metadata", {}).get("labels"))
        available, recheck = 0, None
        for pod in active:
            wait = available_in(pod, min_ready, now)
            if wait == 0:
                available += 1
            elif wait is not None:
                recheck = wait if recheck is None else min(recheck, wait)
        status: dict[str, Any] = {
            "replicas": len(active),
            "fullyLabeledReplicas": sum(1 for pod in active if template_labels.matches(labels_of(pod))),
            "readyReplicas": sum(1 for pod in active if is_ready(pod)),
            "availableReplicas": available,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        for field in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
            if not status[field]:
                del status[field]
        if rs.get("status") != status:

            def change(draft: dict[str, Any]) -> None:
                draft["status"] = status

            self._store.mutate(REPLICASETS, *key, change, subresource="status")
        return recheck


def _selector(rs: dict[str, Any]) -> LabelSelector:
    try:
        return LabelSelector.from_spec(rs.get("spec", {}).get("selector"))
    except SelectorError:
        return LabelSelector(matches_nothing=True)
