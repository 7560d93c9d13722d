"""From an instance's ground truth to the evaluator that scores it.

The evaluators (`src.evaluate`) take plain arguments and know nothing of the dataset; this module
reads `GroundTruth.check` and calls the right one with the instance's namespace, targets, window
and thresholds. Scores that need the agents' output (reports, L3-L5 verdicts) take it as text.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from ..evaluate import (
    Score,
    SloReport,
    SloThresholds,
    check_all,
    check_autoscaler,
    check_deployment_ready,
    check_env,
    check_image_tag,
    check_p99_sum,
    check_replicas,
    check_reported_metric,
    check_reported_verdict,
    check_restarted,
    check_root_cause,
    check_slo,
    load_rubric,
    measure_metric,
)
from ..evaluate.judge import Judge, judge_root_cause
from ._instance import Instance

logger = logging.getLogger(__name__)

STATE_CHECKS = ("pods_restarted", "replicas", "deployment_ready", "env", "image_tag", "autoscaler")
REPORT_CHECKS = ("reported_metric", "reported_verdict")


def _require(instance: Instance, kinds: tuple[str, ...]) -> None:
    if instance.ground_truth.check not in kinds:
        raise ValueError(
            f"instance {instance.name} is scored by {instance.ground_truth.check!r}, not by one of {', '.join(kinds)}"
        )


def score_state(instance: Instance, kubeconfig: Path, since: datetime) -> Score:
    """Score an L1/L2 state task by reading the cluster.

    Args:
        instance: an instance whose `ground_truth.check` is one of `STATE_CHECKS`.
        kubeconfig: the cluster's kubeconfig.
        since: when the task was sent (pods must have restarted after it).

    Raises:
        ValueError: the instance is not scored by a state check.
        EvaluationError: the cluster could not be read.
    """
    _require(instance, STATE_CHECKS)
    truth, namespace = instance.ground_truth, instance.namespace
    component = truth.targets[0]
    if truth.check == "pods_restarted":
        score = check_restarted(kubeconfig, namespace, component, since)
    elif truth.check == "replicas" and truth.replicas is not None:
        score = check_replicas(kubeconfig, namespace, component, truth.replicas)
    elif truth.check == "env" and truth.env is not None:
        score = check_env(kubeconfig, namespace, component, *truth.env)
    elif truth.check == "image_tag" and truth.image_tag is not None:
        score = check_image_tag(kubeconfig, namespace, component, truth.image_tag)
    elif truth.check == "autoscaler":
        score = check_autoscaler(kubeconfig, namespace, component, truth.autoscaler)
    else:
        score = check_deployment_ready(kubeconfig, namespace, component)
    logger.info("%s: %s (%s)", instance.name, "passed" if score.passed else "failed", score.explanation)
    return score


def score_slo(instance: Instance, prometheus_url: str, kubeconfig: Path, window: str | None = None) -> Score:
    """Score an L2 reduction task: every target meets the objectives (or the group's P99 sum does).

    Raises:
        ValueError: the instance is not scored by `slo`.
        EvaluationError: the cluster or Prometheus could not be read.
    """
    _require(instance, ("slo",))
    truth = instance.ground_truth
    if truth.p99_sum_seconds is not None:
        thresholds = SloThresholds(
            p99_seconds=truth.p99_sum_seconds, cpu_share_of_limit=None, memory_share_of_limit=None
        )
    else:
        thresholds = truth.slo or SloThresholds()
    reports = [
        check_slo(prometheus_url, kubeconfig, instance.namespace, component, window or truth.window, thresholds)
        for component in truth.targets
    ]
    if truth.p99_sum_seconds is not None:
        return check_p99_sum(reports, truth.p99_sum_seconds)
    return check_all(reports)


def score_report(
    instance: Instance,
    report: str,
    prometheus_url: str,
    kubeconfig: Path,
    at: datetime | None = None,
    window: str | None = None,
) -> Score:
    """Score a reporting task: the figure (at time `at`, the report's) or the verdict (now) the agent gave.

    Raises:
        ValueError: the instance is not a reporting task.
        EvaluationError: the cluster or Prometheus could not be read.
    """
    _require(instance, REPORT_CHECKS)
    truth = instance.ground_truth
    component, window = truth.targets[0], window or truth.window
    if truth.check == "reported_metric" and truth.metric is not None and truth.tolerance is not None:
        measurement = measure_metric(prometheus_url, instance.namespace, component, truth.metric, window, at)
        return check_reported_metric(report, measurement, truth.tolerance)
    slo = check_slo(prometheus_url, kubeconfig, instance.namespace, component, window, truth.slo or SloThresholds())
    return check_reported_verdict(report, slo)


def score_evaluation(
    report: str, truth: SloReport, category: str | None, judge: Judge | None = None
) -> dict[str, Score | None]:
    """L3 (the verdict against the SLO checker) always; L4 (the root cause) when an issue was present.

    `category` is the injected fault's root-cause category for a component the fault hit; None
    for a component it did not hit, whose issue (if any) no fault category describes: no L4 then.
    With a `judge`, its majority vote decides L4 and the rubric's reading is kept as evidence.

    Raises:
        EvaluationError: the judge could not be asked.
    """
    issue = not truth.passed
    l4 = check_root_cause(report, category) if issue and category is not None else None
    if l4 is not None and category is not None and judge is not None:
        rubric = {"passed": l4.passed, "explanation": l4.explanation}
        l4 = judge_root_cause(judge, report, category, list(load_rubric().categories))
        l4 = Score(l4.passed, l4.explanation, {**l4.evidence, "rubric": rubric})
    return {"l3": check_reported_verdict(report, truth), "l4": l4}


def _fraction(entries: list[dict[str, Any]], level: str) -> list[int]:
    counted = [entry[level] for entry in entries if entry.get(level) is not None]
    return [sum(1 for score in counted if score["passed"]), len(counted)]


def tally_levels(evaluations: list[dict[str, Any]], final_passed: bool, *, issue_seen: bool = False) -> dict[str, Any]:
    """The paper's Table 4/6 columns from a trial's evaluations (as the record holds them).

    L3 counts every evaluation; L4 and L5 only those where an issue was present beforehand.
    `first` is the first evaluation's L5 (None when it found no issue); `overall` is the final SLO
    check (None when neither an evaluation nor `issue_seen`, the check after the injection, found
    an issue: the injection failed, there was nothing to mitigate).
    """
    any_issue = issue_seen or any(entry["issue_present"] for entry in evaluations)
    first = evaluations[0]["l5"] if evaluations else None
    return {
        "l3": _fraction(evaluations, "l3"),
        "l4": _fraction(evaluations, "l4"),
        "l5": _fraction(evaluations, "l5"),
        "first": None if first is None else int(first["passed"]),
        "overall": int(final_passed) if any_issue else None,
    }
