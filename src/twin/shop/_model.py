"""`ShopModel`: Sock Shop's behaviour under load and faults, driven by the real requests it serves.

It follows the store like a kubelet would: a `PodRuntime` appears when a pod starts running and
goes when the pod is deleted. A request to a Service goes to one Ready endpoint (round robin over
the Endpoints object the endpoints controller maintains), costs CPU on that pod's CFS model, then
calls the route's dependencies the way Sock Shop does. Latency is the sum of what those models make
of the actual arrivals; nothing is looked up.

The model is also the twin's `UsageModel` (kubectl top, the HPA, cAdvisor metrics) and its
`PodHealth` (readiness, crashes and OOM kills under faults), so every observer sees one truth.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..controllers import ContainerUsage, IdleUsage
from ..store import ENDPOINTS, PODS, Store, WatchEvent
from ._bodies import render
from ._runtime import PodRuntime
from ._spec import ModelSpec, RouteSpec, ServiceSpec

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
RETRANSMIT_TIMEOUT = 0.2
"""TCP's minimum retransmission timeout: what one lost packet costs a request."""
GIVE_UP_AFTER_LOSSES = 5
GENERIC_SERVICE = ServiceSpec("generic", "none", 2, 0.001, 16 * 2**20, 0, ())


@dataclass(frozen=True)
class Reply:
    """What a service answered: status 0 means the connection was dropped."""

    status: int
    content_type: str
    body: bytes


def _no_endpoints(service: str) -> Reply:
    return Reply(503, "text/plain", f'no endpoints available for service "{service}"\n'.encode())


class ShopModel:
    """The performance model of every pod in the twin."""

    def __init__(
        self,
        store: Store,
        spec: ModelSpec,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self.spec = spec
        self._clock = clock
        self._rng = rng or random.Random()
        self.runtimes: dict[str, PodRuntime] = {}
        self._round_robin: dict[tuple[str, str], int] = {}
        self._idle = IdleUsage()
        self._ticker: asyncio.Task[None] | None = None
        store.add_listener(self._on_change)
        for pod in store.iter(PODS):
            self._track(pod)

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the 1 s tick that accounts stress CPU and samples counters (call on the loop)."""
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)

    async def _tick_forever(self) -> None:
        while True:
            now = self._clock()
            for runtime in list(self.runtimes.values()):
                runtime.tick(now)
            await asyncio.sleep(TICK_SECONDS)

    def _on_change(self, event: WatchEvent) -> None:
        if event.resource_key != PODS.key:
            return
        if event.type == "DELETED":
            self.runtimes.pop(event.object["metadata"]["uid"], None)
        else:
            self._track(event.object)

    def _track(self, pod: dict[str, Any]) -> None:
        uid = pod["metadata"]["uid"]
        if uid in self.runtimes or pod.get("status", {}).get("phase") != "Running":
            return
        self.runtimes[uid] = PodRuntime.from_pod(pod, self.service_of(pod), self.spec, self._clock())

    def service_of(self, pod: dict[str, Any]) -> ServiceSpec:
        """The model of a pod: by its `name` label (Sock Shop's convention), else its container name."""
        labels = pod["metadata"].get("labels") or {}
        containers = pod.get("spec", {}).get("containers") or [{}]
        for candidate in (labels.get("name"), labels.get("app"), containers[0].get("name")):
            if candidate in self.spec.services:
                return self.spec.services[candidate]
        return GENERIC_SERVICE

    def runtime(self, uid: str) -> PodRuntime | None:
        return self.runtimes.get(uid)

    # --- UsageModel and PodHealth ----------------------------------------------------------------

    def container_usage(self, pod: dict[str, Any], container: dict[str, Any], now: datetime) -> ContainerUsage:
        runtime = self.runtimes.get(pod["metadata"]["uid"])
        if runtime is None or container.get("name") != runtime.container:
            return self._idle.container_usage(pod, container, now)
        moment = now.timestamp()
        return ContainerUsage(runtime.cpu_rate(moment, self.spec.metrics_window), runtime.memory_bytes(moment))

    def container_state(self, pod: dict[str, Any], container_name: str, now: datetime) -> str:
        runtime = self.runtimes.get(pod["metadata"]["uid"])
        if runtime is None or container_name != runtime.container:
            return "ok"
        if runtime.faults.kills > 0:
            runtime.faults.kills -= 1
            return "crash"
        if runtime.over_memory_limit(now.timestamp()):
            runtime.oom_kills += 1
            return "oomkilled"
        return "unready" if runtime.faults.failed else "ok"

    # --- serving -------------------------------------------------------------------------------

    def ready_runtimes(self, namespace: str, service: str) -> list[PodRuntime]:
        """The pods behind a Service that the endpoints controller lists as ready."""
        endpoints = self._store.peek(ENDPOINTS, namespace, service)
        uids = [
            (address.get("targetRef") or {}).get("uid")
            for subset in (endpoints or {}).get("subsets") or []
            for address in subset.get("addresses") or []
        ]
        return [self.runtimes[uid] for uid in uids if uid in self.runtimes]

    def pick(self, namespace: str, service: str) -> PodRuntime | None:
        """Round robin over the ready endpoints, as kube-proxy spreads connections."""
        candidates = self.ready_runtimes(namespace, service)
        if not candidates:
            return None
        key = (namespace, service)
        index = self._round_robin.get(key, 0)
        self._round_robin[key] = index + 1
        return candidates[index % len(candidates)]

    async def call(self, namespace: str, service: str, method: str, path: str) -> Reply:
        """A request to a Service, from outside or from another service."""
        runtime = self.pick(namespace, service)
        if runtime is None:
            return _no_endpoints(service)
        return await self.serve(runtime, method, path)

    async def serve(self, runtime: PodRuntime, method: str, path: str) -> Reply:
        """Serve one request on one pod: CPU, dependencies, network faults, statistics."""
        started = self._clock()
        route = runtime.service.route_for(method, path)
        if runtime.faults.failed:
            return Reply(0, "text/plain", b"")
        if route is None:
            runtime.record(self._method_label(runtime, method), self._unmatched(runtime, path), 404, 0.0002)
            return Reply(404, "text/plain", b"404 page not found\n")
        lost = self._lost_packets(runtime)
        if lost >= GIVE_UP_AFTER_LOSSES:
            await asyncio.sleep(RETRANSMIT_TIMEOUT * (2**GIVE_UP_AFTER_LOSSES - 1))
            return Reply(0, "text/plain", b"")
        runtime.arrive(started)
        finish = runtime.cpu.run(started, self._cost(route))
        await asyncio.sleep(max(0.0, finish - self._clock()))
        status = route.status
        for dependency in route.calls:
            await asyncio.sleep(self.spec.hop_latency)
            reply = await self.call(runtime.namespace, dependency.service, dependency.method, dependency.path)
            if reply.status == 0 or reply.status >= 500:
                status = 500
                break
        content_type, body = render(route.body, path) if status < 400 else ("text/plain", b"Internal Server Error\n")
        await self._network_delay(runtime, lost, len(body))
        runtime.record(
            self._method_label(runtime, method),
            self._route_label(runtime, route, path),
            status,
            self._clock() - started,
        )
        return Reply(status, content_type, body)

    def _cost(self, route: RouteSpec) -> float:
        shape = 1.0 / max(route.cv, 0.05) ** 2
        return self._rng.gammavariate(shape, route.cpu_seconds / shape)

    def _lost_packets(self, runtime: PodRuntime) -> int:
        lost = 0
        while lost < GIVE_UP_AFTER_LOSSES and runtime.faults.loss > 0 and self._rng.random() < runtime.faults.loss:
            lost += 1
        return lost

    async def _network_delay(self, runtime: PodRuntime, lost: int, size: int) -> None:
        faults = runtime.faults
        extra = RETRANSMIT_TIMEOUT * (2**lost - 1) if lost else 0.0
        if faults.delay > 0:
            extra += max(0.0, faults.delay + faults.jitter * self._rng.uniform(-1.0, 1.0))
        if faults.bandwidth_bytes_per_second > 0:
            extra += size / faults.bandwidth_bytes_per_second
        if extra > 0:
            await asyncio.sleep(extra)

    def _method_label(self, runtime: PodRuntime, method: str) -> str:
        family = self.spec.families.get(runtime.service.family)
        return method.lower() if family and family.method_case == "lower" else method.upper()

    def _route_label(self, runtime: PodRuntime, route: RouteSpec, path: str) -> str:
        family = self.spec.families.get(runtime.service.family)
        return path.lower() if family and family.route_style == "path" else route.route

    def _unmatched(self, runtime: PodRuntime, path: str) -> str:
        family = self.spec.families.get(runtime.service.family)
        if family and family.route_style == "path":
            return path.lower()
        return path.strip("/").replace("/", "_") or "root"
