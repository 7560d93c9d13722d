"""One trial of a high-level instance: the task to the ClusterManager, which runs rounds over its maintainers.

    reset the shop → Locust on the instance's load target → stabilise → (L3-L5: SLO baseline,
    inject the fault, let it act) → the task to the manager over RabbitMQ → rounds → (settle)
    → scores → flags → record

L1/L2 (Table 5): the instance's check (the SLO of the targets, or the group's P99 sum) after a
full window once the manager is done; rounds, steps per agent, and assignments (correct when the
component is one the ground truth names). L3-L5 (Table 6): every maintainer answer is an
evaluation, scored against the SLO of its component read as its round opened (L3), the injected
fault's category (L4) and the component's SLO after the run (L5) where an issue was present;
`overall` is the SLO of every component after the run. A free-text `--task` runs the same way
with nothing to score it against. A check that could not read the world (a round's truth, or a
check after the run) is recorded as the trial's error, and the side-effect diff still runs
(`Trial.scoring`).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..agent import HierarchyResult, Services, load_catalog, run_hierarchy
from ..config import AgentSettings, Settings
from ..evaluate import EvaluationError, SloReport
from ..evaluate.judge import Judge
from ..llm import LLMSettings
from ..messaging import MANAGER, RoundLog
from ._instance import FAULT_LEVELS, EnvironmentChanges, GroundTruth, Instance, ReferenceSolution
from ._low_level import evaluate, needs_settling, score_before
from ._record import RunRecord, score_entry
from ._trial import Trial, TrialPlaces, TrialSpec
from .scoring import score_evaluation, tally_levels

ENTRY_POINT = "front-end"
"""Where the manager's experiments put the load: the shop's entry point, as the paper did (front-end
calls catalogue, so a fault there reaches the users' requests)."""
FREE_TASK = "free_task"
"""The instance name of a `--task` run (nothing to score it against)."""
GROUP_TASK = (
    "Keep every component you manage healthy. Have each of your service maintainers run this check "
    "on its own component, repair what is wrong, and report; judge their answers and reassign until "
    "all are healthy.\nThe check: {health_check}"
)


def free_task(task: str, components: tuple[str, ...], namespace: str, workload: str, load_target: str) -> Instance:
    """An instance for a free-text high-level task: the shop as deployed, the load, no ground truth."""
    return Instance(
        name=FREE_TASK,
        title="Free task",
        source=Path("--task"),
        namespace=namespace,
        components=components,
        scope="high",
        level=2,
        task=task,
        workload=workload,
        load_target=load_target,
        environment=EnvironmentChanges(),
        chaos=None,
        ground_truth=GroundTruth(check="none", targets=components),
        reference_solution=ReferenceSolution(commands=()),
    )


def runner_name(instance: Instance) -> str:
    return "high_level_L3_4_5" if instance.level in FAULT_LEVELS else "high_level_L1_2"


def manager_task(instance: Instance) -> str:
    """The text the manager gets: the instance's task, or the group health check for a fault."""
    if instance.level in FAULT_LEVELS:
        return GROUP_TASK.format(health_check=instance.task)
    return instance.task


class _RoundTruth:
    """The SLO of each assigned component as its round opens (the L3 truth of its answer)."""

    def __init__(self, trial: Trial) -> None:
        self.trial = trial
        self.reports: dict[tuple[str, str], SloReport] = {}
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, opened: RoundLog) -> None:
        for assignment in opened.assignments:
            try:
                report = self.trial.slo(assignment.component)
            except EvaluationError as err:
                with self._lock:
                    self.errors.append(f"round {opened.round_id}, {assignment.component}: {err}")
                continue
            with self._lock:
                self.reports[(opened.round_id, assignment.component)] = report


def _note_rounds(record: RunRecord, result: HierarchyResult, targets: tuple[str, ...]) -> None:
    answers = {answer.round_id: answer for answer in result.answers}
    for opened in result.rounds:
        answer = answers.get(opened.round_id)
        record.rounds.append(
            {
                "round_id": opened.round_id,
                "opened_at": datetime.fromtimestamp(opened.opened_at, UTC).isoformat(),
                "assignments": [
                    {"component": item.component, "task": item.task, "correct": item.component in targets}
                    for item in opened.assignments
                ],
                "answered": sorted(answer.responses) if answer else [],
                "missing": list(answer.missing) if answer else [a.component for a in opened.assignments],
            }
        )
    for agent, tally in result.tallies.items():
        record.add_tally(agent, tally.steps, tally.failed_steps, tally.tokens)
    record.report = result.manager.final_message
    record.ended_by = result.manager.ended_by


def _evaluations(
    result: HierarchyResult, truths: _RoundTruth, instance: Instance, judge: Judge | None
) -> list[dict[str, Any]]:
    entries = []
    for answer in result.answers:
        for component, message in answer.responses.items():
            truth = truths.reports.get((answer.round_id, component))
            if truth is None:
                continue
            hit = component in instance.components
            category = instance.ground_truth.root_cause_category if hit else None
            scores = score_evaluation(message.body, truth, category, judge)
            entries.append(
                {
                    "index": len(entries) + 1,
                    "component": component,
                    "round_id": answer.round_id,
                    "sent_at": datetime.fromtimestamp(message.sent_at, UTC).isoformat(),
                    "issue_present": not truth.passed,
                    "slo_before": score_entry(truth.score()),
                    "report": message.body,
                    "l3": score_entry(scores["l3"]),
                    "l4": score_entry(scores["l4"]),
                    "l5": None,
                }
            )
    return entries


def _score_fault(trial: Trial, result: HierarchyResult, truths: _RoundTruth, healthy_after_injection: bool) -> None:
    """Every maintainer answer as an evaluation, L5 from the SLO after the run, and the Table 6 columns."""
    record = trial.record
    final, reports = trial.slo_score(trial.spec.agents)
    entries = _evaluations(result, truths, trial.instance, trial.judge)
    for entry in entries:
        if entry["issue_present"]:
            entry["l5"] = score_entry(trial.l5(reports[entry["component"]]))
    record.evaluations = entries
    if truths.errors:
        trial.note_evaluation_error("; ".join(truths.errors))
    trial.keep("slo_final", final, counts=False)
    record.levels = tally_levels(entries, final.passed, issue_seen=not healthy_after_injection)
    record.passed = record.levels["overall"] == 1 and record.error is None


def run_high_level_trial(
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
    """Play one high-level trial (the manager and the maintainers of `spec.agents`) and return its record and folder.

    It runs on `services` when given (a session's, shared by the trials of a series), else on its own.

    Raises:
        ValueError: the instance is not a high-level one.
        KeyboardInterrupt: the trial was interrupted (after cleaning up and writing the record).
        SessionError, WorldError, TrafficError, EvaluationError, ...: the world could not be
            provided, prepared or read before the agents (the record, with `error`, is written first).
    """
    instance = spec.instance
    if instance.scope != "high" and instance.level not in FAULT_LEVELS:
        raise ValueError(f"instance {instance.name} is a low-level L{instance.level} task; it has no manager's task")
    fault = instance.level in FAULT_LEVELS
    task = manager_task(instance)
    runner = runner_name(instance)
    with Trial(
        spec, settings, llm, places, runner=runner, agents=agents, judge=judge, stream=stream, services=services
    ) as trial:
        record, run, components = trial.record, trial.session.run, spec.agents
        record.task = task
        trial.prepare(ENTRY_POINT if fault else None)
        if fault:
            with trial.phases.run("baseline"):
                baseline, _ = trial.slo_score(components)
                trial.keep("slo_baseline", baseline, counts=False)
        before = trial.snapshot()
        with trial.scoring(before):
            after = None
            if fault:
                trial.inject()
                after, _ = trial.slo_score(components)
                trial.keep("slo_after_injection", after, counts=False)
            truths = _RoundTruth(trial)
            with trial.phases.run("agents", spec.agent_timeout):
                sent = datetime.now(UTC)
                if not fault:
                    score_before(trial, sent)
                record.task_sent_at = sent.isoformat()
                trial.mark("task", MANAGER, sent)
                result = run_hierarchy(
                    trial.session,
                    trial.agent_settings,
                    load_catalog(),
                    components,
                    task,
                    timeout=spec.agent_timeout,
                    progress=trial.progress,
                    on_round=truths if fault else None,
                )
            trial.actions = [action for tally in result.tallies.values() for action in tally.actions]
            targets = instance.ground_truth.targets if not fault else instance.components
            _note_rounds(record, result, targets)
            if fault or needs_settling(instance):
                trial.wait("settle", spec.profile.settle)
            with trial.phases.run("evaluate"):
                if after is not None:
                    _score_fault(trial, result, truths, after.passed)
                elif instance.ground_truth.check != "none":
                    report, window = record.report or "", trial.window()
                    score = evaluate(instance, run.kubeconfig, run.prometheus_url, sent, report, None, window)
                    trial.keep(instance.ground_truth.check, score)
    return record, run.results_dir
