"""The world-side steps of a trial: reset the shop to the instance's manifests, wait Ready.

Everything goes through kubectl, so the steps mean the same on the twin and on a real cluster.
The chaos lives in a namespace of its own, out of the agents' reach (`_fault_object`).
Waiting is a condition checked against a deadline (`wait_ready`), never a fixed sleep.

A reset deletes the whole namespace, and with it whatever someone put there: a StressChaos a user
applied, an autoscaler an agent created in an earlier trial. So it lists the namespace's objects
first and says what went (`ShopReset`), naming apart what the manifests do not bring back. Objects
that another object owns (pods of a ReplicaSet, ReplicaSets of a Deployment, EndpointSlices),
a Service's Endpoints, events, and what Kubernetes puts in every namespace are left out of the
list: they come and go with their owners.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..environment.deploy import DeployError, remove
from ..environment.kubectl import run_kubectl

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
"""The longest wait between two readiness checks; the first come sooner (`FIRST_POLL`, growing by half)."""
FIRST_POLL = 0.2
READY_TIMEOUT = 300.0
UNLISTED_RESOURCES = frozenset({"events", "events.events.k8s.io"})
"""Namespaced resources a reset does not name: the record of what happened, not objects anyone made."""
KUBERNETES_OWN = frozenset({("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")})
"""What a real cluster creates in every namespace (and creates again with the namespace)."""
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
"""The files `kubectl apply -f <folder>` reads."""


class WorldError(RuntimeError):
    """The cluster could not be brought into the instance's starting state; the message says what failed."""


def _kubectl(args: list[str], kubeconfig: Path, timeout: float = 120, stdin: str | None = None) -> str:
    try:
        return run_kubectl(args, kubeconfig, timeout=timeout, stdin=stdin).stdout
    except subprocess.CalledProcessError as err:
        raise WorldError(f"kubectl {' '.join(args)} failed: {err.stderr.strip()}") from err
    except subprocess.TimeoutExpired as err:
        raise WorldError(f"kubectl {' '.join(args)} did not finish within {timeout:.0f} s") from err


def unready_replicas(kubeconfig: Path, namespace: str) -> tuple[int, int]:
    """(replicas asked for but not Ready, deployments) over every Deployment of `namespace`."""
    document = json.loads(_kubectl(["get", "deployments", "-n", namespace, "-o", "json"], kubeconfig))
    missing = 0
    for item in document.get("items", []):
        wanted = item.get("spec", {}).get("replicas", 1)
        ready = item.get("status", {}).get("readyReplicas") or 0
        missing += max(0, wanted - ready)
    return missing, len(document.get("items", []))


def wait_ready(
    kubeconfig: Path,
    namespace: str,
    allowed_unready: int = 0,
    timeout: float = READY_TIMEOUT,
    *,
    clock: Callable[[], float] = time.monotonic,
    stop: threading.Event | None = None,
) -> None:
    """Wait until at most `allowed_unready` replicas of the namespace's Deployments are not Ready.

    Raises:
        WorldError: the condition did not hold within `timeout` seconds (the message says how far off).
    """
    stop = stop or threading.Event()
    deadline = clock() + timeout
    interval = FIRST_POLL
    while True:
        missing, deployments = unready_replicas(kubeconfig, namespace)
        if deployments and missing <= allowed_unready:
            logger.info("%s is Ready (%d replicas not Ready, %d allowed)", namespace, missing, allowed_unready)
            return
        if clock() >= deadline:
            raise WorldError(
                f"{namespace} was not Ready within {timeout:.0f} s: {missing} replicas not Ready "
                f"({allowed_unready} allowed) over {deployments} deployments"
            )
        stop.wait(interval)
        interval = min(POLL_INTERVAL, interval * 1.5)


@dataclass(frozen=True)
class ShopReset:
    """What a reset deleted with the namespace, and which of it the manifests do not create again."""

    namespace: str
    deleted: tuple[str, ...]
    """`Kind/name` of every object deleted, but for those left out by design (see the module docstring)."""
    not_recreated: tuple[str, ...]
    """Those of `deleted` the manifests do not create again: chaos, autoscalers, what an agent or a user added."""

    def as_record(self) -> dict[str, Any]:
        """The `reset` entry of `record.json`."""
        return {"namespace": self.namespace, "deleted": list(self.deleted), "not_recreated": list(self.not_recreated)}

    def describe(self) -> str:
        """One line for the progress output: what was deleted, and what is now gone for good."""
        if not self.deleted:
            return f"reset: namespace {self.namespace} was empty or absent; applied the manifests"
        counts = Counter(name.split("/", 1)[0] for name in self.deleted)
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
        line = f"reset: deleted namespace {self.namespace} with {kinds}"
        if not self.not_recreated:
            return f"{line}; the manifests re-created every one"
        return f"{line}; not in the manifests, so gone now: {', '.join(self.not_recreated)}"


def _api_resources(kubeconfig: Path) -> list[str]:
    """The namespaced resources that can be listed and deleted (what a namespace deletion removes)."""
    command = ["api-resources", "--namespaced=true", "--verbs=list,delete", "-o", "name"]
    try:
        result = run_kubectl(command, kubeconfig, timeout=60, check=False)
    except subprocess.TimeoutExpired as err:
        raise WorldError(f"kubectl {' '.join(command)} did not finish within 60 s") from err
    names = [name for name in result.stdout.split() if name not in UNLISTED_RESOURCES]
    if not names:  # a real cluster may fail on one API group (metrics) and still list the others
        raise WorldError(f"kubectl {' '.join(command)} failed: {result.stderr.strip()}")
    return names


def namespace_objects(kubeconfig: Path, namespace: str) -> list[str]:
    """`Kind/name` of the objects in `namespace` that a reset names (none when the namespace is absent).

    Raises:
        WorldError: kubectl refused or timed out.
    """
    resources = ",".join(_api_resources(kubeconfig))
    document = json.loads(_kubectl(["get", resources, "-n", namespace, "-o", "json"], kubeconfig) or "{}")
    items = [item for item in document.get("items", []) if not item["metadata"].get("ownerReferences")]
    services = {item["metadata"]["name"] for item in items if item["kind"] == "Service"}
    return sorted(
        f"{item['kind']}/{item['metadata']['name']}"
        for item in items
        if (item["kind"], item["metadata"]["name"]) not in KUBERNETES_OWN
        and not (item["kind"] == "Endpoints" and item["metadata"]["name"] in services)
    )


def _documents(manifests: Path) -> Iterator[Any]:
    files = sorted(manifests.iterdir()) if manifests.is_dir() else [manifests]
    for file in files:
        if file.suffix in MANIFEST_SUFFIXES:
            yield from yaml.safe_load_all(file.read_text(encoding="utf-8"))


def declared_objects(manifests: Path, namespace: str) -> set[str]:
    """`Kind/name` of the objects in `namespace` that applying `manifests` creates."""
    declared = set()
    for document in _documents(manifests):
        if not isinstance(document, dict) or not isinstance(document.get("metadata"), dict):
            continue
        metadata = document["metadata"]
        if document.get("kind") != "Namespace" and metadata.get("namespace", namespace) == namespace:
            declared.add(f"{document.get('kind')}/{metadata.get('name')}")
    return declared


def reset_shop(kubeconfig: Path, namespace: str, manifests: Path, timeout: float = READY_TIMEOUT) -> ShopReset:
    """Delete the namespace (and every object in it), then apply `manifests`; return what was deleted.

    Raises:
        WorldError: kubectl refused or timed out.
    """
    deleted = tuple(namespace_objects(kubeconfig, namespace))
    try:
        remove(kubeconfig, namespace, timeout=timeout)
    except DeployError as err:
        raise WorldError(str(err)) from err
    _kubectl(["apply", "-f", str(manifests)], kubeconfig, timeout=timeout)
    declared = declared_objects(manifests, namespace)
    reset = ShopReset(namespace, deleted, tuple(name for name in deleted if name not in declared))
    logger.info("%s re-created from %s (%s)", namespace, manifests, reset.describe())
    return reset
