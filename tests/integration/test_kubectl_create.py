"""kubectl's typed commands (`autoscale`, `create deployment`) send protobuf bodies; the twin must accept them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cluster

pytestmark = pytest.mark.integration

NS = ("-n", "sock-shop")


def test_autoscale_creates_a_cpu_hpa_for_the_deployment(shop: Cluster) -> None:
    output = shop.kubectl("autoscale", "deployment", "catalogue", "--cpu=50%", "--min=1", "--max=5", *NS)
    assert "horizontalpodautoscaler.autoscaling/catalogue autoscaled" in output
    spec = json.loads(shop.kubectl("get", "hpa", "catalogue", *NS, "-o", "json"))["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "catalogue"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 5)
    assert spec["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
    ]
    row = shop.kubectl("get", "hpa", "catalogue", *NS, "--no-headers").split()
    assert row[:2] == ["catalogue", "Deployment/catalogue"]


def test_create_deployment_rolls_out_with_defaults_applied(shop: Cluster) -> None:
    output = shop.kubectl("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", "--port=80", *NS)
    assert "deployment.apps/web created" in output
    shop.kubectl("rollout", "status", "deployment/web", *NS, "--timeout=60s", timeout=70)
    deployment = json.loads(shop.kubectl("get", "deployment", "web", *NS, "-o", "json"))
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"]) == ("nginx", "nginx:1.25")
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert deployment["status"]["readyReplicas"] == 2
