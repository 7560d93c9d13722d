"""One trial of a low-level L1/L2 instance: the phases in order, the record whatever happens.

    prepare manifests → reset the shop and wait Ready → (settle) → start Locust → stabilise
    → send the task to the component's maintainer over RabbitMQ → evaluate → record

The world, the broker and the LLM come from `agent_session` and are torn down by it; this module
only sequences phases. Locust and any chaos are stopped in `finally`, and `record.json` is written
there too, so an interrupted or failed trial still leaves a record (with `error` set and `passed`
false). A check that could not look at the world (`EvaluationError`) is recorded as the trial's
error, never as the agent's failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from ..agent import StreamProgress, load_catalog
from ..agent._runner import SingleResult, run_single
from ..agent._session import agent_session
from ..config import AgentSettings, Settings
from ..environment.traffic import Traffic, workload_for
from ..environment.traffic._service import node_port_url
from ..evaluate import EvaluationError, Score
from ..llm import LLMSettings
from ._instance import Instance
from ._phases import Phases
from ._profile import Profile
from ._record import RunRecord, write_record
from ._world import apply_chaos, remove_chaos, reset_shop, wait_ready
from .dataset import prepare_manifests
from .scoring import REPORT_CHECKS, STATE_CHECKS, score_report, score_slo, score_state

logger = logging.getLogger(__name__)

DEFAULT_AGENT_TIMEOUT = 900.0
LOW_LEVELS = (1, 2)


@dataclass(frozen=True)
class TrialSpec:
    """What to run: the instance, how long to wait, how the run folder is named."""

    instance: Instance
    profile: Profile
    suffix: str = "run"
    trial: int = 1
    agent_timeout: float = DEFAULT_AGENT_TIMEOUT


@dataclass(frozen=True)
class TrialPlaces:
    """Where the trial's world and results live (the session's defaults unless a test says otherwise)."""

    results_root: Path
    state_dir: Path
    queue_prefix: str = ""


def run_folder_name(spec: TrialSpec, now: datetime) -> str:
    """`<instance>-<suffix>-<timestamp>`, with `-t<N>` for trials after the first."""
    name = f"{spec.instance.name}-{spec.suffix}-{now.strftime('%Y%m%d-%H%M%S')}"
    return name if spec.trial == 1 else f"{name}-t{spec.trial}"


def _traffic(instance: Instance, kubeconfig: Path, state_dir: Path) -> Traffic:
    """Locust at the instance's workload against its load target (not started yet)."""
    url = node_port_url(instance.load_target, instance.namespace, str(kubeconfig))
    workload = workload_for(instance.load_target, instance.workload)
    return Traffic(url, instance.load_target, workload, state_dir=state_dir)


def _note_outcome(record: RunRecord, result: SingleResult, component: str) -> datetime | None:
    """Copy the agent's tallies and report (its answer, then its last words) into `record`; return when it reported."""
    if result.outcome is not None:
        outcome = result.outcome
        record.steps, record.failed_steps, record.tokens = outcome.steps, outcome.failed_steps, outcome.tokens
        record.ended_by = outcome.ended_by
    answer = result.round.responses.get(component)
    parts = [answer.body] if answer is not None else []
    if result.outcome is not None and result.outcome.final_message:
        parts.append(result.outcome.final_message)
    record.report = "\n\n".join(parts)
    return datetime.fromtimestamp(answer.sent_at, UTC) if answer is not None else None


def evaluate(
    instance: Instance,
    kubeconfig: Path,
    prometheus_url: str,
    sent: datetime,
    report: str,
    reported_at: datetime | None,
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
        return score_slo(instance, prometheus_url, kubeconfig)
    if check in REPORT_CHECKS:
        return score_report(instance, report, prometheus_url, kubeconfig, reported_at)
    raise ValueError(f"instance {instance.name} is scored by {check!r}, which is not an L1/L2 check")


def run_low_level_trial(
    spec: TrialSpec,
    settings: Settings,
    llm: LLMSettings,
    places: TrialPlaces,
    *,
    agents: AgentSettings | None = None,
    stream: TextIO | None = None,
) -> tuple[RunRecord, Path]:
    """Play one trial of `spec.instance` and return its record and run folder.

    Raises:
        ValueError: the instance is not a low-level L1/L2 one.
        KeyboardInterrupt: the trial was interrupted (after cleaning up and writing the record).
        SessionError, WorldError, TrafficError, ...: the world could not be provided or prepared
            (the record, with `error`, is written first when the run folder exists).
    """
    instance, profile = spec.instance, spec.profile
    if instance.scope != "low" or instance.level not in LOW_LEVELS:
        raise ValueError(f"instance {instance.name} is level {instance.level} ({instance.scope}), not low-level L1/L2")
    agents = agents or settings.agents
    started = datetime.now(UTC)
    run_id = run_folder_name(spec, started)
    record = RunRecord(
        instance=instance.name,
        level=instance.level,
        world=settings.world,
        model=llm.model,
        seed=llm.cache_seed,
        profile=profile.as_record(),
        trial=spec.trial,
        started_at=started.isoformat(),
        task=instance.task,
    )
    phases = Phases(stream)
    with agent_session(
        settings,
        [instance.component],
        llm,
        run_id=run_id,
        results_root=places.results_root,
        state_dir=places.state_dir,
        queue_prefix=places.queue_prefix,
    ) as session:
        run = session.run
        traffic: Traffic | None = None
        chaos_on = False
        try:
            with phases.run("prepare"):
                manifests = prepare_manifests(instance, run.results_dir / "manifests", settings.manifests)
            with phases.run("deploy"):
                reset_shop(run.kubeconfig, instance.namespace, manifests)
                allowed = instance.environment.unhealthy_pods_allowed
                wait_ready(run.kubeconfig, instance.namespace, allowed, stop=phases.stop)
            if profile.after_ready > 0:
                with phases.run("settle", profile.after_ready):
                    phases.wait(profile.after_ready)
            with phases.run("load"):
                traffic = _traffic(instance, run.kubeconfig, run.results_dir / "locust")
                traffic.start()
                phases.say(f"{traffic.workload.users} users on {instance.load_target} ({instance.workload})")
            if instance.chaos is not None:
                with phases.run("inject"):
                    chaos_on = True
                    apply_chaos(run.kubeconfig, instance.namespace, instance.chaos)
            with phases.run("stabilise", profile.stabilise):
                phases.wait(profile.stabilise)
            with phases.run("agent", spec.agent_timeout):
                sent = datetime.now(UTC)
                record.task_sent_at = sent.isoformat()
                progress = StreamProgress(phases.stream)
                result = run_single(
                    session,
                    agents,
                    load_catalog(),
                    instance.component,
                    instance.task,
                    timeout=spec.agent_timeout,
                    progress=progress,
                )
            reported_at = _note_outcome(record, result, instance.component)
            with phases.run("evaluate"):
                report = record.report or ""
                try:
                    score = evaluate(instance, run.kubeconfig, run.prometheus_url, sent, report, reported_at)
                except EvaluationError as err:
                    record.error = f"evaluation could not read the world: {err}"
                    logger.error("%s", record.error)
                else:
                    record.add_score(instance.ground_truth.check, score)
                    phases.say(f"{'passed' if score.passed else 'failed'}: {score.explanation}")
        except BaseException as err:  # recorded, then re-raised unchanged
            record.error = "interrupted" if isinstance(err, KeyboardInterrupt) else f"{type(err).__name__}: {err}"
            record.passed = False
            raise
        finally:
            try:
                with phases.run("cleanup"):
                    if traffic is not None:
                        traffic.stop()
                    if chaos_on and instance.chaos is not None:
                        remove_chaos(run.kubeconfig, instance.namespace, instance.chaos)
            finally:
                record.phases = list(phases.timings)
                path = write_record(record, run.results_dir)
                phases.say(f"record: {path} (passed: {str(record.passed).lower()})")
    return record, run.results_dir
