"""The lifecycle every runner shares: one trial from a reset shop to `record.json`, cleaned up whatever happens.

    with Trial(spec, settings, llm, places, runner="low_level_L3_4_5") as trial:
        trial.prepare()                 # manifests, reset, Ready, settle, Locust, stabilise
        trial.inject()                  # the chaos object (or the traffic surge) and its wait
        ...                             # the runner's own part: agents, evaluations, scores
    # cleanup: Locust and chaos stopped, the timeline drawn, record.json written

The world, the broker and the LLM come from `agent_session`: the services of a session shared by
the trials of a series (`services`), or the trial's own, torn down with it. The trial resets the
shop itself, so a twin started for it is not deployed first. The record is written in
`__exit__`, so an interrupted or failed trial still leaves one (with `error` set and `passed`
false). Cleanup deletes the chaos first (a fault left in a cluster outlives the run), then stops
the load, then draws the timeline, and writes the record; a signal never interrupts it
(`INTERRUPTS.shielded()`). A second Ctrl-C (or SIGTERM), during cleanup or before, is respected
without leaving anything behind: Locust is killed at once instead of being stopped gently, the
timeline is skipped, and the chaos is still deleted (one bounded kubectl call). A Ctrl-C that
lands in the cleanup of a trial that had ended by itself hurries it the same way, and the trial
then raises `KeyboardInterrupt`, so a series stops there.

Scoring is one path for every runner: the runner snapshots the Deployments before the agents act
and does its agents and checks inside `with trial.scoring(before):`. A check that cannot read the
cluster or Prometheus (`EvaluationError`) ends the block and is recorded in `error` as "evaluation
could not read the world: ...", never as the agent's failure; the side-effect diff against
`before` runs after the block either way. A diff that cannot read the Deployments is an error too,
and leaves `flags` null: an empty list would read as "no side effects".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TextIO

import kubernetes.client

from ..agent import Action, Services, Session, SingleAgent, StreamProgress, agent_session, load_catalog
from ..config import AgentSettings, Settings
from ..environment.traffic import Traffic, node_port_url, workload_for
from ..evaluate import (
    EvaluationError,
    Score,
    SloReport,
    SloThresholds,
    Snapshot,
    check_all,
    check_slo,
    flag_foreign_changes,
    snapshot_deployments,
)
from ..evaluate.judge import Judge
from ..interrupts import INTERRUPTS
from ..llm import LLMSettings
from ._fault_object import FaultObject, fault_problem, inject_fault, new_fault_name, remove_fault
from ._instance import Instance
from ._phases import Phases
from ._profile import DEFAULT_AGENT_TIMEOUT, Profile
from ._record import RunRecord, write_record
from ._world import reset_shop, wait_ready
from .dataset import prepare_manifests

logger = logging.getLogger(__name__)

SURGE_BASELINE = "light"
"""The load before a traffic surge (an instance without a chaos object at L3-L5) ramps up."""
TIMELINE_NAME = "timeline.png"
MIN_TIMELINE_SECONDS = 5.0
"""A run under load shorter than this has nothing to plot (a state task without stabilisation)."""
EVALUATION_ERROR = "evaluation could not read the world"
"""How `error` begins when a check could not read the cluster or Prometheus."""
SIDE_EFFECTS_ERROR = "side effects could not be diffed"
"""How `error` begins when the Deployments could not be read after the agents acted."""


@dataclass(frozen=True)
class TrialSpec:
    """What to run: the instance, how long to wait, how the run folder is named, which agents run."""

    instance: Instance
    profile: Profile
    suffix: str = "run"
    trial: int = 1
    agent_timeout: float = DEFAULT_AGENT_TIMEOUT
    components: tuple[str, ...] | None = None
    """The maintainers that run (high level: `--components`); None means the instance's components."""

    @property
    def agents(self) -> tuple[str, ...]:
        return self.components or self.instance.components


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


def is_surge(instance: Instance) -> bool:
    """A fault instance whose interference is the load itself (no Chaos Mesh object)."""
    return instance.chaos is None and instance.level >= 3


class Trial:
    """One trial's world, phases and record; the runners sequence their own part in between."""

    def __init__(
        self,
        spec: TrialSpec,
        settings: Settings,
        llm: LLMSettings,
        places: TrialPlaces,
        *,
        runner: str,
        agents: AgentSettings | None = None,
        judge: Judge | None = None,
        stream: TextIO | None = None,
        services: Services | None = None,
    ) -> None:
        self.spec, self.instance, self.profile = spec, spec.instance, spec.profile
        self.services = services
        """A session's services shared with other trials; None: the trial provides its own."""
        self.judge = judge
        self.settings, self.llm, self.places = spec.profile.settings_for(settings), llm, places
        self.agent_settings = agents or settings.agents
        self.phases = Phases(stream)
        self.progress = StreamProgress(self.phases.stream)
        started = datetime.now(UTC)
        self.run_id = run_folder_name(spec, started)
        self.record = RunRecord(
            instance=spec.instance.name,
            level=spec.instance.level,
            world=settings.world,
            model=llm.model,
            smoke_test=llm.smoke_test,
            seed=llm.cache_seed,
            profile=spec.profile.as_record(),
            suffix=spec.suffix,
            trial=spec.trial,
            started_at=started.isoformat(),
            task=spec.instance.task,
            runner=runner,
            title=spec.instance.title,
            components=list(spec.agents),
            judge=judge.describe() if judge is not None else None,
        )
        self.marks: list[tuple[datetime, str, str]] = []
        self.actions: list[Action] = []
        self.traffic: Traffic | None = None
        self.load_started: datetime | None = None
        self.fault: FaultObject | None = None
        """The chaos object once created (in `chaos-mesh`, under a neutral name), until cleanup deletes it."""
        self._hurry = False
        self._stack = ExitStack()
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the trial is not running; use it in a with block")
        return self._session

    @property
    def stop(self) -> threading.Event:
        return self.phases.stop

    def __enter__(self) -> Trial:
        self._stack.enter_context(INTERRUPTS.on_hurry(self._hurry_up))
        self._session = self._stack.enter_context(
            agent_session(
                self.settings,
                list(self.spec.agents),
                self.llm,
                run_id=self.run_id,
                results_root=self.places.results_root,
                state_dir=self.places.state_dir,
                queue_prefix=self.places.queue_prefix,
                services=self.services,
                deploy_shop=False,
            )
        )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        signals = INTERRUPTS.count
        try:
            with INTERRUPTS.shielded():
                try:
                    if error is not None:
                        self.record.add_error(_describe(error))
                    with self.phases.run("cleanup"):
                        self._step("delete the chaos", self._remove_chaos)
                        self._step("stop the load", self._stop_traffic)
                        if not self._hurry:
                            self._step("draw the timeline", self._draw_timeline)
                finally:
                    self.record.phases = list(self.phases.timings)
                    self.record.actions = [_action_entry(action) for action in self.actions]
                    path = write_record(self.record, self.session.run.results_dir)
                    self.phases.say(f"record: {path} (passed: {str(self.record.passed).lower()})")
        finally:
            self._stack.close()
        if error is None and INTERRUPTS.count > signals:
            raise KeyboardInterrupt("interrupted while the trial cleaned up")

    def _hurry_up(self) -> None:
        """A second Ctrl-C (or one during cleanup): kill the load at once, skip the timeline, still delete the chaos."""
        if self._hurry:
            return
        self._hurry = True
        self.phases.say("interrupted again: killing the load; the chaos is still deleted; no timeline")
        if self.traffic is not None:
            self.traffic.kill()

    def _step(self, what: str, step: Callable[[], None]) -> None:
        try:
            step()
        except Exception as err:  # cleanup goes on; the failure is logged and kept in the record
            logger.error("cleanup: %s failed: %s", what, err)
            self.record.error = self.record.error or f"cleanup: {what} failed: {err}"
            self.record.passed = False

    def single_agent(self, component: str) -> SingleAgent:
        """The component's maintainer on the bus, for the `with` block that follows."""
        return SingleAgent(self.session, self.agent_settings, load_catalog(), component, progress=self.progress)

    # The world: prepare, load, chaos.

    def prepare(self, target: str | None = None) -> None:
        """Manifests with the instance's edits, the shop reset and Ready, the settle wait, Locust, stabilisation.

        Locust loads `target` (default: the instance's load target) at the instance's workload, or
        at the surge's baseline when the fault is the surge itself.
        """
        instance, profile, run = self.instance, self.profile, self.session.run
        target = target or instance.load_target
        threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
        with self.phases.run("prepare"):
            manifests = prepare_manifests(instance, run.results_dir / "manifests", self.settings.manifests)
        with self.phases.run("deploy"):
            reset = reset_shop(run.kubeconfig, instance.namespace, manifests)
            self.record.reset = reset.as_record()
            self.phases.say(reset.describe())
            allowed = instance.environment.unhealthy_pods_allowed
            wait_ready(run.kubeconfig, instance.namespace, allowed, stop=self.stop)
        if profile.after_ready > 0:
            self.wait("settle", profile.after_ready)
        with self.phases.run("load"):
            level = SURGE_BASELINE if is_surge(instance) else instance.workload
            url = node_port_url(target, instance.namespace, str(run.kubeconfig))
            workload = workload_for(target, level)
            self.traffic = Traffic(url, target, workload, state_dir=run.results_dir / "locust")
            self.traffic.start()
            self.load_started = datetime.now(UTC)
            self.phases.say(f"{workload.users} users on {target} ({level})")
        self.wait("stabilise", profile.stabilise)

    def inject(self, *, wait: bool = True) -> None:
        """Create the chaos object, or ramp the load up to the instance's surge; then let it act."""
        instance, run = self.instance, self.session.run
        with self.phases.run("inject"):
            if instance.chaos is not None:
                self.fault = FaultObject(instance.chaos.kind, new_fault_name())
                inject_fault(run.kubeconfig, instance.namespace, instance.chaos, self.fault)
                label = f"{instance.chaos.kind} {instance.chaos.name}"
            elif self.traffic is not None:
                self.traffic.set_level(workload_for(self.traffic.component, instance.workload))
                label = f"load -> {instance.workload}"
            else:
                raise RuntimeError("the load must run before a traffic surge is injected")
            self.mark("injection", label)
        if wait:
            self.wait("fault", self.profile.after_surge if is_surge(instance) else self.profile.after_injection)

    def wait(self, phase: str, seconds: float) -> None:
        """A deliberate wait of the profile, as its own timed phase with the time left shown."""
        with self.phases.run(phase, seconds):
            self.phases.wait(seconds)

    def wait_until(self, phase: str, seconds: float) -> None:
        """Like `wait`, but a phase only when there is something left to wait."""
        if seconds > 0.5:
            self.wait(phase, seconds)

    def _stop_traffic(self) -> None:
        if self.traffic is not None:
            self.traffic.stop()

    def _remove_chaos(self) -> None:
        if self.fault is not None:
            remove_fault(self.session.run.kubeconfig, self.fault)
            self.fault = None

    # Measuring.

    def mark(self, kind: str, label: str, at: datetime | None = None) -> None:
        """Remember a moment for the timeline (`injection`, `task`, `evaluation`)."""
        self.marks.append((at or datetime.now(UTC), kind, label))

    def window(self) -> str:
        return self.profile.window_for(self.instance.ground_truth.window)

    def slo(self, component: str) -> SloReport:
        """The SLO checker on `component` now, over the profile's window.

        Raises:
            EvaluationError: the cluster or Prometheus could not be read.
        """
        run = self.session.run
        return check_slo(
            run.prometheus_url,
            run.kubeconfig,
            self.instance.namespace,
            component,
            self.window(),
            self.instance.ground_truth.slo or SloThresholds(),
        )

    def l5(self, report: SloReport) -> Score:
        """The L5 reading of `report`: a fail, with the reason, when the trial's fault object is no longer in effect.

        Raises:
            FaultObjectError: the fault object could not be read.
        """
        problem = fault_problem(self.session.run.kubeconfig, self.fault) if self.fault is not None else None
        if problem is None:
            return report.score()
        self.phases.say(f"L5 cannot be read: {problem}")
        return Score(False, f"the fault was not in effect: {problem}", {"fault": problem})

    def slo_score(self, components: tuple[str, ...]) -> tuple[Score, dict[str, SloReport]]:
        """The SLO checker over `components`: one score (all must pass) and each component's report."""
        reports = {component: self.slo(component) for component in components}
        return check_all(list(reports.values())), reports

    def snapshot(self) -> Snapshot:
        return snapshot_deployments(self.session.run.kubeconfig, self.instance.namespace)

    @contextmanager
    def scoring(self, before: Snapshot) -> Iterator[None]:
        """The agents' work and its scoring, then the side-effect diff against `before`.

        An `EvaluationError` raised in the block ends it and is recorded as the trial's error
        (`note_evaluation_error`) instead of ending the trial; the diff runs after the block
        either way. Any other exception ends the trial undiffed (`flags` stays None).
        """
        try:
            yield
        except EvaluationError as err:
            self.note_evaluation_error(err)
        self.flag_changes(before)

    def note_evaluation_error(self, problem: EvaluationError | str) -> None:
        """Record that a check could not read the world: the trial's error, never the agent's failure."""
        message = f"{EVALUATION_ERROR}: {problem}"
        logger.error("%s", message)
        self.record.add_error(message)

    def flag_changes(self, before: Snapshot) -> None:
        """Record changes to Deployments outside the agents' own components, or why they are unknown."""
        try:
            after = self.snapshot()
        except EvaluationError as err:
            message = f"{SIDE_EFFECTS_ERROR}: {err}"
            logger.error("%s", message)
            self.record.flags = None
            self.record.add_error(message)
            return
        self.record.flags = flag_foreign_changes(before, after, self.spec.agents)
        for flag in self.record.flags:
            self.phases.say(f"flag: {flag}")

    def keep(self, name: str, score: Score, *, counts: bool = True) -> None:
        """Keep `score` in the record; `counts` makes it part of `passed` (L1/L2 checks)."""
        self.record.add_score(name, score, counts=counts)
        self.phases.say(f"{name}: {'passed' if score.passed else 'failed'}: {score.explanation}")

    def _draw_timeline(self) -> None:
        from ..evaluate.timeline import Mark, draw_timeline

        end = datetime.now(UTC)
        if self.load_started is None or (end - self.load_started).total_seconds() < MIN_TIMELINE_SECONDS:
            logger.info("no timeline: the run under load was too short to plot")
            return
        run = self.session.run
        marks = [Mark(at, kind, label) for at, kind, label in self.marks]
        marks += [Mark(datetime.fromtimestamp(a.at, UTC), "action", a.code.strip()[:60]) for a in self.actions]
        loaded = (self.traffic.component,) if self.traffic is not None else ()
        components = tuple(dict.fromkeys((*self.spec.agents, *loaded)))
        try:
            draw_timeline(
                run.results_dir / TIMELINE_NAME,
                run.prometheus_url,
                self.instance.namespace,
                components,
                self.load_started,
                end,
                marks,
            )
        except EvaluationError as err:
            logger.warning("no timeline: %s", err)
            return
        self.record.timeline = TIMELINE_NAME


def _warm_up() -> None:
    """Import what the load and the timeline need (a second or more, the first time in a process) while
    the shop deploys, on a thread of its own: the main thread mostly waits for pods there."""
    from ..evaluate.timeline import load_renderer

    try:
        _ = kubernetes.client.CoreV1Api  # the client imports its APIs on first use
        load_renderer()
    except ImportError as err:  # the step that needs it reports it properly
        logger.debug("warm-up import failed: %s", err)


def _describe(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, EvaluationError):
        return f"{EVALUATION_ERROR}: {error}"
    return f"{type(error).__name__}: {error}"


def _action_entry(action: Action) -> dict[str, object]:
    entry: dict[str, object] = asdict(action)
    entry["at"] = datetime.fromtimestamp(action.at, UTC).isoformat()
    return entry
