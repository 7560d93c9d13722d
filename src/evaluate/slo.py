"""The SLO checker: is a component healthy right now, measured the way the task states it?

The paper's health criteria (and the L5 verdict) are: (1) the pods are Running and Ready; (2) CPU
and memory stay below 50 % of the container *limits*; (3) P99 latency stays below 200 ms. Each is
measured here with its value and threshold as evidence, over a window ending now:

- Ready, from kubectl: the Deployment exists, wants at least one replica, and every one of its
  pods is Ready. Deleting the Deployment or scaling it to zero therefore fails, whatever the
  latency of a service that no longer serves anything (the reward hack the paper's checker
  allowed, since it looked at STATUS `Running` only).
- CPU and memory, from cAdvisor through Prometheus, per pod, as a share of that pod's limit:
  `rate(container_cpu_usage_seconds_total)` over (quota / period), and the working set averaged
  over the window over `container_spec_memory_limit_bytes`. The worst pod decides. A container
  without a limit has no share to measure and fails: removing the limit is not a way to meet a
  limit-relative objective.
- P99, `histogram_quantile(0.99, ...)` over the service's own request histogram.
- Serving, a second guard: the service answered requests in the window, and mostly with 2xx.

Thresholds are data (`SloThresholds`); a threshold set to None leaves that criterion out, which is
how the L2 reduction tasks check only "P99 < 300 ms" or "CPU < 30 %" while keeping both guards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._cluster import get_deployment, is_ready, pod_name, pods_of
from ._prometheus import by_label, instant_query, scalar_query
from ._promql import cpu_share, exact_pods, pod_matcher
from ._score import Score

logger = logging.getLogger(__name__)

READY, CPU, MEMORY, P99, SERVING = "ready", "cpu", "memory", "p99", "serving"


@dataclass(frozen=True)
class SloThresholds:
    """The objectives a component must meet; None leaves a criterion out (Ready and serving always apply)."""

    p99_seconds: float | None = 0.2
    """P99 latency must stay below this."""
    cpu_share_of_limit: float | None = 0.5
    """CPU use over the CPU limit (0.5 = 50 %) must stay below this, in every pod."""
    memory_share_of_limit: float | None = 0.5
    """Memory working set over the memory limit must stay below this, in every pod."""
    min_success_share: float = 0.9
    """Share of requests answered 2xx the service must keep to count as serving its traffic."""


@dataclass(frozen=True)
class SloCheck:
    """One criterion: what was measured against what."""

    name: str
    passed: bool
    value: float | None
    """None when there was nothing to measure (no pods, no requests)."""
    threshold: float | None
    unit: str
    explanation: str


@dataclass(frozen=True)
class SloReport:
    """Every criterion of one component, measured over the window ending when it was checked."""

    namespace: str
    component: str
    window: str
    checks: tuple[SloCheck, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(check.name for check in self.checks if not check.passed)

    def check(self, name: str) -> SloCheck | None:
        """The criterion called `name` (`ready`, `cpu`, `memory`, `p99`, `serving`), if it was checked."""
        return next((check for check in self.checks if check.name == name), None)

    def evidence(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "window": self.window,
            "checks": {
                check.name: {
                    "passed": check.passed,
                    "value": check.value,
                    "threshold": check.threshold,
                    "unit": check.unit,
                    "explanation": check.explanation,
                }
                for check in self.checks
            },
        }

    def score(self) -> Score:
        if self.passed:
            explanation = f"{self.component} meets its SLO: " + "; ".join(c.explanation for c in self.checks)
        else:
            broken = [check.explanation for check in self.checks if not check.passed]
            explanation = f"{self.component} misses its SLO: " + "; ".join(broken)
        return Score(self.passed, explanation, self.evidence())


def check_slo(
    prometheus_url: str,
    kubeconfig: Path,
    namespace: str,
    component: str,
    window: str = "2m",
    thresholds: SloThresholds = SloThresholds(),
) -> SloReport:
    """Measure `component` against `thresholds` over the `window` (a Prometheus duration) ending now.

    Args:
        prometheus_url: base URL of Prometheus' HTTP API.
        kubeconfig: the cluster's kubeconfig (the twin's or a real one).
        namespace: where the component runs.
        component: the Deployment's name, which is also the `name` label on its request metrics.
        window: how far back rates and averages reach.
        thresholds: the objectives; `SloThresholds()` is the paper's standard SLO.

    Raises:
        EvaluationError: kubectl or Prometheus could not be read.
    """
    deployment = get_deployment(kubeconfig, namespace, component)
    pods = pods_of(kubeconfig, namespace, deployment) if deployment else []
    names = [pod_name(pod) for pod in pods]
    checks = [_ready(component, deployment, pods)]
    if thresholds.cpu_share_of_limit is not None:
        checks.append(_cpu(prometheus_url, namespace, names, window, thresholds.cpu_share_of_limit))
    if thresholds.memory_share_of_limit is not None:
        checks.append(_memory(prometheus_url, namespace, names, window, thresholds.memory_share_of_limit))
    if thresholds.p99_seconds is not None:
        checks.append(_p99(prometheus_url, component, window, thresholds.p99_seconds))
    checks.append(_serving(prometheus_url, component, window, thresholds.min_success_share))
    report = SloReport(namespace, component, window, tuple(checks))
    logger.info("SLO of %s/%s over %s: %s", namespace, component, window, "met" if report.passed else report.failed)
    return report


def check_all(reports: Sequence[SloReport]) -> Score:
    """Several components at once: passed when every one meets its SLO; each report is in the evidence."""
    scores = [report.score() for report in reports]
    return Score(
        all(score.passed for score in scores),
        " ".join(score.explanation for score in scores),
        {"components": [report.evidence() for report in reports]},
    )


def check_p99_sum(reports: Sequence[SloReport], threshold_seconds: float) -> Score:
    """A group objective: the P99s of several components added up stay below `threshold_seconds`.

    Every component must also pass its own guards (Ready, serving), so a group cannot meet a latency
    target by switching one of its members off.
    """
    evidence: dict[str, Any] = {"threshold_seconds": threshold_seconds, "components": [r.evidence() for r in reports]}
    guards = [
        f"{r.component}: {c.explanation}"
        for r in reports
        for c in r.checks
        if c.name in (READY, SERVING) and not c.passed
    ]
    p99s = {r.component: (check.value if (check := r.check(P99)) else None) for r in reports}
    missing = [name for name, value in p99s.items() if value is None]
    if missing:
        return Score(False, f"no P99 measured for {', '.join(missing)}", evidence)
    total = sum(value for value in p99s.values() if value is not None)
    evidence["p99_sum_seconds"] = total
    parts = " + ".join(f"{name} {value * 1000:.0f} ms" for name, value in p99s.items() if value is not None)
    if guards:
        return Score(False, f"P99 sum {total * 1000:.0f} ms, but " + "; ".join(guards), evidence)
    passed = total < threshold_seconds
    relation = "<" if passed else ">="
    return Score(
        passed, f"P99 sum {parts} = {total * 1000:.0f} ms {relation} {threshold_seconds * 1000:.0f} ms", evidence
    )


def _ready(component: str, deployment: dict[str, Any] | None, pods: list[dict[str, Any]]) -> SloCheck:
    if deployment is None:
        return SloCheck(READY, False, 0, 1, "pods", f"deployment {component} does not exist")
    wanted = (deployment.get("spec") or {}).get("replicas", 1)
    ready = sum(1 for pod in pods if is_ready(pod))
    summary = f"{ready}/{len(pods)} pods Ready, {wanted} wanted"
    if wanted < 1:
        return SloCheck(READY, False, ready, 1, "pods", f"deployment {component} is scaled to {wanted} ({summary})")
    passed = ready >= 1 and ready == len(pods) and ready >= wanted
    return SloCheck(READY, passed, ready, wanted, "pods", summary)


def _worst_share(
    name: str, usage: dict[str, float], limits: dict[str, float], names: list[str], threshold: float, what: str
) -> SloCheck:
    if not names:
        return SloCheck(name, False, None, threshold, "share of limit", f"no pods to measure {what} on")
    unlimited = [pod for pod in names if limits.get(pod, 0) <= 0 and pod in usage]
    if unlimited:
        return SloCheck(
            name,
            False,
            None,
            threshold,
            "share of limit",
            f"{what}: no limit set on {', '.join(unlimited)}, so no share of a limit to keep under",
        )
    shares = {pod: usage[pod] / limits[pod] for pod in names if pod in usage and pod in limits}
    if not shares:
        return SloCheck(name, False, None, threshold, "share of limit", f"{what}: no samples in Prometheus yet")
    worst_pod = max(shares, key=lambda pod: shares[pod])
    worst = shares[worst_pod]
    passed = worst < threshold
    relation = "<" if passed else ">="
    return SloCheck(
        name,
        passed,
        worst,
        threshold,
        "share of limit",
        f"{what} {worst:.0%} of the limit in {worst_pod} {relation} {threshold:.0%}",
    )


def _cpu(prometheus_url: str, namespace: str, names: list[str], window: str, threshold: float) -> SloCheck:
    if not names:
        return _worst_share(CPU, {}, {}, names, threshold, "CPU")
    share = cpu_share(pod_matcher(namespace, exact_pods(names)), window, per_pod=True)
    usage = by_label(instant_query(prometheus_url, share.usage), "pod")
    limits = by_label(instant_query(prometheus_url, share.limit), "pod")
    return _worst_share(CPU, usage, limits, names, threshold, "CPU")


def _memory(prometheus_url: str, namespace: str, names: list[str], window: str, threshold: float) -> SloCheck:
    if not names:
        return _worst_share(MEMORY, {}, {}, names, threshold, "memory")
    matcher = pod_matcher(namespace, exact_pods(names))
    usage = by_label(
        instant_query(
            prometheus_url, f"sum by (pod) (avg_over_time(container_memory_working_set_bytes{{{matcher}}}[{window}]))"
        ),
        "pod",
    )
    limits = by_label(
        instant_query(prometheus_url, f"sum by (pod) (container_spec_memory_limit_bytes{{{matcher}}})"), "pod"
    )
    return _worst_share(MEMORY, usage, limits, names, threshold, "memory")


def p99_query(component: str, window: str) -> str:
    """The P99 latency of a service over `window`, in seconds."""
    return (
        f'histogram_quantile(0.99, sum(rate(request_duration_seconds_bucket{{name="{component}"}}[{window}])) by (le))'
    )


def _p99(prometheus_url: str, component: str, window: str, threshold: float) -> SloCheck:
    value = scalar_query(prometheus_url, p99_query(component, window))
    if value is None:
        return SloCheck(P99, False, None, threshold, "seconds", f"no requests to {component} recorded in {window}")
    passed = value < threshold
    relation = "<" if passed else ">="
    return SloCheck(
        P99, passed, value, threshold, "seconds", f"P99 {value * 1000:.0f} ms {relation} {threshold * 1000:.0f} ms"
    )


def _serving(prometheus_url: str, component: str, window: str, min_share: float) -> SloCheck:
    selector = f'name="{component}",route!="metrics"'
    total = scalar_query(prometheus_url, f"sum(rate(request_duration_seconds_count{{{selector}}}[{window}]))") or 0.0
    if total <= 0:
        return SloCheck(SERVING, False, 0.0, min_share, "share 2xx", f"{component} answered no requests in {window}")
    good = (
        scalar_query(
            prometheus_url, f'sum(rate(request_duration_seconds_count{{{selector},status_code=~"2.."}}[{window}]))'
        )
        or 0.0
    )
    share = min(1.0, good / total)  # the two rates are separate evaluations and may differ in the last digit
    passed = share >= min_share
    relation = ">=" if passed else "<"
    return SloCheck(
        SERVING,
        passed,
        share,
        min_share,
        "share 2xx",
        f"{total:.1f} requests/s, {share:.0%} answered 2xx {relation} {min_share:.0%}",
    )
