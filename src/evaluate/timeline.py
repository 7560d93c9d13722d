"""`timeline.png`: what each component went through during a run, beside what was done to it.

A score says whether the agent succeeded; the timeline shows how: when the fault bit, when the
task arrived, what the agent did and how P99, CPU and Ready pods answered. Everything is read
from Prometheus `query_range`, so the figure means the same on the twin and on a real cluster:

- P99 (ms): `histogram_quantile(0.99, ...)` over the service's request histogram, as the SLO
  checker measures it (`slo.p99_query`).
- CPU (% of the CPU limit): cAdvisor's usage rate over quota / period, per pod, and the **maximum
  over the component's pods**: the SLO holds only when every pod stays under 50 %, so the worst
  pod is the one to watch (a sum over sum would hide one saturated replica behind idle ones).
- Ready pods: kube-state-metrics' `kube_deployment_status_replicas_ready`, which stays at 0 (not
  absent) when a deployment is scaled to zero.

Rates use a 1-minute window by default. A `rate()` whose window reaches back before Prometheus'
first scrape reads low (the increase is divided by the whole window), so a run that starts as
Prometheus does should pass a shorter `rate_window`.

The data behind the figure is returned as a `Timeline`, so callers and tests can check it and a
run record can keep it. matplotlib is imported only when a figure is drawn (`_figure`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ._prometheus import range_query
from ._promql import cpu_share, deployment_pods, pod_matcher
from .slo import p99_query

logger = logging.getLogger(__name__)

MARK_KINDS = ("injection", "task", "evaluation", "action")
MAX_POINTS = 300
"""At most this many steps per series: enough for a smooth line, cheap for Prometheus."""
RATE_WINDOW = "1m"
"""The default window of `rate()`: the paper's P99 query."""
P99_SLO_MS = 200.0
CPU_SLO_PERCENT = 50.0

Point = tuple[float, float]
"""Seconds since the start of the run, and the value then."""


@dataclass(frozen=True)
class Mark:
    """Something that happened at `at`: the chaos `injection`, a `task` start, the `evaluation`, an agent `action`."""

    at: datetime
    kind: str
    label: str

    def __post_init__(self) -> None:
        if self.kind not in MARK_KINDS:
            raise ValueError(f"mark kind {self.kind!r} is not one of {', '.join(MARK_KINDS)}")
        if self.at.tzinfo is None:
            raise ValueError(f"mark {self.label!r} has a naive time; give it a timezone")


@dataclass(frozen=True)
class Panel:
    """One stacked panel: a series per component, and the objective drawn across it."""

    name: str
    """`p99`, `cpu` or `ready`."""
    ylabel: str
    slo: float | None
    queries: dict[str, str]
    """The PromQL behind each component's series."""
    series: dict[str, tuple[Point, ...]]
    """Component -> its points; empty where Prometheus had no samples."""

    @property
    def empty(self) -> bool:
        return not any(self.series.values())


@dataclass(frozen=True)
class Timeline:
    """A drawn timeline: where the PNG is and the data it shows."""

    path: Path
    start: datetime
    end: datetime
    step: float
    """Seconds between points."""
    panels: tuple[Panel, ...]
    marks: tuple[Mark, ...]

    def panel(self, name: str) -> Panel:
        """The panel called `name` (`p99`, `cpu`, `ready`)."""
        return next(panel for panel in self.panels if panel.name == name)


def step_for(start: datetime, end: datetime) -> float:
    """Whole seconds between points, so a run of any length has at most `MAX_POINTS` of them."""
    return float(max(1, math.ceil((end - start).total_seconds() / MAX_POINTS)))


def p99_ms_query(component: str, window: str = RATE_WINDOW) -> str:
    """The component's P99 latency in milliseconds, one series."""
    return f"{p99_query(component, window)} * 1000"


def cpu_percent_query(namespace: str, component: str, window: str = RATE_WINDOW) -> str:
    """CPU use of the component's busiest pod as a percentage of that pod's CPU limit, one series.

    The component's pods over the whole run are matched, replaced ones included.
    """
    return cpu_share(pod_matcher(namespace, deployment_pods(component)), window, per_pod=True).worst_percent()


def ready_pods_query(namespace: str, component: str) -> str:
    """Ready replicas of the component's Deployment, one series (`max` folds duplicate exporters)."""
    return f'max(kube_deployment_status_replicas_ready{{namespace="{namespace}",deployment="{component}"}})'


def _series(prometheus_url: str, promql: str, start: datetime, end: datetime, step: float) -> tuple[Point, ...]:
    """The points of a query that aggregates to one series, in seconds since `start`; none when it has no data."""
    found = range_query(prometheus_url, promql, start, end, step)
    origin = start.timestamp()
    return tuple((at - origin, value) for _, points in found[:1] for at, value in points)


def _panel(
    prometheus_url: str,
    name: str,
    ylabel: str,
    slo: float | None,
    queries: dict[str, str],
    window: tuple[datetime, datetime, float],
) -> Panel:
    series = {component: _series(prometheus_url, promql, *window) for component, promql in queries.items()}
    return Panel(name, ylabel, slo, queries, series)


def load_renderer() -> None:
    """Import what drawing needs (matplotlib: about half a second) ahead of `draw_timeline`, e.g. on a
    thread while a run waits, so the run's cleanup does not pay for it."""
    from . import _figure  # noqa: F401


def draw_timeline(
    path: Path,
    prometheus_url: str,
    namespace: str,
    components: Sequence[str],
    start: datetime,
    end: datetime,
    marks: Sequence[Mark],
    *,
    rate_window: str = RATE_WINDOW,
) -> Timeline:
    """Query the run's metrics and write them, with `marks`, as a PNG at `path` (written atomically).

    Args:
        path: where the PNG goes, usually `results/<run>/timeline.png`.
        prometheus_url: base URL of Prometheus' HTTP API.
        namespace: where the components run.
        components: Deployment names, which are also the `name` label of their request metrics.
        start: the beginning of the run (timezone-aware); the time axis counts seconds from here.
        end: the end of the run (timezone-aware).
        marks: injection, task, evaluation and agent-action times; those outside the run are left out.
        rate_window: the window of `rate()` in the P99 and CPU queries, a Prometheus duration.

    Returns:
        The `Timeline`: the PNG's path and the series drawn, per panel and component.

    Raises:
        EvaluationError: Prometheus could not be read (one line saying why).
        ValueError: naive times, or `end` not after `start`.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end - start < timedelta(seconds=1):
        raise ValueError(f"the run must last at least a second: {start.isoformat()} .. {end.isoformat()}")
    window = (start, end, step_for(start, end))
    panels = (
        _panel(
            prometheus_url,
            "p99",
            "P99 latency (ms)",
            P99_SLO_MS,
            {c: p99_ms_query(c, rate_window) for c in components},
            window,
        ),
        _panel(
            prometheus_url,
            "cpu",
            "CPU (% of limit, max over pods)",
            CPU_SLO_PERCENT,
            {c: cpu_percent_query(namespace, c, rate_window) for c in components},
            window,
        ),
        _panel(
            prometheus_url, "ready", "Ready pods", None, {c: ready_pods_query(namespace, c) for c in components}, window
        ),
    )
    timeline = Timeline(path, start, end, window[2], panels, tuple(mark for mark in marks if start <= mark.at <= end))
    from ._figure import render

    render(timeline, namespace)
    logger.info("timeline of %s (%s) written to %s", namespace, ", ".join(components), path)
    return timeline
