"""One trial of a low-level L1/L2 instance: the task to one maintainer, the instance's check on the result.

    reset the shop → Locust → stabilise → check (the "before" score) → task over RabbitMQ
    → (settle, for windowed checks) → check → flags → record

A check that could not look at the world (`EvaluationError`) is recorded as the trial's error,
never as the agent's failure, and the side-effect diff still runs (`Trial.scoring`). The "before"
score is the same check read just before the task is sent: what an agent that does nothing would
get, and a failure there shows the instance is valid.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from ..agent import Services, SingleResult
from ..config import AgentSettings, Settings
from ..evaluate import EvaluationError, Score
from ..evaluate.judge import Judge
from ..llm import LLMSettings
from ._instance import Instance
from ._record import RunRecord, score_entry
from ._trial import Trial, TrialPlaces, TrialSpec
from .scoring import REPORT_CHECKS, STATE_CHECKS, score_report, score_slo, score_state

logger = logging.getLogger(__name__)

LOW_LEVELS = (1, 2)
RUNNER = "low_level_L1_2"


def note_outcome(record: RunRecord, result: SingleResult, component: str) -> datetime | None:
    """Copy the agent's tallies and report into `record`; return when it reported.

    The report is the agent's answer, then its last words, each once. An answer the harness sent in
    the agent's stead says so and already quotes the last words, so it stands alone; last words that
    repeat the agent's own answer are not added again.
    """
    outcome = result.outcome
    if outcome is not None:
        record.add_tally(component, outcome.steps, outcome.failed_steps, outcome.tokens)
        record.ended_by = outcome.ended_by
    answer = result.round.responses.get(component)
    body = answer.body.strip() if answer is not None else ""
    words = outcome.final_message.strip() if outcome is not None else ""
    parts = [body] if body else []
    by_harness = outcome is not None and outcome.reported_by_harness
    if words and words not in body and not by_harness:
        parts.append(words)
    record.report = "\n\n".join(parts)
    return datetime.fromtimestamp(answer.sent_at, UTC) if answer is not None else None


def evaluate(
    instance: Instance,
    kubeconfig: Path,
    prometheus_url: str,
    sent: datetime,
    report: str,
    reported_at: datetime | None,
    window: str | None = None,
) -> Score:
    """Score the trial by the instance's ground truth: the cluster's state, the SLO, or the report.

    Raises:
        ValueError: the instance is not scored by an L1/L2 check.
        EvaluationError: the cluster or Prometheus could not be read.
    """
    check = instance.ground_truth.check
    if check in STATE_CHECKS:
        return score_state(instance, kubeconfig, sent)
    if check == "slo":
        return score_slo(instance, prometheus_url, kubeconfig, window)
    if check in REPORT_CHECKS:
        return score_report(instance, report, prometheus_url, kubeconfig, reported_at, window)
    raise ValueError(f"instance {instance.name} is scored by {check!r}, which is not an L1/L2 check")


def needs_settling(instance: Instance) -> bool:
    """Checks that read a window of metrics after the agent acted (the L2 reduction tasks)."""
    return instance.ground_truth.check == "slo"


def score_before(trial: Trial, sent: datetime) -> None:
    """Read the instance's check just before the task goes out: what doing nothing would score."""
    instance, run = trial.instance, trial.session.run
    if instance.ground_truth.check == "none":
        return
    try:
        score = evaluate(instance, run.kubeconfig, run.prometheus_url, sent, "", None, trial.window())
    except EvaluationError as err:
        logger.warning("the check before the task could not read the world: %s", err)
        return
    trial.record.scores_before[instance.ground_truth.check] = score_entry(score)


def run_low_level_trial(
    spec: TrialSpec,
    settings: Settings,
    llm: LLMSettings,
    places: TrialPlaces,
    *,
    agents: AgentSettings | None = None,
    judge: Judge | None = None,
    stream: TextIO | None = None,
    services: Services | None = None,
) -> tuple[RunRecord, Path]:
    """Play one trial of `spec.instance` and return its record and run folder.

    It runs on `services` when given (a session's, shared by the trials of a series), else on its own.

    Raises:
        ValueError: the instance is not a low-level L1/L2 one.
        KeyboardInterrupt: the trial was interrupted (after cleaning up and writing the record).
        SessionError, WorldError, TrafficError, ...: the world could not be provided or prepared
            (the record, with `error`, is written first when the run folder exists).
    """
    instance = spec.instance
    if instance.scope != "low" or instance.level not in LOW_LEVELS:
        raise ValueError(f"instance {instance.name} is level {instance.level} ({instance.scope}), not low-level L1/L2")
    with Trial(
        spec, settings, llm, places, runner=RUNNER, agents=agents, judge=judge, stream=stream, services=services
    ) as trial:
        run, record, check = trial.session.run, trial.record, instance.ground_truth.check
        trial.prepare()
        if instance.chaos is not None:
            trial.inject(wait=False)
        before = trial.snapshot()
        with trial.scoring(before):
            with trial.phases.run("agent", spec.agent_timeout):
                sent = datetime.now(UTC)
                score_before(trial, sent)
                record.task_sent_at = sent.isoformat()
                trial.mark("task", instance.component)
                with trial.single_agent(instance.component) as agent:
                    result = agent.ask(instance.task, spec.agent_timeout)
                    trial.actions = list(agent.maintainer.tally.actions)
            reported_at = note_outcome(record, result, instance.component)
            if needs_settling(instance):
                trial.wait("settle", spec.profile.settle)
            with trial.phases.run("evaluate"):
                report, window = record.report or "", trial.window()
                score = evaluate(instance, run.kubeconfig, run.prometheus_url, sent, report, reported_at, window)
                trial.keep(check, score)
    return record, run.results_dir
