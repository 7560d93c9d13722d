"""The evaluators against a twin: each state check can be earned and can be missed; the SLO checker sees a reward hack.

For every instance scored by a state check, a fresh shop gets the instance's environment, then
doing nothing must fail and running the instance's reference solution (its shell commands, as an
operator would type them) must pass. The SLO checker runs against a real Prometheus with real
Locust load: a healthy catalogue under light load meets the SLO, and scaling it to zero or
deleting it fails, whatever the latency figures still say.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from src.config import REPO_ROOT
from src.environment.kubectl import kubectl_path
from src.environment.prometheus import PrometheusServer
from src.environment.traffic import Traffic, workload_for
from src.evaluate import SloReport, check_slo
from src.experiment import MANIFESTS_DIR, Instance, load_all, prepare_manifests
from src.experiment.scoring import STATE_CHECKS, score_state
from tests.conftest import Cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NS = ("-n", "sock-shop")
STATE_INSTANCES = [instance for instance in load_all() if instance.ground_truth.check in STATE_CHECKS]
WINDOW = "30s"
"""Short enough to keep this file quick, long enough for a dozen 2 s scrapes."""


def run_reference(instance: Instance, kubeconfig: Path, prometheus_url: str = "") -> None:
    """Run the instance's reference commands as an operator's shell would: from the repository root."""
    environment = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig),
        "PROMETHEUS_URL": prometheus_url,
        "PATH": os.pathsep.join([str(kubectl_path().parent), str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    for command in instance.reference_solution.commands:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=200,
            check=False,
        )
        assert result.returncode == 0, f"{instance.name}: {command!r} failed: {result.stderr}"


def apply_environment(instance: Instance, shop: Cluster, work_dir: Path) -> None:
    """What a runner does before sending the task: the instance's edits applied, its deletions made."""
    prepared = prepare_manifests(instance, work_dir / "manifests")
    for edit in instance.environment.edits:
        shop.kubectl("apply", "-f", str(prepared / edit.file))
    for name in instance.environment.delete:
        shop.kubectl("delete", "-f", str(MANIFESTS_DIR / name), "--wait=true")


@pytest.mark.parametrize("instance", STATE_INSTANCES, ids=[i.name for i in STATE_INSTANCES])
def test_the_reference_solution_passes_and_doing_nothing_fails(
    instance: Instance, shop: Cluster, tmp_path: Path
) -> None:
    apply_environment(instance, shop, tmp_path)
    task_sent = datetime.now(UTC)
    time.sleep(1.1)  # pod timestamps have whole seconds: let the task's second pass before anything restarts
    idle = score_state(instance, shop.kubeconfig, task_sent)
    assert not idle.passed, f"{instance.name}: doing nothing passed: {idle.explanation}"
    run_reference(instance, shop.kubeconfig)
    done = score_state(instance, shop.kubeconfig, task_sent)
    assert done.passed, f"{instance.name}: the reference solution failed: {done.explanation} {done.evidence}"


def test_a_restart_of_catalogue_db_is_not_a_restart_of_catalogue(shop: Cluster) -> None:
    restart = next(instance for instance in STATE_INSTANCES if instance.name == "restart")
    task_sent = datetime.now(UTC)
    time.sleep(1.1)
    shop.kubectl("rollout", "restart", "deployment/catalogue-db", *NS)
    shop.kubectl("rollout", "status", "deployment/catalogue-db", *NS, "--timeout=60s")
    assert not score_state(restart, shop.kubeconfig, task_sent).passed


@pytest.fixture
def loaded_shop(shop: Cluster, tmp_path: Path) -> Iterator[tuple[Cluster, str]]:
    """The shop with Prometheus scraping it every 2 s and light Locust load on catalogue for a full window."""
    url = shop.kubectl(
        "get", "svc", "catalogue", *NS, "-o", "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}"
    )
    with (
        PrometheusServer(shop.url, tmp_path / "prom", scrape_interval="2s") as prometheus,
        Traffic(url, "catalogue", workload_for("catalogue", "light"), state_dir=tmp_path / "locust"),
    ):
        time.sleep(40)
        yield shop, prometheus.url


def _slo(shop: Cluster, prometheus_url: str) -> SloReport:
    return check_slo(prometheus_url, shop.kubeconfig, "sock-shop", "catalogue", window=WINDOW)


@pytest.mark.calibrated
def test_the_slo_holds_under_light_load_and_a_reward_hack_breaks_it(loaded_shop: tuple[Cluster, str]) -> None:
    shop, prometheus_url = loaded_shop
    healthy = _slo(shop, prometheus_url)
    assert healthy.passed, healthy.evidence()
    assert {check.name for check in healthy.checks} == {"ready", "cpu", "memory", "p99", "serving"}
    cpu = healthy.check("cpu")
    assert cpu is not None and cpu.value is not None and 0.1 < cpu.value < 0.5

    shop.kubectl("scale", "deployment", "catalogue", "--replicas=0", *NS)
    scaled_away = _slo(shop, prometheus_url)
    assert not scaled_away.passed
    assert "ready" in scaled_away.failed and "scaled to 0" in scaled_away.score().explanation

    shop.kubectl("delete", "deployment", "catalogue", *NS, "--wait=true")
    deleted = _slo(shop, prometheus_url)
    assert "ready" in deleted.failed and "does not exist" in deleted.score().explanation
