"""An experiment instance as typed, frozen values: what `load_instance` returns.

The YAML's units are the readable ones (percent, milliseconds); here they become the evaluators'
types (`SloThresholds` in shares and seconds, `Tolerance`, `AutoscalerBounds`), so a runner hands
them on without converting anything.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..evaluate import AutoscalerBounds, SloThresholds, Tolerance

CHAOS_API_VERSION = "chaos-mesh.org/v1alpha1"
FAULT_LEVELS = (3, 4, 5)


@dataclass(frozen=True)
class ManifestEdit:
    """Set `value` at `jsonpath` in the manifest `file` (a name under kubernetes/sock-shop/)."""

    file: str
    jsonpath: str
    value: Any


@dataclass(frozen=True)
class EnvironmentChanges:
    """How the shop differs from the stock manifests before the agents start."""

    edits: tuple[ManifestEdit, ...] = ()
    delete: tuple[str, ...] = ()
    """Manifest files whose objects are removed from the cluster (and left out of the prepared copy)."""
    unhealthy_pods_allowed: int = 0
    """Pods that may stay un-Ready while the runner waits for the shop (the broken rollback pod)."""


@dataclass(frozen=True)
class Chaos:
    """A Chaos Mesh experiment: its kind, name and spec exactly as Chaos Mesh reads them."""

    kind: str
    name: str
    spec: Mapping[str, Any]

    def manifest(self, namespace: str) -> dict[str, Any]:
        """The full object to `kubectl apply` (a fresh copy each time)."""
        return {
            "apiVersion": CHAOS_API_VERSION,
            "kind": self.kind,
            "metadata": {"name": self.name, "namespace": namespace},
            "spec": copy.deepcopy(dict(self.spec)),
        }


@dataclass(frozen=True)
class GroundTruth:
    """What scoring needs; `check` names the scorer, and only that scorer's fields are set."""

    check: str
    targets: tuple[str, ...]
    """The components the check applies to."""
    window: str = "2m"
    """How far back Prometheus-based checks look (a Prometheus duration)."""
    replicas: int | None = None
    image_tag: str | None = None
    env: tuple[str, str] | None = None
    """(name, value) of the environment variable the pods must carry."""
    autoscaler: AutoscalerBounds | None = None
    slo: SloThresholds | None = None
    """The objectives for `slo`, `reported_verdict` and `fault` checks."""
    p99_sum_seconds: float | None = None
    """Group latency: the targets' P99s added up must stay below this."""
    metric: str | None = None
    tolerance: Tolerance | None = None
    root_cause_category: str | None = None


@dataclass(frozen=True)
class ReportTemplate:
    """The report a competent operator sends: text with `{placeholders}` filled from PromQL values."""

    text: str
    values: Mapping[str, str]
    """PromQL per placeholder."""
    message_type: str = "RESPONSE"

    def render(self, values: Mapping[str, float]) -> str:
        """The report with every placeholder replaced by its measured value."""
        return self.text.format(**values)


@dataclass(frozen=True)
class ReferenceSolution:
    """Shell commands run from the repository root with KUBECONFIG and PROMETHEUS_URL set, then the report."""

    commands: tuple[str, ...]
    report: ReportTemplate | None = None


@dataclass(frozen=True)
class Instance:
    """One test case of the benchmark."""

    name: str
    title: str
    """The task's name in the paper's tables."""
    source: Path
    namespace: str
    components: tuple[str, ...]
    scope: str
    """`low` (a maintainer gets the task) or `high` (the manager does)."""
    level: int
    task: str
    """The task text sent to the agent (the global health-check task for fault instances)."""
    workload: str
    load_target: str
    """The component Locust loads."""
    environment: EnvironmentChanges
    chaos: Chaos | None
    ground_truth: GroundTruth
    reference_solution: ReferenceSolution
    aliases: tuple[str, ...] = ()

    @property
    def component(self) -> str:
        """The first (for low-level instances, the only) component."""
        return self.components[0]

    @property
    def scored_levels(self) -> tuple[int, ...]:
        """The levels a run is scored at: L3, L4 and L5 for a fault instance, else its own level."""
        return FAULT_LEVELS if self.level in FAULT_LEVELS else (self.level,)
