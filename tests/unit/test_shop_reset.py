"""What a reset of the shop says it deleted: the namespace's objects against the manifests, kubectl scripted.

`tests/integration/test_prometheus.py` resets a real twin; here kubectl's answers are canned.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from src.config import load_settings
from src.experiment._world import ShopReset, WorldError, declared_objects, namespace_objects, reset_shop

NAMESPACE = "sock-shop"
RESOURCES = "configmaps\nendpoints\nevents\npods\nserviceaccounts\nservices\ndeployments.apps\nreplicasets.apps\n"


def _item(kind: str, name: str, *, owned: bool = False) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": NAMESPACE}
    if owned:
        metadata["ownerReferences"] = [{"kind": "ReplicaSet", "name": "owner"}]
    return {"kind": kind, "metadata": metadata}


IN_THE_NAMESPACE = [
    _item("Deployment", "catalogue"),
    _item("ReplicaSet", "catalogue-6c8f7b9d5", owned=True),
    _item("Pod", "catalogue-6c8f7b9d5-x2k9q", owned=True),
    _item("Service", "catalogue"),
    _item("Endpoints", "catalogue"),
    _item("Endpoints", "hand-made"),
    _item("ServiceAccount", "default"),
    _item("ConfigMap", "kube-root-ca.crt"),
    _item("StressChaos", "stress-cpu-catalogue"),
    _item("HorizontalPodAutoscaler", "catalogue"),
]


class Kubectl:
    """Canned kubectl: api-resources, a listing of the namespace, delete and apply; every call kept."""

    def __init__(self, items: list[dict[str, Any]], resources: str = RESOURCES, failing: str = "") -> None:
        self.items, self.resources, self.failing = items, resources, failing
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], kubeconfig: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        verb = args[0]
        if verb == "api-resources":
            code = 1 if self.failing else 0
            return subprocess.CompletedProcess(args, code, self.resources, self.failing)
        if verb == "get":
            return subprocess.CompletedProcess(args, 0, json.dumps({"kind": "List", "items": self.items}), "")
        return subprocess.CompletedProcess(args, 0, "", "")


@pytest.fixture
def kubectl(monkeypatch: pytest.MonkeyPatch) -> Kubectl:
    fake = Kubectl(IN_THE_NAMESPACE)
    monkeypatch.setattr("src.experiment._world.run_kubectl", fake)
    monkeypatch.setattr("src.environment.deploy.run_kubectl", fake)
    return fake


def test_the_listing_leaves_out_owned_objects_a_services_endpoints_and_what_kubernetes_makes(
    kubectl: Kubectl,
) -> None:
    assert namespace_objects(Path("kubeconfig"), NAMESPACE) == [
        "Deployment/catalogue",
        "Endpoints/hand-made",
        "HorizontalPodAutoscaler/catalogue",
        "Service/catalogue",
        "StressChaos/stress-cpu-catalogue",
    ]
    [_, listing] = kubectl.calls
    assert listing[:2] == ["get", RESOURCES.strip().replace("\nevents", "").replace("\n", ",")]  # no events


def test_the_manifests_declare_every_deployment_and_service_of_the_shop() -> None:
    declared = declared_objects(load_settings().manifests, NAMESPACE)
    assert len(declared) == 28
    assert {"Deployment/catalogue", "Service/catalogue", "Deployment/user-db", "Service/front-end"} <= declared
    assert not any(name.startswith("Namespace/") for name in declared)


def test_a_reset_names_what_the_manifests_do_not_bring_back(kubectl: Kubectl) -> None:
    reset = reset_shop(Path("kubeconfig"), NAMESPACE, load_settings().manifests)
    assert reset.not_recreated == (
        "Endpoints/hand-made",
        "HorizontalPodAutoscaler/catalogue",
        "StressChaos/stress-cpu-catalogue",
    )
    assert [call[0] for call in kubectl.calls] == ["api-resources", "get", "delete", "apply"]  # listed before deleting
    assert reset.describe() == (
        "reset: deleted namespace sock-shop with 1 Deployment, 1 Endpoints, 1 HorizontalPodAutoscaler, 1 Service, "
        "1 StressChaos; not in the manifests, so gone now: Endpoints/hand-made, HorizontalPodAutoscaler/catalogue, "
        "StressChaos/stress-cpu-catalogue"
    )
    assert reset.as_record()["not_recreated"] == list(reset.not_recreated)


def test_a_reset_of_the_shop_alone_says_everything_came_back() -> None:
    reset = ShopReset(NAMESPACE, ("Deployment/catalogue", "Service/catalogue"), ())
    assert reset.describe() == (
        "reset: deleted namespace sock-shop with 1 Deployment, 1 Service; the manifests re-created every one"
    )
    assert ShopReset(NAMESPACE, (), ()).describe() == (
        "reset: namespace sock-shop was empty or absent; applied the manifests"
    )


def test_a_cluster_that_lists_no_resources_fails_the_reset_before_anything_is_deleted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = Kubectl([], resources="", failing="error: the server is unreachable")
    monkeypatch.setattr("src.experiment._world.run_kubectl", fake)
    with pytest.raises(WorldError, match="the server is unreachable"):
        reset_shop(Path("kubeconfig"), NAMESPACE, load_settings().manifests)
    assert [call[0] for call in fake.calls] == ["api-resources"]


def test_one_failing_api_group_does_not_stop_the_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = Kubectl([_item("Deployment", "catalogue")], failing="unable to retrieve metrics.k8s.io/v1beta1")
    monkeypatch.setattr("src.experiment._world.run_kubectl", fake)
    assert namespace_objects(Path("kubeconfig"), NAMESPACE) == ["Deployment/catalogue"]
