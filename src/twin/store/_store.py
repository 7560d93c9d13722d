"""The twin's object store: what etcd plus the apiserver's registry are to a real cluster.

Objects are JSON dicts keyed by resource (`group/plural`), namespace and name. Every write goes
through `admit` (defaulting and validation, shared by HTTP clients and the in-process controllers,
so nothing can write past the rules), gets a new cluster-wide `resourceVersion`, and is appended to
a bounded event log. Watches replay that log from a resourceVersion and then follow live writes;
a resourceVersion older than the log answers 410 Gone, as etcd compaction does.

Everything runs on one asyncio loop, so no locks: a write and the notification of its watchers
happen in the same turn of the loop.
"""

from __future__ import annotations

import asyncio
import logging
import random
import string
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import _errors as errors
from ._objects import clone, rfc3339
from ._resources import ResourceType

logger = logging.getLogger(__name__)

EVENT_LOG_SIZE = 20_000
NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


class Admission(Protocol):
    """Defaulting and validation run on every create and update (raises `ApiError`)."""

    def __call__(self, resource: ResourceType, old: dict[str, Any] | None, new: dict[str, Any]) -> None: ...


def _admit_all(resource: ResourceType, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class WatchEvent:
    """One change, as a watch stream reports it; `old` lets selectors see objects leave."""

    revision: int
    resource_key: str
    type: str
    object: dict[str, Any]
    old: dict[str, Any] | None = None


Listener = Callable[[WatchEvent], None]
Filter = Callable[[dict[str, Any]], bool]


@dataclass(eq=False)
class Watch:
    """A live watch: an asyncio queue fed by the store until `close()`."""

    resource_key: str
    namespace: str | None
    matches: Filter
    queue: asyncio.Queue[WatchEvent | None] = field(default_factory=asyncio.Queue)

    def offer(self, event: WatchEvent) -> None:
        translated = translate_for_selector(event, self.matches)
        if translated is not None:
            self.queue.put_nowait(translated)

    def wants(self, event: WatchEvent) -> bool:
        return event.resource_key == self.resource_key and (
            self.namespace is None or event.object["metadata"].get("namespace") == self.namespace
        )


def translate_for_selector(event: WatchEvent, matches: Filter) -> WatchEvent | None:
    """Report an object entering or leaving a selector as ADDED or DELETED, as the apiserver does."""
    now_in = matches(event.object)
    if event.type != "MODIFIED" or event.old is None:
        return event if now_in else None
    was_in = matches(event.old)
    if now_in and was_in:
        return event
    if now_in:
        return WatchEvent(event.revision, event.resource_key, "ADDED", event.object)
    if was_in:
        return WatchEvent(event.revision, event.resource_key, "DELETED", event.object)
    return None


class Store:
    """In-memory objects with resourceVersions, generations, graceful deletion and watches."""

    def __init__(
        self,
        *,
        admit: Admission = _admit_all,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._objects: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
        self._log: deque[WatchEvent] = deque(maxlen=EVENT_LOG_SIZE)
        self._watches: set[Watch] = set()
        self._listeners: list[Listener] = []
        self._revision = 1
        self.admit = admit
        self.clock = clock
        self.rng = rng or random.Random()

    # --- reading -------------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        return self._revision

    def get(self, resource: ResourceType, namespace: str, name: str) -> dict[str, Any]:
        """A copy of one object, or 404."""
        return clone(self._require(resource, namespace, name))

    def peek(self, resource: ResourceType, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object itself (no copy), for in-process readers that never mutate it."""
        return self._objects.get(resource.key, {}).get((namespace, name))

    def list(
        self, resource: ResourceType, namespace: str | None = None, matches: Filter | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Copies of the matching objects, sorted by namespace and name, and the list revision."""
        return [clone(obj) for obj in self.iter(resource, namespace, matches)], self._revision

    def iter(
        self, resource: ResourceType, namespace: str | None = None, matches: Filter | None = None
    ) -> Iterator[dict[str, Any]]:
        """The stored matching objects themselves (no copies), sorted by namespace and name."""
        bucket = self._objects.get(resource.key, {})
        for key in sorted(bucket):
            obj = bucket[key]
            if namespace is not None and key[0] != namespace:
                continue
            if matches is None or matches(obj):
                yield obj

    # --- writing -------------------------------------------------------------------------------

    def create(self, resource: ResourceType, obj: dict[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        """Store a new object; fills in uid, timestamps, resourceVersion and generated names."""
        new = clone(obj)
        metadata = new.setdefault("metadata", {})
        new["apiVersion"] = resource.api_version
        new["kind"] = resource.kind
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + self.random_suffix()
        if not resource.namespaced:
            metadata.pop("namespace", None)
        for server_owned in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation"):
            metadata.pop(server_owned, None)
        metadata["uid"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        metadata["creationTimestamp"] = rfc3339(self.clock())
        if resource.has_spec:
            metadata["generation"] = 1
        self.admit(resource, None, new)
        name, namespace = metadata.get("name", ""), metadata.get("namespace", "")
        bucket = self._objects.setdefault(resource.key, {})
        if (namespace, name) in bucket:
            raise errors.already_exists(resource.plural, name, resource.group)
        if dry_run:
            metadata["resourceVersion"] = str(self._revision)
            return new
        self._commit(resource, "ADDED", new, None)
        return clone(new)

    def update(
        self,
        resource: ResourceType,
        obj: dict[str, Any],
        *,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Replace an object (PUT semantics). A stale `resourceVersion` in `obj` answers 409.

        The main resource ignores `status` and the `status` subresource ignores everything else,
        as for any kind that has a status subresource.
        """
        metadata = obj.get("metadata") or {}
        namespace = metadata.get("namespace", "") if resource.namespaced else ""
        current = self._require(resource, namespace, metadata.get("name", ""))
        sent_version = metadata.get("resourceVersion")
        if sent_version and sent_version != current["metadata"]["resourceVersion"]:
            raise errors.conflict(resource.plural, current["metadata"]["name"], resource.group)
        new = self._merge_update(resource, current, obj, subresource)
        if new == current:
            return clone(current)
        self.admit(resource, current, new)
        if dry_run:
            return new
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            self._commit(resource, "DELETED", new, current, remove=True)
            return clone(new)
        self._commit(resource, "MODIFIED", new, current)
        return clone(new)

    def mutate(
        self,
        resource: ResourceType,
        namespace: str,
        name: str,
        change: Callable[[dict[str, Any]], None],
        *,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        """Read-modify-write for in-process controllers: `change` edits a copy in place."""
        draft = self.get(resource, namespace, name)
        change(draft)
        return self.update(resource, draft, subresource=subresource)

    def delete(
        self,
        resource: ResourceType,
        namespace: str,
        name: str,
        *,
        grace_seconds: float | None = None,
        precondition_uid: str | None = None,
        precondition_version: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Delete an object; pods, namespaces and objects with finalizers terminate gracefully."""
        current = self._require(resource, namespace, name)
        meta_now = current["metadata"]
        if precondition_uid and precondition_uid != meta_now["uid"]:
            raise errors.conflict(resource.plural, name, resource.group)
        if precondition_version and precondition_version != meta_now["resourceVersion"]:
            raise errors.conflict(resource.plural, name, resource.group)
        graceful = self._terminates_gracefully(resource, current, grace_seconds)
        if dry_run:
            return clone(current)
        if not graceful:
            self._commit(resource, "DELETED", clone(current), current, remove=True)
            return clone(current)
        if meta_now.get("deletionTimestamp"):
            return clone(current)
        marked = clone(current)
        marked["metadata"]["deletionTimestamp"] = rfc3339(self.clock())
        if resource.kind == "Pod":
            period = current.get("spec", {}).get("terminationGracePeriodSeconds", 30)
            marked["metadata"]["deletionGracePeriodSeconds"] = int(period if grace_seconds is None else grace_seconds)
        if resource.kind == "Namespace":
            marked.setdefault("status", {})["phase"] = "Terminating"
        self._commit(resource, "MODIFIED", marked, current)
        return clone(marked)

    def remove(self, resource: ResourceType, namespace: str, name: str) -> None:
        """Finish a graceful deletion (the kubelet or namespace controller is done)."""
        current = self.peek(resource, namespace, name)
        if current is not None:
            self._commit(resource, "DELETED", clone(current), current, remove=True)

    # --- watching ------------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call `listener` after every committed change (in-process controllers' informer)."""
        self._listeners.append(listener)

    def watch(
        self,
        resource: ResourceType,
        namespace: str | None,
        since: int | None,
        matches: Filter,
    ) -> Watch:
        """Start a watch. `since=None` first sends every current object as ADDED.

        Raises `ApiError` 410 when `since` is older than the retained history.
        """
        stream = Watch(resource.key, namespace, matches)
        if since is None:
            for obj in self.iter(resource, namespace, matches):
                stream.queue.put_nowait(WatchEvent(self._revision, resource.key, "ADDED", clone(obj)))
        else:
            oldest = self._log[0].revision if self._log else self._revision
            if since < oldest - 1 and since < self._revision:
                raise errors.gone(f"too old resource version: {since} ({oldest - 1})")
            for event in self._log:
                if event.revision > since and stream.wants(event):
                    stream.offer(event)
        self._watches.add(stream)
        return stream

    def close(self, stream: Watch) -> None:
        self._watches.discard(stream)

    def close_all_watches(self) -> None:
        """End every watch stream (server shutdown)."""
        for stream in list(self._watches):
            stream.queue.put_nowait(None)
        self._watches.clear()

    # --- internals -----------------------------------------------------------------------------

    def random_suffix(self, length: int = 5) -> str:
        return "".join(self.rng.choice(NAME_SUFFIX_ALPHABET) for _ in range(length))

    def random_hex(self, length: int = 16) -> str:
        return "".join(self.rng.choice(string.hexdigits[:16]) for _ in range(length))

    def _require(self, resource: ResourceType, namespace: str, name: str) -> dict[str, Any]:
        obj = self._objects.get(resource.key, {}).get((namespace if resource.namespaced else "", name))
        if obj is None:
            raise errors.not_found(resource.plural, name, resource.group)
        return obj

    def _merge_update(
        self,
        resource: ResourceType,
        current: dict[str, Any],
        incoming: dict[str, Any],
        subresource: str | None,
    ) -> dict[str, Any]:
        has_status = "status" in resource.subresources
        if subresource == "status":
            new = clone(current)
            new["status"] = clone(incoming.get("status", {}))
        else:
            new = clone(incoming)
            if has_status:
                if "status" in current:
                    new["status"] = clone(current["status"])
                else:
                    new.pop("status", None)
        new["apiVersion"] = resource.api_version
        new["kind"] = resource.kind
        metadata = new.setdefault("metadata", {})
        for immutable in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "namespace",
            "name",
            "generation",
            "resourceVersion",
        ):
            if immutable in current["metadata"]:
                metadata[immutable] = current["metadata"][immutable]
            else:
                metadata.pop(immutable, None)
        if resource.has_spec and new.get("spec") != current.get("spec"):
            metadata["generation"] = current["metadata"].get("generation", 1) + 1
        return new

    def _terminates_gracefully(self, resource: ResourceType, obj: dict[str, Any], grace_seconds: float | None) -> bool:
        if obj["metadata"].get("finalizers") or resource.kind == "Namespace":
            return True
        if resource.kind != "Pod" or grace_seconds == 0:
            return False
        return bool(obj.get("spec", {}).get("nodeName"))

    def _commit(
        self,
        resource: ResourceType,
        event_type: str,
        new: dict[str, Any],
        old: dict[str, Any] | None,
        *,
        remove: bool = False,
    ) -> None:
        self._revision += 1
        new["metadata"]["resourceVersion"] = str(self._revision)
        bucket = self._objects.setdefault(resource.key, {})
        key = (new["metadata"].get("namespace", ""), new["metadata"]["name"])
        if remove:
            bucket.pop(key, None)
        else:
            bucket[key] = new
        event = WatchEvent(self._revision, resource.key, event_type, new, old)
        self._log.append(event)
        for stream in self._watches:
            if stream.wants(event):
                stream.offer(event)
        for listener in self._listeners:
            listener(event)
