"""One trial of a low-level L3-L5 instance: a fault, then the health check three times, scored at each.

    reset the shop → Locust → stabilise → SLO baseline → inject the fault → let it act
    → evaluation 1..N: SLO truth → health-check task over RabbitMQ → wait out the interval → SLO
    → levels → flags → record

The maintainer is one long-lived consumer for the whole trial, so it remembers its earlier
checks, as in the paper. Each evaluation is scored as the paper counted it: L3 (did the agent's
verdict agree with the SLO checker just before the task?) always; L4 (did it name the injected
fault's category?) and L5 (did the SLO hold once the evaluation's window was over?) only when an
issue was present. The next task goes out `interval` seconds after the previous one, or once the
agent is done and a full measurement window has passed since, whichever is later, so a
heartbeat never queues behind a running one and L5 never reads data from before the repair.

A check that could not read the world after the injection ends the evaluations; it is recorded as
the trial's error and the side-effect diff still runs (`Trial.scoring`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..agent import Services, SingleAgent
from ..config import AgentSettings, Settings
from ..evaluate import SloReport
from ..evaluate.judge import Judge
from ..llm import LLMSettings
from ._instance import FAULT_LEVELS
from ._low_level import note_outcome
from ._record import RunRecord, score_entry
from ._trial import Trial, TrialPlaces, TrialSpec
from .scoring import score_evaluation, tally_levels

RUNNER = "low_level_L3_4_5"


def _evaluate_once(trial: Trial, agent: SingleAgent, index: int, truth: SloReport) -> tuple[dict[str, Any], float]:
    """Send the health check, score its answer against `truth`; return the entry and when the agent finished."""
    instance, record, spec = trial.instance, trial.record, trial.spec
    sent = datetime.now(UTC)
    record.task_sent_at = record.task_sent_at or sent.isoformat()
    trial.mark("evaluation", f"health check {index}", sent)
    result = agent.ask(instance.task, spec.agent_timeout)
    finished = time.monotonic()
    note_outcome(record, result, instance.component)
    report = record.report or ""
    outcome = result.outcome
    scores = score_evaluation(report, truth, instance.ground_truth.root_cause_category, trial.judge)
    entry = {
        "index": index,
        "component": instance.component,
        "sent_at": sent.isoformat(),
        "issue_present": not truth.passed,
        "slo_before": score_entry(truth.score()),
        "steps": outcome.steps if outcome else 0,
        "failed_steps": outcome.failed_steps if outcome else 0,
        "report": report,
        "l3": score_entry(scores["l3"]),
        "l4": score_entry(scores["l4"]),
        "l5": None,
    }
    trial.phases.say(f"L3 {'passed' if scores['l3'].passed else 'failed'}: {scores['l3'].explanation}")
    return entry, finished


def run_fault_trial(
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
    """Play one trial of a low-level fault instance and return its record and run folder.

    It runs on `services` when given (a session's, shared by the trials of a series), else on its own.

    Raises:
        ValueError: the instance is not a low-level L3-L5 one.
        KeyboardInterrupt: the trial was interrupted (after cleaning up and writing the record).
        SessionError, WorldError, TrafficError, EvaluationError, ...: the world could not be
            provided, prepared or read before the fault (the record, with `error`, is written first).
    """
    instance, profile = spec.instance, spec.profile
    if instance.scope != "low" or instance.level not in FAULT_LEVELS:
        raise ValueError(f"instance {instance.name} is level {instance.level} ({instance.scope}), not low-level L3-L5")
    with Trial(
        spec, settings, llm, places, runner=RUNNER, agents=agents, judge=judge, stream=stream, services=services
    ) as trial:
        record = trial.record
        trial.prepare()
        with trial.phases.run("baseline"):
            trial.keep("slo_baseline", trial.slo(instance.component).score(), counts=False)
        before = trial.snapshot()
        with trial.scoring(before):
            trial.inject()
            truth = trial.slo(instance.component)
            trial.keep("slo_after_injection", truth.score(), counts=False)
            with trial.single_agent(instance.component) as agent:
                for index in range(1, profile.evaluations + 1):
                    with trial.phases.run(f"evaluation {index}", spec.agent_timeout):
                        entry, finished = _evaluate_once(trial, agent, index, truth)
                        trial.actions = list(agent.maintainer.tally.actions)
                    record.evaluations.append(entry)
                    sent = datetime.fromisoformat(entry["sent_at"]).timestamp()
                    left = max(sent + profile.interval - time.time(), finished + profile.settle - time.monotonic())
                    trial.wait_until("observe", left)
                    truth = trial.slo(instance.component)
                    if entry["issue_present"]:
                        entry["l5"] = score_entry(trial.l5(truth))
            trial.keep("slo_final", truth.score(), counts=False)
            record.levels = tally_levels(record.evaluations, truth.passed)
            record.passed = record.levels["overall"] == 1 and record.error is None
            trial.phases.say(record.summary())
    return record, trial.session.run.results_dir
