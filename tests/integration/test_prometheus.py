"""The real Prometheus scraping a twin with Sock Shop: the labels agents query are there."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from prometheus_api_client import PrometheusConnect

from src.config import load_settings
from src.environment.processes import alive
from src.environment.prometheus import PrometheusServer, ensure_prometheus, find_prometheus, stop_prometheus
from src.experiment._world import reset_shop
from tests.conftest import Cluster
from tests.polling import poll

pytestmark = pytest.mark.integration

SCRAPE_INTERVAL = "1s"
DEADLINE = 30.0
A_FEW_SCRAPES = 5.0
CATALOGUE_CPU_LIMITS = 'sum(kube_pod_container_resource_limits{container="catalogue",resource="cpu"})'
"""0.2 per catalogue pod (its 200m limit): the query of the user report, 1.0 for one pod after five earlier runs."""


def _scraped_pods(shop: Cluster) -> dict[str, str]:
    """Pod name -> Service name, for every pod behind a Service annotated for scraping."""
    services = json.loads(shop.kubectl("get", "services", "-n", "sock-shop", "-o", "json"))["items"]
    pods = json.loads(shop.kubectl("get", "pods", "-n", "sock-shop", "-o", "json"))["items"]
    scraped = {}
    for service in services:
        if (service["metadata"].get("annotations") or {}).get("prometheus.io/scrape") != "true":
            continue
        selector = service["spec"]["selector"]
        for pod in pods:
            labels = pod["metadata"].get("labels") or {}
            if all(labels.get(key) == value for key, value in selector.items()):
                scraped[pod["metadata"]["name"]] = service["metadata"]["name"]
    return scraped


def _eventually(prometheus: PrometheusConnect, query: str, done: Any) -> list[dict[str, Any]]:
    """Query until `done(result)` holds, or fail at the deadline showing the last answer."""
    return poll(lambda: prometheus.custom_query(query), until=done, timeout=DEADLINE, what=query)


def test_prometheus_scrapes_the_twin_with_sock_shop_labels(shop: Cluster, tmp_path: Path) -> None:
    expected = _scraped_pods(shop)
    assert len(expected) >= 9, expected
    with PrometheusServer(shop.url, tmp_path / "prometheus", scrape_interval=SCRAPE_INTERVAL) as server:
        prometheus = PrometheusConnect(url=server.url)

        up = _eventually(
            prometheus, 'up{kubernetes_namespace="sock-shop"} == 1', lambda result: len(result) == len(expected)
        )
        by_pod = {series["metric"]["kubernetes_pod_name"]: series["metric"] for series in up}
        assert set(by_pod) == set(expected)
        for pod, labels in by_pod.items():
            service = expected[pod]
            assert labels["name"] == service
            assert labels["job"] == f"sock-shop/{service}"
            assert labels["kubernetes_name"] == service
            assert labels["instance"] == pod

        assert _eventually(prometheus, 'process_cpu_seconds_total{job="sock-shop/catalogue"}', bool)
        memory = _eventually(prometheus, 'container_memory_working_set_bytes{namespace="sock-shop"}', bool)
        assert {series["metric"]["job"] for series in memory} == {"kubernetes-cadvisor"}
        ready = _eventually(prometheus, 'kube_pod_status_ready{namespace="sock-shop", condition="true"} == 1', bool)
        assert {series["metric"]["pod"] for series in ready} >= set(expected)
        pid = server.handle.pid
    assert not alive(pid)


def test_a_detached_prometheus_is_found_again_reused_and_replaced_for_another_twin(tmp_path: Path) -> None:
    first = ensure_prometheus("http://127.0.0.1:1", tmp_path)
    try:
        assert find_prometheus(tmp_path) == first
        assert ensure_prometheus("http://127.0.0.1:1/", tmp_path) == first
        second = ensure_prometheus("http://127.0.0.1:2", tmp_path)
        assert second.pid != first.pid
        assert not alive(first.pid)
        assert "127.0.0.1:2" in (tmp_path / "prometheus.yml").read_text()
    finally:
        stop_prometheus(tmp_path)
    assert find_prometheus(tmp_path) is None
    assert not alive(second.pid)
    assert not stop_prometheus(tmp_path)


def _cores(prometheus: PrometheusConnect, at: float | None = None) -> float | None:
    """`CATALOGUE_CPU_LIMITS` now (or at the Unix time `at`), rounded; None when Prometheus has no such series."""
    result = prometheus.custom_query(CATALOGUE_CPU_LIMITS, params={} if at is None else {"time": at})
    return round(float(result[0]["value"][1]), 3) if result else None


def _scale_catalogue(shop: Cluster, replicas: int) -> None:
    shop.kubectl("scale", "deployment", "catalogue", "-n", "sock-shop", f"--replicas={replicas}")


def test_a_reset_shop_drops_the_deleted_pods_from_prometheus_within_a_few_scrapes(
    shop: Cluster, tmp_path: Path
) -> None:
    with PrometheusServer(shop.url, tmp_path / "prometheus", scrape_interval=SCRAPE_INTERVAL) as server:
        prometheus = PrometheusConnect(url=server.url)
        poll(lambda: _cores(prometheus), until=lambda cores: cores == 0.2, timeout=DEADLINE, what="one pod")
        _scale_catalogue(shop, 3)
        poll(lambda: _cores(prometheus), until=lambda cores: cores == 0.6, timeout=DEADLINE, what="three pods")

        reset_shop(shop.kubeconfig, "sock-shop", load_settings().manifests)  # delete the namespace, apply again

        # the deleted pods' series went stale at the first scrape without them; a stale series is no answer
        poll(
            lambda: _cores(prometheus),
            until=lambda cores: cores == 0.2,
            timeout=A_FEW_SCRAPES,
            what="only the re-created pod",
        )


def test_a_restarted_environment_starts_with_an_empty_tsdb(shop: Cluster, tmp_path: Path) -> None:
    first = ensure_prometheus(shop.url, tmp_path, scrape_interval=SCRAPE_INTERVAL)
    try:
        prometheus = PrometheusConnect(url=first.url)
        _scale_catalogue(shop, 3)
        poll(lambda: _cores(prometheus), until=lambda cores: cores == 0.6, timeout=DEADLINE, what="three pods")
        during_the_first_run = time.time()
    finally:
        stop_prometheus(tmp_path)
    _scale_catalogue(shop, 1)  # while no Prometheus watches: nothing marks the two pods that go stale

    second = ensure_prometheus(shop.url, tmp_path, scrape_interval=SCRAPE_INTERVAL)
    try:
        assert second.pid != first.pid
        prometheus = PrometheusConnect(url=second.url)
        assert _cores(prometheus, at=during_the_first_run) is None  # nothing of the first run is left
        poll(lambda: _cores(prometheus), until=lambda cores: cores == 0.2, timeout=DEADLINE, what="one pod")
    finally:
        stop_prometheus(tmp_path)
