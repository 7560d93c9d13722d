"""The Prometheus configuration generated for the twin, its settings, and the missing-binary error.

The relabelling itself is exercised against a real Prometheus in
`tests/integration/test_prometheus.py`; here the generated file is checked by `promtool`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from src.config import ConfigError, load_settings
from src.environment.processes import stop_pid
from src.environment.prometheus import (
    PrometheusMissing,
    PrometheusServer,
    PrometheusStartError,
    discard_tsdb,
    prometheus_binary,
    scrape_config,
    tsdb_path,
    write_config,
)

TWIN = "http://127.0.0.1:43210"


def _job(config: dict[str, Any], name: str) -> dict[str, Any]:
    jobs: list[dict[str, Any]] = [job for job in config["scrape_configs"] if job["job_name"] == name]
    assert len(jobs) == 1, jobs
    return jobs[0]


def _rule_for(job: dict[str, Any], target: str) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [rule for rule in job["relabel_configs"] if rule.get("target_label") == target]
    assert len(rules) == 1, rules
    return rules[0]


def test_scrape_and_evaluation_interval_come_from_the_argument() -> None:
    config = scrape_config(TWIN, "1m30s")
    assert config["global"] == {"scrape_interval": "1m30s", "evaluation_interval": "1m30s"}


def test_service_endpoints_are_discovered_over_http_at_the_scrape_interval() -> None:
    job = _job(scrape_config(TWIN + "/", "2s"), "kubernetes-service-endpoints")
    assert job["http_sd_configs"] == [{"url": f"{TWIN}/twin/sd/service-endpoints", "refresh_interval": "2s"}]


def test_relabelling_adds_the_labels_of_the_sock_shop_monitoring_config() -> None:
    job = _job(scrape_config(TWIN), "kubernetes-service-endpoints")
    assert {"action": "labelmap", "regex": "__meta_twin_service_label_(.+)"} in job["relabel_configs"]
    assert _rule_for(job, "job") == {
        "source_labels": ["__meta_twin_namespace", "__meta_twin_service"],
        "separator": "/",
        "target_label": "job",
    }
    sources = {
        target: _rule_for(job, target)["source_labels"]
        for target in ("kubernetes_namespace", "kubernetes_name", "kubernetes_pod_name", "instance")
    }
    assert sources == {
        "kubernetes_namespace": ["__meta_twin_namespace"],
        "kubernetes_name": ["__meta_twin_service"],
        "kubernetes_pod_name": ["__meta_twin_pod"],
        "instance": ["__meta_twin_pod"],
    }


@pytest.mark.parametrize(
    ("name", "path"),
    [("kubernetes-cadvisor", "/twin/metrics/cadvisor"), ("kube-state-metrics", "/twin/metrics/kube-state")],
)
def test_cluster_metrics_are_static_jobs_on_the_twin_api_port(name: str, path: str) -> None:
    job = _job(scrape_config(TWIN), name)
    assert job["metrics_path"] == path
    assert job["scheme"] == "http"
    assert job["static_configs"] == [{"targets": ["127.0.0.1:43210"]}]


@pytest.mark.parametrize("interval", ["5s", "1s", "500ms", "1m30s"])
def test_promtool_accepts_the_generated_file(tmp_path: Path, interval: str) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed: run `bash scripts/setup.sh`")
    path = write_config(tmp_path / "prometheus.yml", TWIN, interval)
    assert yaml.safe_load(path.read_text()) == scrape_config(TWIN, interval)
    result = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def _settings_with(tmp_path: Path, prometheus: object) -> Path:
    path = tmp_path / "global_config.yaml"
    path.write_text(yaml.safe_dump({"world": "twin", "prometheus": prometheus}))
    return path


def test_the_shipped_config_scrapes_every_five_seconds() -> None:
    assert load_settings().prometheus.scrape_interval == "5s"


@pytest.mark.parametrize("interval", ["1s", "250ms", "1m30s", "2h", "10s"])
def test_any_prometheus_duration_is_accepted(tmp_path: Path, interval: str) -> None:
    settings = load_settings(_settings_with(tmp_path, {"scrape_interval": interval}))
    assert settings.prometheus.scrape_interval == interval


@pytest.mark.parametrize("interval", ["5", "0s", "five", "5 s", "30s1m", 5])
def test_a_bad_scrape_interval_names_the_field(tmp_path: Path, interval: object) -> None:
    with pytest.raises(ConfigError, match=r"prometheus\.scrape_interval"):
        load_settings(_settings_with(tmp_path, {"scrape_interval": interval}))


def test_a_missing_binary_says_to_run_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrometheusMissing, match=r"scripts/setup\.sh"):
        prometheus_binary()
    server = PrometheusServer(TWIN, tmp_path / "prometheus")
    with pytest.raises(PrometheusMissing):
        server.start()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url


def _old_tsdb(state_dir: Path) -> Path:
    data = tsdb_path(state_dir)
    (data / "wal").mkdir(parents=True)
    (data / "wal" / "00000000").write_bytes(b"series of pods that are gone")
    return data


def test_the_tsdb_of_an_earlier_run_is_discarded(tmp_path: Path) -> None:
    data = _old_tsdb(tmp_path)
    discard_tsdb(data)
    assert not data.exists()
    discard_tsdb(data)  # nothing there: nothing to do


def test_a_tsdb_another_process_uses_is_kept_and_named(tmp_path: Path) -> None:
    data = _old_tsdb(tmp_path)
    user = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; print(flush=True); time.sleep(60)", f"--storage.tsdb.path={data}"],
        stdout=subprocess.PIPE,
    )
    try:
        assert user.stdout is not None and user.stdout.readline()  # started, its command line readable
        with pytest.raises(PrometheusStartError, match=rf"another prometheus \(pid {user.pid}\) keeps its data in"):
            discard_tsdb(data)
        assert (data / "wal" / "00000000").exists()
    finally:
        stop_pid(user.pid, timeout=1)
        user.poll()


FAKE_PROMETHEUS = """#!/bin/sh
# Says what it found at --storage.tsdb.path, then fails as a Prometheus that cannot start would.
for argument in "$@"; do
    case "$argument" in --storage.tsdb.path=*) ls -A "${argument#*=}" > "$0.saw" 2>&1 ;; esac
done
exit 3
"""


def test_a_prometheus_starts_on_an_empty_tsdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _old_tsdb(tmp_path / "state")
    binary = tmp_path / "bin" / "prometheus"
    binary.parent.mkdir()
    binary.write_text(FAKE_PROMETHEUS)
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", f"{binary.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(PrometheusStartError, match="exited with code 3"):
        PrometheusServer(TWIN, tmp_path / "state").start(timeout=10)
    saw = Path(f"{binary}.saw").read_text()
    assert "wal" not in saw and "No such file" in saw  # the earlier run's TSDB was gone when it started
    assert not data.exists()
