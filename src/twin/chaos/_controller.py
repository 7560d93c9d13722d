"""`ChaosController`: Chaos Mesh's controller manager for PodChaos, StressChaos and NetworkChaos.

Chaos Mesh runs four steps per experiment (finalizers, desired phase, conditions, records); here
they are one level-based reconcile in the twin's controller pattern: a store listener queues keys,
a `WorkQueue` worker reconciles them, and a duration is a delayed requeue, never a sleep.

- Finalizer `chaos-mesh/records` is added on first sight, so deleting an experiment waits until it
  has recovered every target, then the finalizer goes and the store removes the object.
- The desired phase is Run, or Stop once deleted, timed out (`spec.duration`, from creation) or
  paused (annotation `experiment.chaos-mesh.org/pause: "true"`). pod-kill and container-kill are
  one-shot and stay Run, as in Chaos Mesh.
- Targets are selected once, when records do not exist yet, and kept in the records; every record
  then moves towards the desired phase (apply or recover), with an Event for each step.

Effects reach the Sock Shop model through `FaultTarget.runtime(uid).faults`. A pod's lasting
faults are recomputed from every experiment holding it (`_effects.combine`) on each change, so
recovery is exact and stacking is well defined; pod events re-apply them, which covers a pod whose
runtime the model creates after injection. Only the model changes: no pod object is rewritten.

Own status writes are not reconciled again (a status-only change cannot change the desired
state), which keeps one Event per transition instead of one per write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..controllers import EventRecorder, WorkQueue
from ..shop import Faults, PodRuntime
from ..store import NODES, PODS, RESOURCES, ResourceType, Store, WatchEvent, clone, parse_time
from . import _status as st
from ._effects import assign, combine, contribution, is_one_shot, memory_limit
from ._select import SelectionError, Target, node_index, select_targets, target_from_id
from ._validation import parse_go_duration

logger = logging.getLogger(__name__)

FINALIZER = "chaos-mesh/records"
CHAOS_KINDS: dict[str, ResourceType] = {r.key: r for r in RESOURCES if r.group == "chaos-mesh.org"}
CREATION_PRECISION = 1.0
"""creationTimestamp has whole seconds, so the true creation lies within the second after it."""

Key = tuple[str, str, str]
"""(resource key, namespace, name) of an experiment, or (pods key, "", uid) to re-apply one pod."""


class FaultTarget(Protocol):
    """The performance model as the chaos controller sees it (`ShopModel` is one)."""

    def runtime(self, uid: str) -> PodRuntime | None:
        """The running pod's model, or None while (or if) the model does not run it."""
        ...


@dataclass
class _Experiment:
    """What the controller keeps about one experiment beyond its status."""

    uid: str
    started: float
    targets: dict[str, Target] = field(default_factory=dict)
    selection_error: str | None = None


class ChaosController:
    """Reconciles Chaos Mesh experiments into the model's per-pod `Faults`.

    Construct it on the store's running loop (its `WorkQueue` binds to the loop), then `start()`.
    """

    def __init__(
        self, store: Store, model: FaultTarget, recorder: EventRecorder, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._model = model
        self._recorder = recorder
        self._clock = clock
        self._experiments: dict[Key, _Experiment] = {}
        self._holding: dict[str, dict[Key, Faults]] = {}
        """pod uid -> experiment key -> that experiment's lasting `Faults` contribution."""
        self.queue: WorkQueue[Key] = WorkQueue("chaos-controller", self.reconcile)

    def start(self) -> None:
        """Follow the store and take up existing experiments (call on the store's loop)."""
        self._store.add_listener(self.on_change)
        self.queue.start()
        for resource in CHAOS_KINDS.values():
            for obj in self._store.iter(resource):
                self.queue.add((resource.key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
        logger.info("chaos controller started")

    async def stop(self) -> None:
        await self.queue.stop()

    def on_change(self, event: WatchEvent) -> None:
        metadata = event.object["metadata"]
        if event.resource_key == PODS.key:
            if metadata["uid"] in self._holding:
                self.queue.add((PODS.key, "", metadata["uid"]))
        elif event.resource_key in CHAOS_KINDS and not st.status_only(event):
            self.queue.add((event.resource_key, metadata.get("namespace", ""), metadata["name"]))

    # --- reconcile -------------------------------------------------------------------------------

    def reconcile(self, key: Key) -> float | None:
        if key[0] == PODS.key:
            self._sync_pods({key[2]})
            return None
        resource = CHAOS_KINDS[key[0]]
        obj = self._store.peek(resource, key[1], key[2])
        if obj is None:
            self._forget(key)
            return None
        experiment = self._experiment(key, obj)
        if not obj["metadata"].get("deletionTimestamp") and FINALIZER not in (obj["metadata"].get("finalizers") or []):
            obj = self._add_finalizer(resource, obj)
        now = self._clock()
        status = clone(obj.get("status") or {})
        progress = status.setdefault("experiment", {})
        desired, wake = self._desired_phase(obj, progress.get("desiredPhase"), experiment, now)
        progress["desiredPhase"] = desired
        records = progress.get("containerRecords")
        if records is None:
            records = self._select(obj, experiment)
            if records is not None:
                progress["containerRecords"] = records
        touched: set[str] = set()
        for record in records or []:
            target = experiment.targets.get(record["id"])
            if target is None:
                target = experiment.targets[record["id"]] = self._recorded_target(record["id"])
            if desired == st.RUN and record.get("phase") != st.INJECTED:
                self._apply(key, obj, target, record, now, touched)
            elif desired == st.STOP and record.get("phase") != st.NOT_INJECTED:
                self._recover(key, obj, target, record, now, touched)
        self._sync_pods(touched)
        status["conditions"] = st.conditions(records, st.is_paused(obj), experiment.selection_error)
        self._write_status(resource, obj, status)
        if obj["metadata"].get("deletionTimestamp") and all(r.get("phase") == st.NOT_INJECTED for r in records or []):
            self._remove_finalizer(resource, obj)
            return None
        return wake

    def _experiment(self, key: Key, obj: dict[str, Any]) -> _Experiment:
        """The controller's memory of an experiment; a new uid under an old name starts afresh."""
        experiment = self._experiments.get(key)
        uid = obj["metadata"]["uid"]
        if experiment is None or experiment.uid != uid:
            if experiment is not None:
                self._forget(key)
            created = parse_time(obj["metadata"]["creationTimestamp"])
            experiment = _Experiment(uid, min(self._clock(), created + CREATION_PRECISION))
            self._experiments[key] = experiment
        return experiment

    def _desired_phase(
        self, obj: dict[str, Any], previous: str | None, experiment: _Experiment, now: float
    ) -> tuple[str, float | None]:
        """Chaos Mesh's `CalcDesiredPhase`: the phase, and when the duration will end it."""
        spec = obj.get("spec") or {}
        wake: float | None = None
        if obj["metadata"].get("deletionTimestamp"):
            phase, reason, message = st.STOP, "Deleted", "Experiment has been deleted"
        elif is_one_shot(obj["kind"], spec):
            phase, reason, message = st.RUN, "Started", "Experiment has started"
        else:
            remaining = None
            if spec.get("duration"):
                remaining = experiment.started + parse_go_duration(str(spec["duration"])) - now
            if remaining is not None and remaining <= 0:
                phase, reason, message = st.STOP, "TimeUp", "Time up according to the duration"
            elif st.is_paused(obj):
                phase, reason, message, wake = st.STOP, "Paused", "Experiment has been paused", remaining
            else:
                phase, reason, message, wake = st.RUN, "Started", "Experiment has started", remaining
        if phase != previous:
            self._recorder.record(obj, "Normal", reason, message, "desiredphase")
            self._recorder.record(
                obj, "Normal", "Updated", "Successfully update desiredPhase of resource", "desiredphase"
            )
        return phase, wake

    def _select(self, obj: dict[str, Any], experiment: _Experiment) -> list[dict[str, Any]] | None:
        spec = obj.get("spec") or {}
        per_container = obj["kind"] == "StressChaos" or spec.get("action") == "container-kill"
        try:
            targets = select_targets(
                self._store.iter(PODS),
                node_index(self._store.iter(NODES)),
                spec,
                obj["metadata"].get("namespace", ""),
                self._store.rng,
                per_container=per_container,
            )
        except SelectionError as err:
            experiment.selection_error = str(err)
            self._recorder.record(obj, "Warning", "Failed", f"Failed to select targets: {err}", "records")
            logger.info("%s: %s", _name(obj), err)
            return None
        experiment.selection_error = None
        experiment.targets = {target.id: target for target in targets}
        return [st.new_record(target.id) for target in targets]

    def _recorded_target(self, record_id: str) -> Target:
        """A record written before this controller ran: its pod as it is now (uid "" when gone)."""
        target = target_from_id(record_id, "")
        pod = self._store.peek(PODS, target.namespace, target.pod)
        return target_from_id(record_id, pod["metadata"]["uid"] if pod else "")

    # --- apply and recover -----------------------------------------------------------------------

    def _apply(
        self, key: Key, obj: dict[str, Any], target: Target, record: dict[str, Any], now: float, touched: set[str]
    ) -> None:
        spec = obj.get("spec") or {}
        pod = self._store.peek(PODS, target.namespace, target.pod)
        error = None
        if pod is None or pod["metadata"]["uid"] != target.uid:
            error = f'pods "{target.pod}" not found'
        elif spec.get("action") == "pod-kill" and obj["kind"] == "PodChaos":
            self._store.delete(PODS, target.namespace, target.pod, grace_seconds=float(spec.get("gracePeriod") or 0))
        elif spec.get("action") == "container-kill" and obj["kind"] == "PodChaos":
            error = self._kill_container(target)
        else:
            limit = memory_limit(pod, target.container)
            self._holding.setdefault(target.uid, {})[key] = contribution(obj["kind"], spec, limit, _name(obj))
            touched.add(target.uid)
        st.note(record, "Apply", now, error)
        if error:
            self._recorder.record(obj, "Warning", "Failed", f"Failed to apply chaos: {error}", "records")
            return
        logger.info("%s: injected into %s", _name(obj), target.id)
        self._recorder.record(obj, "Normal", "Applied", f"Successfully apply chaos for {target.id}", "records")

    def _kill_container(self, target: Target) -> str | None:
        runtime = self._model.runtime(target.uid)
        if runtime is None:
            return f'container "{target.container}" of pod {target.namespace}/{target.pod} is not running'
        if target.container == runtime.container:
            runtime.faults.kills += 1
        else:
            logger.info("container-kill of %s: only the main container (%s) is modelled", target.id, runtime.container)
        return None

    def _recover(
        self, key: Key, obj: dict[str, Any], target: Target, record: dict[str, Any], now: float, touched: set[str]
    ) -> None:
        """Take the experiment's contribution off the pod; a pod that is gone counts as recovered."""
        if self._holding.get(target.uid, {}).pop(key, None) is not None:
            touched.add(target.uid)
        st.note(record, "Recover", now)
        logger.info("%s: recovered %s", _name(obj), target.id)
        self._recorder.record(obj, "Normal", "Recovered", f"Successfully recover chaos for {target.id}", "records")

    def _forget(self, key: Key) -> None:
        """The experiment is gone (or replaced): drop whatever it still held."""
        self._experiments.pop(key, None)
        touched = {uid for uid, held in self._holding.items() if held.pop(key, None) is not None}
        self._sync_pods(touched)

    def _sync_pods(self, uids: set[str]) -> None:
        """Set each pod's lasting faults from every experiment that holds it."""
        for uid in uids:
            held = self._holding.get(uid) or {}
            runtime = self._model.runtime(uid)
            if runtime is not None:
                assign(runtime.faults, combine(held.values()))
            if not held:
                self._holding.pop(uid, None)

    # --- writes ----------------------------------------------------------------------------------

    def _add_finalizer(self, resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        def add(draft: dict[str, Any]) -> None:
            draft["metadata"]["finalizers"] = [*(draft["metadata"].get("finalizers") or []), FINALIZER]

        self._recorder.record(obj, "Normal", "FinalizerInited", "Finalizer has been inited", "finalizers")
        updated = self._store.mutate(resource, obj["metadata"]["namespace"], obj["metadata"]["name"], add)
        self._recorder.record(updated, "Normal", "Updated", "Successfully update finalizer of resource", "finalizers")
        return updated

    def _remove_finalizer(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        if FINALIZER not in (obj["metadata"].get("finalizers") or []):
            return

        def drop(draft: dict[str, Any]) -> None:
            draft["metadata"]["finalizers"] = [f for f in draft["metadata"].get("finalizers") or [] if f != FINALIZER]

        self._recorder.record(obj, "Normal", "FinalizerRemoved", "Finalizer has been removed", "finalizers")
        self._store.mutate(resource, obj["metadata"]["namespace"], obj["metadata"]["name"], drop)

    def _write_status(self, resource: ResourceType, obj: dict[str, Any], status: dict[str, Any]) -> None:
        if status == (obj.get("status") or {}):
            return
        old_records = ((obj.get("status") or {}).get("experiment") or {}).get("containerRecords")

        def change(draft: dict[str, Any]) -> None:
            draft["status"] = status

        self._store.mutate(
            resource, obj["metadata"]["namespace"], obj["metadata"]["name"], change, subresource="status"
        )
        if status["experiment"].get("containerRecords") != old_records:
            self._recorder.record(obj, "Normal", "Updated", "Successfully update records of resource", "records")


def _name(obj: dict[str, Any]) -> str:
    return f"{obj['kind']} {obj['metadata'].get('namespace', '')}/{obj['metadata']['name']}"
