"""The official kubernetes Python client drives the twin unchanged."""

from __future__ import annotations

import threading

import pytest
from kubernetes import client, config, watch

from tests.conftest import Cluster

pytestmark = pytest.mark.integration

NS = "sock-shop"


@pytest.fixture
def api(shop: Cluster) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(shop.kubeconfig))


def test_list_and_read_deployments_and_pods_by_label(api: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    names = {d.metadata.name for d in apps.list_namespaced_deployment(NS).items}
    assert {"catalogue", "front-end", "carts-db"} <= names
    catalogue = apps.read_namespaced_deployment("catalogue", NS)
    assert catalogue.spec.template.spec.containers[0].resources.limits["cpu"] == "200m"
    pods = core.list_namespaced_pod(NS, label_selector="name=catalogue").items
    assert len(pods) == 1 and pods[0].status.phase == "Running"


def test_patch_scale_and_replace_deployment(api: client.ApiClient) -> None:
    apps = client.AppsV1Api(api)
    apps.patch_namespaced_deployment_scale("catalogue", NS, {"spec": {"replicas": 2}})
    assert apps.read_namespaced_deployment_scale("catalogue", NS).spec.replicas == 2
    patch = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "catalogue", "resources": {"limits": {"cpu": "500m"}}}]}}
        }
    }
    patched = apps.patch_namespaced_deployment("catalogue", NS, patch)
    container = patched.spec.template.spec.containers[0]
    assert container.resources.limits["cpu"] == "500m" and container.image.endswith("catalogue:0.3.5")
    current = apps.read_namespaced_deployment("catalogue", NS)
    current.metadata.labels = {**(current.metadata.labels or {}), "team": "sre"}
    replaced = apps.replace_namespaced_deployment("catalogue", NS, current)
    assert replaced.metadata.labels["team"] == "sre"


def test_watch_sees_pods_of_a_scale_up(api: client.ApiClient) -> None:
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    listed = core.list_namespaced_pod(NS, label_selector="name=catalogue")
    seen: set[str] = set()
    stream = watch.Watch()

    def follow() -> None:
        for event in stream.stream(
            core.list_namespaced_pod,
            NS,
            label_selector="name=catalogue",
            resource_version=listed.metadata.resource_version,
            timeout_seconds=20,
        ):
            if event["type"] == "ADDED":
                seen.add(event["object"].metadata.name)
            if len(seen) >= 2:
                stream.stop()

    follower = threading.Thread(target=follow)
    follower.start()
    apps.patch_namespaced_deployment_scale("catalogue", NS, {"spec": {"replicas": 3}})
    follower.join(timeout=25)
    assert len(seen) >= 2


def test_pod_chaos_through_custom_objects_api(api: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api)
    body = {
        "apiVersion": "chaos-mesh.org/v1alpha1",
        "kind": "PodChaos",
        "metadata": {"name": "pod-failure-catalogue"},
        "spec": {
            "action": "pod-failure",
            "mode": "one",
            "duration": "60s",
            "selector": {"namespaces": [NS], "labelSelectors": {"name": "catalogue"}},
        },
    }
    custom.create_namespaced_custom_object("chaos-mesh.org", "v1alpha1", NS, "podchaos", body)
    listed = custom.list_namespaced_custom_object("chaos-mesh.org", "v1alpha1", NS, "podchaos")
    assert [item["metadata"]["name"] for item in listed["items"]] == ["pod-failure-catalogue"]
    custom.delete_namespaced_custom_object("chaos-mesh.org", "v1alpha1", NS, "podchaos", "pod-failure-catalogue")
    assert not custom.list_namespaced_custom_object("chaos-mesh.org", "v1alpha1", NS, "podchaos")["items"]


def test_events_by_field_selector(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    pod = core.list_namespaced_pod(NS, label_selector="name=catalogue").items[0]
    events = core.list_namespaced_event(NS, field_selector=f"involvedObject.name={pod.metadata.name}").items
    assert events and all(e.involved_object.name == pod.metadata.name for e in events)
    assert "Started" in {e.reason for e in events}
