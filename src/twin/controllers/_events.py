"""`EventRecorder`: core/v1 Events as the controllers and the kubelet post them, de-duplicated and expiring.

`kubectl describe` and `kubectl get events` are how an agent learns *why* a pod is not Ready, so
the events carry the same names, sources and wording as a real cluster's. Like client-go's event
correlator, a repeat of the same reason and message about the same object within ten minutes bumps
`count` and `lastTimestamp` of the existing Event instead of adding one. Like the apiserver's
`--event-ttl`, an Event is deleted an hour after its last update, so a long run stays bounded.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from ..store import EVENTS, ApiError, Store, WatchEvent, parse_time, rfc3339
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

DEDUP_WINDOW = 600.0
DEDUP_CACHE_SIZE = 4096
MAX_MESSAGE = 1024

_Key = tuple[str, ...]


class EventRecorder:
    """Creates Events about objects and deletes them after `ttl` seconds without an update."""

    def __init__(self, store: Store, *, ttl: float = 3600.0) -> None:
        self._store = store
        self._ttl = ttl
        self._recent: OrderedDict[_Key, tuple[str, str]] = OrderedDict()
        self.queue: WorkQueue[tuple[str, str]] = WorkQueue("event-ttl", self._expire)

    def record(
        self,
        obj: dict[str, Any],
        type_: str,
        reason: str,
        message: str,
        component: str,
        *,
        field_path: str | None = None,
        host: str | None = None,
    ) -> None:
        """Post (or count again) an Event about `obj`; never fails the caller's reconcile.

        Args:
            obj: The object the event is about (its kind, name, uid and resourceVersion are used).
            type_: "Normal" or "Warning".
            reason: A CamelCase reason (`Pulled`, `ScalingReplicaSet`).
            message: The human-readable message.
            component: The reporting component (`kubelet`, `deployment-controller`).
            field_path: The part of the object, e.g. `spec.containers{catalogue}`.
            host: The node, for kubelet events.
        """
        metadata = obj.get("metadata", {})
        namespace = metadata.get("namespace") or "default"
        message = message[:MAX_MESSAGE]
        key: _Key = (
            namespace,
            obj.get("kind", ""),
            metadata.get("name", ""),
            metadata.get("uid", ""),
            field_path or "",
            type_,
            reason,
            message,
            component,
            host or "",
        )
        now = self._store.clock()
        try:
            if not self._count_again(key, now):
                self._create(key, obj, type_, reason, message, component, field_path, host, now)
        except ApiError as err:
            logger.debug("event %s about %s/%s not recorded: %s", reason, namespace, metadata.get("name"), err.message)

    def _count_again(self, key: _Key, now: float) -> bool:
        seen = self._recent.get(key)
        if seen is None:
            return False
        existing = self._store.peek(EVENTS, *seen)
        if existing is None or now - parse_time(existing.get("lastTimestamp") or rfc3339(0)) > DEDUP_WINDOW:
            del self._recent[key]
            return False

        def bump(event: dict[str, Any]) -> None:
            event["count"] = int(event.get("count") or 1) + 1
            event["lastTimestamp"] = rfc3339(now)

        self._store.mutate(EVENTS, *seen, bump)
        self._recent.move_to_end(key)
        return True

    def _create(
        self,
        key: _Key,
        obj: dict[str, Any],
        type_: str,
        reason: str,
        message: str,
        component: str,
        field_path: str | None,
        host: str | None,
        now: float,
    ) -> None:
        metadata = obj.get("metadata", {})
        namespace = key[0]
        involved: dict[str, Any] = {
            "kind": obj.get("kind", ""),
            "name": metadata.get("name", ""),
            "uid": metadata.get("uid", ""),
            "apiVersion": obj.get("apiVersion", ""),
            "resourceVersion": metadata.get("resourceVersion", ""),
        }
        if metadata.get("namespace"):
            involved["namespace"] = metadata["namespace"]
        if field_path:
            involved["fieldPath"] = field_path
        source: dict[str, Any] = {"component": component}
        if host:
            source["host"] = host
        stamp = rfc3339(now)
        nanos = int(now * 1e9)
        while self._store.peek(EVENTS, namespace, f"{involved['name']}.{nanos:016x}") is not None:
            nanos += 1
        name = f"{involved['name']}.{nanos:016x}"
        event = {
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "type": type_,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host or "",
        }
        self._store.create(EVENTS, event)
        self._recent[key] = (namespace, name)
        if len(self._recent) > DEDUP_CACHE_SIZE:
            self._recent.popitem(last=False)

    def on_change(self, event: WatchEvent) -> None:
        if event.resource_key != EVENTS.key or event.type == "DELETED":
            return
        metadata = event.object["metadata"]
        self.queue.add_after((metadata.get("namespace", ""), metadata["name"]), self._ttl)

    def _expire(self, key: tuple[str, str]) -> float | None:
        event = self._store.peek(EVENTS, *key)
        if event is None:
            return None
        last = event.get("lastTimestamp") or event["metadata"].get("creationTimestamp") or rfc3339(0)
        remaining = parse_time(last) + self._ttl - self._store.clock()
        if remaining > 0:
            return remaining
        self._store.delete(EVENTS, *key)
        return None
