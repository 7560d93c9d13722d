"""Every runner records a failed evaluation and a failed side-effect diff the same way (`Trial.scoring`).

The runners play whole trials here against a scripted world: no twin, Prometheus, broker or LLM.
The world's Deployments and SLO answers are dictionaries, the "agents" change them (or take
Prometheus or kubectl down) when they are asked, and every wait of the profile is zero.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from src.agent import AgentOutcome, HierarchyResult
from src.config import Settings
from src.evaluate import EvaluationError, Score, SloCheck, SloReport
from src.experiment import (
    RECORD_NAME,
    Profile,
    RunRecord,
    TrialPlaces,
    TrialSpec,
    load_instance,
    read_record,
    run_fault_trial,
    run_high_level_trial,
    run_low_level_trial,
)
from src.experiment._world import ShopReset
from src.llm import LLMSettings

NO_WAITS = Profile(
    "unit", after_ready=0, stabilise=0, after_injection=0, after_surge=0, evaluations=2, interval=0, settle=0
)
PROMETHEUS_DOWN = "prometheus at http://prometheus.invalid did not answer"
KUBECTL_DOWN = "kubectl get deployments failed: connection refused"
FOREIGN_CHANGE = "carts: replicas 1 -> 2 (not a component the agents answer for)"


@dataclass
class World:
    """The scripted cluster and Prometheus, and what the agents do to them when asked."""

    replicas: dict[str, int] = field(default_factory=lambda: {"catalogue": 1, "carts": 1, "front-end": 1})
    prometheus_up: bool = True
    kubectl_up: bool = True
    agents_touch_carts: bool = False
    agents_break: str = ""
    """`prometheus`, `kubectl` or both ("prometheus,kubectl"): what goes down once the agents have acted."""
    left_in_namespace: tuple[str, ...] = ()
    """Objects in the namespace before the reset that the manifests do not declare (`Kind/name`)."""

    def reset(self, kubeconfig: Path, namespace: str, manifests: Path) -> ShopReset:
        return ShopReset(namespace, ("Deployment/catalogue", *self.left_in_namespace), self.left_in_namespace)

    def act(self) -> None:
        if self.agents_touch_carts:
            self.replicas["carts"] = 2
        self.prometheus_up = "prometheus" not in self.agents_break
        self.kubectl_up = "kubectl" not in self.agents_break

    def snapshot(self, kubeconfig: Path, namespace: str) -> dict[str, dict[str, Any]]:
        if not self.kubectl_up:
            raise EvaluationError(KUBECTL_DOWN)
        return {name: {"replicas": count, "containers": {}} for name, count in self.replicas.items()}

    def slo(self, component: str) -> SloReport:
        if not self.prometheus_up:
            raise EvaluationError(PROMETHEUS_DOWN)
        checks = (SloCheck("p99", False, 0.9, 0.2, "seconds", "P99 900 ms >= 200 ms"),)
        return SloReport("sock-shop", component, "1m", checks)

    def evaluate(self, *args: Any) -> Score:
        if not self.prometheus_up:
            raise EvaluationError(PROMETHEUS_DOWN)
        return Score(True, "the check passed")


class _Traffic:
    def __init__(self, url: str, component: str, workload: object, *, state_dir: Path) -> None:
        self.component = component

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def kill(self) -> None: ...
    def set_level(self, workload: object) -> None: ...


def _outcome() -> AgentOutcome:
    return AgentOutcome(steps=2, failed_steps=0, tokens=10, final_message="The component is healthy.", terminated=True)


class _Maintainer:
    """What `Trial.single_agent` gives the low-level runners: `ask` acts on the world and answers."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.maintainer = SimpleNamespace(tally=SimpleNamespace(actions=[]))

    def __enter__(self) -> _Maintainer:
        return self

    def __exit__(self, *exc: object) -> None: ...

    def ask(self, task: str, timeout: float) -> SimpleNamespace:
        self.world.act()
        return SimpleNamespace(outcome=_outcome(), round=SimpleNamespace(responses={}))


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> World:
    world = World()

    @contextmanager
    def session(*args: Any, results_root: Path, run_id: str, **kwargs: Any) -> Iterator[SimpleNamespace]:
        run = SimpleNamespace(results_dir=results_root / run_id, kubeconfig=tmp_path / "kubeconfig", prometheus_url="")
        yield SimpleNamespace(run=run, bus=None)

    def hierarchy(*args: Any, **kwargs: Any) -> HierarchyResult:
        world.act()
        return HierarchyResult(manager=_outcome(), timed_out=False)

    trial = "src.experiment._trial"
    monkeypatch.setattr(f"{trial}.agent_session", session)
    monkeypatch.setattr(f"{trial}.prepare_manifests", lambda *args: tmp_path / "manifests")
    monkeypatch.setattr(f"{trial}.reset_shop", world.reset)
    monkeypatch.setattr(f"{trial}.wait_ready", lambda *args, **kwargs: None)
    monkeypatch.setattr(f"{trial}.node_port_url", lambda *args: "http://127.0.0.1:9")
    monkeypatch.setattr(f"{trial}.Traffic", _Traffic)
    monkeypatch.setattr(f"{trial}.inject_fault", lambda *args: None)
    monkeypatch.setattr(f"{trial}.remove_fault", lambda *args: None)
    monkeypatch.setattr(f"{trial}.fault_problem", lambda *args: None)
    monkeypatch.setattr(f"{trial}.snapshot_deployments", world.snapshot)
    monkeypatch.setattr(f"{trial}.check_slo", lambda url, kubeconfig, namespace, component, *rest: world.slo(component))
    monkeypatch.setattr(f"{trial}.SingleAgent", lambda *args, **kwargs: _Maintainer(world))
    monkeypatch.setattr("src.experiment._low_level.evaluate", world.evaluate)
    monkeypatch.setattr("src.experiment._high_level.evaluate", world.evaluate)
    monkeypatch.setattr("src.experiment._high_level.run_hierarchy", hierarchy)
    return world


Runner = Callable[..., tuple[RunRecord, Path]]
RUNNERS = [
    pytest.param(run_low_level_trial, "manual_scaling", None, id="low_level_L1_2"),
    pytest.param(run_fault_trial, "cpu_stress", None, id="low_level_L3_4_5"),
    pytest.param(run_high_level_trial, "high_reduce_latency_group", None, id="high_level_L1_2"),
    pytest.param(run_high_level_trial, "cpu_stress", ("catalogue", "front-end"), id="high_level_L3_4_5"),
]


def _play(
    runner: Runner, name: str, components: tuple[str, ...] | None, tmp_path: Path, stream: io.StringIO | None = None
) -> tuple[RunRecord, Path]:
    spec = TrialSpec(load_instance(name), NO_WAITS, components=components)
    places = TrialPlaces(tmp_path / "results", tmp_path / "state")
    llm = LLMSettings(backend="OpenAI", model="scripted-model", api_key="k")
    return runner(spec, Settings(), llm, places, stream=stream or io.StringIO())


@pytest.mark.parametrize(("runner", "name", "components"), RUNNERS)
def test_an_evaluation_error_is_the_trials_error_and_the_side_effects_are_still_diffed(
    world: World, runner: Runner, name: str, components: tuple[str, ...] | None, tmp_path: Path
) -> None:
    world.agents_touch_carts, world.agents_break = True, "prometheus"
    record, run_dir = _play(runner, name, components, tmp_path)
    assert record.error == f"evaluation could not read the world: {PROMETHEUS_DOWN}"
    assert record.passed is False
    assert record.flags == [FOREIGN_CHANGE]
    written = read_record(run_dir / RECORD_NAME)
    assert (written["error"], written["passed"], written["flags"]) == (record.error, False, [FOREIGN_CHANGE])


@pytest.mark.parametrize(("runner", "name", "components"), RUNNERS)
def test_a_diff_that_cannot_read_the_deployments_is_an_error_not_an_empty_list(
    world: World, runner: Runner, name: str, components: tuple[str, ...] | None, tmp_path: Path
) -> None:
    world.agents_break = "kubectl"
    record, run_dir = _play(runner, name, components, tmp_path)
    assert record.flags is None
    assert record.error == f"side effects could not be diffed: {KUBECTL_DOWN}"
    assert record.passed is False
    assert read_record(run_dir / RECORD_NAME)["flags"] is None


@pytest.mark.parametrize(("runner", "name", "components"), RUNNERS)
def test_both_failures_are_kept_in_the_order_they_happened(
    world: World, runner: Runner, name: str, components: tuple[str, ...] | None, tmp_path: Path
) -> None:
    world.agents_break = "prometheus,kubectl"
    record, _ = _play(runner, name, components, tmp_path)
    assert record.error == (
        f"evaluation could not read the world: {PROMETHEUS_DOWN}; side effects could not be diffed: {KUBECTL_DOWN}"
    )
    assert (record.flags, record.passed) == (None, False)


@pytest.mark.parametrize(("runner", "name", "components"), RUNNERS)
def test_a_trial_whose_world_stays_readable_has_no_error_and_a_diff(
    world: World, runner: Runner, name: str, components: tuple[str, ...] | None, tmp_path: Path
) -> None:
    record, _ = _play(runner, name, components, tmp_path)
    assert (record.error, record.flags) == (None, [])


def test_the_l1_l2_check_passes_when_the_world_stays_readable(world: World, tmp_path: Path) -> None:
    record, _ = _play(run_low_level_trial, "manual_scaling", None, tmp_path)
    assert record.passed is True and record.scores["replicas"]["passed"] is True
    world.agents_break = "kubectl"
    record, _ = _play(run_low_level_trial, "manual_scaling", None, tmp_path / "again")
    assert record.scores["replicas"]["passed"] is True and record.passed is False


def test_an_evaluation_error_before_the_agents_act_ends_the_trial_undiffed(world: World, tmp_path: Path) -> None:
    world.prometheus_up = False
    with pytest.raises(EvaluationError, match="did not answer"):
        _play(run_fault_trial, "cpu_stress", None, tmp_path)
    [run_dir] = (tmp_path / "results").iterdir()
    written = read_record(run_dir / RECORD_NAME)
    assert written["error"] == f"evaluation could not read the world: {PROMETHEUS_DOWN}"
    assert (written["passed"], written["flags"]) == (False, None)


def test_the_reset_says_what_it_deleted_and_the_record_keeps_it(world: World, tmp_path: Path) -> None:
    world.left_in_namespace = ("StressChaos/stress-cpu-catalogue",)  # applied by the user before the trial
    progress = io.StringIO()
    record, run_dir = _play(run_low_level_trial, "manual_scaling", None, tmp_path, progress)
    said = "not in the manifests, so gone now: StressChaos/stress-cpu-catalogue"
    assert f"[deploy] reset: deleted namespace sock-shop with 1 Deployment, 1 StressChaos; {said}\n" in (
        progress.getvalue()
    )
    assert read_record(run_dir / RECORD_NAME)["reset"] == {
        "namespace": "sock-shop",
        "deleted": ["Deployment/catalogue", "StressChaos/stress-cpu-catalogue"],
        "not_recreated": ["StressChaos/stress-cpu-catalogue"],
    }
    assert record.reset is not None


def test_the_record_names_its_series_and_whether_the_model_was_the_smoke_test(world: World, tmp_path: Path) -> None:
    spec = TrialSpec(load_instance("manual_scaling"), NO_WAITS, suffix="paper-run")
    llm = LLMSettings(backend="Local", model="SmolLM2-135M-Instruct.Q4_1", smoke_test=True)
    places = TrialPlaces(tmp_path / "results", tmp_path / "state")
    _, run_dir = run_low_level_trial(spec, Settings(), llm, places, stream=io.StringIO())
    written = read_record(run_dir / RECORD_NAME)
    assert (written["suffix"], written["smoke_test"]) == ("paper-run", True)
    assert run_dir.name.startswith("manual_scaling-paper-run-")
