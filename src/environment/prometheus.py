"""The harness's own Prometheus (the real binary from the Debian package) scraping the twin.

The twin has no in-cluster Prometheus, so one runs beside it, configured so that what agents
query looks as it does on the paper's cluster. The twin publishes three things on its API port:

- `/twin/sd/service-endpoints`, HTTP service discovery with one target per pod behind every
  Service annotated `prometheus.io/scrape: "true"`, carrying `__meta_twin_*` labels;
- `/twin/metrics/cadvisor`, container CPU and memory as cAdvisor names them;
- `/twin/metrics/kube-state`, readiness, replicas and limits as kube-state-metrics names them.

The relabelling reproduces the Sock Shop monitoring config rather than inventing labels: the
services export only `request_duration_seconds{route,status_code,...}` and friends, and
Prometheus adds `name` (a labelmap of the Service's labels), `job="<namespace>/<service>"`,
`kubernetes_namespace`, `kubernetes_name` and `kubernetes_pod_name`. `instance` is the pod name,
since every twin target shares one address.

Two ways to run it, one launcher underneath:

- attached: `with PrometheusServer(twin_url, state_dir) as prometheus:` for tests and experiment
  runs; stopped on exit, and by `atexit` should the block never be left normally;
- detached: `ensure_prometheus` (find or start) / `find_prometheus` / `stop_prometheus` for
  `python -m src.environment up|status|down`; a pid file and `prometheus.json` (its URL and the
  twin it scrapes) under the state directory let later commands find it again.

Every launch starts on an empty TSDB (`discard_tsdb` first). Prometheus writes stale markers for a series
that disappears from a target it still scrapes (a deleted pod's kube-state and cAdvisor series),
and for a target that disappears from service discovery, but not for anything when it shuts down:
a TSDB kept across a restart answers instant queries with the previous run's pods for the whole
5-minute lookback. The twin is in memory, so nothing in an old TSDB describes the world a new
Prometheus scrapes.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import shutil
import socket
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml

from ..config import PrometheusSettings
from .processes import CHILDREN, StartupFailed, answers, read_pid, runs, spawn, stop_pid, wait_ready

logger = logging.getLogger(__name__)

PROGRAM = "prometheus"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
RETENTION = "1d"
PORT_ATTEMPTS = 3
"""Launches tried when the free port found is taken before Prometheus binds it."""
SD_PATH = "/twin/sd/service-endpoints"
CADVISOR_PATH = "/twin/metrics/cadvisor"
KUBE_STATE_PATH = "/twin/metrics/kube-state"
DEFAULT_INTERVAL = PrometheusSettings.scrape_interval


class PrometheusMissing(RuntimeError):
    """The `prometheus` binary is not installed; the message says how to install it."""


class PrometheusStartError(RuntimeError):
    """Prometheus exited or did not become ready; the message points at its log."""


@dataclass(frozen=True)
class PrometheusHandle:
    """A running Prometheus: its process, HTTP API URL, the twin it scrapes, and its log."""

    pid: int
    url: str
    twin_url: str
    log: Path


def prometheus_binary() -> Path:
    """Path of the `prometheus` executable; raises `PrometheusMissing` when there is none."""
    found = shutil.which(PROGRAM)
    if found is None:
        raise PrometheusMissing("prometheus not found: run `bash scripts/setup.sh` (it installs the Debian package)")
    return Path(found)


def scrape_config(twin_url: str, scrape_interval: str = DEFAULT_INTERVAL) -> dict[str, Any]:
    """The Prometheus configuration (as a mapping ready for YAML) that scrapes the twin at `twin_url`."""
    twin_url = twin_url.rstrip("/")
    parts = urllib.parse.urlsplit(twin_url)
    return {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "scrape_configs": [
            {
                "job_name": "kubernetes-service-endpoints",
                "http_sd_configs": [{"url": f"{twin_url}{SD_PATH}", "refresh_interval": scrape_interval}],
                "relabel_configs": [
                    {"action": "labelmap", "regex": "__meta_twin_service_label_(.+)"},
                    _copy(["__meta_twin_namespace", "__meta_twin_service"], "job", separator="/"),
                    _copy(["__meta_twin_namespace"], "kubernetes_namespace"),
                    _copy(["__meta_twin_service"], "kubernetes_name"),
                    _copy(["__meta_twin_pod"], "kubernetes_pod_name"),
                    _copy(["__meta_twin_pod"], "instance"),
                ],
            },
            _static_job("kubernetes-cadvisor", parts, CADVISOR_PATH),
            _static_job("kube-state-metrics", parts, KUBE_STATE_PATH),
        ],
    }


def _copy(sources: list[str], target: str, *, separator: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"source_labels": sources, "target_label": target}
    if separator is not None:
        rule["separator"] = separator
    return rule


def _static_job(name: str, twin: urllib.parse.SplitResult, path: str) -> dict[str, Any]:
    return {
        "job_name": name,
        "scheme": twin.scheme,
        "metrics_path": path,
        "static_configs": [{"targets": [twin.netloc]}],
    }


def write_config(path: Path, twin_url: str, scrape_interval: str = DEFAULT_INTERVAL) -> Path:
    """Write `scrape_config(...)` as YAML to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(scrape_config(twin_url, scrape_interval), sort_keys=False))
    return path


def _tsdb_users(data_dir: Path) -> list[int]:
    """Pids of running processes started with `--storage.tsdb.path=<data_dir>` (none where there is no /proc)."""
    flag = f"--storage.tsdb.path={data_dir}".encode()
    users = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # the process ended while we looked, or is not ours to read
            continue
        if flag in arguments:
            users.append(int(entry.name))
    return users


def tsdb_path(state_dir: Path) -> Path:
    """Where a Prometheus started with `state_dir` keeps its TSDB."""
    return state_dir / "data"


def discard_tsdb(data_dir: Path) -> None:
    """Delete the TSDB at `data_dir` (if any): a Prometheus started there next knows no earlier run.

    Raises:
        PrometheusStartError: a running process (another Prometheus) still uses `data_dir`.
    """
    data_dir = data_dir.absolute()
    users = [pid for pid in _tsdb_users(data_dir) if pid != os.getpid()]
    if users:
        raise PrometheusStartError(
            f"another prometheus (pid {', '.join(map(str, users))}) keeps its data in {data_dir}; "
            "stop it or use another state directory"
        )
    if data_dir.exists():
        shutil.rmtree(data_dir)
        logger.debug("deleted the TSDB at %s", data_dir)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _ready(url: str) -> str | None:
    return url if answers(f"{url}/-/ready") else None


def _log_since(log: Path, offset: int) -> str:
    with log.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def _launch(
    twin_url: str, state_dir: Path, scrape_interval: str, timeout: float
) -> tuple[subprocess.Popen[bytes], PrometheusHandle]:
    """Write the config, start Prometheus on a free port with an empty TSDB, and wait for `/-/ready`."""
    binary = prometheus_binary()
    state_dir = state_dir.absolute()  # Prometheus runs in the repository root, whatever our working directory
    state_dir.mkdir(parents=True, exist_ok=True)
    data_dir = tsdb_path(state_dir)
    discard_tsdb(data_dir)
    config = write_config(state_dir / "prometheus.yml", twin_url, scrape_interval)
    log = state_dir / "prometheus.log"
    log.touch()
    attempts_left = PORT_ATTEMPTS
    while True:
        attempts_left -= 1
        url = f"http://{HOST}:{_free_port()}"
        command = [
            str(binary),
            f"--config.file={config}",
            f"--storage.tsdb.path={data_dir}",
            f"--storage.tsdb.retention.time={RETENTION}",
            f"--web.listen-address={urllib.parse.urlsplit(url).netloc}",
            "--web.enable-lifecycle",
        ]
        offset = log.stat().st_size
        process = spawn(command, log)
        try:
            wait_ready(process, functools.partial(_ready, url), timeout)
        except StartupFailed as err:
            stop_pid(process.pid)
            process.poll()
            if attempts_left and "address already in use" in _log_since(log, offset):
                logger.info("the port of %s was taken before prometheus bound it; trying another", url)
                continue
            raise PrometheusStartError(f"prometheus {err}; see {log}") from err
        logger.info("prometheus (pid %d) at %s scrapes the twin at %s", process.pid, url, twin_url)
        return process, PrometheusHandle(process.pid, url, twin_url.rstrip("/"), log)


class PrometheusServer:
    """Prometheus as a child of this process, for as long as a `with` block (or until `stop()`).

    Args:
        twin_url: the twin's API URL (`Cluster.url`, `TwinHandle.url`).
        state_dir: where its config, TSDB (emptied at every start) and log go.
        scrape_interval: a Prometheus duration (`conf/global_config.yaml: prometheus.scrape_interval`).
    """

    def __init__(self, twin_url: str, state_dir: Path, *, scrape_interval: str = DEFAULT_INTERVAL) -> None:
        self.twin_url = twin_url
        self.state_dir = state_dir
        self.scrape_interval = scrape_interval
        self._handle: PrometheusHandle | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def handle(self) -> PrometheusHandle:
        """The running process; raises `RuntimeError` when not started or already stopped."""
        if self._handle is None:
            raise RuntimeError("this PrometheusServer is not running; call start() or use it in a with block")
        return self._handle

    @property
    def url(self) -> str:
        """Base URL of the HTTP API, e.g. `http://127.0.0.1:40123`."""
        return self.handle.url

    def start(self, timeout: float = START_TIMEOUT) -> PrometheusHandle:
        """Launch Prometheus and return once it is ready.

        Raises:
            PrometheusMissing: the binary is not installed.
            PrometheusStartError: it exited or was not ready within `timeout` seconds.
        """
        if self._handle is not None:
            raise RuntimeError("this PrometheusServer was already started")
        self._process, self._handle = _launch(self.twin_url, self.state_dir, self.scrape_interval, timeout)
        atexit.register(self.stop)
        return self._handle

    def stop(self) -> None:
        """SIGTERM, then SIGKILL; safe to call twice."""
        atexit.unregister(self.stop)
        process, self._process, self._handle = self._process, None, None
        if process is not None:
            stop_pid(process.pid)
            process.poll()  # stop_pid reaped it; this records that in the Popen
            logger.info("prometheus (pid %d) stopped", process.pid)

    def __enter__(self) -> PrometheusServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _paths(state_dir: Path) -> tuple[Path, Path]:
    return state_dir / "prometheus.pid", state_dir / "prometheus.json"


def start_prometheus_detached(
    twin_url: str, state_dir: Path, *, scrape_interval: str = DEFAULT_INTERVAL, timeout: float = START_TIMEOUT
) -> PrometheusHandle:
    """Start Prometheus so that it outlives this process; `find_prometheus(state_dir)` finds it again.

    Raises:
        PrometheusMissing: the binary is not installed.
        PrometheusStartError: it exited or was not ready within `timeout` seconds.
    """
    pid_file, state_file = _paths(state_dir)
    _, handle = _launch(twin_url, state_dir, scrape_interval, timeout)
    CHILDREN.untie(handle.pid)  # it outlives this process
    pid_file.write_text(f"{handle.pid}\n")
    state_file.write_text(json.dumps({"url": handle.url, "twin_url": handle.twin_url}) + "\n")
    return handle


def ensure_prometheus(
    twin_url: str, state_dir: Path, *, scrape_interval: str = DEFAULT_INTERVAL, timeout: float = START_TIMEOUT
) -> PrometheusHandle:
    """The detached Prometheus of `state_dir` scraping `twin_url`: the running one, else a fresh one.

    One that scrapes another twin (the twin was restarted on a new port) is stopped first.
    """
    handle = find_prometheus(state_dir)
    if handle is not None and handle.twin_url == twin_url.rstrip("/"):
        logger.info("prometheus already running (pid %d) at %s", handle.pid, handle.url)
        return handle
    if handle is not None:
        logger.info("prometheus (pid %d) scrapes an old twin at %s; restarting it", handle.pid, handle.twin_url)
        stop_prometheus(state_dir)
    return start_prometheus_detached(twin_url, state_dir, scrape_interval=scrape_interval, timeout=timeout)


def find_prometheus(state_dir: Path) -> PrometheusHandle | None:
    """The Prometheus started detached from `state_dir`, if it is still running and ready."""
    pid_file, state_file = _paths(state_dir)
    pid = read_pid(pid_file)
    try:
        state = json.loads(state_file.read_text())
        url, twin_url = str(state["url"]), str(state["twin_url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid is None or not runs(pid, PROGRAM) or _ready(url) is None:
        return None
    return PrometheusHandle(pid, url, twin_url, state_dir / "prometheus.log")


def stop_prometheus(state_dir: Path) -> bool:
    """Stop the Prometheus started detached from `state_dir`; False when none was running."""
    pid_file, state_file = _paths(state_dir)
    pid = read_pid(pid_file)
    was_running = pid is not None and runs(pid, PROGRAM)
    if was_running and pid is not None:
        stop_pid(pid)
    pid_file.unlink(missing_ok=True)
    state_file.unlink(missing_ok=True)
    return was_running
