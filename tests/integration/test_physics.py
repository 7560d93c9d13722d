"""The twin's physics, measured as the paper measures it: real Locust load, a real Prometheus.

Each test runs Locust against the catalogue Service of a fresh twin and reads CPU (share of the
limit) and P99 through Prometheus. Windows of 40 s ending 60 s into a level leave out the burst of
users Locust spawns at once (closed-loop users stay synchronised for a while), so the figures are
the level's steady state.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from src.environment.prometheus import PrometheusServer
from src.environment.traffic import Traffic, workload_for
from tests.conftest import Cluster
from tests.polling import poll

pytestmark = [pytest.mark.integration, pytest.mark.calibrated, pytest.mark.slow]

NS = ("-n", "sock-shop")
SETTLE = 60
WINDOW = "40s"
P99 = 'histogram_quantile(0.99, sum(rate(request_duration_seconds_bucket{{name="catalogue"}}[{w}])) by (name, le))'
CPU_SHARE = (
    'sum(rate(container_cpu_usage_seconds_total{{namespace="sock-shop",container="catalogue"}}[{w}]))'
    ' / (sum(container_spec_cpu_quota{{namespace="sock-shop",container="catalogue"}})'
    ' / sum(container_spec_cpu_period{{namespace="sock-shop",container="catalogue"}}))'
    ' / count(container_spec_cpu_quota{{namespace="sock-shop",container="catalogue"}})'
)


class Observed:
    """A twin with Sock Shop, a Prometheus scraping it, and Locust on catalogue."""

    def __init__(self, cluster: Cluster, prometheus: PrometheusServer, state_dir: Path) -> None:
        self.cluster = cluster
        self.prometheus = prometheus
        self.state_dir = state_dir

    def query(self, promql: str) -> float | None:
        url = f"{self.prometheus.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=10) as response:
            result = json.loads(response.read())["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def p99(self) -> float:
        value = self.query(P99.format(w=WINDOW))
        assert value is not None, "no request_duration_seconds for catalogue in Prometheus"
        return value

    def cpu_share(self) -> float:
        value = self.query(CPU_SHARE.format(w=WINDOW))
        assert value is not None, "no container CPU series for catalogue in Prometheus"
        return value

    def traffic(self, level: str, component: str = "catalogue") -> Traffic:
        url = self.cluster.kubectl(
            "get", "svc", component, *NS, "-o", "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}"
        )
        return Traffic(url, component, workload_for(component, level), state_dir=self.state_dir / f"locust-{level}")


@pytest.fixture
def observed(shop: Cluster, tmp_path: Path) -> Iterator[Observed]:
    with PrometheusServer(shop.url, tmp_path / "prometheus", scrape_interval="2s") as prometheus:
        yield Observed(shop, prometheus, tmp_path)


def _eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    poll(check, timeout=timeout, interval=2, what=what)


def test_cpu_and_p99_follow_the_workload_as_the_paper_expects(observed: Observed) -> None:
    bands = {"light": (0.20, 0.40), "moderate": (0.50, 0.70), "heavy": (0.80, 1.00)}
    seen: dict[str, tuple[float, float]] = {}
    with observed.traffic("light") as traffic:
        for level, (low, high) in bands.items():
            traffic.set_level(workload_for("catalogue", level))
            time.sleep(SETTLE)
            seen[level] = (observed.cpu_share(), observed.p99())
            logging.getLogger(__name__).warning(
                "%s: CPU %.0f%% of the limit, P99 %.0f ms", level, seen[level][0] * 100, seen[level][1] * 1000
            )
            assert low <= seen[level][0] <= high, (
                f"{level}: CPU {seen[level][0]:.0%} of the limit, wanted {low:.0%}-{high:.0%}"
            )
        top = observed.cluster.kubectl("top", "pods", *NS, "-l", "name=catalogue", "--no-headers").split()
        kubectl_cores = int(top[1].removesuffix("m")) / 1000
        prometheus_cores = observed.query(
            'sum(rate(container_cpu_usage_seconds_total{namespace="sock-shop",container="catalogue"}[15s]))'
        )
        assert prometheus_cores is not None and abs(kubectl_cores - prometheus_cores) <= 0.25 * prometheus_cores
        original = observed.query(
            'histogram_quantile(0.99, sum(rate(request_duration_seconds_bucket{name="catalogue"}[1m])) by (name, le))'
        )
        throughput = observed.query(
            'sum(rate(request_duration_seconds_count{name="catalogue",status_code=~"2..",route!="metrics"}[1m]))'
        )
        assert original is not None and throughput is not None and throughput > 20
    assert seen["moderate"][1] < 0.200, f"moderate P99 {seen['moderate'][1] * 1000:.0f} ms"
    assert seen["heavy"][1] > 0.300, f"heavy P99 {seen['heavy'][1] * 1000:.0f} ms"


def test_scaling_out_or_raising_the_limit_brings_heavy_p99_under_300ms(observed: Observed) -> None:
    kubectl = observed.cluster.kubectl
    with observed.traffic("heavy"):
        kubectl("scale", "deployment", "catalogue", "--replicas=3", *NS)
        time.sleep(SETTLE)
        assert observed.p99() < 0.300
        kubectl("scale", "deployment", "catalogue", "--replicas=1", *NS)
        kubectl("set", "resources", "deployment/catalogue", "-c", "catalogue", "--limits=cpu=500m", *NS)
        kubectl("rollout", "status", "deployment/catalogue", *NS, "--timeout=60s", timeout=70)
        time.sleep(SETTLE)
        assert observed.p99() < 0.300


STRESS = {
    "apiVersion": "chaos-mesh.org/v1alpha1",
    "kind": "StressChaos",
    "metadata": {"name": "stress-cpu-catalogue", "namespace": "sock-shop"},
    "spec": {
        "mode": "all",
        "selector": {"namespaces": ["sock-shop"], "labelSelectors": {"name": "catalogue"}},
        "stressors": {"cpu": {"workers": 2, "load": 50}},
        "duration": "10m",
    },
}


def test_cpu_stress_breaks_the_slo_and_deleting_it_restores_p99(observed: Observed) -> None:
    kubectl = observed.cluster.kubectl
    with observed.traffic("moderate"):
        time.sleep(20)
        kubectl("apply", "-f", "-", stdin=json.dumps(STRESS))
        _eventually(
            lambda: observed.cpu_share() > 0.5 and observed.p99() > 0.200,
            60,
            "CPU over 50 % of the limit and P99 over 200 ms under StressChaos",
        )
        kubectl("delete", "stresschaos", "stress-cpu-catalogue", *NS)
        _eventually(lambda: observed.p99() < 0.200, 90, "P99 back under 200 ms after deleting the chaos")


def test_increase_workload_breaks_the_slo_and_three_replicas_restore_it(observed: Observed) -> None:
    def slo_broken() -> bool | None:
        p99, cpu = observed.query(P99.format(w=WINDOW)), observed.query(CPU_SHARE.format(w=WINDOW))
        return None if p99 is None or cpu is None else p99 > 0.200 or cpu > 0.5

    with observed.traffic("increase"):
        _eventually(lambda: slo_broken() is True, 150, "the 100-user ramp to break the SLO")
        observed.cluster.kubectl("scale", "deployment", "catalogue", "--replicas=3", *NS)
        _eventually(lambda: slo_broken() is False, 120, "three replicas to restore the SLO")


def test_an_hpa_scales_catalogue_by_itself_under_heavy_load(observed: Observed) -> None:
    kubectl = observed.cluster.kubectl
    kubectl("autoscale", "deployment", "catalogue", "--cpu=50%", "--min=1", "--max=5", *NS)
    with observed.traffic("heavy"):
        _eventually(
            lambda: int(kubectl("get", "deploy", "catalogue", *NS, "-o", "jsonpath={.spec.replicas}")) >= 2,
            90,
            "the HPA to scale catalogue out",
        )


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


def _front_end_catalogue_status(cluster: Cluster) -> int:
    base = cluster.kubectl(
        "get", "svc", "front-end", *NS, "-o", "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}"
    )
    try:
        with urllib.request.urlopen(f"{base}/catalogue", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_pod_failure_stops_catalogue_and_deleting_the_pod_restores_it(shop: Cluster) -> None:
    assert _front_end_catalogue_status(shop) == 200
    shop.kubectl("apply", "-f", "-", stdin=json.dumps(POD_FAILURE))

    def catalogue_ready() -> str:
        return shop.kubectl(
            "get",
            "pods",
            *NS,
            "-l",
            "name=catalogue",
            "-o",
            "jsonpath={.items[*].status.conditions[?(@.type=='Ready')].status}",
        )

    _eventually(lambda: catalogue_ready() == "False", 30, "the failed catalogue pod to turn not Ready")
    assert _front_end_catalogue_status(shop) >= 500
    shop.kubectl("delete", "pod", "-l", "name=catalogue", *NS)
    _eventually(lambda: catalogue_ready() == "True", 30, "a fresh catalogue pod to be Ready")
    assert _front_end_catalogue_status(shop) == 200
