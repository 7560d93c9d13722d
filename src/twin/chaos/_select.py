"""Choosing the pods (and containers) a Chaos Mesh experiment hits, once, when it is first seen.

This is Chaos Mesh's `SelectAndFilterPods` over the twin's store: candidates come from `pods`
(exact names) or from `namespaces` (the experiment's own namespace when none is given), are
narrowed by label, expression, annotation, field, node and phase selectors, and then `mode` picks
among them with the store's seeded random generator, so a run is reproducible. Only Running pods
that are not being deleted qualify unless `podPhaseSelectors` says otherwise; a pod created later
is never selected, which is why recreating pods mitigates a pod failure.

The result names every target the way Chaos Mesh's records do: `<ns>/<pod>` for pod-level actions
and `<ns>/<pod>/<container>` for StressChaos and container-kill.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..store import FieldRequirement, FieldSelector, LabelSelector, SelectorError

logger = logging.getLogger(__name__)

NO_POD_SELECTED = "no pod is selected"
"""Chaos Mesh's `ErrNoPodSelected`, which users see in the `Failed` event."""
NO_TARGET_SELECTED = "no target has been selected"
"""What Chaos Mesh says when candidates exist but the mode picked none (random-max-percent)."""


class SelectionError(ValueError):
    """No target could be selected; the message goes into a `Failed` event and the Selected condition."""


@dataclass(frozen=True)
class Target:
    """One record of an experiment: a pod, or one container of it."""

    namespace: str
    pod: str
    uid: str
    container: str | None = None

    @property
    def id(self) -> str:
        """The record id Chaos Mesh writes into `status.experiment.containerRecords[].id`."""
        parts = [self.namespace, self.pod] + ([self.container] if self.container else [])
        return "/".join(parts)


def target_from_id(record_id: str, uid: str) -> Target:
    """Rebuild a target from a stored record id (for records written before this controller ran)."""
    namespace, _, rest = record_id.partition("/")
    pod, _, container = rest.partition("/")
    return Target(namespace, pod, uid, container or None)


def select_targets(
    store_pods: Iterable[dict[str, Any]],
    nodes: dict[str, dict[str, Any]],
    spec: dict[str, Any],
    default_namespace: str,
    rng: random.Random,
    *,
    per_container: bool,
) -> list[Target]:
    """Select an experiment's targets.

    Args:
        store_pods: Every pod in the store (the candidates are filtered from these).
        nodes: Node objects by name, for `nodeSelectors`.
        spec: The experiment's spec (`selector`, `mode`, `value`, `containerNames`).
        default_namespace: The experiment's namespace, used when the selector names none.
        rng: The store's random generator.
        per_container: Whether records are per container (StressChaos, container-kill).

    Raises:
        SelectionError: When nothing qualifies, or a selector cannot be parsed.
    """
    selector = spec.get("selector") or {}
    try:
        candidates = [pod for pod in store_pods if _qualifies(pod, selector, nodes, default_namespace)]
    except SelectorError as err:
        raise SelectionError(str(err)) from err
    if not candidates:
        raise SelectionError(NO_POD_SELECTED)
    chosen = _by_mode(candidates, str(spec.get("mode", "one")), spec.get("value"), rng)
    if not chosen:
        raise SelectionError(NO_TARGET_SELECTED)
    targets = [t for pod in chosen for t in _targets_of(pod, spec.get("containerNames") or [], per_container)]
    if not targets:
        raise SelectionError("no container is selected")
    logger.debug("selected %s", [t.id for t in targets])
    return targets


def _targets_of(pod: dict[str, Any], names: list[str], per_container: bool) -> list[Target]:
    meta = pod["metadata"]
    if not per_container:
        return [Target(meta.get("namespace", ""), meta["name"], meta["uid"])]
    containers = [c["name"] for c in pod.get("spec", {}).get("containers") or []]
    wanted = [c for c in containers if not names or c in names]
    return [Target(meta.get("namespace", ""), meta["name"], meta["uid"], c) for c in wanted]


def _qualifies(pod: dict[str, Any], selector: dict[str, Any], nodes: dict[str, dict[str, Any]], home: str) -> bool:
    meta = pod["metadata"]
    namespace, name = meta.get("namespace", ""), meta["name"]
    exact = selector.get("pods") or {}
    if exact:
        if name not in (exact.get(namespace) or []):
            return False
    elif namespace not in (selector.get("namespaces") or [home]):
        return False
    if meta.get("deletionTimestamp"):
        return False
    phases = selector.get("podPhaseSelectors") or ["Running"]
    if pod.get("status", {}).get("phase") not in phases:
        return False
    labels = LabelSelector.from_spec(
        {"matchLabels": selector.get("labelSelectors") or {}, "matchExpressions": selector.get("expressionSelectors")}
    )
    if not labels.matches(meta.get("labels")):
        return False
    if not LabelSelector.from_labels(selector.get("annotationSelectors")).matches(meta.get("annotations")):
        return False
    field_map = selector.get("fieldSelectors") or {}
    fields = FieldSelector(tuple(FieldRequirement(path, str(value)) for path, value in field_map.items()))
    if not fields.matches(pod):
        return False
    return _on_selected_node(pod, selector, nodes)


def _on_selected_node(pod: dict[str, Any], selector: dict[str, Any], nodes: dict[str, dict[str, Any]]) -> bool:
    node_name = pod.get("spec", {}).get("nodeName", "")
    if selector.get("nodes") and node_name not in selector["nodes"]:
        return False
    node_labels = selector.get("nodeSelectors")
    if node_labels:
        node = nodes.get(node_name) or {}
        return LabelSelector.from_labels(node_labels).matches(node.get("metadata", {}).get("labels"))
    return True


def _by_mode(pods: list[dict[str, Any]], mode: str, value: Any, rng: random.Random) -> list[dict[str, Any]]:
    """Chaos Mesh's `FilterObjectsByMode`: percentages round up, so a non-zero share picks one at least."""
    count = len(pods)
    if mode == "one":
        picked = 1
    elif mode == "fixed":
        picked = min(int(value), count)
    elif mode == "fixed-percent":
        picked = math.ceil(count * int(value) / 100)
    elif mode == "random-max-percent":
        picked = math.ceil(count * rng.randint(0, int(value)) / 100)
    else:
        picked = count
    chosen = rng.sample(range(count), picked)
    return [pods[index] for index in sorted(chosen)]


def node_index(nodes: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Nodes by name, for `select_targets`."""
    return {node["metadata"]["name"]: node for node in nodes}
