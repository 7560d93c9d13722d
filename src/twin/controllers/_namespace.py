"""The namespace controller: empties a terminating namespace, then lets it go.

`kubectl delete namespace` only marks the namespace (phase Terminating); this controller deletes
every object in it (pods terminate gracefully through the kubelet, and Events the kubelet posts
meanwhile are deleted too), waits until nothing is left, and only then removes the namespace.
While it waits, `status.conditions` say what remains, as `kubectl describe ns` shows.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import NAMESPACED_STORED, NAMESPACES, ApiError, ResourceType, Store, WatchEvent, clone
from ._pods import is_terminating, set_condition
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

RECHECK = 1.0


class NamespaceController:
    """Finishes the deletion of namespaces."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.queue: WorkQueue[str] = WorkQueue("namespace", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        if event.resource_key == NAMESPACES.key:
            if event.type != "DELETED" and is_terminating(event.object):
                self.queue.add(event.object["metadata"]["name"])
            return
        namespace = event.object["metadata"].get("namespace")
        if namespace:
            found = self._store.peek(NAMESPACES, "", namespace)
            if found is not None and is_terminating(found):
                self.queue.add(namespace)

    def reconcile(self, name: str) -> float | None:
        namespace = self._store.peek(NAMESPACES, "", name)
        if namespace is None or not is_terminating(namespace):
            return None
        remaining: dict[str, int] = {}
        for resource in NAMESPACED_STORED:
            for obj in list(self._store.iter(resource, name)):
                remaining[resource.group_resource()] = remaining.get(resource.group_resource(), 0) + 1
                if not is_terminating(obj):
                    self._delete(resource, obj)
        if remaining:
            self._report(name, remaining)
            return RECHECK
        if namespace["metadata"].get("finalizers"):
            return None
        logger.info("namespace %s is empty; removing it", name)
        self._store.remove(NAMESPACES, "", name)
        return None

    def _delete(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        try:
            self._store.delete(resource, obj["metadata"]["namespace"], obj["metadata"]["name"])
        except ApiError as err:
            if err.code != 404:
                raise

    def _report(self, name: str, remaining: dict[str, int]) -> None:
        summary = ", ".join(f"{kind} has {count} resource instances" for kind, count in sorted(remaining.items()))
        namespace = self._store.peek(NAMESPACES, "", name)
        if namespace is None:
            return
        status = clone(namespace.get("status") or {})
        conditions = status.setdefault("conditions", [])
        set_condition(
            conditions,
            "NamespaceContentRemaining",
            "True",
            self._store.clock(),
            "SomeResourcesRemain",
            f"Some resources are remaining: {summary}",
        )
        if status == namespace.get("status"):
            return

        def change(draft: dict[str, Any]) -> None:
            draft["status"] = status

        self._store.mutate(NAMESPACES, "", name, change, subresource="status")
