"""Benchmark the twin: its Kubernetes API (start-up, request time, memory) and its physics.

    python3 scripts/benchmark.py [api|physics|all] [--requests 500] [--duration 60]

api (issue 2): start to all 14 pods Ready under 5 s, median request under 5 ms, twin RSS under
150 MB. Times are round trips over a kept-alive loopback connection, so they bound the server-side
handling time from above.

physics (issue 3): real Locust against catalogue. (1) at the heavy workload on one replica, the
error between the P50/P99 Locust measures client-side and the P50/P99 the model served (target
under 5 %), then the same with a lean asyncio client, which separates what Locust's own
processing adds from what the twin does; (2) with catalogue scaled out, the requests per second
the twin serves while its CPU stays within one core and its latencies stay faithful (target at
least 500 rps), again with Locust and with the lean client; (3) Prometheus plus twin memory.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from src.config import load_settings
from src.environment.deploy import deploy
from src.environment.kubectl import run_kubectl
from src.environment.prometheus import PrometheusServer
from src.environment.traffic import SOCK_IDS, Traffic, Workload, mix_for, workload_for
from src.environment.twin_process import TwinHandle, start_twin, stop_twin

REQUESTS = {
    "get deployment": ("GET", "/apis/apps/v1/namespaces/sock-shop/deployments/catalogue", "application/json"),
    "list pods (table)": (
        "GET",
        "/api/v1/namespaces/sock-shop/pods?limit=500",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    ),
    "list pods by label": (
        "GET",
        "/api/v1/namespaces/sock-shop/pods?labelSelector=name%3Dcatalogue",
        "application/json",
    ),
    "pod metrics": ("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/sock-shop/pods", "application/json"),
}


def _timed_requests(host: str, port: int, method: str, path: str, accept: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request(method, path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        durations.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}")
    connection.close()
    return durations


def _api(handle: TwinHandle, ready: float, listening: float, requests: int) -> None:
    host, port = handle.url.removeprefix("http://").split(":")
    print(f"twin start to listening:          {listening:6.2f} s")
    print(f"twin start to 14 pods Ready:      {ready:6.2f} s   (target < 5 s)")
    every = []
    for label, (method, path, accept) in REQUESTS.items():
        durations = _timed_requests(host, int(port), method, path, accept, requests)
        every += durations
        p50, p99 = statistics.median(durations), statistics.quantiles(durations, n=100)[98]
        print(f"{label:<33} median {p50:5.2f} ms  p99 {p99:5.2f} ms")
    print(f"all requests:                     median {statistics.median(every):5.2f} ms   (target < 5 ms)")
    rss = psutil.Process(handle.pid).memory_info().rss / 2**20
    print(f"twin memory (RSS):                {rss:6.1f} MB   (target < 150 MB)")


def _kubectl(handle: TwinHandle, *args: str) -> str:
    return run_kubectl(list(args), handle.kubeconfig, timeout=120).stdout


def _model_latency(handle: TwinHandle) -> dict[str, float]:
    with urllib.request.urlopen(f"{handle.url}/twin/model/latency/sock-shop/catalogue", timeout=10) as response:
        return json.loads(response.read())


def _fresh_catalogue(handle: TwinHandle, replicas: int) -> None:
    """New catalogue pods (so the model's latency samples start empty) at `replicas`."""
    _kubectl(handle, "scale", "deployment", "catalogue", f"--replicas={replicas}", "-n", "sock-shop")
    _kubectl(handle, "rollout", "restart", "deployment/catalogue", "-n", "sock-shop")
    _kubectl(handle, "rollout", "status", "deployment/catalogue", "-n", "sock-shop", "--timeout=90s")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pods = _kubectl(handle, "get", "pods", "-n", "sock-shop", "-l", "name=catalogue", "--no-headers")
        if len(pods.strip().splitlines()) == replicas:
            return
        time.sleep(0.2)


def _load_phase(handle: TwinHandle, state_dir: Path, label: str, workload: Workload, duration: float) -> float:
    """Run Locust; print client vs model percentiles; return the twin's CPU (cores) meanwhile."""
    url = _kubectl(
        handle,
        "get",
        "svc",
        "catalogue",
        "-n",
        "sock-shop",
        "-o",
        "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}",
    )
    twin = psutil.Process(handle.pid)
    with Traffic(url, "catalogue", workload, state_dir=state_dir / label) as traffic:
        before, started = twin.cpu_times(), time.monotonic()
        time.sleep(duration)
        after, elapsed = twin.cpu_times(), time.monotonic() - started
    client = traffic.summary()
    model = _model_latency(handle)
    cores = (after.user + after.system - before.user - before.system) / elapsed
    error50 = abs(client.p50_ms / 1000 - model["p50"]) / model["p50"]
    error99 = abs(client.p99_ms / 1000 - model["p99"]) / model["p99"]
    print(f"{label}: {workload.users} users, {client.rps:.0f} req/s, twin CPU {cores:.2f} cores")
    print(f"  client P50 {client.p50_ms:7.1f} ms  model P50 {model['p50'] * 1000:7.1f} ms  error {error50:5.1%}")
    print(
        f"  client P99 {client.p99_ms:7.1f} ms  model P99 {model['p99'] * 1000:7.1f} ms  error {error99:5.1%}"
        "   (target < 5 %)"
    )
    return cores


async def _lean_users(url: str, users: int, duration: float) -> list[float]:
    """Closed-loop users like Locust's (catalogue mix, 1 s wait) with next to no client overhead."""
    rng = random.Random(7)
    mix = mix_for("catalogue")
    latencies: list[float] = []
    deadline = time.monotonic() + duration
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def user() -> None:
            await asyncio.sleep(rng.uniform(0, 1))
            while time.monotonic() < deadline:
                for call in mix.next_calls(rng):
                    path = call.path.replace("{item}", rng.choice(SOCK_IDS))
                    started = time.perf_counter()
                    async with session.request(call.method, url + path) as response:
                        await response.read()
                    latencies.append(time.perf_counter() - started)
                await asyncio.sleep(1.0)

        await asyncio.gather(*(user() for _ in range(users)))
    return sorted(latencies)


def _lean_phase(handle: TwinHandle, users: int, duration: float) -> None:
    """The same comparison with a lean asyncio client: what the twin itself adds or loses."""
    url = _kubectl(
        handle,
        "get",
        "svc",
        "catalogue",
        "-n",
        "sock-shop",
        "-o",
        "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}",
    )
    latencies = asyncio.run(_lean_users(url, users, duration))
    model = _model_latency(handle)
    for label, q in (("P50", 0.5), ("P99", 0.99)):
        client = latencies[min(len(latencies) - 1, int(q * len(latencies)))]
        error = abs(client - model[label.lower()]) / model[label.lower()]
        print(
            f"  client {label} {client * 1000:7.1f} ms  model {label} {model[label.lower()] * 1000:7.1f} ms"
            f"  error {error:5.1%}   (target < 5 %)"
        )


def _physics(handle: TwinHandle, state_dir: Path, duration: float) -> None:
    with PrometheusServer(handle.url, state_dir / "prometheus") as prometheus:
        _fresh_catalogue(handle, 1)
        _load_phase(handle, state_dir, "heavy, 1 replica", workload_for("catalogue", "heavy"), duration)
        _fresh_catalogue(handle, 1)
        print("heavy, 1 replica, lean asyncio client instead of Locust (80 users):")
        _lean_phase(handle, workload_for("catalogue", "heavy").users, duration)
        _fresh_catalogue(handle, 12)
        cores = _load_phase(handle, state_dir, "capacity, 12 replicas", Workload(600, 100), duration)
        _fresh_catalogue(handle, 12)
        print("capacity, 12 replicas, lean asyncio client instead of Locust (600 users):")
        _lean_phase(handle, 600, duration)
        print(f"  twin CPU within one core: {'yes' if cores < 1.0 else 'NO'}   (target >= 500 req/s on one core)")
        twin_rss = psutil.Process(handle.pid).memory_info().rss / 2**20
        prometheus_rss = psutil.Process(prometheus.handle.pid).memory_info().rss / 2**20
        print(
            f"memory: twin {twin_rss:.0f} MB + Prometheus {prometheus_rss:.0f} MB = {twin_rss + prometheus_rss:.0f} MB"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", choices=("api", "physics", "all"), default="all")
    parser.add_argument("--requests", type=int, default=500, help="API requests per kind")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per physics phase")
    args = parser.parse_args()
    settings = load_settings()
    with tempfile.TemporaryDirectory() as state:
        state_dir = Path(state)
        started = time.monotonic()
        handle = start_twin(state_dir)
        listening = time.monotonic() - started
        deploy(handle.kubeconfig, settings.manifests, settings.namespace)
        ready = time.monotonic() - started
        try:
            if args.which in ("api", "all"):
                _api(handle, ready, listening, args.requests)
            if args.which in ("physics", "all"):
                _physics(handle, state_dir, args.duration)
        finally:
            stop_twin(state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
