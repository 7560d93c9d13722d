"""The chaos object of a trial, out of the agents' reach: its own namespace and a name that says nothing.

Chaos Mesh users commonly keep experiments in a namespace of their own and point them at the
application with `spec.selector.namespaces`. The harness does the same: the object goes into
`chaos-mesh` (created when missing; faults an aborted run left there are swept first), named
`fault-<8 hex>`, with the selector's namespaces set to the shop's when the instance names none.
The agents' Roles are in the shop's namespace and grant nothing of `chaos-mesh.org`, so they can
neither see nor delete it, and a name like `catalogue-cpu-stress` cannot give the diagnosis away
in an event either.

Before each L5 reading the trial asks `fault_problem`: the object must still exist, not be being
deleted, and have Chaos Mesh's `AllInjected` condition True (a paused, expired or deleted
experiment has recovered its targets). Otherwise that L5 is a fail with the reason, since an SLO
that holds because the fault went away proves nothing about the agent. Everything goes through
kubectl with the admin kubeconfig, the same on the twin and on a real cluster.
"""

from __future__ import annotations

import json
import logging
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..environment.kubectl import run_kubectl
from ..evaluate import EvaluationError
from ._instance import Chaos

logger = logging.getLogger(__name__)

CHAOS_NAMESPACE = "chaos-mesh"
MANAGED_BY = {"app.kubernetes.io/managed-by": "sock-shop-harness"}
"""The label on every fault object the harness creates."""
CHAOS_KINDS = ("stresschaos", "podchaos", "networkchaos")
"""The Chaos Mesh kinds the dataset uses, swept for leftovers before an injection."""
TIMEOUT = 60.0


class FaultObjectError(EvaluationError):
    """kubectl could not create, read or delete the fault object; the message says which.

    An `EvaluationError`: when it happens at an L5 reading, the trial records that the world could
    not be read, never the agent's failure.
    """


@dataclass(frozen=True)
class FaultObject:
    """A chaos object as created in the cluster: where it is and under which name."""

    kind: str
    name: str
    namespace: str = CHAOS_NAMESPACE

    def describe(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


def new_fault_name() -> str:
    """`fault-<8 hex>`: unique and neutral."""
    return f"fault-{secrets.token_hex(4)}"


def fault_manifest(chaos: Chaos, target_namespace: str, fault: FaultObject) -> dict[str, Any]:
    """The instance's chaos as `fault`, selecting pods in `target_namespace` unless it names its own."""
    manifest = chaos.manifest(fault.namespace)
    manifest["metadata"] = {"name": fault.name, "namespace": fault.namespace, "labels": dict(MANAGED_BY)}
    selector = manifest["spec"].setdefault("selector", {})
    if not selector.get("pods") and not selector.get("namespaces"):
        selector["namespaces"] = [target_namespace]
    return manifest


def _kubectl(args: list[str], kubeconfig: Path, stdin: str | None = None) -> str:
    try:
        return run_kubectl(args, kubeconfig, timeout=TIMEOUT, stdin=stdin).stdout
    except subprocess.CalledProcessError as err:
        raise FaultObjectError(f"kubectl {' '.join(args)} failed: {err.stderr.strip()}") from err
    except subprocess.TimeoutExpired as err:
        raise FaultObjectError(f"kubectl {' '.join(args)} did not finish within {TIMEOUT:.0f} s") from err


def inject_fault(kubeconfig: Path, target_namespace: str, chaos: Chaos, fault: FaultObject) -> None:
    """Create `fault`'s namespace if missing and the instance's chaos in it as `fault`."""
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": fault.namespace}}
    _kubectl(["apply", "-f", "-"], kubeconfig, stdin=yaml.safe_dump(namespace))
    sweep_faults(kubeconfig, fault.namespace)
    _kubectl(["apply", "-f", "-"], kubeconfig, stdin=yaml.safe_dump(fault_manifest(chaos, target_namespace, fault)))
    logger.info("fault %s injected (the instance's %s %s)", fault.describe(), chaos.kind, chaos.name)


def sweep_faults(kubeconfig: Path, namespace: str = CHAOS_NAMESPACE) -> None:
    """Delete every fault object the harness left in `namespace` (a run that ended abruptly).

    A reset re-creates the shop's namespace, which took such leftovers with it while the chaos
    lived there; in a namespace of its own it outlives the reset, so the next injection sweeps it.
    """
    selector = ",".join(f"{key}={value}" for key, value in MANAGED_BY.items())
    output = _kubectl(
        ["delete", ",".join(CHAOS_KINDS), "-n", namespace, "-l", selector, "--ignore-not-found"], kubeconfig
    )
    if output.strip():
        logger.warning("left over from an earlier run, deleted: %s", output.strip())


def remove_fault(kubeconfig: Path, fault: FaultObject) -> None:
    """Delete the fault object (no error when it is already gone)."""
    _kubectl(["delete", fault.kind.lower(), fault.name, "-n", fault.namespace, "--ignore-not-found"], kubeconfig)
    logger.info("fault %s removed", fault.describe())


def fault_problem(kubeconfig: Path, fault: FaultObject) -> str | None:
    """Why the fault is not in effect now (gone, being deleted, not all injected), or None when it is.

    Raises:
        FaultObjectError: the object could not be read.
    """
    text = _kubectl(
        ["get", fault.kind.lower(), fault.name, "-n", fault.namespace, "-o", "json", "--ignore-not-found"], kubeconfig
    )
    if not text.strip():
        return f"the fault object {fault.describe()} no longer exists"
    obj = json.loads(text)
    if obj.get("metadata", {}).get("deletionTimestamp"):
        return f"the fault object {fault.describe()} is being deleted"
    conditions = {c.get("type"): c for c in (obj.get("status") or {}).get("conditions") or []}
    injected = conditions.get("AllInjected") or {}
    if injected.get("status") != "True":
        states = ", ".join(f"{kind}={c.get('status')}" for kind, c in conditions.items()) or "no conditions"
        return f"the fault object {fault.describe()} is not injected ({states})"
    return None
