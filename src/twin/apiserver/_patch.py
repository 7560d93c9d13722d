"""The patch types of the Kubernetes API: JSON merge, JSON patch, strategic merge, apply.

kubectl picks the patch type per command: `kubectl patch --type=json|merge`, and strategic merge
for `set image`, `set env`, `set resources`, `rollout restart` and client-side `apply`. The
first two are standards (RFC 7386, RFC 6902). Strategic merge is Kubernetes' own: lists of maps
merge element by element under a per-field *merge key* (containers by `name`), and `$`-prefixed
directives steer deletion and ordering. The real apiserver reads merge keys from Go struct tags;
the twin has no structs, so which list merges by which key is data in the tables below, built
into `_MERGE_KEYS` once. A list with no entry is atomic: the patch replaces it wholesale.

Directive semantics follow `k8s.io/apimachinery/pkg/util/strategicpatch` as served by the
apiserver (parallel lists merged, unmatched nulls dropped), including its element-ordering rule:
items named by the patch take the patch's order and items only the server knows are slotted in
by their live position. Every function works on deep copies and never mutates its inputs.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import jsonpatch
import jsonpointer

logger = logging.getLogger(__name__)

PRIMITIVE = ""
"""Merge key of a list of scalars merged as a set (e.g. `metadata.finalizers`)."""

_CONTAINER_LISTS: dict[str, str] = {
    "env": "name",
    "ports": "containerPort",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
}
"""Merge keys of the lists inside a container, relative to the container."""

_CONTAINERS = ("containers", "initContainers", "ephemeralContainers")

_POD_SPEC_LISTS: dict[str, str] = {
    **{containers: "name" for containers in _CONTAINERS},
    **{f"{containers}.{field}": key for containers in _CONTAINERS for field, key in _CONTAINER_LISTS.items()},
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "schedulingGates": "name",
    "resourceClaims": "name",
}
"""Merge keys of the lists inside a pod spec, relative to the pod spec."""

_POD_SPEC_AT: dict[str, str] = {
    "Pod": "spec",
    "PodTemplate": "template.spec",
    "ReplicationController": "spec.template.spec",
    "Deployment": "spec.template.spec",
    "ReplicaSet": "spec.template.spec",
    "StatefulSet": "spec.template.spec",
    "DaemonSet": "spec.template.spec",
    "Job": "spec.template.spec",
    "CronJob": "spec.jobTemplate.spec.template.spec",
}
"""Where each workload kind keeps its pod spec."""

_COMMON_LISTS: dict[str, str] = {
    "metadata.ownerReferences": "uid",
    "metadata.finalizers": PRIMITIVE,
    "status.conditions": "type",
}
"""Merge keys every built-in kind shares."""

_KIND_LISTS: dict[str, dict[str, str]] = {
    "Pod": {"status.podIPs": "ip"},
    "Service": {"spec.ports": "port"},
    "Node": {"status.addresses": "type", "spec.podCIDRs": PRIMITIVE},
}
"""Merge keys particular to one kind, as dotted paths from the object root."""

# fmt: off
BUILTIN_KINDS: frozenset[str] = frozenset(
    {
        # core/v1
        "Binding", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace", "Node",
        "PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController",
        "ResourceQuota", "Secret", "Service", "ServiceAccount",
        # apps, autoscaling, batch, policy
        "ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet",
        "HorizontalPodAutoscaler", "Scale", "CronJob", "Job", "PodDisruptionBudget",
        # networking, discovery, rbac, storage, coordination, scheduling, apiextensions
        "Ingress", "IngressClass", "NetworkPolicy", "EndpointSlice", "ClusterRole",
        "ClusterRoleBinding", "Role", "RoleBinding", "StorageClass", "Lease", "PriorityClass",
        "CustomResourceDefinition",
    }
)
# fmt: on
"""Kinds compiled into a real apiserver, which therefore accept strategic merge patches."""


def _build_merge_keys() -> dict[str, dict[str, str]]:
    """Flatten the tables above into one `{kind: {dotted path: merge key}}` lookup."""
    tables: dict[str, dict[str, str]] = {}
    for kind in BUILTIN_KINDS:
        table = dict(_COMMON_LISTS)
        pod_spec = _POD_SPEC_AT.get(kind)
        if pod_spec:
            table.update({_join(pod_spec, path): key for path, key in _POD_SPEC_LISTS.items()})
        table.update(_KIND_LISTS.get(kind, {}))
        tables[kind] = table
    return tables


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_MERGE_KEYS = _build_merge_keys()

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVES = "$deleteFromPrimitiveList/"


class PatchError(ValueError):
    """A patch that cannot be applied; the message is shown to the client in a `Status`."""


def supports_strategic(kind: str) -> bool:
    """Whether `kind` accepts strategic merge patches (custom resources get a 415 instead)."""
    return kind in BUILTIN_KINDS


def merge_patch(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Apply an RFC 7386 JSON merge patch: maps merge recursively, `null` deletes, the rest replaces.

    Args:
        original: The object being patched.
        patch: The merge patch document.

    Returns:
        A new object; neither input is modified.

    Raises:
        PatchError: If the patch is not a JSON object.
    """
    if not isinstance(patch, dict):
        raise PatchError("a JSON merge patch must be a JSON object")
    return _merge_json(copy.deepcopy(original), patch)


def _merge_json(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    for key, value in patch.items():
        current = target.get(key)
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            target[key] = _merge_json(current if isinstance(current, dict) else {}, value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def json_patch(original: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    """Apply an RFC 6902 JSON patch (add, remove, replace, move, copy, test).

    Args:
        original: The object being patched.
        operations: The list of operation objects.

    Returns:
        A new object; neither input is modified.

    Raises:
        PatchError: If an operation is malformed, a path does not resolve, a `test` fails or the
            result is no longer a JSON object.
    """
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        raise PatchError("a JSON patch must be a list of operation objects")
    try:
        result = jsonpatch.JsonPatch(operations).apply(original)
    except jsonpatch.JsonPatchTestFailed as err:
        raise PatchError(f"json patch test operation failed: {err}") from err
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError) as err:
        raise PatchError(f"json patch cannot be applied: {err}") from err
    if not isinstance(result, dict):
        raise PatchError("json patch result must be a JSON object")
    return result


def strategic_merge_patch(original: dict[str, Any], patch: dict[str, Any], kind: str) -> dict[str, Any]:
    """Apply a Kubernetes strategic merge patch to an object of a built-in kind.

    Maps merge recursively and `null` deletes a field. Lists with a merge key (see the tables at
    the top of this module) merge element by element, keeping every field the patch does not
    mention; lists of scalars with a merge strategy merge as sets; other lists are replaced.
    Directives: `$patch: replace|delete|merge` (a `delete` map becomes `{}` as in Kubernetes),
    `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`; none of them
    survives into the result. An unknown kind gets only the merge keys common to all kinds.

    Args:
        original: The object being patched.
        patch: The strategic merge patch document.
        kind: The object's kind, which selects its merge keys.

    Returns:
        A new object; neither input is modified.

    Raises:
        PatchError: If the patch is malformed (bad directive, missing merge key, mixed list).
    """
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    merger = _StrategicMerge(_MERGE_KEYS.get(kind, _COMMON_LISTS))
    return merger.merge_map(copy.deepcopy(original), copy.deepcopy(patch), "")


def apply_patch(original: dict[str, Any] | None, applied: dict[str, Any], kind: str) -> dict[str, Any]:
    """Approximate server-side apply: merge the applied configuration onto the live object.

    The applied config is strategically merged onto the live object for built-in kinds and
    JSON-merged for custom kinds; with no live object the result is the applied config itself.
    managedFields ownership and conflict detection are not modelled, so apply never reports a
    conflict and fields dropped from a later apply are not removed.

    Args:
        original: The live object, or None when apply creates it.
        applied: The configuration sent by the client.
        kind: The object's kind.

    Returns:
        A new object; neither input is modified.

    Raises:
        PatchError: If the applied configuration is not a JSON object or cannot be merged.
    """
    base = original if original is not None else {}
    if supports_strategic(kind):
        return strategic_merge_patch(base, applied, kind)
    return merge_patch(base, applied)


def _identity(item: Any, merge_key: str) -> Any:
    """What identifies a list element: its merge key value, or the scalar itself."""
    return item.get(merge_key) if merge_key and isinstance(item, dict) else item


def _rank(ids: list[Any], value: Any) -> int:
    """Position of `value` in `ids`; values not found rank after all others."""
    return ids.index(value) if value in ids else len(ids)


def _interleave(
    server_only: list[Any], named: list[Any], live_ids: list[Any], ident: Callable[[Any], Any]
) -> list[Any]:
    """Slot server-only items in among the patch-named items by their position in the live list.

    A server-only item goes first only when it and the next named item are both live and it comes
    earlier there; otherwise the named item goes first (the apiserver's rule, so a new item lands
    before the server-only items that follow it).
    """
    merged: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(named):
        if j < len(named) and i < len(server_only):
            left, right = _rank(live_ids, ident(server_only[i])), _rank(live_ids, ident(named[j]))
            take_left = left < right < len(live_ids)
        else:
            take_left = j >= len(named)
        if take_left:
            merged.append(server_only[i])
            i += 1
        else:
            merged.append(named[j])
            j += 1
    return merged


def _ordered(merged: list[Any], order: list[Any], live: list[Any], merge_key: str) -> list[Any]:
    """Put the items named in `order` in that order, keeping server-only items near their live spot."""

    def ident(item: Any) -> Any:
        return _identity(item, merge_key)

    order_ids = [ident(item) for item in order]
    live_ids = [ident(item) for item in live]
    named = sorted((m for m in merged if ident(m) in order_ids), key=lambda m: order_ids.index(ident(m)))
    server_only = sorted((m for m in merged if ident(m) not in order_ids), key=lambda m: _rank(live_ids, ident(m)))
    return _interleave(server_only, named, live_ids, ident)


class _StrategicMerge:
    """One strategic merge over private copies, guided by a `{dotted path: merge key}` table."""

    def __init__(self, merge_keys: dict[str, str]) -> None:
        self._merge_keys = merge_keys

    def merge_map(self, original: dict[str, Any] | None, patch: dict[str, Any], path: str) -> dict[str, Any]:
        directive = patch.pop(_DIRECTIVE, None)
        if directive == "replace":
            return self.merge_map(None, patch, path)
        if directive == "delete":
            return {}
        if directive not in (None, "merge"):
            raise PatchError(f"unknown $patch directive {directive!r} at {path or 'the object root'}")
        result = original if original is not None else {}
        _retain_keys(result, patch, path)
        orders = _pop_prefixed(patch, _SET_ORDER)
        deletions = _pop_prefixed(patch, _DELETE_PRIMITIVES)
        live = {field: _as_list(result.get(field)) for field in orders}
        for key, value in patch.items():
            if key.startswith("$"):
                logger.debug("dropping unknown strategic merge directive %s at %s", key, path)
                continue
            self._merge_field(result, key, value, _join(path, key))
        for field, order in orders.items():
            self._set_order(result, field, order, live[field], path, patch.get(field))
        for field, values in deletions.items():
            _delete_primitives(result, field, values, path)
        return result

    def _merge_field(self, result: dict[str, Any], key: str, value: Any, path: str) -> None:
        current = result.get(key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            result[key] = self.merge_map(current if isinstance(current, dict) else None, value, path)
        elif isinstance(value, list):
            result[key] = self.merge_list(current if isinstance(current, list) else None, value, path)
        else:
            result[key] = value

    def merge_list(self, original: list[Any] | None, patch: list[Any], path: str) -> list[Any]:
        merge_key = self._merge_keys.get(path)
        if merge_key is None:
            items, _, _ = _split_special(patch, "", path)
            return [self._fresh(item, path) for item in items]
        if merge_key == PRIMITIVE:
            return _merge_scalars(original or [], patch, path)
        return self._merge_keyed(original or [], patch, merge_key, path)

    def _fresh(self, item: Any, path: str) -> Any:
        """An atomic list element with any directives and nulls inside it resolved."""
        if isinstance(item, dict):
            return self.merge_map(None, item, path)
        if isinstance(item, list):
            return self.merge_list(None, item, path)
        return item

    def _merge_keyed(self, original: list[Any], patch: list[Any], merge_key: str, path: str) -> list[Any]:
        items, deleted, replace = _split_special(patch, merge_key, path)
        base = [] if replace else [e for e in original if _identity(e, merge_key) not in deleted]
        merged = list(base)
        for item in items:
            if not isinstance(item, dict) or merge_key not in item:
                raise PatchError(f"{path}: list element {item!r} does not contain the merge key {merge_key!r}")
            at = _rank([_identity(e, merge_key) for e in merged], item[merge_key])
            if at == len(merged):
                merged.append(self.merge_map(None, item, path))
            else:
                merged[at] = self.merge_map(merged[at] if isinstance(merged[at], dict) else None, item, path)
        return _ordered(merged, items, base, merge_key)

    def _set_order(
        self, result: dict[str, Any], field: str, order: Any, live: list[Any], path: str, patch_list: Any
    ) -> None:
        list_path = _join(path, field)
        if not isinstance(order, list):
            raise PatchError(f"{_SET_ORDER}{field} at {path or 'the object root'} must be a list")
        merge_key = self._merge_keys.get(list_path)
        current = result.get(field)
        if merge_key is None or not isinstance(current, list):
            return
        _check_order(patch_list, order, merge_key, list_path)
        result[field] = _ordered(current, order, live, merge_key)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _pop_prefixed(patch: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Remove every `<prefix><field>` directive from the patch, keyed by field."""
    keys = [key for key in patch if key.startswith(prefix)]
    return {key[len(prefix) :]: patch.pop(key) for key in keys}


def _retain_keys(result: dict[str, Any], patch: dict[str, Any], path: str) -> None:
    """Honour `$retainKeys`: drop live fields not listed, after checking the patch stays inside the list."""
    retained = patch.pop(_RETAIN_KEYS, None)
    if retained is None:
        return
    if not isinstance(retained, list):
        raise PatchError(f"$retainKeys at {path or 'the object root'} must be a list")
    for key, value in patch.items():
        if value is not None and not key.startswith("$") and key not in retained:
            raise PatchError(f"$retainKeys at {path or 'the object root'} does not list patched field {key!r}")
    for key in [key for key in result if key not in retained]:
        del result[key]


def _delete_primitives(result: dict[str, Any], field: str, values: Any, path: str) -> None:
    if not isinstance(values, list):
        raise PatchError(f"{_DELETE_PRIMITIVES}{field} at {path or 'the object root'} must be a list")
    current = result.get(field)
    if isinstance(current, list):
        result[field] = [v for v in current if v not in values]


def _split_special(patch: list[Any], merge_key: str, path: str) -> tuple[list[Any], list[Any], bool]:
    """Separate `$patch` elements: returns plain items, merge key values to delete, replace flag."""
    items: list[Any] = []
    deleted: list[Any] = []
    replace = False
    for element in patch:
        directive = element.get(_DIRECTIVE) if isinstance(element, dict) else None
        if directive is None:
            items.append(element)
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            items.append({k: v for k, v in element.items() if k != _DIRECTIVE})
        elif directive == "delete" and not merge_key:
            raise PatchError(f"{path}: $patch: delete needs a list with a merge key")
        elif directive == "delete" and merge_key in element:
            deleted.append(element[merge_key])
        elif directive == "delete":
            raise PatchError(f"{path}: $patch: delete element {element!r} lacks the merge key {merge_key!r}")
        else:
            raise PatchError(f"{path}: unknown $patch directive {directive!r} in a list element")
    return items, deleted, replace


def _merge_scalars(original: list[Any], patch: list[Any], path: str) -> list[Any]:
    """Merge a list of scalars as a set; patch values take the patch's order."""
    items, _, replace = _split_special(patch, PRIMITIVE, path)
    if any(isinstance(v, (dict, list)) for v in items):
        raise PatchError(f"{path}: elements of a merged list of scalars must be scalars")
    base = [] if replace else original
    merged: list[Any] = []
    for value in base + items:
        if value not in merged:
            merged.append(value)
    return _ordered(merged, items, base, PRIMITIVE)


def _check_order(patch_list: Any, order: list[Any], merge_key: str, path: str) -> None:
    """Reject a patch whose list names items outside `$setElementOrder` or in another order."""
    if not isinstance(patch_list, list):
        return
    order_ids = [_identity(item, merge_key) for item in order]
    at = 0
    for item in patch_list:
        if isinstance(item, dict) and _DIRECTIVE in item:
            continue
        ident = _identity(item, merge_key)
        while at < len(order_ids) and order_ids[at] != ident:
            at += 1
        if at == len(order_ids):
            raise PatchError(f"{path}: the patch list names items outside its $setElementOrder list, or out of order")
        at += 1
