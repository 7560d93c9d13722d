"""What the agents changed in the namespace: a before/after diff of its Deployments, to flag side effects.

The paper saw a Latency Reduction run fail because the agent edited another service. A maintainer
answers for its own component; a change anywhere else is recorded and flagged in the record (it
is not by itself a failure: the scores say whether the task was done). The snapshot keeps what
an operator would change: existence, replicas, and per container the image, resources and env.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from ._cluster import get_json
from ._score import EvaluationError

Snapshot = dict[str, dict[str, Any]]
"""Deployment name → its operator-visible spec."""


def _spec(deployment: dict[str, Any]) -> dict[str, Any]:
    spec = deployment.get("spec", {})
    containers = spec.get("template", {}).get("spec", {}).get("containers", [])
    return {
        "replicas": spec.get("replicas", 1),
        "containers": {
            container.get("name", ""): {
                "image": container.get("image"),
                "resources": container.get("resources", {}),
                "env": container.get("env", []),
            }
            for container in containers
        },
    }


def snapshot_deployments(kubeconfig: Path, namespace: str) -> Snapshot:
    """The namespace's Deployments as they are now.

    Raises:
        EvaluationError: kubectl could not list them.
    """
    document = get_json(kubeconfig, ["deployments", "-n", namespace])
    if document is None:
        raise EvaluationError(f"no deployments could be listed in {namespace}")
    return {item["metadata"]["name"]: _spec(item) for item in document.get("items", [])}


def _describe(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    notes = []
    if before["replicas"] != after["replicas"]:
        notes.append(f"replicas {before['replicas']} -> {after['replicas']}")
    for name in sorted(set(before["containers"]) | set(after["containers"])):
        old, new = before["containers"].get(name), after["containers"].get(name)
        if old is None or new is None:
            notes.append(f"container {name} {'added' if old is None else 'removed'}")
            continue
        notes += [f"{name} {field} changed" for field in ("image", "resources", "env") if old[field] != new[field]]
    return notes


def changed_deployments(before: Snapshot, after: Snapshot) -> dict[str, list[str]]:
    """Deployment name → what changed (created, deleted, replicas, image, resources, env)."""
    changes: dict[str, list[str]] = {}
    for name in sorted(set(before) | set(after)):
        if name not in after:
            changes[name] = ["deleted"]
        elif name not in before:
            changes[name] = ["created"]
        elif notes := _describe(before[name], after[name]):
            changes[name] = notes
    return changes


def flag_foreign_changes(before: Snapshot, after: Snapshot, own: Collection[str]) -> list[str]:
    """One line per Deployment outside `own` that changed: what the record's `flags` holds."""
    return [
        f"{name}: {', '.join(notes)} (not a component the agents answer for)"
        for name, notes in changed_deployments(before, after).items()
        if name not in own
    ]
