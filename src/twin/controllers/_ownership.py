"""Controller references: which objects a controller owns, adopting orphans and releasing strays.

As in client-go's `ControllerRefManager`, an owner claims the objects that carry its controller
reference, adopts orphans its selector matches (a Deployment re-created after
`--cascade=orphan` picks its ReplicaSets up again), and releases owned objects whose labels no
longer match (relabelling a pod takes it out of its ReplicaSet, which then replaces it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..store import ApiError, ResourceType, Store, controller_ref, labels_of
from ._pods import is_terminating


def controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The ownerReference marked `controller: true`, if any."""
    ref: dict[str, Any]
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def controller_uid(obj: dict[str, Any]) -> str | None:
    ref = controller_of(obj)
    return ref.get("uid") if ref else None


def claim(
    store: Store,
    resource: ResourceType,
    owner: dict[str, Any],
    selects: Callable[[dict[str, str]], bool],
) -> list[dict[str, Any]]:
    """The objects of `resource` that `owner` controls after adoption and release (stored objects)."""
    namespace = owner["metadata"].get("namespace", "")
    uid = owner["metadata"]["uid"]
    owned: list[dict[str, Any]] = []
    for obj in list(store.iter(resource, namespace)):
        ref_uid = controller_uid(obj)
        matches = selects(labels_of(obj))
        if ref_uid == uid:
            if matches or is_terminating(obj):
                owned.append(obj)
            elif not is_terminating(owner):
                _set_owner(store, resource, obj, uid, None)
        elif ref_uid is None and matches and not is_terminating(obj) and not is_terminating(owner):
            adopted = _set_owner(store, resource, obj, None, controller_ref(owner))
            if adopted is not None:
                owned.append(adopted)
    return owned


def _set_owner(
    store: Store,
    resource: ResourceType,
    obj: dict[str, Any],
    drop_uid: str | None,
    add: dict[str, Any] | None,
) -> dict[str, Any] | None:
    def change(draft: dict[str, Any]) -> None:
        refs = [r for r in draft["metadata"].get("ownerReferences") or [] if r.get("uid") != drop_uid]
        if add is not None:
            refs.append(add)
        if refs:
            draft["metadata"]["ownerReferences"] = refs
        else:
            draft["metadata"].pop("ownerReferences", None)

    metadata = obj["metadata"]
    try:
        store.mutate(resource, metadata.get("namespace", ""), metadata["name"], change)
    except ApiError as err:
        if err.code == 404:
            return None
        raise
    return store.peek(resource, metadata.get("namespace", ""), metadata["name"])
