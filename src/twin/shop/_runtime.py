"""The live state of one emulated pod: its CPU, memory, injected faults and request statistics.

A `PodRuntime` exists for every pod the kubelet has started. The service endpoints charge it work,
the chaos controller sets its `Faults`, and the metrics exporter and `kubectl top` read its
counters. Times are passed in (seconds since the epoch); nothing here reads a clock.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..store import parse_bytes, parse_cpu
from ._cpu import CfsCpu
from ._spec import ModelSpec, ServiceSpec

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LATENCY_SAMPLES = 50_000
"""Exact latencies kept per pod, so model percentiles can be compared with what clients measure."""
RATE_WINDOW = 10.0
"""Seconds of arrivals the request-rate estimate (and so the memory working set) follows."""


@dataclass
class Faults:
    """What Chaos Mesh has injected into a pod; every field at rest means healthy."""

    failed: bool = False
    """pod-failure: the container is replaced by a pause image, so it is not Ready and serves nothing."""
    stress_cpu_cores: float = 0.0
    stress_workers: int = 0
    stress_memory_bytes: int = 0
    delay: float = 0.0
    """Seconds added to every response (NetworkChaos delay)."""
    jitter: float = 0.0
    loss: float = 0.0
    """Probability (0..1) that a request or response is dropped (NetworkChaos loss)."""
    bandwidth_bytes_per_second: float = 0.0
    """0 = unlimited (NetworkChaos bandwidth)."""
    kills: int = 0
    """container-kill/pod-kill requests not yet acted on by the kubelet."""

    def at_rest(self) -> bool:
        return self == Faults()


@dataclass
class Histogram:
    """A Prometheus histogram's state: cumulative-ready bucket counts, sum and count."""

    buckets: tuple[float, ...] = DEFAULT_BUCKETS
    counts: list[int] = field(default_factory=lambda: [0] * (len(DEFAULT_BUCKETS) + 1))
    total: float = 0.0
    count: int = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.count += 1


@dataclass
class PodRuntime:
    """One running pod of the shop, as the performance model sees it."""

    uid: str
    name: str
    namespace: str
    service: ServiceSpec
    container: str
    image: str
    cpu_limit: float | None
    memory_limit: int | None
    cpu: CfsCpu
    started: float
    faults: Faults = field(default_factory=Faults)
    requests: dict[tuple[str, str, str], Histogram] = field(default_factory=dict)
    """(method, route, status_code) -> latency histogram."""
    arrivals: deque[float] = field(default_factory=deque)
    stress_cpu_seconds: float = 0.0
    last_tick: float = 0.0
    cpu_samples: deque[tuple[float, float]] = field(default_factory=deque)
    oom_kills: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_SAMPLES))

    @classmethod
    def from_pod(cls, pod: dict[str, Any], service: ServiceSpec, spec: ModelSpec, now: float) -> PodRuntime:
        container = (pod.get("spec", {}).get("containers") or [{}])[0]
        limits = (container.get("resources") or {}).get("limits") or {}
        cpu_limit = parse_cpu(limits["cpu"]) if limits.get("cpu") else None
        memory_limit = parse_bytes(limits["memory"]) if limits.get("memory") else None
        cores = cpu_limit if cpu_limit is not None else spec.unlimited_cores
        return cls(
            uid=pod["metadata"]["uid"],
            name=pod["metadata"]["name"],
            namespace=pod["metadata"].get("namespace", ""),
            service=service,
            container=container.get("name", ""),
            image=container.get("image", ""),
            cpu_limit=cpu_limit,
            memory_limit=memory_limit,
            cpu=CfsCpu(cores, spec.cfs_period, service.threads),
            started=now,
            last_tick=now,
        )

    # --- load ----------------------------------------------------------------------------------

    def arrive(self, now: float) -> None:
        self.arrivals.append(now)
        while self.arrivals and self.arrivals[0] < now - RATE_WINDOW:
            self.arrivals.popleft()

    def request_rate(self, now: float) -> float:
        while self.arrivals and self.arrivals[0] < now - RATE_WINDOW:
            self.arrivals.popleft()
        return len(self.arrivals) / RATE_WINDOW

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, str(status))
        histogram = self.requests.get(key)
        if histogram is None:
            histogram = self.requests[key] = Histogram()
        histogram.observe(seconds)
        self.latencies.append(seconds)

    # --- resources -----------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Account stress CPU up to `now` and keep a sample for rate estimates."""
        elapsed = max(0.0, now - self.last_tick)
        self.last_tick = now
        self.cpu.stress_cores = self.faults.stress_cpu_cores
        self.cpu.stress_workers = self.faults.stress_workers
        self.stress_cpu_seconds += self.cpu.stress_share() * elapsed
        self.cpu_samples.append((now, self.cpu_seconds(now)))
        while len(self.cpu_samples) > 2 and self.cpu_samples[1][0] < now - 120:
            self.cpu_samples.popleft()

    def cpu_seconds(self, now: float) -> float:
        """Cumulative CPU the container used: idle runtime, request work and stressors."""
        idle = self.service.idle_cores * max(0.0, now - self.started)
        return idle + self.cpu.busy_seconds + self.stress_cpu_seconds

    def cpu_rate(self, now: float, window: float) -> float:
        """Average cores used over the last `window` seconds (what metrics-server reports)."""
        current = self.cpu_seconds(now)
        earlier = [sample for sample in self.cpu_samples if sample[0] <= now - window]
        start_time, start_value = earlier[-1] if earlier else (self.started, 0.0)
        if now - start_time <= 0:
            return self.service.idle_cores
        return (current - start_value) / (now - start_time)

    def memory_bytes(self, now: float) -> int:
        """Working set: the runtime's base, buffers that grow with the request rate, and stressors."""
        load = self.service.memory_per_rps_bytes * self.request_rate(now)
        return int(self.service.memory_base_bytes + load + self.faults.stress_memory_bytes)

    def over_memory_limit(self, now: float) -> bool:
        return self.memory_limit is not None and self.memory_bytes(now) > self.memory_limit
