"""The Chaos Mesh controller, driven in-process through a real Store, Admission, controllers and ShopModel.

Each test deploys catalogue pods on one asyncio loop, creates experiments as kubectl would (through
the store, so admission validates them), and waits (with a deadline, woken by store changes) for
the model's `Faults` and the experiment's status to show what Chaos Mesh would. The loop runs on
simulated time (`twin_harness.run_simulated`), so a five-minute `duration` passes in milliseconds;
start-up delays are scaled to 1 % as before.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from src.twin.admission import Admission
from src.twin.chaos import FINALIZER, ChaosController, ChaosWebhook
from src.twin.controllers import ControllerConfig, Controllers, node_object, start_controllers
from src.twin.shop import Faults, PodRuntime, ShopModel, load_model_spec
from src.twin.store import DEPLOYMENTS, EVENTS, NAMESPACES, NODES, PODS, ApiError, ResourceType, Store, require
from tests.unit.twin_harness import run_simulated, simulated_clock, wait_for_change

POD_CHAOS = require("chaos-mesh.org", "v1alpha1", "podchaos")
STRESS_CHAOS = require("chaos-mesh.org", "v1alpha1", "stresschaos")
NETWORK_CHAOS = require("chaos-mesh.org", "v1alpha1", "networkchaos")

NS = "sock-shop"
SCALE = 0.01
MIB = 2**20
PAUSE = "experiment.chaos-mesh.org/pause"


# --- harness -------------------------------------------------------------------------------------


@dataclass
class Cluster:
    """A store with admission, running controllers, the Sock Shop model and the chaos controller."""

    store: Store
    model: ShopModel
    controllers: Controllers
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, predicate: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
        """Re-check `predicate` after every store change until it is truthy or the deadline passes."""
        return await wait_for_change(self.changed, predicate, what, timeout)

    def pods(self) -> list[dict[str, Any]]:
        return [p for p in self.store.iter(PODS, NS) if not p["metadata"].get("deletionTimestamp")]

    def runtimes(self) -> list[PodRuntime]:
        return [r for p in self.pods() if (r := self.model.runtime(p["metadata"]["uid"])) is not None]

    async def deploy(self, replicas: int) -> list[PodRuntime]:
        if self.store.peek(DEPLOYMENTS, NS, "catalogue") is None:
            self.store.create(DEPLOYMENTS, catalogue(replicas))
        else:
            self.store.mutate(DEPLOYMENTS, NS, "catalogue", lambda d: d["spec"].update(replicas=replicas))

        def running() -> list[PodRuntime] | None:
            runtimes = self.runtimes()
            return runtimes if len(runtimes) == replicas == len(self.pods()) else None

        runtimes: list[PodRuntime] = await self.wait_for(running, "running pods")
        return runtimes

    def chaos(self, resource: ResourceType, name: str) -> dict[str, Any] | None:
        return self.store.peek(resource, NS, name)

    async def until(
        self, resource: ResourceType, name: str, kind: str, status: str, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The experiment once its condition `kind` has `status`."""

        def reached() -> dict[str, Any] | None:
            obj = self.chaos(resource, name)
            return obj if condition(obj, kind) == status else None

        obj: dict[str, Any] = await self.wait_for(reached, f"{name}: {kind}={status}", timeout)
        return obj

    def events(self, name: str) -> list[str]:
        found = [e for e in self.store.iter(EVENTS, NS) if e["involvedObject"]["name"] == name]
        return [e["reason"] for e in sorted(found, key=lambda e: e["metadata"]["name"])]

    def annotate(self, resource: ResourceType, name: str, value: str | None) -> None:
        def change(draft: dict[str, Any]) -> None:
            annotations = draft["metadata"].setdefault("annotations", {})
            if value is None:
                annotations.pop(PAUSE, None)
            else:
                annotations[PAUSE] = value

        self.store.mutate(resource, NS, name, change)


def run(scenario: Callable[[Cluster], Awaitable[None]]) -> None:
    """Run `scenario` against a fresh cluster on its own loop on simulated time, then stop everything.

    The cluster's one clock is the loop's, so waits of minutes (an experiment's `duration`) take
    milliseconds; `wait_for` timeouts are simulated seconds.
    """

    async def main() -> None:
        clock = simulated_clock()
        store = Store(clock=clock, rng=random.Random(7))
        store.admit = Admission(store, NAMESPACES, webhooks=[ChaosWebhook()])
        settings = ControllerConfig(startup_time_scale=SCALE)
        for name in ("default", NS):
            store.create(NAMESPACES, {"metadata": {"name": name}})
        store.create(NODES, node_object(settings))
        model = ShopModel(store, load_model_spec(), clock=clock, rng=random.Random(3))
        controllers = start_controllers(store, settings, model, model)
        chaos = ChaosController(store, model, controllers.recorder, clock)
        chaos.start()
        cluster = Cluster(store, model, controllers)
        store.add_listener(lambda _event: cluster.changed.set())
        try:
            await scenario(cluster)
        finally:
            await chaos.stop()
            await controllers.stop()

    run_simulated(main())


@pytest.fixture(autouse=True)
def no_controller_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A reconcile that raises is logged and retried; in these tests that is always a bug."""
    caplog.set_level(logging.WARNING, logger="src.twin")
    yield
    failures = [r for r in caplog.records if r.name.startswith("src.twin") and r.levelno >= logging.WARNING]
    assert not failures, [r.getMessage() for r in failures]


def catalogue(replicas: int) -> dict[str, Any]:
    return {
        "metadata": {"name": "catalogue", "namespace": NS, "labels": {"name": "catalogue"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"name": "catalogue"}},
            "template": {
                "metadata": {"labels": {"name": "catalogue"}},
                "spec": {
                    "containers": [
                        {
                            "name": "catalogue",
                            "image": "weaveworksdemos/catalogue:0.3.5",
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "100Mi"},
                                "limits": {"cpu": "200m", "memory": "200Mi"},
                            },
                            "readinessProbe": {"httpGet": {"path": "/health", "port": 80}, "initialDelaySeconds": 10},
                        }
                    ]
                },
            },
        },
    }


def experiment(name: str, mode: str = "one", value: str | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"mode": mode, "selector": {"namespaces": [NS], "labelSelectors": {"name": "catalogue"}}}
    if value is not None:
        body["value"] = value
    return {"metadata": {"name": name, "namespace": NS}, "spec": {**body, **spec}}


def condition(obj: dict[str, Any] | None, kind: str) -> str | None:
    for found in (obj or {}).get("status", {}).get("conditions") or []:
        if found["type"] == kind:
            return str(found["status"])
    return None


def records(obj: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list(((obj or {}).get("status", {}).get("experiment") or {}).get("containerRecords") or [])


def faulted(cluster: Cluster) -> list[PodRuntime]:
    return [r for r in cluster.runtimes() if not r.faults.at_rest()]


def is_ready(pod: dict[str, Any] | None) -> bool:
    conditions = (pod or {}).get("status", {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


# --- PodChaos ------------------------------------------------------------------------------------


def test_pod_failure_on_catalogue_fails_one_pod_and_reports_it_injected() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(2)
        c.store.create(POD_CHAOS, experiment("pod-failure", action="pod-failure"))
        obj = await c.until(POD_CHAOS, "pod-failure", "AllInjected", "True")
        [hit] = faulted(c)
        assert hit.faults == Faults(failed=True)
        assert obj["metadata"]["finalizers"] == [FINALIZER]
        assert [(cond["type"], cond["status"]) for cond in obj["status"]["conditions"]] == [
            ("Selected", "True"),
            ("AllInjected", "True"),
            ("AllRecovered", "False"),
            ("Paused", "False"),
        ]
        assert obj["status"]["experiment"]["desiredPhase"] == "Run"
        [record] = records(obj)
        assert record["id"] == f"{NS}/{hit.name}"
        assert (record["phase"], record["selectorKey"], record["injectedCount"], record["recoveredCount"]) == (
            "Injected",
            ".",
            1,
            0,
        )
        assert [(e["type"], e["operation"]) for e in record["events"]] == [("Succeeded", "Apply")]
        reasons = c.events("pod-failure")
        for reason in ("FinalizerInited", "Started", "Applied", "Updated"):
            assert reason in reasons
        await c.wait_for(lambda: not is_ready(c.store.peek(PODS, NS, hit.name)), "the failed pod to be not Ready")

    run(scenario)


def test_duration_expiry_recovers_and_reports_the_experiment_stopped() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        c.store.create(POD_CHAOS, experiment("short", action="pod-failure", duration="5m"))
        await c.wait_for(lambda: faulted(c), "injection")
        injected = c.store.clock()
        obj = await c.until(POD_CHAOS, "short", "AllRecovered", "True", timeout=400)
        assert 299 <= c.store.clock() - injected <= 301
        assert not faulted(c)
        assert obj["status"]["experiment"]["desiredPhase"] == "Stop"
        assert condition(obj, "AllInjected") == "False"
        [record] = records(obj)
        assert (record["phase"], record["recoveredCount"]) == ("NotInjected", 1)
        assert [e["operation"] for e in record["events"]] == ["Apply", "Recover"]
        assert "TimeUp" in c.events("short") and "Recovered" in c.events("short")

    run(scenario)


def test_deleting_an_experiment_recovers_then_removes_it() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        c.store.create(POD_CHAOS, experiment("doomed", action="pod-failure"))
        await c.wait_for(lambda: faulted(c), "injection")
        c.store.delete(POD_CHAOS, NS, "doomed")
        await c.wait_for(lambda: c.chaos(POD_CHAOS, "doomed") is None, "the experiment to disappear")
        assert not faulted(c)
        assert "Recovered" in c.events("doomed") and "Deleted" in c.events("doomed")

    run(scenario)


def test_pausing_recovers_and_resuming_injects_the_same_pod_again() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(2)
        c.store.create(POD_CHAOS, experiment("pausable", action="pod-failure"))
        [hit] = await c.wait_for(lambda: faulted(c), "injection")
        c.annotate(POD_CHAOS, "pausable", "true")
        obj = await c.until(POD_CHAOS, "pausable", "Paused", "True")
        assert not faulted(c)
        assert obj["status"]["experiment"]["desiredPhase"] == "Stop"
        assert condition(obj, "AllRecovered") == "True"
        c.annotate(POD_CHAOS, "pausable", None)
        obj = await c.until(POD_CHAOS, "pausable", "AllInjected", "True")
        assert [r.uid for r in faulted(c)] == [hit.uid]
        assert records(obj)[0]["injectedCount"] == 2
        assert condition(obj, "Paused") == "False"
        assert "Paused" in c.events("pausable")

    run(scenario)


def test_a_pod_created_after_injection_is_not_affected() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        c.store.create(POD_CHAOS, experiment("all-pods", mode="all", action="pod-failure"))
        [hit] = await c.wait_for(lambda: faulted(c), "injection")
        runtimes = await c.deploy(3)
        fresh = [r for r in runtimes if r.uid != hit.uid]
        assert len(fresh) == 2 and all(r.faults.at_rest() for r in fresh)
        assert hit.faults.failed

    run(scenario)


def test_pod_kill_deletes_the_pod_once_and_the_replica_set_replaces_it() -> None:
    async def scenario(c: Cluster) -> None:
        [victim] = await c.deploy(1)
        c.store.create(POD_CHAOS, experiment("kill", action="pod-kill"))
        await c.wait_for(lambda: c.store.peek(PODS, NS, victim.name) is None, "the pod to be deleted")
        [replacement] = await c.deploy(1)
        assert replacement.uid != victim.uid and replacement.faults.at_rest()
        obj = c.chaos(POD_CHAOS, "kill")
        assert condition(obj, "AllInjected") == "True"
        assert records(obj)[0]["id"] == f"{NS}/{victim.name}"

    run(scenario)


def test_container_kill_restarts_the_container() -> None:
    async def scenario(c: Cluster) -> None:
        [target] = await c.deploy(1)
        c.store.create(POD_CHAOS, experiment("crash", action="container-kill", containerNames=["catalogue"]))

        def restarts() -> int:
            pod = c.store.peek(PODS, NS, target.name) or {}
            return sum(s.get("restartCount", 0) for s in pod.get("status", {}).get("containerStatuses") or [])

        await c.wait_for(lambda: restarts() >= 1, "a container restart")
        assert records(c.chaos(POD_CHAOS, "crash"))[0]["id"] == f"{NS}/{target.name}/catalogue"
        assert target.faults.kills == 0

    run(scenario)


def test_nothing_to_select_is_reported_on_the_selected_condition() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        body = experiment("nobody", action="pod-failure")
        body["spec"]["selector"]["labelSelectors"] = {"name": "nobody"}
        c.store.create(POD_CHAOS, body)
        obj = await c.until(POD_CHAOS, "nobody", "Selected", "False")
        selected = next(cond for cond in obj["status"]["conditions"] if cond["type"] == "Selected")
        assert selected["reason"] == "no pod is selected"
        assert condition(obj, "AllInjected") == "False" and records(obj) == []
        assert c.events("nobody").count("Failed") == 1
        assert not faulted(c)

    run(scenario)


def test_fixed_percent_50_of_4_pods_selects_2() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(4)
        c.store.create(POD_CHAOS, experiment("half", mode="fixed-percent", value="50", action="pod-failure"))
        obj = await c.until(POD_CHAOS, "half", "AllInjected", "True")
        assert len(records(obj)) == 2
        assert sorted(f"{NS}/{r.name}" for r in faulted(c)) == sorted(r["id"] for r in records(obj))

    run(scenario)


# --- StressChaos and NetworkChaos ----------------------------------------------------------------


def test_cpu_stress_2_workers_at_50_percent_is_one_core() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        stressors = {"cpu": {"workers": 2, "load": 50}}
        c.store.create(STRESS_CHAOS, experiment("cpu", mode="all", stressors=stressors))
        [hit] = await c.wait_for(lambda: faulted(c), "injection")
        assert (hit.faults.stress_cpu_cores, hit.faults.stress_workers) == (1.0, 2)
        assert records(c.chaos(STRESS_CHAOS, "cpu"))[0]["id"] == f"{NS}/{hit.name}/catalogue"

    run(scenario)


def test_memory_stress_takes_size_per_worker_in_bytes_or_share_of_the_limit() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        absolute = {"memory": {"workers": 2, "size": "150MB"}}
        c.store.create(STRESS_CHAOS, experiment("mem", mode="all", stressors=absolute))
        [hit] = await c.wait_for(lambda: faulted(c), "injection")
        assert hit.faults.stress_memory_bytes == 2 * 150_000_000
        c.store.delete(STRESS_CHAOS, NS, "mem")
        await c.wait_for(lambda: not faulted(c), "recovery")
        share = {"memory": {"workers": 1, "size": "50%"}}
        c.store.create(STRESS_CHAOS, experiment("share", mode="all", stressors=share))
        await c.wait_for(lambda: faulted(c), "injection")
        assert hit.faults.stress_memory_bytes == 100 * MIB

    run(scenario)


def test_network_delay_sets_latency_and_jitter_in_seconds() -> None:
    async def scenario(c: Cluster) -> None:
        await c.deploy(1)
        delay = {"latency": "100ms", "jitter": "10ms", "correlation": "25"}
        c.store.create(NETWORK_CHAOS, experiment("slow", mode="all", action="delay", delay=delay))
        [hit] = await c.wait_for(lambda: faulted(c), "injection")
        assert (hit.faults.delay, hit.faults.jitter) == pytest.approx((0.1, 0.01))

    run(scenario)


def test_experiments_on_one_pod_combine_and_recover_independently() -> None:
    async def scenario(c: Cluster) -> None:
        [pod] = await c.deploy(1)
        c.store.create(STRESS_CHAOS, experiment("cpu-a", mode="all", stressors={"cpu": {"workers": 1, "load": 50}}))
        c.store.create(STRESS_CHAOS, experiment("cpu-b", mode="all", stressors={"cpu": {"workers": 2, "load": 100}}))
        c.store.create(NETWORK_CHAOS, experiment("loss", mode="all", action="loss", loss={"loss": "25"}))
        bandwidth = {"rate": "1mbps", "limit": 10240, "buffer": 2048}
        c.store.create(NETWORK_CHAOS, experiment("narrow", mode="all", action="bandwidth", bandwidth=bandwidth))
        await c.wait_for(lambda: pod.faults.bandwidth_bytes_per_second > 0 and pod.faults.stress_workers == 3, "all")
        assert pod.faults == Faults(stress_cpu_cores=2.5, stress_workers=3, loss=0.25, bandwidth_bytes_per_second=MIB)
        c.store.delete(STRESS_CHAOS, NS, "cpu-b")
        c.store.delete(NETWORK_CHAOS, NS, "narrow")
        await c.wait_for(lambda: pod.faults.stress_workers == 1 and not pod.faults.bandwidth_bytes_per_second, "undo")
        assert pod.faults == Faults(stress_cpu_cores=0.5, stress_workers=1, loss=0.25)

    run(scenario)


# --- admission -----------------------------------------------------------------------------------


def test_admission_rejects_an_unknown_action_and_an_empty_selector() -> None:
    async def scenario(c: Cluster) -> None:
        with pytest.raises(ApiError) as unknown:
            c.store.create(POD_CHAOS, experiment("typo", action="pod-explode"))
        assert unknown.value.code == 422
        assert "spec.action" in unknown.value.message
        empty = experiment("everyone", action="pod-failure")
        empty["spec"]["selector"] = {"namespaces": [], "labelSelectors": {}, "pods": {}}
        with pytest.raises(ApiError) as unselective:
            c.store.create(POD_CHAOS, empty)
        assert unselective.value.code == 422
        assert "spec.selector" in unselective.value.message
        assert c.chaos(POD_CHAOS, "typo") is None and c.chaos(POD_CHAOS, "everyone") is None

    run(scenario)
