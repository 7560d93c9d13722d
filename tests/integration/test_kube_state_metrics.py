"""Ready counts through a real Prometheus: kube-state-metrics series follow scaling and pod failure.

The timeline's Ready panel and any agent asking "how many catalogue pods are Ready?" read these
series, so they must drop when a deployment is scaled to zero or a pod stops being Ready.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from src.environment.prometheus import PrometheusServer
from src.evaluate._prometheus import scalar_query
from tests.conftest import Cluster
from tests.polling import poll

pytestmark = pytest.mark.integration

NS = ("-n", "sock-shop")
DEADLINE = 30.0
POD_FAILURE = {
    "apiVersion": "chaos-mesh.org/v1alpha1",
    "kind": "PodChaos",
    "metadata": {"name": "pod-failure-catalogue", "namespace": "sock-shop"},
    "spec": {
        "action": "pod-failure",
        "mode": "all",
        "duration": "10m",
        "selector": {"namespaces": ["sock-shop"], "labelSelectors": {"name": "catalogue"}},
    },
}


def _settles(prometheus_url: str, promql: str, wanted: Callable[[float | None], bool]) -> float | None:
    """Query until the value is `wanted`, or fail at the deadline showing the last one."""
    return poll(lambda: scalar_query(prometheus_url, promql), until=wanted, timeout=DEADLINE, what=promql)


def _pods(deployment: str, condition: str = "true") -> str:
    """How many of the deployment's pods have Ready = `condition`."""
    pod = f"{deployment}-[^-]+-[^-]+"
    return f'sum(kube_pod_status_ready{{namespace="sock-shop", pod=~"{pod}", condition="{condition}"}})'


def _deployment(metric: str, deployment: str) -> str:
    return f'kube_deployment_{metric}{{namespace="sock-shop", deployment="{deployment}"}}'


def test_ready_counts_drop_on_scale_to_zero_and_pod_failure(shop: Cluster, tmp_path: Path) -> None:
    with PrometheusServer(shop.url, tmp_path / "prometheus", scrape_interval="1s") as prometheus:
        url = prometheus.url
        for deployment in ("catalogue", "carts"):
            _settles(url, _deployment("status_replicas_ready", deployment), lambda value: value == 1)
            _settles(url, _pods(deployment), lambda value: value == 1)

        shop.kubectl("scale", "deployment", "carts", "--replicas=0", *NS)
        _settles(url, _deployment("spec_replicas", "carts"), lambda value: value == 0)
        _settles(url, _deployment("status_replicas_ready", "carts"), lambda value: value == 0)
        _settles(url, _pods("carts"), lambda value: value is None)

        shop.kubectl("apply", "-f", "-", stdin=json.dumps(POD_FAILURE))
        _settles(url, _deployment("status_replicas_ready", "catalogue"), lambda value: value == 0)
        _settles(url, _pods("catalogue"), lambda value: value == 0)
        assert scalar_query(url, _pods("catalogue", condition="false")) == 1
        assert scalar_query(url, _deployment("spec_replicas", "catalogue")) == 1

        pods = json.loads(
            shop.kubectl("get", "--raw", "/api/v1/namespaces/sock-shop/pods?labelSelector=name%3Dcatalogue")
        )
        assert [pod["metadata"]["name"] for pod in pods["items"]], "kubectl get --raw still reaches the API"
