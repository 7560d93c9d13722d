"""Benchmark the twin: start-up to a Ready Sock Shop, per-request handling time, and memory.

    python3 scripts/benchmark.py [--requests 500]

Targets (issue 2): start to all 14 pods Ready under 5 s, median request under 5 ms, twin RSS
under 150 MB. Times are round trips over a kept-alive loopback connection, so they bound the
server-side handling time from above.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from src.config import load_settings
from src.environment.deploy import deploy
from src.environment.twin_process import start_twin, stop_twin

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per kind")
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
            host, port = handle.url.removeprefix("http://").split(":")
            print(f"twin start to listening:          {listening:6.2f} s")
            print(f"twin start to 14 pods Ready:      {ready:6.2f} s   (target < 5 s)")
            every = []
            for label, (method, path, accept) in REQUESTS.items():
                durations = _timed_requests(host, int(port), method, path, accept, args.requests)
                every += durations
                p50, p99 = statistics.median(durations), statistics.quantiles(durations, n=100)[98]
                print(f"{label:<33} median {p50:5.2f} ms  p99 {p99:5.2f} ms")
            print(f"all requests:                     median {statistics.median(every):5.2f} ms   (target < 5 ms)")
            rss = psutil.Process(handle.pid).memory_info().rss / 2**20
            print(f"twin memory (RSS):                {rss:6.1f} MB   (target < 150 MB)")
            print(
                json.dumps(
                    {
                        "start_to_ready_s": round(ready, 2),
                        "median_ms": round(statistics.median(every), 2),
                        "rss_mb": round(rss, 1),
                    }
                )
            )
        finally:
            stop_twin(state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
