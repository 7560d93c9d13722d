"""The arithmetic of Deployment rollouts, as pure functions over Deployment and ReplicaSet dicts.

This is `k8s.io/kubernetes/pkg/controller/deployment/util` in the parts kubectl can observe: the
pod-template hash that names a ReplicaSet, revisions, `maxSurge` rounding up and `maxUnavailable`
rounding down (and never both zero), how far a rolling update may scale the new ReplicaSet up and
the old ones down, and proportional scaling when replicas change in the middle of a rollout.
Keeping it free of the store makes each rule testable on its own.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from ..store import clone, parse_time

HASH_LABEL = "pod-template-hash"
HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
HASH_LENGTH = 10

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
NOT_COPIED = (REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, LAST_APPLIED)


def template_hash(template: dict[str, Any], collision_count: int = 0) -> str:
    """A stable 10-character name suffix for a pod template (changes with `collisionCount`)."""
    text = json.dumps(template, sort_keys=True, separators=(",", ":"))
    if collision_count:
        text += f"#{collision_count}"
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    chars = []
    for _ in range(HASH_LENGTH):
        number, index = divmod(number, len(HASH_ALPHABET))
        chars.append(HASH_ALPHABET[index])
    return "".join(chars)


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of a pod template without the `pod-template-hash` label (nor a label map it leaves empty)."""
    copy: dict[str, Any] = clone(template or {})
    metadata = copy.get("metadata") or {}
    labels = metadata.get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
        if not labels:
            del metadata["labels"]
    return copy


def same_template(rs: dict[str, Any], deployment: dict[str, Any]) -> bool:
    """Whether a ReplicaSet runs the Deployment's current template (ignoring the hash label)."""
    return without_hash(rs.get("spec", {}).get("template") or {}) == without_hash(
        deployment.get("spec", {}).get("template") or {}
    )


def revision(obj: dict[str, Any]) -> int:
    text = (obj.get("metadata", {}).get("annotations") or {}).get(REVISION, "0")
    return int(text) if str(text).isdigit() else 0


def replicas(obj: dict[str, Any]) -> int:
    value = obj.get("spec", {}).get("replicas")
    return 1 if value is None else int(value)


def _scaled(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        share = int(value[:-1]) * total / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value or 0)


def is_rolling(deployment: dict[str, Any]) -> bool:
    strategy = deployment.get("spec", {}).get("strategy") or {}
    return bool(strategy.get("type", "RollingUpdate") == "RollingUpdate")


def fenceposts(deployment: dict[str, Any]) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) in pods: surge rounds up, unavailable down, and both 0 means 0 and 1."""
    if not is_rolling(deployment):
        return 0, 0
    rolling = (deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    total = replicas(deployment)
    surge = _scaled(rolling.get("maxSurge", "25%"), total, round_up=True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), total, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(deployment: dict[str, Any]) -> int:
    total = replicas(deployment)
    if not is_rolling(deployment) or total == 0:
        return 0
    return min(fenceposts(deployment)[1], total)


def max_surge(deployment: dict[str, Any]) -> int:
    return fenceposts(deployment)[0] if is_rolling(deployment) else 0


def status_count(rs: dict[str, Any], field: str) -> int:
    return int(rs.get("status", {}).get(field) or 0)


def rolling_new_replicas(deployment: dict[str, Any], all_rs: list[dict[str, Any]], new_rs: dict[str, Any]) -> int:
    """How many replicas the new ReplicaSet may have now without exceeding `replicas + maxSurge`."""
    wanted = replicas(deployment)
    current = replicas(new_rs)
    if current >= wanted:
        return wanted
    room = wanted + max_surge(deployment) - sum(replicas(rs) for rs in all_rs)
    if room <= 0:
        return current
    return current + min(room, wanted - current)


def rolling_scale_down(
    deployment: dict[str, Any], all_rs: list[dict[str, Any]], old_rs: list[dict[str, Any]], new_rs: dict[str, Any]
) -> dict[str, int]:
    """New sizes for old ReplicaSets, keeping at least `replicas - maxUnavailable` pods available.

    First the old pods that are not available anyway go, then available ones down to the minimum.
    """
    old_active = sorted((rs for rs in old_rs if replicas(rs) > 0), key=_created)
    if not old_active:
        return {}
    min_available = replicas(deployment) - max_unavailable(deployment)
    new_unavailable = replicas(new_rs) - status_count(new_rs, "availableReplicas")
    budget = sum(replicas(rs) for rs in all_rs) - min_available - new_unavailable
    if budget <= 0:
        return {}
    sizes = {rs["metadata"]["name"]: replicas(rs) for rs in old_active}
    for rs in old_active:
        if budget <= 0:
            break
        name = rs["metadata"]["name"]
        unhealthy = sizes[name] - status_count(rs, "availableReplicas")
        cut = min(max(unhealthy, 0), budget)
        sizes[name] -= cut
        budget -= cut
    surplus = sum(status_count(rs, "availableReplicas") for rs in all_rs) - min_available
    for rs in old_active:
        if surplus <= 0:
            break
        name = rs["metadata"]["name"]
        cut = min(sizes[name], surplus)
        sizes[name] -= cut
        surplus -= cut
    return {name: size for name, size in sizes.items() if size != replicas(_named(old_active, name))}


def _named(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(rs for rs in items if rs["metadata"]["name"] == name)


def _created(rs: dict[str, Any]) -> tuple[float, str]:
    return parse_time(rs["metadata"].get("creationTimestamp") or "1970-01-01T00:00:00Z"), rs["metadata"]["name"]


def is_scaling_event(deployment: dict[str, Any], all_rs: list[dict[str, Any]]) -> bool:
    """Whether `replicas` changed since the active ReplicaSets were last sized for this Deployment."""
    wanted = str(replicas(deployment))
    for rs in all_rs:
        if replicas(rs) == 0:
            continue
        desired = (rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS)
        if desired is not None and desired != wanted:
            return True
    return False


def proportional_sizes(
    deployment: dict[str, Any], active: list[dict[str, Any]], new_rs: dict[str, Any] | None
) -> dict[str, int]:
    """New sizes for several active ReplicaSets when `replicas` changes mid-rollout.

    Each keeps its share of the pods (from its `max-replicas` annotation); what rounding leaves
    over goes to the largest, newest ReplicaSet when growing and the largest, oldest when shrinking.
    """
    wanted = replicas(deployment)
    allowed = wanted + max_surge(deployment)
    to_add = allowed - sum(replicas(rs) for rs in active)
    if to_add == 0:
        return {}
    if to_add > 0:
        ordered = sorted(active, key=lambda rs: (-replicas(rs), -_created(rs)[0]))
    else:
        ordered = sorted(active, key=lambda rs: (-replicas(rs), _created(rs)))
    sizes = {rs["metadata"]["name"]: replicas(rs) for rs in ordered}
    added = 0
    for rs in ordered:
        name = rs["metadata"]["name"]
        if wanted == 0:
            share = -replicas(rs)
        else:
            annotated = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS)
            basis = (
                int(annotated)
                if annotated and annotated.isdigit() and int(annotated) > 0
                else max(sum(replicas(r) for r in active), 1)
            )
            share = round(replicas(rs) * allowed / basis) - replicas(rs)
        room = to_add - added
        share = min(share, room) if to_add > 0 else max(share, room)
        sizes[name] += share
        added += share
    first = ordered[0]["metadata"]["name"]
    sizes[first] = max(sizes[first] + to_add - added, 0)
    return sizes


def sized_annotations(deployment: dict[str, Any], annotations: dict[str, Any]) -> None:
    """Record, on a ReplicaSet, the Deployment size it was last scaled for (in place)."""
    annotations[DESIRED_REPLICAS] = str(replicas(deployment))
    annotations[MAX_REPLICAS] = str(replicas(deployment) + max_surge(deployment))


def copied_annotations(deployment: dict[str, Any]) -> dict[str, str]:
    """The Deployment's annotations a new ReplicaSet inherits."""
    return {
        key: value for key, value in (deployment["metadata"].get("annotations") or {}).items() if key not in NOT_COPIED
    }
