"""The garbage collector: when an owner goes, its dependents go too (background propagation).

Deleting a Deployment removes its ReplicaSets, and they their pods, because each carries an
ownerReference naming its owner's uid. The collector reacts to every deletion by looking for
objects that name the deleted uid, and to every new object whose owners are already gone (a
dependent created in a race with its owner's deletion). A dependent whose owners are all gone is
deleted (pods then terminate gracefully); one that still has a live owner only loses the dangling
reference, as in Kubernetes. `--cascade=orphan` works before this runs: the API server strips the
references first.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import EVENTS, NAMESPACED_STORED, ApiError, ResourceType, Store, WatchEvent, by_kind
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

Key = tuple[str, str]
"""(namespace of the owner, or "" for a cluster-scoped one; owner uid)."""


class GarbageCollector:
    """Deletes objects whose owners no longer exist."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.queue: WorkQueue[Key] = WorkQueue("garbage-collector", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        if event.resource_key == EVENTS.key:
            return
        metadata = event.object["metadata"]
        namespace = metadata.get("namespace", "")
        if event.type == "DELETED":
            self.queue.add((namespace, metadata["uid"]))
        elif event.type == "ADDED":
            for ref in metadata.get("ownerReferences") or []:
                self.queue.add((namespace, ref.get("uid", "")))

    def reconcile(self, key: Key) -> float | None:
        namespace, uid = key
        for resource in NAMESPACED_STORED:
            for dependent in list(self._store.iter(resource, namespace or None)):
                refs = dependent["metadata"].get("ownerReferences") or []
                if any(ref.get("uid") == uid for ref in refs):
                    self._collect(resource, dependent, refs)
        return None

    def _alive(self, ref: dict[str, Any], namespace: str) -> bool:
        """Whether the owner a reference names exists.

        An owner of a kind the twin does not serve cannot be checked, so it is presumed alive:
        deleting its dependents on a guess would be worse than keeping them.
        """
        resource = by_kind(ref.get("kind", ""), ref.get("apiVersion"))
        if resource is None:
            return True
        found = self._store.peek(resource, namespace if resource.namespaced else "", ref.get("name", ""))
        return found is not None and found["metadata"].get("uid") == ref.get("uid")

    def _collect(self, resource: ResourceType, dependent: dict[str, Any], refs: list[dict[str, Any]]) -> None:
        namespace, name = dependent["metadata"].get("namespace", ""), dependent["metadata"]["name"]
        dangling = {ref.get("uid") for ref in refs if not self._alive(ref, namespace)}
        if not dangling:
            return
        try:
            if len(dangling) == len(refs):
                if not dependent["metadata"].get("deletionTimestamp"):
                    logger.debug("collecting %s %s/%s: its owners are gone", resource.kind, namespace, name)
                    self._store.delete(resource, namespace, name)
                return

            def drop(draft: dict[str, Any]) -> None:
                kept = [r for r in draft["metadata"].get("ownerReferences") or [] if r.get("uid") not in dangling]
                draft["metadata"]["ownerReferences"] = kept

            self._store.mutate(resource, namespace, name, drop)
        except ApiError as err:
            if err.code != 404:
                raise
