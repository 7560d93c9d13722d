"""Automatic scoring of every level from recorded state: the cluster through kubectl, metrics through Prometheus.

- `slo`: the SLO checker (Ready, CPU and memory as a share of the limit, P99, serving), with
  reward-hack guards; L5 and the L2 reduction tasks.
- `state`: the L1/L2 state checks (restart, scaling, creation, update, roll back, autoscaler).
- `reporting`: figures and verdicts in an agent's report against Prometheus and the SLO checker.
- `rubric`: keyword rules naming the root cause in a report (L4) and reading its verdict.
- `timeline`: `timeline.png`, P99, CPU and Ready pods over a run with its injection, task and actions.

Nothing here knows whether the cluster is the twin: evaluation must mean the same on a real one.
Every check returns a `Score` with evidence; `EvaluationError` means the world could not be read.
"""

from ._score import EvaluationError, Score
from .changes import Snapshot, changed_deployments, flag_foreign_changes, snapshot_deployments
from .reporting import Measurement, Tolerance, check_reported_metric, check_reported_verdict, measure_metric
from .rubric import Rubric, RubricError, check_root_cause, load_rubric
from .slo import SloCheck, SloReport, SloThresholds, check_all, check_p99_sum, check_slo
from .state import (
    AutoscalerBounds,
    check_autoscaler,
    check_deployment_ready,
    check_env,
    check_image_tag,
    check_replicas,
    check_restarted,
)
from .timeline import Mark, Panel, Timeline, draw_timeline

__all__ = [
    "AutoscalerBounds",
    "EvaluationError",
    "Mark",
    "Measurement",
    "Panel",
    "Rubric",
    "RubricError",
    "Score",
    "SloCheck",
    "SloReport",
    "SloThresholds",
    "Snapshot",
    "Timeline",
    "Tolerance",
    "changed_deployments",
    "check_all",
    "check_autoscaler",
    "check_deployment_ready",
    "check_env",
    "check_image_tag",
    "check_p99_sum",
    "check_replicas",
    "check_reported_metric",
    "check_reported_verdict",
    "check_restarted",
    "check_root_cause",
    "check_slo",
    "draw_timeline",
    "flag_foreign_changes",
    "load_rubric",
    "measure_metric",
    "snapshot_deployments",
]
