"""The twin's controllers, scheduler and kubelet, driven in-process through a real Store and Admission.

Each test runs one asyncio loop with the store and the controllers on it, writes objects as
kubectl would, and waits (with a deadline, woken by store changes) until the cluster shows the
state a real one would. The loop runs on simulated time (`twin_harness.run_simulated`), so the
cluster's real periods and windows (HPA sync and stabilisation, minReadySeconds, progress deadline,
Event TTL) pass in milliseconds; start-up delays are still scaled to 1 %.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from src.twin.admission import Admission
from src.twin.controllers import (
    ContainerUsage,
    ControllerConfig,
    Controllers,
    IdleUsage,
    UsageModel,
    load_known_images,
    node_object,
    start_controllers,
)
from src.twin.controllers._images import parse_image, pull_error
from src.twin.controllers._rollout import (
    HASH_ALPHABET,
    REVISION,
    fenceposts,
    proportional_sizes,
    template_hash,
)
from src.twin.store import (
    DEPLOYMENTS,
    ENDPOINTS,
    EVENTS,
    HPAS,
    NAMESPACES,
    NODES,
    PODS,
    REPLICASETS,
    SERVICES,
    Store,
    clone,
)
from tests.unit.twin_harness import run_simulated, simulated_clock, wait_for_change

NS = "sock-shop"
SCALE = 0.01
KNOWN_IMAGES = {
    "docker.io/weaveworksdemos/catalogue": {"0.3.4", "0.3.5"},
    "docker.io/library/mongo": {"5.0.11"},
}


# --- harness -------------------------------------------------------------------------------------


@dataclass
class Cluster:
    """A store with admission, the default and test namespaces, the node, and running controllers."""

    store: Store
    controllers: Controllers
    clock: Callable[[], float]
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait_for(self, predicate: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
        """Re-check `predicate` after every store change until it is truthy or the deadline passes."""
        return await wait_for_change(self.changed, predicate, what, timeout)

    async def advance(self, seconds: float) -> None:
        """Let `seconds` of simulated time pass, every timer due meanwhile firing."""
        await asyncio.sleep(seconds)

    def pods(self, app: str, namespace: str = NS) -> list[dict[str, Any]]:
        return [p for p in self.store.iter(PODS, namespace) if (p["metadata"].get("labels") or {}).get("name") == app]

    def ready_pods(self, app: str, namespace: str = NS) -> list[dict[str, Any]]:
        return [p for p in self.pods(app, namespace) if _ready(p) and not p["metadata"].get("deletionTimestamp")]

    def replicasets(self, app: str, namespace: str = NS) -> list[dict[str, Any]]:
        return [rs for rs in self.store.iter(REPLICASETS, namespace) if rs["metadata"]["name"].startswith(f"{app}-")]

    def events(self, reason: str | None = None, name_prefix: str = "") -> list[dict[str, Any]]:
        return [
            e
            for e in self.store.iter(EVENTS)
            if (reason is None or e["reason"] == reason) and e["involvedObject"]["name"].startswith(name_prefix)
        ]

    def deployment(self, name: str) -> dict[str, Any]:
        return self.store.get(DEPLOYMENTS, NS, name)

    def set_image(self, name: str, image: str) -> None:
        def change(draft: dict[str, Any]) -> None:
            draft["spec"]["template"]["spec"]["containers"][0]["image"] = image

        self.store.mutate(DEPLOYMENTS, NS, name, change)

    def scale(self, name: str, replicas: int) -> None:
        def change(draft: dict[str, Any]) -> None:
            draft["spec"]["replicas"] = replicas

        self.store.mutate(DEPLOYMENTS, NS, name, change)

    def rolled_out(self, name: str) -> bool:
        """What `kubectl rollout status` waits for."""
        deployment = self.store.peek(DEPLOYMENTS, NS, name)
        if deployment is None:
            return False
        status, wanted = deployment.get("status", {}), deployment["spec"]["replicas"]
        return (
            status.get("observedGeneration", 0) >= deployment["metadata"]["generation"]
            and status.get("updatedReplicas", 0) == wanted
            and status.get("replicas", 0) == wanted
            and status.get("availableReplicas", 0) == wanted
        )


def _ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions", []))


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in obj.get("status", {}).get("conditions", []) if c["type"] == kind)


def run(
    scenario: Callable[[Cluster], Awaitable[None]],
    *,
    usage: UsageModel | None = None,
    health: Any = None,
    **config: Any,
) -> None:
    """Run `scenario` against a fresh cluster on its own loop on simulated time, then stop the controllers.

    The store's clock is the loop's, so the waits of a real cluster (HPA sync and stabilisation,
    progress deadlines, Event TTLs) take milliseconds; `wait_for` timeouts are simulated seconds.
    """

    async def main() -> None:
        clock = simulated_clock()
        store = Store(clock=clock, rng=random.Random(7))
        store.admit = Admission(store, NAMESPACES)
        settings = ControllerConfig(startup_time_scale=SCALE, known_images=KNOWN_IMAGES, **config)
        for name in ("default", NS):
            store.create(NAMESPACES, {"metadata": {"name": name}})
        store.create(NODES, node_object(settings))
        controllers = start_controllers(store, settings, usage or IdleUsage(), health)
        cluster = Cluster(store, controllers, clock)
        store.add_listener(lambda _event: cluster.changed.set())
        try:
            await scenario(cluster)
        finally:
            await controllers.stop()

    run_simulated(main())


@pytest.fixture(autouse=True)
def no_controller_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A reconcile that raises is logged and retried; in these tests that is always a bug."""
    caplog.set_level(logging.WARNING, logger="src.twin.controllers")
    yield
    failures = [r for r in caplog.records if r.name.startswith("src.twin.controllers") and r.levelno >= logging.WARNING]
    assert not failures, [r.getMessage() for r in failures]


def deployment(
    name: str = "catalogue",
    image: str = "weaveworksdemos/catalogue:0.3.5",
    replicas: int = 1,
    **spec: Any,
) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": NS, "labels": {"name": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"name": name}},
            "template": {
                "metadata": {"labels": {"name": name}},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": image,
                            "ports": [{"name": "http", "containerPort": 80}],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "100Mi"},
                                "limits": {"cpu": "200m", "memory": "200Mi"},
                            },
                            "readinessProbe": {"httpGet": {"path": "/health", "port": 80}, "initialDelaySeconds": 10},
                        }
                    ]
                },
            },
            **spec,
        },
    }


# --- Deployments, ReplicaSets, pods -----------------------------------------------------------------


def test_a_deployment_yields_a_ready_pod_with_the_status_kubectl_reads() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the rollout")
        [pod] = c.ready_pods("catalogue")
        [rs] = c.replicasets("catalogue")
        suffix = rs["metadata"]["name"].removeprefix("catalogue-")
        assert len(suffix) == 10 and set(suffix) <= set(HASH_ALPHABET)
        assert pod["metadata"]["labels"]["pod-template-hash"] == suffix
        assert rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] == suffix
        assert pod["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
        assert rs["metadata"]["annotations"][REVISION] == "1"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "1"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "2"
        status = pod["status"]
        assert status["phase"] == "Running"
        assert status["podIP"].startswith("10.244.") and status["hostIP"] == "172.18.0.2"
        assert status["qosClass"] == "Burstable"
        assert [cond["type"] for cond in status["conditions"]] == [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
        ]
        [container] = status["containerStatuses"]
        assert container["ready"] and container["started"] and container["restartCount"] == 0
        assert container["containerID"].startswith("containerd://")
        assert container["image"] == "docker.io/weaveworksdemos/catalogue:0.3.5"
        assert container["imageID"].startswith("docker.io/weaveworksdemos/catalogue@sha256:")
        assert "startedAt" in container["state"]["running"]
        deploy = c.deployment("catalogue")
        assert deploy["metadata"]["annotations"][REVISION] == "1"
        assert _condition(deploy, "Available")["reason"] == "MinimumReplicasAvailable"
        assert _condition(deploy, "Progressing")["reason"] == "NewReplicaSetAvailable"
        pod_name = pod["metadata"]["name"]
        reasons = [e["reason"] for e in sorted(c.events(name_prefix=pod_name), key=lambda e: e["metadata"]["name"])]
        assert reasons == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
        [scaled] = c.events("ScalingReplicaSet")
        assert scaled["message"] == f"Scaled up replica set {rs['metadata']['name']} to 1"
        assert scaled["source"] == {"component": "deployment-controller"}
        [created] = c.events("SuccessfulCreate")
        assert created["message"] == f"Created pod: {pod_name}"

    run(scenario)


def test_readiness_waits_for_the_scaled_initial_delay() -> None:
    async def scenario(c: Cluster) -> None:
        created = c.clock()
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.ready_pods("catalogue"), "a ready pod")
        assert c.clock() - created >= 10 * SCALE

    run(scenario)


def test_scaling_up_and_down() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the first rollout")
        c.scale("catalogue", 3)
        await c.wait_for(lambda: len(c.ready_pods("catalogue")) == 3 and c.rolled_out("catalogue"), "3 ready pods")
        [rs] = c.replicasets("catalogue")
        name = rs["metadata"]["name"]
        assert {e["message"] for e in c.events("ScalingReplicaSet")} >= {f"Scaled up replica set {name} to 3 from 1"}
        assert c.deployment("catalogue")["status"]["readyReplicas"] == 3
        ips = {p["status"]["podIP"] for p in c.pods("catalogue")}
        assert len(ips) == 3
        c.scale("catalogue", 1)
        await c.wait_for(lambda: len(c.pods("catalogue")) == 1 and c.rolled_out("catalogue"), "one pod left")
        assert len(c.events("SuccessfulDelete")) == 2
        assert any(e["reason"] == "Killing" for e in c.events())

    run(scenario)


def test_a_template_change_rolls_out_a_new_replicaset_and_replaces_the_pods() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(replicas=2))
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the first rollout")
        old_pods = {p["metadata"]["name"] for p in c.pods("catalogue")}
        c.set_image("catalogue", "weaveworksdemos/catalogue:0.3.4")
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the second rollout")
        await c.wait_for(lambda: len(c.pods("catalogue")) == 2, "the old pods to go")
        assert not old_pods & {p["metadata"]["name"] for p in c.pods("catalogue")}
        by_revision = {rs["metadata"]["annotations"][REVISION]: rs for rs in c.replicasets("catalogue")}
        assert set(by_revision) == {"1", "2"}
        assert by_revision["1"]["spec"]["replicas"] == 0
        assert by_revision["2"]["spec"]["replicas"] == 2
        assert c.deployment("catalogue")["metadata"]["annotations"][REVISION] == "2"
        images = {p["spec"]["containers"][0]["image"] for p in c.pods("catalogue")}
        assert images == {"weaveworksdemos/catalogue:0.3.4"}

    run(scenario)


def test_rollout_restart_replaces_every_pod() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(replicas=2))
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the first rollout")
        old_pods = {p["metadata"]["name"] for p in c.pods("catalogue")}

        def restart(draft: dict[str, Any]) -> None:
            annotations = draft["spec"]["template"]["metadata"].setdefault("annotations", {})
            annotations["kubectl.kubernetes.io/restartedAt"] = "2026-11-27T20:30:00Z"

        c.store.mutate(DEPLOYMENTS, NS, "catalogue", restart)
        await c.wait_for(
            lambda: (
                c.rolled_out("catalogue")
                and not old_pods & {p["metadata"]["name"] for p in c.pods("catalogue")}
                and len(c.pods("catalogue")) == 2
            ),
            "every pod replaced",
        )
        assert len(c.replicasets("catalogue")) == 2

    run(scenario)


def test_rolling_back_to_an_old_template_reuses_its_replicaset() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "revision 1")
        [first] = c.replicasets("catalogue")
        c.set_image("catalogue", "weaveworksdemos/catalogue:0.3.4")
        await c.wait_for(lambda: c.rolled_out("catalogue") and len(c.pods("catalogue")) == 1, "revision 2")

        template = clone(c.store.get(REPLICASETS, NS, first["metadata"]["name"])["spec"]["template"])
        del template["metadata"]["labels"]["pod-template-hash"]

        def undo(draft: dict[str, Any]) -> None:
            draft["spec"]["template"] = template

        c.store.mutate(DEPLOYMENTS, NS, "catalogue", undo)
        await c.wait_for(lambda: c.rolled_out("catalogue") and len(c.pods("catalogue")) == 1, "the rollback")
        assert len(c.replicasets("catalogue")) == 2
        reused = c.store.get(REPLICASETS, NS, first["metadata"]["name"])
        assert reused["spec"]["replicas"] == 1
        assert reused["metadata"]["annotations"][REVISION] == "3"
        assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
        assert c.deployment("catalogue")["metadata"]["annotations"][REVISION] == "3"
        assert (
            c.pods("catalogue")[0]["metadata"]["labels"]["pod-template-hash"]
            == first["spec"]["selector"]["matchLabels"]["pod-template-hash"]
        )

    run(scenario)


def test_an_unknown_image_backs_off_while_the_old_pod_keeps_serving() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the first rollout")
        [serving] = c.pods("catalogue")
        c.set_image("catalogue", "weaveworksdemos/catalogue:0.3.6")
        changed = c.clock()

        def backing_off() -> dict[str, Any] | None:
            for pod in c.pods("catalogue"):
                for status in pod.get("status", {}).get("containerStatuses", []):
                    if status["state"].get("waiting", {}).get("reason") == "ImagePullBackOff":
                        return pod
            return None

        stuck = await c.wait_for(backing_off, "ImagePullBackOff")
        assert stuck["status"]["phase"] == "Pending"
        assert c.store.get(PODS, NS, serving["metadata"]["name"]) and _ready(
            c.store.get(PODS, NS, serving["metadata"]["name"])
        )
        failed = [e["message"] for e in c.events("Failed", stuck["metadata"]["name"])]
        assert "Error: ErrImagePull" in failed and "Error: ImagePullBackOff" in failed
        assert any("catalogue:0.3.6: not found" in m for m in failed)
        status = c.deployment("catalogue")["status"]
        assert status["availableReplicas"] == 1 and status["updatedReplicas"] == 1 and status["replicas"] == 2
        assert _condition(c.deployment("catalogue"), "Progressing")["reason"] == "ReplicaSetUpdated"
        assert not c.rolled_out("catalogue")

        await c.wait_for(
            lambda: _condition(c.deployment("catalogue"), "Progressing")["reason"] == "ProgressDeadlineExceeded",
            "the progress deadline",
            timeout=700,
        )
        assert _condition(c.deployment("catalogue"), "Progressing")["status"] == "False"
        assert c.clock() - changed >= 600

    run(scenario)


def test_recreate_stops_the_old_pods_before_starting_new_ones() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(replicas=2, strategy={"type": "Recreate"}))
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the first rollout")
        old_rs = c.replicasets("catalogue")[0]["metadata"]["uid"]
        new_seen_with_old: list[bool] = []

        def watch(_event: Any) -> None:
            owners = {p["metadata"]["ownerReferences"][0]["uid"] for p in c.store.iter(PODS, NS)}
            new_seen_with_old.append(old_rs in owners and len(owners) > 1)

        c.store.add_listener(watch)
        c.set_image("catalogue", "weaveworksdemos/catalogue:0.3.4")
        await c.wait_for(lambda: c.rolled_out("catalogue") and len(c.pods("catalogue")) == 2, "the recreate")
        assert not any(new_seen_with_old)

    run(scenario)


def test_a_paused_deployment_does_not_roll_out_until_resumed() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the first rollout")
        c.store.mutate(DEPLOYMENTS, NS, "catalogue", lambda d: d["spec"].update(paused=True))
        c.set_image("catalogue", "weaveworksdemos/catalogue:0.3.4")
        await c.wait_for(
            lambda: _condition(c.deployment("catalogue"), "Progressing")["reason"] == "DeploymentPaused", "paused"
        )
        assert len(c.replicasets("catalogue")) == 1
        c.store.mutate(DEPLOYMENTS, NS, "catalogue", lambda d: d["spec"].update(paused=False))
        await c.wait_for(lambda: len(c.replicasets("catalogue")) == 2 and c.rolled_out("catalogue"), "resumed")

    run(scenario)


def test_revision_history_limit_deletes_the_oldest_idle_replicasets() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(revisionHistoryLimit=1))
        for tag in ("0.3.4", "0.3.5", "0.3.4"):
            await c.wait_for(lambda: c.rolled_out("catalogue"), "a rollout")
            c.set_image("catalogue", f"weaveworksdemos/catalogue:{tag}")
        await c.wait_for(lambda: c.rolled_out("catalogue") and len(c.replicasets("catalogue")) == 2, "cleanup")

    run(scenario)


def test_pods_count_as_available_only_after_min_ready_seconds() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(minReadySeconds=30))
        await c.wait_for(lambda: c.ready_pods("catalogue"), "a ready pod")
        ready_at = c.clock()
        await c.wait_for(lambda: c.deployment("catalogue").get("status", {}).get("readyReplicas") == 1, "ready")
        assert "availableReplicas" not in c.deployment("catalogue")["status"]
        assert c.replicasets("catalogue")[0]["spec"]["minReadySeconds"] == 30
        await c.wait_for(lambda: c.rolled_out("catalogue"), "availability after minReadySeconds", timeout=60)
        assert c.clock() - ready_at >= 30 - 1  # readiness is stamped in whole seconds, as the apiserver does

    run(scenario)


def test_deleting_a_deployment_removes_its_replicasets_and_pods() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(replicas=2))
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the rollout")
        c.store.delete(DEPLOYMENTS, NS, "catalogue")
        await c.wait_for(lambda: not c.replicasets("catalogue") and not c.pods("catalogue"), "the cascade")

    run(scenario)


def test_deleting_a_namespace_empties_it_then_removes_it() -> None:
    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment(replicas=2))
        c.store.create(SERVICES, service())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the rollout")
        c.store.delete(NAMESPACES, "", NS)
        assert c.store.get(NAMESPACES, "", NS)["status"]["phase"] == "Terminating"
        await c.wait_for(lambda: c.store.peek(NAMESPACES, "", NS) is None, "the namespace to go", timeout=10)
        for resource in (PODS, REPLICASETS, DEPLOYMENTS, SERVICES, ENDPOINTS, EVENTS):
            assert not list(c.store.iter(resource, NS)), resource.plural

    run(scenario)


def test_a_pod_that_does_not_fit_stays_pending_with_the_schedulers_reason() -> None:
    async def scenario(c: Cluster) -> None:
        big = deployment(name="big")
        big["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "9"}}
        c.store.create(DEPLOYMENTS, big)
        pod = await c.wait_for(lambda: next(iter(c.events("FailedScheduling")), None), "FailedScheduling")
        assert pod["message"] == "0/1 nodes are available: 1 Insufficient cpu."
        [pending] = c.pods("big")
        scheduled = _condition(pending, "PodScheduled")
        assert (scheduled["status"], scheduled["reason"]) == ("False", "Unschedulable")
        assert pending["status"]["phase"] == "Pending" and not pending["spec"].get("nodeName")

    run(scenario)


# --- health: probes, crashes ------------------------------------------------------------------------


@dataclass
class ScriptedHealth:
    """A PodHealth whose verdict per container name a test sets."""

    verdicts: dict[str, str] = field(default_factory=dict)

    def container_state(self, pod: dict[str, Any], container_name: str, now: datetime) -> str:
        return self.verdicts.get(container_name, "ok")


def test_a_crashing_container_restarts_through_crash_loop_back_off() -> None:
    health = ScriptedHealth()

    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the rollout")
        health.verdicts["catalogue"] = "oomkilled"

        def looping() -> dict[str, Any] | None:
            for pod in c.pods("catalogue"):
                status = pod["status"]["containerStatuses"][0]
                if status["state"].get("waiting", {}).get("reason") == "CrashLoopBackOff":
                    return status
            return None

        status = await c.wait_for(looping, "CrashLoopBackOff")
        assert status["restartCount"] >= 1
        assert status["lastState"]["terminated"]["reason"] == "OOMKilled"
        assert status["lastState"]["terminated"]["exitCode"] == 137
        assert c.pods("catalogue")[0]["status"]["phase"] == "Running"
        assert not c.ready_pods("catalogue")
        [backoff] = c.events("BackOff")
        assert backoff["message"].startswith("Back-off restarting failed container catalogue in pod catalogue-")
        health.verdicts.clear()
        await c.wait_for(lambda: c.ready_pods("catalogue"), "recovery after the back-off")
        assert c.pods("catalogue")[0]["status"]["containerStatuses"][0]["restartCount"] >= 2

    run(scenario, health=health)


def test_endpoints_follow_readiness() -> None:
    health = ScriptedHealth()

    async def scenario(c: Cluster) -> None:
        c.store.create(SERVICES, service())
        c.store.create(DEPLOYMENTS, deployment(replicas=2))
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the rollout")

        def subset() -> dict[str, Any]:
            endpoints = c.store.peek(ENDPOINTS, NS, "catalogue") or {}
            return (endpoints.get("subsets") or [{}])[0]

        await c.wait_for(lambda: len(subset().get("addresses", [])) == 2, "two ready addresses")
        assert subset()["ports"] == [{"name": "web", "port": 80, "protocol": "TCP"}]
        address = subset()["addresses"][0]
        assert address["nodeName"] == "twin-node-1" and address["targetRef"]["kind"] == "Pod"
        health.verdicts["catalogue"] = "unready"
        await c.wait_for(lambda: len(subset().get("notReadyAddresses", [])) == 2, "two not-ready addresses")
        assert "addresses" not in subset()
        [unhealthy] = c.events("Unhealthy")[:1]
        assert unhealthy["message"].startswith('Readiness probe failed: Get "http://10.244.')
        assert _condition(c.deployment("catalogue"), "Available")["status"] == "False"
        health.verdicts.clear()
        await c.wait_for(lambda: len(subset().get("addresses", [])) == 2, "ready again")
        c.store.delete(SERVICES, NS, "catalogue")
        await c.wait_for(lambda: c.store.peek(ENDPOINTS, NS, "catalogue") is None, "the endpoints to go")

    run(scenario, health=health)


def service() -> dict[str, Any]:
    return {
        "metadata": {"name": "catalogue", "namespace": NS, "labels": {"name": "catalogue"}},
        "spec": {"selector": {"name": "catalogue"}, "ports": [{"name": "web", "port": 80, "targetPort": "http"}]},
    }


# --- HPA -------------------------------------------------------------------------------------------


@dataclass
class ScriptedUsage:
    """Every container uses `cpu` cores."""

    cpu: float

    def container_usage(self, pod: dict[str, Any], container: dict[str, Any], now: datetime) -> ContainerUsage:
        return ContainerUsage(self.cpu, 50 * 2**20)


def hpa(maximum: int = 3) -> dict[str, Any]:
    return {
        "metadata": {"name": "catalogue", "namespace": NS},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "catalogue"},
            "minReplicas": 1,
            "maxReplicas": maximum,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
                }
            ],
        },
    }


def test_an_hpa_scales_a_busy_deployment_up_to_its_maximum() -> None:
    usage = ScriptedUsage(cpu=0.15)

    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        await c.wait_for(lambda: c.rolled_out("catalogue"), "the rollout")
        c.store.create(HPAS, hpa())
        await c.wait_for(lambda: len(c.ready_pods("catalogue")) == 3, "three ready pods")
        assert c.deployment("catalogue")["spec"]["replicas"] == 3
        [rescale] = c.events("SuccessfulRescale")[:1]
        assert rescale["message"] == (
            "New size: 3; reason: cpu resource utilization (percentage of request) above target"
        )
        limited = await c.wait_for(
            lambda: _condition(c.store.get(HPAS, NS, "catalogue"), "ScalingLimited")["reason"] == "TooManyReplicas",
            "the maximum to limit the next recommendation",
            timeout=60,
        )
        assert limited
        status = c.store.get(HPAS, NS, "catalogue")["status"]
        assert status["desiredReplicas"] == 3 and "lastScaleTime" in status
        assert status["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 150
        assert _condition({"status": status}, "ScalingActive")["reason"] == "ValidMetricFound"

    run(scenario, usage=usage)


def test_an_hpa_scale_down_waits_for_the_stabilisation_window() -> None:
    usage = ScriptedUsage(cpu=0.15)

    async def scenario(c: Cluster) -> None:
        c.store.create(DEPLOYMENTS, deployment())
        c.store.create(HPAS, hpa())
        await c.wait_for(lambda: len(c.ready_pods("catalogue")) == 3, "three ready pods", timeout=60)
        usage.cpu = 0.01
        quiet = c.clock()
        await c.wait_for(
            lambda: _condition(c.store.get(HPAS, NS, "catalogue"), "AbleToScale")["reason"] == "ScaleDownStabilized",
            "a held scale-down",
            timeout=60,
        )
        assert c.deployment("catalogue")["spec"]["replicas"] == 3
        await c.wait_for(lambda: c.deployment("catalogue")["spec"]["replicas"] == 1, "the scale-down", timeout=400)
        assert c.clock() - quiet >= 300 - 15  # the window, less at most one sync period since the last high reading
        messages = {e["message"] for e in c.events("SuccessfulRescale")}
        assert "New size: 1; reason: All metrics below target" in messages

    run(scenario, usage=usage)


# --- events --------------------------------------------------------------------------------------


def test_events_are_deduplicated_and_expire() -> None:
    async def scenario(c: Cluster) -> None:
        subject = c.store.create(SERVICES, service())
        recorder = c.controllers.recorder
        recorder.record(subject, "Warning", "Testing", "same message", "tester")
        recorder.record(subject, "Warning", "Testing", "same message", "tester")
        recorder.record(subject, "Warning", "Testing", "other message", "tester")
        events = sorted(c.events("Testing"), key=lambda e: e["message"])
        assert [(e["message"], e["count"]) for e in events] == [("other message", 1), ("same message", 2)]
        name = events[1]["metadata"]["name"]
        assert name.startswith("catalogue.") and len(name.split(".")[1]) == 16
        assert events[1]["involvedObject"]["uid"] == subject["metadata"]["uid"]
        await c.advance(601)
        recorder.record(subject, "Warning", "Testing", "same message", "tester")
        assert len(c.events("Testing")) == 3
        await c.wait_for(lambda: not c.events("Testing"), "the events to expire after their TTL", timeout=3700)

    run(scenario)


# --- pure parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surge", "unavailable", "replicas", "expected"),
    [("25%", "25%", 1, (1, 0)), ("25%", "25%", 10, (3, 2)), (0, 0, 4, (0, 1)), ("50%", 1, 3, (2, 1))],
)
def test_max_surge_rounds_up_and_max_unavailable_down(
    surge: Any, unavailable: Any, replicas: int, expected: tuple[int, int]
) -> None:
    rolling = {"maxSurge": surge, "maxUnavailable": unavailable}
    spec = {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": rolling}}
    assert fenceposts({"spec": spec}) == expected


def test_proportional_scaling_keeps_each_replicasets_share() -> None:
    rolling = {"maxSurge": 3, "maxUnavailable": 2}
    spec = {"replicas": 20, "strategy": {"type": "RollingUpdate", "rollingUpdate": rolling}}

    def rs(name: str, size: int, created: str) -> dict[str, Any]:
        return {
            "metadata": {
                "name": name,
                "creationTimestamp": created,
                "annotations": {"deployment.kubernetes.io/max-replicas": "13"},
            },
            "spec": {"replicas": size},
        }

    sizes = proportional_sizes(
        {"spec": spec}, [rs("old", 8, "2026-01-01T00:00:00Z"), rs("new", 5, "2026-01-02T00:00:00Z")], None
    )
    assert sum(sizes.values()) == 23
    assert sizes["old"] > sizes["new"] > 5


def test_the_template_hash_is_stable_and_changes_with_collisions() -> None:
    template = {"metadata": {"labels": {"name": "x"}}, "spec": {"containers": [{"name": "x", "image": "y"}]}}
    assert template_hash(template) == template_hash(clone(template))
    assert template_hash(template) != template_hash(template, 1)


def test_image_references_are_judged_in_canonical_form(tmp_path: Any) -> None:
    catalog = tmp_path / "images.yaml"
    catalog.write_text('mongo: ["5.0.11"]\nweaveworksdemos/catalogue: ["0.3.5", "latest"]\n')
    known = load_known_images(catalog)
    assert set(known) == {"docker.io/library/mongo", "docker.io/weaveworksdemos/catalogue"}
    ok = [parse_image(i) for i in ("mongo:5.0.11", "docker.io/library/mongo:5.0.11", "weaveworksdemos/catalogue")]
    assert all(ref is not None and pull_error(known, ref) is None for ref in ok)
    tag = parse_image("weaveworksdemos/catalogue:0.3.6")
    assert tag is not None and pull_error(known, tag) == (
        "NotFound",
        'failed to pull and unpack image "docker.io/weaveworksdemos/catalogue:0.3.6": failed to resolve reference '
        '"docker.io/weaveworksdemos/catalogue:0.3.6": docker.io/weaveworksdemos/catalogue:0.3.6: not found',
    )
    repo = parse_image("weaveworksdemos/catalogu:0.3.5")
    assert repo is not None and (pull_error(known, repo) or ("", ""))[0] == "Unknown"
    assert parse_image("Not A Valid/Image") is None


def test_the_shipped_image_catalogue_loads() -> None:
    from src.config import REPO_ROOT

    known = load_known_images(REPO_ROOT / "data" / "twin" / "images.yaml")
    assert "0.3.5" in known["docker.io/weaveworksdemos/catalogue"]
    assert "0.3.6" not in known["docker.io/weaveworksdemos/catalogue"]


def test_controllers_stop_cleanly_and_ignore_later_writes() -> None:
    async def scenario() -> None:
        store = Store(rng=random.Random(1))
        store.admit = Admission(store, NAMESPACES)
        store.create(NAMESPACES, {"metadata": {"name": NS}})
        controllers = start_controllers(store, ControllerConfig(startup_time_scale=SCALE), IdleUsage())
        await controllers.stop()
        store.create(DEPLOYMENTS, deployment())
        assert all(controller.queue.pending() == 0 for controller in controllers.controllers)

    asyncio.run(scenario())


def test_the_public_surface_is_pinned() -> None:
    import src.twin.controllers as package

    assert sorted(package.__all__) == [
        "ContainerUsage",
        "ControllerConfig",
        "Controllers",
        "EventRecorder",
        "HealthyPods",
        "IdleUsage",
        "LogError",
        "PodHealth",
        "PodLogs",
        "UsageModel",
        "WorkQueue",
        "load_known_images",
        "node_metrics",
        "node_object",
        "pod_metrics",
        "start_controllers",
    ]
