"""The Deployment controller: ReplicaSets per pod template, rolling and recreate rollouts, rollout status.

It follows kube-controller-manager's `deployment` package closely, because `kubectl rollout
status/history/undo/restart/pause` read and write exactly these objects: one ReplicaSet per pod
template named `<deployment>-<pod-template-hash>`, `deployment.kubernetes.io/revision` on both
sides (a template that returns re-uses its old ReplicaSet, which takes the next revision), the
`Available` and `Progressing` conditions with their reasons, and `ScalingReplicaSet` events. The
sizes come from the pure functions in `_rollout`; this module reads the store and writes to it.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import (
    DEPLOYMENTS,
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
    rfc3339,
)
from . import _rollout as ro
from ._events import EventRecorder
from ._ownership import claim, controller_of, controller_uid
from ._pods import condition, is_terminating
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

COMPONENT = "deployment-controller"
CONDITION_ORDER = {"Available": 0, "Progressing": 1, "ReplicaFailure": 2}

Key = tuple[str, str]


class DeploymentController:
    """Reconciles Deployments into ReplicaSets and reports rollout progress."""

    def __init__(self, store: Store, recorder: EventRecorder) -> None:
        self._store = store
        self._recorder = recorder
        self.queue: WorkQueue[Key] = WorkQueue("deployment", self.reconcile)

    # --- what to reconcile -----------------------------------------------------------------------

    def on_change(self, event: WatchEvent) -> None:
        metadata = event.object["metadata"]
        if event.resource_key == DEPLOYMENTS.key:
            self.queue.add((metadata["namespace"], metadata["name"]))
        elif event.resource_key == REPLICASETS.key:
            for rs in (event.object, event.old):
                if rs is not None:
                    self._enqueue_owner(rs)
        elif event.resource_key == PODS.key and event.type == "DELETED":
            ref = controller_of(event.object)
            rs = self._store.peek(REPLICASETS, metadata["namespace"], ref["name"]) if ref else None
            if rs is not None:
                self._enqueue_owner(rs)

    def _enqueue_owner(self, rs: dict[str, Any]) -> None:
        namespace = rs["metadata"]["namespace"]
        ref = controller_of(rs)
        if ref is not None:
            if ref.get("kind") == "Deployment":
                self.queue.add((namespace, ref["name"]))
            return
        for deployment in self._store.iter(DEPLOYMENTS, namespace):
            if _selector(deployment).matches(labels_of(rs)):
                self.queue.add((namespace, deployment["metadata"]["name"]))

    # --- reconcile -------------------------------------------------------------------------------

    def reconcile(self, key: Key) -> float | None:
        deployment = self._store.peek(DEPLOYMENTS, *key)
        if deployment is None:
            return None
        if is_terminating(deployment):
            return self._write_status(key, progress=False)
        claim(self._store, REPLICASETS, deployment, _selector(deployment).matches)
        self._check_paused(key)
        deployment = self._deployment(key)
        if deployment["spec"].get("paused") or ro.is_scaling_event(deployment, self._owned(deployment)):
            return self._sync(key, cleanup=bool(deployment["spec"].get("paused")))
        if ro.is_rolling(deployment):
            return self._roll(key)
        return self._recreate(key)

    def _deployment(self, key: Key) -> dict[str, Any]:
        found = self._store.peek(DEPLOYMENTS, *key)
        if found is None:
            raise ApiError(404, "NotFound", f'deployments.apps "{key[1]}" not found')
        return found

    def _owned(self, deployment: dict[str, Any]) -> list[dict[str, Any]]:
        uid = deployment["metadata"]["uid"]
        namespace = deployment["metadata"]["namespace"]
        return [rs for rs in self._store.iter(REPLICASETS, namespace) if controller_uid(rs) == uid]

    def _split(self, key: Key) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The ReplicaSet running the current template (the oldest such) and all the others."""
        deployment = self._deployment(key)
        owned = sorted(self._owned(deployment), key=_created)
        new = next((rs for rs in owned if ro.same_template(rs, deployment)), None)
        return new, [rs for rs in owned if rs is not new]

    def _sync(self, key: Key, *, cleanup: bool) -> float | None:
        """Paused, or replicas changed: resize the ReplicaSets that exist, without rolling."""
        new, old = self._split(key)
        if new is not None:
            self._sync_new(key, new, old)
        self._resize(key)
        if cleanup:
            self._cleanup(key)
        return self._write_status(key, progress=False)

    def _roll(self, key: Key) -> float | None:
        new = self._new_replicaset(key)
        if new is None:
            return self._write_status(key, progress=True)
        deployment = self._deployment(key)
        new, old = self._split(key)
        assert new is not None
        target = ro.rolling_new_replicas(deployment, [new, *old], new)
        if target != ro.replicas(new):
            self._scale(deployment, new, target)
            return self._write_status(key, progress=True)
        sizes = ro.rolling_scale_down(deployment, [new, *old], old, new)
        for rs in old:
            if rs["metadata"]["name"] in sizes:
                self._scale(deployment, rs, sizes[rs["metadata"]["name"]])
        if not sizes and _complete(deployment, self._status(key)):
            self._cleanup(key)
        return self._write_status(key, progress=True)

    def _recreate(self, key: Key) -> float | None:
        deployment = self._deployment(key)
        new, old = self._split(key)
        active_old = [rs for rs in old if ro.replicas(rs) > 0]
        for rs in active_old:
            self._scale(deployment, rs, 0)
        if active_old or self._old_pods_running(old):
            return self._write_status(key, progress=True)
        if new is None:
            new = self._new_replicaset(key)
            if new is None:
                return self._write_status(key, progress=True)
        else:
            self._sync_new(key, new, old)
        deployment = self._deployment(key)
        new = self._store.peek(REPLICASETS, deployment["metadata"]["namespace"], new["metadata"]["name"]) or new
        if ro.replicas(new) != ro.replicas(deployment):
            self._scale(deployment, new, ro.replicas(deployment))
        elif _complete(deployment, self._status(key)):
            self._cleanup(key)
        return self._write_status(key, progress=True)

    def _old_pods_running(self, old: list[dict[str, Any]]) -> bool:
        """Whether any pod of an old ReplicaSet still exists unfinished (terminating ones count)."""
        if not old:
            return False
        uids = {rs["metadata"]["uid"] for rs in old}
        return any(
            controller_uid(pod) in uids and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
            for pod in self._store.iter(PODS, old[0]["metadata"]["namespace"])
        )

    # --- ReplicaSets -----------------------------------------------------------------------------

    def _new_replicaset(self, key: Key) -> dict[str, Any] | None:
        """The ReplicaSet of the current template, created (or given the next revision) as needed."""
        new, old = self._split(key)
        if new is not None:
            return self._sync_new(key, new, old)
        deployment = self._deployment(key)
        collisions = int(deployment.get("status", {}).get("collisionCount") or 0)
        template = deployment["spec"].get("template") or {}
        suffix = ro.template_hash(template, collisions)
        name = f"{deployment['metadata']['name']}-{suffix}"
        labels = {**(template.get("metadata", {}).get("labels") or {}), ro.HASH_LABEL: suffix}
        rs_template = clone(template)
        rs_template.setdefault("metadata", {})["labels"] = dict(labels)
        selector = clone(deployment["spec"].get("selector") or {})
        selector.setdefault("matchLabels", {})[ro.HASH_LABEL] = suffix
        annotations = ro.copied_annotations(deployment)
        annotations[ro.REVISION] = str(max((ro.revision(rs) for rs in old), default=0) + 1)
        ro.sized_annotations(deployment, annotations)
        size = ro.replicas(deployment)
        if ro.is_rolling(deployment):
            size = ro.rolling_new_replicas(deployment, old, {"spec": {"replicas": 0}})
        spec: dict[str, Any] = {"replicas": size, "selector": selector, "template": rs_template}
        if deployment["spec"].get("minReadySeconds"):
            spec["minReadySeconds"] = deployment["spec"]["minReadySeconds"]
        rs = {
            "metadata": {
                "name": name,
                "namespace": deployment["metadata"]["namespace"],
                "labels": labels,
                "annotations": annotations,
                "ownerReferences": [controller_ref(deployment)],
            },
            "spec": spec,
        }
        try:
            created = self._store.create(REPLICASETS, rs)
        except ApiError as err:
            if err.code != 409:
                raise
            self._bump_collisions(key, collisions)
            return None
        if size > 0:
            self._recorder.record(
                deployment, "Normal", "ScalingReplicaSet", f"Scaled up replica set {name} to {size}", COMPONENT
            )
        self._set_revision(key, annotations[ro.REVISION])
        self._progressing(key, "True", "NewReplicaSetCreated", f'Created new replica set "{name}"')
        return created

    def _sync_new(self, key: Key, new: dict[str, Any], old: list[dict[str, Any]]) -> dict[str, Any]:
        """Give the current ReplicaSet the Deployment's annotations and the next revision if it lags."""
        deployment = self._deployment(key)
        wanted = max((ro.revision(rs) for rs in old), default=0) + 1
        current = ro.revision(new)
        min_ready = deployment["spec"].get("minReadySeconds") or 0

        def change(rs: dict[str, Any]) -> None:
            annotations = rs["metadata"].setdefault("annotations", {})
            annotations.update(ro.copied_annotations(deployment))
            if current < wanted:
                annotations[ro.REVISION] = str(wanted)
                if current:
                    history = annotations.get(ro.REVISION_HISTORY)
                    annotations[ro.REVISION_HISTORY] = f"{history},{current}" if history else str(current)
            if min_ready:
                rs["spec"]["minReadySeconds"] = min_ready
            else:
                rs["spec"].pop("minReadySeconds", None)

        namespace, name = new["metadata"]["namespace"], new["metadata"]["name"]
        updated = self._store.mutate(REPLICASETS, namespace, name, change)
        self._set_revision(key, updated["metadata"]["annotations"][ro.REVISION])
        if condition(self._deployment(key), "Progressing") is None:
            self._progressing(key, "True", "FoundNewReplicaSet", f'Found new replica set "{name}"')
        return updated

    def _scale(self, deployment: dict[str, Any], rs: dict[str, Any], size: int) -> None:
        previous = ro.replicas(rs)

        def change(draft: dict[str, Any]) -> None:
            draft["spec"]["replicas"] = size
            ro.sized_annotations(deployment, draft["metadata"].setdefault("annotations", {}))

        self._store.mutate(REPLICASETS, rs["metadata"]["namespace"], rs["metadata"]["name"], change)
        if size != previous:
            direction = "up" if size > previous else "down"
            self._recorder.record(
                deployment,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {direction} replica set {rs['metadata']['name']} to {size} from {previous}",
                COMPONENT,
            )

    def _resize(self, key: Key) -> None:
        """Size the ReplicaSets for a changed `replicas`: one active one directly, several proportionally."""
        deployment = self._deployment(key)
        new, old = self._split(key)
        everything = [rs for rs in (new, *old) if rs is not None]
        active = [rs for rs in everything if ro.replicas(rs) > 0]
        if len(active) <= 1:
            single = active[0] if active else (new or (sorted(old, key=_created)[-1] if old else None))
            if single is not None and (
                ro.replicas(single) != ro.replicas(deployment) or ro.is_scaling_event(deployment, [single])
            ):
                self._scale(deployment, single, ro.replicas(deployment))
            return
        if new is not None and _saturated(deployment, new):
            for rs in old:
                if ro.replicas(rs) > 0:
                    self._scale(deployment, rs, 0)
            return
        sizes = ro.proportional_sizes(deployment, active, new)
        for rs in active:
            self._scale(deployment, rs, sizes.get(rs["metadata"]["name"], ro.replicas(rs)))

    def _cleanup(self, key: Key) -> None:
        """Delete the oldest idle ReplicaSets beyond `revisionHistoryLimit`."""
        deployment = self._deployment(key)
        limit = deployment["spec"].get("revisionHistoryLimit")
        if limit is None:
            return
        _, old = self._split(key)
        alive = sorted((rs for rs in old if not is_terminating(rs)), key=ro.revision)
        for rs in alive[: max(len(alive) - int(limit), 0)]:
            status = rs.get("status", {})
            if (
                ro.replicas(rs)
                or status.get("replicas")
                or status.get("observedGeneration", 0) < rs["metadata"].get("generation", 1)
            ):
                continue
            logger.debug("deleting old replica set %s/%s", rs["metadata"]["namespace"], rs["metadata"]["name"])
            self._store.delete(REPLICASETS, rs["metadata"]["namespace"], rs["metadata"]["name"])

    # --- status ----------------------------------------------------------------------------------

    def _set_revision(self, key: Key, revision: str) -> None:
        if (self._deployment(key)["metadata"].get("annotations") or {}).get(ro.REVISION) == revision:
            return

        def change(draft: dict[str, Any]) -> None:
            draft["metadata"].setdefault("annotations", {})[ro.REVISION] = revision

        self._store.mutate(DEPLOYMENTS, *key, change)

    def _bump_collisions(self, key: Key, collisions: int) -> None:
        def change(draft: dict[str, Any]) -> None:
            draft.setdefault("status", {})["collisionCount"] = collisions + 1

        self._store.mutate(DEPLOYMENTS, *key, change, subresource="status")

    def _progressing(self, key: Key, status: str, reason: str, message: str) -> None:
        def change(draft: dict[str, Any]) -> None:
            conditions = draft.setdefault("status", {}).setdefault("conditions", [])
            _set_condition(conditions, "Progressing", status, reason, message, self._store.clock())

        self._store.mutate(DEPLOYMENTS, *key, change, subresource="status")

    def _check_paused(self, key: Key) -> None:
        deployment = self._deployment(key)
        current = condition(deployment, "Progressing")
        reason = (current or {}).get("reason")
        if deployment["spec"].get("paused") and reason != "DeploymentPaused":
            self._progressing(key, "Unknown", "DeploymentPaused", "Deployment is paused")
        elif not deployment["spec"].get("paused") and reason == "DeploymentPaused":
            self._progressing(key, "Unknown", "DeploymentResumed", "Deployment is resumed")

    def _status(self, key: Key) -> dict[str, Any]:
        """The counts of `calculateStatus`, from the owned ReplicaSets as they are now."""
        deployment = self._deployment(key)
        new, old = self._split(key)
        everything = [rs for rs in (new, *old) if rs is not None]
        available = sum(ro.status_count(rs, "availableReplicas") for rs in everything)
        counts = {
            "observedGeneration": deployment["metadata"].get("generation", 1),
            "replicas": sum(ro.status_count(rs, "replicas") for rs in everything),
            "updatedReplicas": ro.status_count(new, "replicas") if new else 0,
            "readyReplicas": sum(ro.status_count(rs, "readyReplicas") for rs in everything),
            "availableReplicas": available,
            "unavailableReplicas": max(ro.replicas(deployment) - available, 0),
        }
        return counts

    def _write_status(self, key: Key, *, progress: bool) -> float | None:
        """Write counts and conditions; returns when to look again for a progress deadline."""
        deployment = self._deployment(key)
        previous = deployment.get("status", {})
        counts = self._status(key)
        now = self._store.clock()
        new, _ = self._split(key)
        status: dict[str, Any] = {k: v for k, v in counts.items() if v}
        if previous.get("collisionCount"):
            status["collisionCount"] = previous["collisionCount"]
        conditions = clone(previous.get("conditions") or [])
        if counts["availableReplicas"] >= ro.replicas(deployment) - ro.max_unavailable(deployment):
            _set_condition(
                conditions, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now
            )
        else:
            _set_condition(
                conditions,
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                now,
            )
        recheck = None
        deadline = deployment["spec"].get("progressDeadlineSeconds")
        if progress and deadline is not None:
            recheck = self._progress(deployment, counts, previous, conditions, new, float(deadline), now)
        conditions.sort(key=lambda c: CONDITION_ORDER.get(c.get("type", ""), len(CONDITION_ORDER)))
        status["conditions"] = conditions
        if status != previous:

            def change(draft: dict[str, Any]) -> None:
                draft["status"] = status

            self._store.mutate(DEPLOYMENTS, *key, change, subresource="status")
        return recheck

    def _progress(
        self,
        deployment: dict[str, Any],
        counts: dict[str, Any],
        previous: dict[str, Any],
        conditions: list[dict[str, Any]],
        new: dict[str, Any] | None,
        deadline: float,
        now: float,
    ) -> float | None:
        current = next((c for c in conditions if c.get("type") == "Progressing"), None)
        settled = (current or {}).get("reason") == "NewReplicaSetAvailable"
        if settled and counts["replicas"] == counts["updatedReplicas"]:
            return None
        name = new["metadata"]["name"] if new else ""
        if _complete(deployment, counts):
            _set_condition(
                conditions,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{name}" has successfully progressed.',
                now,
            )
            return None
        if _progressed(previous, counts):
            message = f'ReplicaSet "{name}" is progressing.' if new else "Deployment is progressing."
            _set_condition(conditions, "Progressing", "True", "ReplicaSetUpdated", message, now, force=True)
            return deadline
        if current is None or current.get("reason") == "ProgressDeadlineExceeded":
            return None
        remaining = parse_time(current.get("lastUpdateTime") or rfc3339(now)) + deadline - now
        if remaining < 0:
            _set_condition(
                conditions,
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                f'ReplicaSet "{name}" has timed out progressing.',
                now,
            )
            return None
        return remaining + 1.0


def _set_condition(
    conditions: list[dict[str, Any]],
    kind: str,
    status: str,
    reason: str,
    message: str,
    now: float,
    *,
    force: bool = False,
) -> None:
    """`SetDeploymentCondition`: same status and reason is no change unless `force` (progress)."""
    stamp = rfc3339(now)
    wanted = {
        "type": kind,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }
    for index, current in enumerate(conditions):
        if current.get("type") != kind:
            continue
        if current.get("status") == status and current.get("reason") == reason and not force:
            return
        if current.get("status") == status:
            wanted["lastTransitionTime"] = current.get("lastTransitionTime", stamp)
        conditions[index] = wanted
        return
    conditions.append(wanted)


def _complete(deployment: dict[str, Any], counts: dict[str, Any]) -> bool:
    wanted = ro.replicas(deployment)
    return bool(
        counts["updatedReplicas"] == wanted
        and counts["replicas"] == wanted
        and counts["availableReplicas"] == wanted
        and counts["observedGeneration"] >= deployment["metadata"].get("generation", 1)
    )


def _progressed(previous: dict[str, Any], counts: dict[str, Any]) -> bool:
    """`DeploymentProgressing`: more updated, ready or available pods, or fewer old ones."""
    old_before = int(previous.get("replicas") or 0) - int(previous.get("updatedReplicas") or 0)
    old_now = counts["replicas"] - counts["updatedReplicas"]
    return bool(
        counts["updatedReplicas"] > int(previous.get("updatedReplicas") or 0)
        or old_now < old_before
        or counts["readyReplicas"] > int(previous.get("readyReplicas") or 0)
        or counts["availableReplicas"] > int(previous.get("availableReplicas") or 0)
    )


def _saturated(deployment: dict[str, Any], rs: dict[str, Any]) -> bool:
    wanted = ro.replicas(deployment)
    desired = (rs["metadata"].get("annotations") or {}).get(ro.DESIRED_REPLICAS)
    return ro.replicas(rs) == wanted and desired == str(wanted) and ro.status_count(rs, "availableReplicas") == wanted


def _created(rs: dict[str, Any]) -> tuple[str, str]:
    return rs["metadata"].get("creationTimestamp") or "", rs["metadata"]["name"]


def _selector(deployment: dict[str, Any]) -> LabelSelector:
    try:
        return LabelSelector.from_spec(deployment.get("spec", {}).get("selector"))
    except SelectorError:
        return LabelSelector(matches_nothing=True)
