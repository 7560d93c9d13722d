"""Scoring what an agent *reported*: its figures against Prometheus, its verdict against the SLO checker.

The paper judged "report the CPU usage" and "check the health" by reading chat logs; here the
report text (what the agent sent with `report_result`, and its last message) is read by rules:

- Figures are numbers with units: `62%`, `124m` / `0.124 cores` (CPU), `85 ms` / `0.085 s`
  (latency). A percentage or a duration counts only in a sentence about the metric (so a memory
  percentage is not read as CPU); CPU quantities count anywhere. Figures that are clearly a
  threshold rather than a measurement ("under the 200 ms target", "a limit of 200m") are left out.
- A report passes when one of its figures for the metric lies within the instance's tolerance of
  the ground truth, measured through Prometheus at report time. Core figures are compared as a
  share of the limit measured then, so "124m" and "62 % of the limit" are the same claim.
- A verdict (healthy / unhealthy, normal / not) is read with the rubric's keyword rules and must
  agree with `check_slo` at report time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._prometheus import scalar_query
from ._promql import cpu_share, deployment_pods, pod_matcher
from ._score import Score
from .rubric import Rubric, load_rubric
from .slo import SloReport, p99_query

logger = logging.getLogger(__name__)

CPU_PERCENT, P99_MS = "cpu_percent_of_limit", "p99_ms"
METRICS = (CPU_PERCENT, P99_MS)
PERCENT, SECONDS, CORES = "percent", "seconds", "cores"

_UNITS: dict[str, tuple[str, float]] = {
    "%": (PERCENT, 1.0),
    "percent": (PERCENT, 1.0),
    "pct": (PERCENT, 1.0),
    "milliseconds": (SECONDS, 1e-3),
    "millisecond": (SECONDS, 1e-3),
    "msec": (SECONDS, 1e-3),
    "ms": (SECONDS, 1e-3),
    "microseconds": (SECONDS, 1e-6),
    "microsecond": (SECONDS, 1e-6),
    "µs": (SECONDS, 1e-6),
    "us": (SECONDS, 1e-6),
    "seconds": (SECONDS, 1.0),
    "second": (SECONDS, 1.0),
    "secs": (SECONDS, 1.0),
    "sec": (SECONDS, 1.0),
    "s": (SECONDS, 1.0),
    "millicores": (CORES, 1e-3),
    "millicore": (CORES, 1e-3),
    "mcpu": (CORES, 1e-3),
    "m": (CORES, 1e-3),
    "cores": (CORES, 1.0),
    "core": (CORES, 1.0),
    "vcpus": (CORES, 1.0),
    "vcpu": (CORES, 1.0),
    "cpus": (CORES, 1.0),
    "cpu": (CORES, 1.0),
}
_FIGURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*("
    + "|".join(
        re.escape(unit) + ("" if unit in ("%", "µs") else r"\b") for unit in sorted(_UNITS, key=len, reverse=True)
    )
    + ")",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_ABOUT = {
    PERCENT: re.compile(r"\bcpu\b|processor|millicore|\bcores?\b", re.IGNORECASE),
    SECONDS: re.compile(r"p\s?99|99(?:th)?[\s-]*percentile|latenc|response time|\btail\b", re.IGNORECASE),
}
_THRESHOLD_BEFORE = re.compile(
    r"(?:below|under|above|over|exceed(?:s|ing|ed)?|beyond|than|threshold|target|slo|limit|objective|<=?|>=?|≤|≥)"
    r"\s*(?:is|of|at|:|=)?\s*(?:the|its|a|an)?\s*$",
    re.IGNORECASE,
)
_THRESHOLD_AFTER = re.compile(r"^\s*(?:threshold|target|slo|limit|objective)", re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """A number with a unit found in a report, converted to its dimension's base unit."""

    value: float
    """Percent, seconds or cores."""
    dimension: str
    text: str
    sentence: str


@dataclass(frozen=True)
class Tolerance:
    """How far a reported figure may be from the truth: the larger of the two allowances applies."""

    absolute: float = 0.0
    """In the metric's unit: percentage points for CPU, milliseconds for P99."""
    relative: float = 0.0
    """A fraction of the true value (0.25 = 25 %)."""

    def allows(self, reported: float, truth: float) -> bool:
        return abs(reported - truth) <= max(self.absolute, self.relative * abs(truth))


@dataclass(frozen=True)
class Measurement:
    """The ground truth of a reporting task: one metric, in its unit, as Prometheus saw it then."""

    metric: str
    value: float
    """Percent of the CPU limit, or milliseconds."""
    details: dict[str, Any] = field(default_factory=dict)
    """The raw series behind it (cores used, limit cores, window, time)."""


def parse_figures(text: str) -> list[Figure]:
    """Every number-with-unit in `text` that reads as a measurement (thresholds left out)."""
    figures: list[Figure] = []
    for sentence in _SENTENCE_END.split(text):
        for match in _FIGURE.finditer(sentence):
            dimension, factor = _UNITS[match.group(2).lower()]
            if _THRESHOLD_BEFORE.search(sentence[: match.start()]) or _THRESHOLD_AFTER.match(sentence[match.end() :]):
                continue
            figures.append(Figure(float(match.group(1)) * factor, dimension, match.group(0), sentence.strip()))
    return figures


def measure_metric(
    prometheus_url: str, namespace: str, component: str, metric: str, window: str = "1m", at: datetime | None = None
) -> Measurement | None:
    """The truth for a reporting task at time `at` (default now); None when Prometheus has no data.

    Raises:
        ValueError: `metric` is not one of `METRICS`.
        EvaluationError: Prometheus could not be read.
    """
    details: dict[str, Any] = {"window": window, "at": at.isoformat() if at else None}
    if metric == P99_MS:
        seconds = scalar_query(prometheus_url, p99_query(component, window), at)
        return None if seconds is None else Measurement(metric, seconds * 1000, details)
    if metric != CPU_PERCENT:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    share = cpu_share(pod_matcher(namespace, deployment_pods(component)), window, per_pod=False)
    cores = scalar_query(prometheus_url, share.usage, at)
    limit = scalar_query(prometheus_url, share.limit, at)
    if cores is None or not limit:
        return None
    details.update(cores=cores, limit_cores=limit)
    return Measurement(metric, cores / limit * 100, details)


def _candidates(figures: list[Figure], measurement: Measurement) -> list[tuple[Figure, float]]:
    """The report's figures for the metric, each in the metric's unit."""
    if measurement.metric == P99_MS:
        return [(f, f.value * 1000) for f in figures if f.dimension == SECONDS and _ABOUT[SECONDS].search(f.sentence)]
    limit = measurement.details.get("limit_cores")
    chosen = [(f, f.value) for f in figures if f.dimension == PERCENT and _ABOUT[PERCENT].search(f.sentence)]
    if limit:
        chosen += [(f, f.value / limit * 100) for f in figures if f.dimension == CORES]
    return chosen


def check_reported_metric(report: str, measurement: Measurement | None, tolerance: Tolerance) -> Score:
    """Does the report state the metric within `tolerance` of the truth?"""
    if measurement is None:
        return Score(False, "no ground truth: Prometheus had no data for the metric at report time", {})
    unit = "%" if measurement.metric == CPU_PERCENT else " ms"
    candidates = _candidates(parse_figures(report), measurement)
    evidence: dict[str, Any] = {
        "metric": measurement.metric,
        "truth": measurement.value,
        "truth_details": measurement.details,
        "tolerance": {"absolute": tolerance.absolute, "relative": tolerance.relative},
        "reported": [{"text": figure.text, "value": value} for figure, value in candidates],
    }
    if not candidates:
        return Score(
            False,
            f"the report gives no figure for {measurement.metric} (truth {measurement.value:.1f}{unit})",
            evidence,
        )
    figure, value = min(candidates, key=lambda pair: abs(pair[1] - measurement.value))
    evidence["closest"] = {"text": figure.text, "value": value}
    passed = tolerance.allows(value, measurement.value)
    relation = "within" if passed else "outside"
    return Score(
        passed,
        f"reported {figure.text!r} = {value:.1f}{unit}, truth {measurement.value:.1f}{unit}: {relation} tolerance",
        evidence,
    )


def check_reported_verdict(report: str, truth: SloReport, rubric: Rubric | None = None) -> Score:
    """Does the report's healthy/unhealthy verdict agree with the SLO checker's?"""
    verdict = (rubric or load_rubric()).verdict(report)
    expected = "healthy" if truth.passed else "unhealthy"
    evidence = {"verdict": verdict, "expected": expected, "slo": truth.evidence()}
    if verdict is None:
        return Score(False, f"the report states no verdict; the SLO checker says {expected}", evidence)
    passed = verdict == expected
    return Score(passed, f"reported {verdict}, SLO checker says {expected} ({truth.score().explanation})", evidence)
