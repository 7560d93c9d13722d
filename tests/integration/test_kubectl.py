"""The issue's acceptance, as a user would try it: the real kubectl against a twin process."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import Cluster
from tests.polling import poll

pytestmark = pytest.mark.integration

NS = ("-n", "sock-shop")
SOCK_SHOP_DEPLOYMENTS = 14


def _pods(cluster: Cluster, selector: str = "") -> list[dict]:
    args = ["get", "pods", *NS, "-o", "json"]
    if selector:
        args += ["-l", selector]
    return json.loads(cluster.kubectl(*args))["items"]


def _ready(pod: dict) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _wait_for(predicate, timeout: float = 30, what: str = "condition"):
    return poll(predicate, timeout=timeout, interval=0.1, what=what)


def _rollout(cluster: Cluster, deployment: str) -> None:
    cluster.kubectl("rollout", "status", f"deployment/{deployment}", *NS, "--timeout=60s", timeout=70)


def test_get_pods_lists_fourteen_running_ready_pods_as_a_table(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("get", "pods", *NS)
    header, *rows = output.strip().splitlines()
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(rows) == SOCK_SHOP_DEPLOYMENTS
    for row in rows:
        _, ready, status = row.split()[:3]
        total = ready.split("/")[1]
        assert ready == f"{total}/{total}", row
        assert status == "Running", row


def test_get_several_kinds_at_once(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("get", "deploy,rs,svc,ep,events", *NS)
    for expected in (
        "deployment.apps/catalogue",
        "replicaset.apps/catalogue-",
        "service/front-end",
        "endpoints/catalogue",
        "Scheduled",
    ):
        assert expected in output


def test_front_end_service_keeps_its_node_port(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("get", "svc", "front-end", *NS)
    assert "80:30001/TCP" in output
    assert "NodePort" in output


def test_describe_pod_shows_containers_limits_and_events(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("describe", "pod", "-l", "name=catalogue", *NS)
    assert "weaveworksdemos/catalogue:0.3.5" in output
    assert "Limits:" in output and "cpu:     200m" in output
    assert "Readiness:" in output
    for reason in ("Scheduled", "Pulled", "Created", "Started"):
        assert reason in output


def test_logs_by_label_prints_service_lines(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("logs", "-l", "name=catalogue", *NS, "--tail=20")
    lines = output.strip().splitlines()
    assert 0 < len(lines) <= 20


def test_top_pods_prints_usage_numbers(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("top", "pods", *NS)
    header, *rows = output.strip().splitlines()
    assert header.split()[:3] == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert len(rows) == SOCK_SHOP_DEPLOYMENTS
    assert all(row.split()[1].endswith("m") and row.split()[2].endswith("Mi") for row in rows)
    nodes = shared_shop.kubectl("top", "nodes")
    assert "twin-node-1" in nodes


def test_exec_fails_fast_with_a_clear_message(shared_shop: Cluster) -> None:
    pod = _pods(shared_shop, "name=catalogue")[0]["metadata"]["name"]
    started = time.monotonic()
    result = shared_shop.kubectl_result("exec", pod, *NS, "--", "ls", timeout=30)
    assert result.returncode != 0
    assert "not supported by the Sock Shop twin" in result.stderr
    assert time.monotonic() - started < 10


def test_scale_gives_three_ready_pods(shop: Cluster) -> None:
    shop.kubectl("scale", "deployment", "catalogue", "--replicas=3", *NS)
    _rollout(shop, "catalogue")
    pods = _pods(shop, "name=catalogue")
    assert len(pods) == 3 and all(_ready(p) for p in pods)


def test_rollout_restart_replaces_every_pod(shop: Cluster) -> None:
    before = {p["metadata"]["name"] for p in _pods(shop, "name=catalogue")}
    shop.kubectl("rollout", "restart", "deployment/catalogue", *NS)
    _rollout(shop, "catalogue")
    after = _wait_for(
        lambda: (
            [p for p in _pods(shop, "name=catalogue") if not p["metadata"].get("deletionTimestamp")]
            if len(_pods(shop, "name=catalogue")) == 1
            else None
        ),
        what="old catalogue pod to go away",
    )
    assert {p["metadata"]["name"] for p in after}.isdisjoint(before)
    assert all(_ready(p) for p in after)
    catalogue_db = _pods(shop, "name=catalogue-db")
    assert len(catalogue_db) == 1


def test_set_image_then_undo_restores_the_previous_image(shop: Cluster) -> None:
    shop.kubectl("set", "image", "deployment/catalogue", "catalogue=weaveworksdemos/catalogue:0.3.4", *NS)
    _rollout(shop, "catalogue")
    shop.kubectl("rollout", "undo", "deployment/catalogue", *NS)
    _rollout(shop, "catalogue")
    image = shop.kubectl("get", "deploy", "catalogue", *NS, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
    assert image == "weaveworksdemos/catalogue:0.3.5"
    history = shop.kubectl("rollout", "history", "deployment/catalogue", *NS)
    assert "REVISION" in history and "3" in history


def test_unknown_tag_gives_image_pull_backoff_and_the_old_pod_keeps_serving(shop: Cluster) -> None:
    shop.kubectl("set", "image", "deployment/catalogue", "catalogue=weaveworksdemos/catalogue:0.3.6", *NS)

    def statuses() -> list[str]:
        rows = shop.kubectl("get", "pods", *NS, "-l", "name=catalogue").strip().splitlines()[1:]
        return [row.split()[2] for row in rows]

    _wait_for(lambda: "ImagePullBackOff" in statuses(), what="ImagePullBackOff")
    assert "Running" in statuses()
    shop.kubectl("rollout", "undo", "deployment/catalogue", *NS)
    _rollout(shop, "catalogue")


def test_set_env_and_resources_roll_out_new_pods(shop: Cluster) -> None:
    shop.kubectl("set", "env", "deployment/catalogue", "logger_flag=true", *NS)
    _rollout(shop, "catalogue")
    shop.kubectl("set", "resources", "deployment/catalogue", "-c", "catalogue", "--limits=cpu=500m", *NS)
    _rollout(shop, "catalogue")
    pods = _wait_for(
        lambda: (found := _pods(shop, "name=catalogue")) and len(found) == 1 and found,
        what="a single catalogue pod",
    )
    container = pods[0]["spec"]["containers"][0]
    assert {"name": "logger_flag", "value": "true"} in container["env"]
    assert container["resources"]["limits"]["cpu"] == "500m"
    assert container["image"] == "weaveworksdemos/catalogue:0.3.5"


def test_strategic_patch_merges_containers_by_name(shop: Cluster) -> None:
    patch = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "catalogue", "resources": {"limits": {"memory": "300Mi"}}}]}}
        }
    }
    shop.kubectl("patch", "deployment", "catalogue", *NS, "-p", json.dumps(patch))
    deployment = json.loads(shop.kubectl("get", "deploy", "catalogue", *NS, "-o", "json"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"cpu": "200m", "memory": "300Mi"}
    assert container["image"] == "weaveworksdemos/catalogue:0.3.5"


def test_delete_then_apply_recreates_the_deployment(shop: Cluster) -> None:
    shop.kubectl("delete", "deployment", "catalogue", *NS)
    _wait_for(lambda: not _pods(shop, "name=catalogue"), what="catalogue pods to be deleted")
    assert not json.loads(shop.kubectl("get", "rs", *NS, "-l", "name=catalogue", "-o", "json"))["items"]
    shop.kubectl("apply", "-f", "kubernetes/sock-shop/05-catalogue-dep.yaml")
    _rollout(shop, "catalogue")
    assert all(_ready(p) for p in _pods(shop, "name=catalogue"))


def test_autoscale_creates_an_hpa(shop: Cluster) -> None:
    shop.kubectl("autoscale", "deployment", "catalogue", "--cpu-percent=50", "--min=1", "--max=5", *NS)
    output = shop.kubectl("get", "hpa", *NS)
    assert "Deployment/catalogue" in output
    hpa = json.loads(shop.kubectl("get", "hpa", "catalogue", *NS, "-o", "json"))
    assert hpa["spec"]["minReplicas"] == 1 and hpa["spec"]["maxReplicas"] == 5


def test_delete_pod_returns_and_the_replica_set_replaces_it(shop: Cluster) -> None:
    old = _pods(shop, "name=catalogue")[0]["metadata"]["name"]
    shop.kubectl("delete", "pod", old, *NS, timeout=30)
    fresh = _wait_for(
        lambda: [p for p in _pods(shop, "name=catalogue") if _ready(p) and p["metadata"]["name"] != old],
        what="a replacement catalogue pod",
    )
    assert len(fresh) == 1
