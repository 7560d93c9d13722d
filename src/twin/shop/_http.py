"""Sock Shop on loopback: each Service answers real HTTP, and Prometheus finds and scrapes the pods.

`ServiceProxy` is the twin's kube-proxy: every Service whose pods have HTTP routes gets a loopback
listener (a NodePort Service keeps its nodePort when it is free, so front-end stays on 30001) and
publishes its URL in the annotation `twin.sock-shop/loopback-url`. Requests go through `ShopModel`.

`twin_routes` adds to the API server what a cluster's monitoring stack provides: Prometheus HTTP
service discovery of the scraped pods, each pod's `/metrics`, cAdvisor and kube-state-metrics;
and, for calibration and benchmarks, the exact latency percentiles the model served.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from aiohttp import web

from ..store import DEPLOYMENTS, PODS, SERVICES, Store, WatchEvent
from ._exposition import cadvisor_exposition, kube_state_exposition, pod_exposition
from ._model import ShopModel

logger = logging.getLogger(__name__)

LOOPBACK_ANNOTATION = "twin.sock-shop/loopback-url"
SCRAPE_ANNOTATION = "prometheus.io/scrape"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
DROPPED = web.Response(status=502, text="upstream connect error or disconnect/reset before headers\n")


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class ServiceProxy:
    """Loopback listeners for the shop's Services."""

    def __init__(self, store: Store, model: ShopModel, host: str = "127.0.0.1") -> None:
        self._store = store
        self._model = model
        self._host = host
        self._sites: dict[tuple[str, str], web.TCPSite] = {}
        self._by_port: dict[int, tuple[str, str]] = {}
        self._runner: web.AppRunner | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._store.add_listener(self._on_change)
        for service in list(self._store.iter(SERVICES)):
            await self._sync(service["metadata"].get("namespace", ""), service["metadata"]["name"])

    async def stop(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    def url_of(self, namespace: str, service: str) -> str | None:
        site = self._sites.get((namespace, service))
        return None if site is None else f"http://{self._host}:{self._port_of(namespace, service)}"

    def _port_of(self, namespace: str, service: str) -> int:
        return next(port for port, key in self._by_port.items() if key == (namespace, service))

    def _on_change(self, event: WatchEvent) -> None:
        if event.resource_key != SERVICES.key or self._runner is None:
            return
        metadata = event.object["metadata"]
        task = asyncio.get_running_loop().create_task(self._sync(metadata.get("namespace", ""), metadata["name"]))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _serves_http(self, name: str) -> bool:
        spec = self._model.spec.services.get(name)
        return spec is not None and any(route.method in HTTP_METHODS for route in spec.routes)

    async def _sync(self, namespace: str, name: str) -> None:
        service = self._store.peek(SERVICES, namespace, name)
        key = (namespace, name)
        if service is None or service["metadata"].get("deletionTimestamp"):
            site = self._sites.pop(key, None)
            if site is not None:
                self._by_port = {p: k for p, k in self._by_port.items() if k != key}
                await site.stop()
            return
        if key not in self._sites and self._serves_http(name):
            await self._listen(service, key)
        url = self.url_of(namespace, name)
        if url and (service["metadata"].get("annotations") or {}).get(LOOPBACK_ANNOTATION) != url:

            def annotate(obj: dict[str, Any]) -> None:
                obj["metadata"].setdefault("annotations", {})[LOOPBACK_ANNOTATION] = url

            self._store.mutate(SERVICES, namespace, name, annotate)

    async def _listen(self, service: dict[str, Any], key: tuple[str, str]) -> None:
        assert self._runner is not None
        ports = service.get("spec", {}).get("ports") or [{}]
        wanted = ports[0].get("nodePort")
        port = wanted if wanted and _port_free(self._host, wanted) else _free_port(self._host)
        site = web.TCPSite(self._runner, self._host, port, reuse_address=True)
        await site.start()
        self._sites[key] = site
        self._by_port[port] = key
        logger.info("service %s/%s answers on http://%s:%d", key[0], key[1], self._host, port)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        key = self._by_port.get(sockname[1]) if sockname else None
        if key is None:
            return web.Response(status=503, text="service is gone\n")
        namespace, name = key
        if request.path == "/metrics":
            runtime = self._model.pick(namespace, name)
            if runtime is None:
                return DROPPED
            return web.Response(text=pod_exposition(runtime, self._model.spec, self._store.clock()))
        await request.read()
        reply = await self._model.call(namespace, name, request.method, request.path)
        if reply.status == 0:
            return DROPPED
        return web.Response(status=reply.status, body=reply.body, content_type=reply.content_type)


def _service_targets(store: Store, model: ShopModel, base: str) -> list[dict[str, Any]]:
    targets = []
    for service in store.iter(SERVICES):
        metadata = service["metadata"]
        if (metadata.get("annotations") or {}).get(SCRAPE_ANNOTATION) != "true":
            continue
        namespace = metadata.get("namespace", "")
        selector = service.get("spec", {}).get("selector") or {}
        if not selector:
            continue
        for pod in store.iter(PODS, namespace):
            labels = pod["metadata"].get("labels") or {}
            if pod["metadata"]["uid"] not in model.runtimes or any(labels.get(k) != v for k, v in selector.items()):
                continue
            target_labels = {
                "__metrics_path__": f"/twin/metrics/pods/{namespace}/{pod['metadata']['name']}",
                "__meta_twin_namespace": namespace,
                "__meta_twin_service": metadata["name"],
                "__meta_twin_pod": pod["metadata"]["name"],
                "__meta_twin_pod_ip": pod.get("status", {}).get("podIP", ""),
            }
            for label, value in (metadata.get("labels") or {}).items():
                target_labels[f"__meta_twin_service_label_{label.replace('-', '_').replace('.', '_')}"] = value
            targets.append({"targets": [base], "labels": target_labels})
    return targets


def twin_routes(store: Store, model: ShopModel) -> list[web.RouteDef]:
    """Discovery and scrape endpoints for a real Prometheus, served beside the Kubernetes API."""

    async def service_endpoints(request: web.Request) -> web.Response:
        return web.json_response(_service_targets(store, model, request.host))

    async def pod_metrics(request: web.Request) -> web.Response:
        namespace, name = request.match_info["namespace"], request.match_info["pod"]
        pod = store.peek(PODS, namespace, name)
        runtime = model.runtime(pod["metadata"]["uid"]) if pod else None
        if runtime is None:
            raise web.HTTPNotFound(text=f"pod {namespace}/{name} is not running\n")
        return web.Response(text=pod_exposition(runtime, model.spec, store.clock()))

    async def cadvisor(request: web.Request) -> web.Response:
        return web.Response(text=cadvisor_exposition(store.iter(PODS), model.runtimes, model.spec, store.clock()))

    async def latency(request: web.Request) -> web.Response:
        namespace, service = request.match_info["namespace"], request.match_info["service"]
        samples = sorted(
            value
            for runtime in model.runtimes.values()
            if runtime.namespace == namespace and runtime.service.name == service
            for value in runtime.latencies
        )
        if not samples:
            return web.json_response({"count": 0})

        def quantile(q: float) -> float:
            return samples[min(len(samples) - 1, int(q * len(samples)))]

        return web.json_response({"count": len(samples), "p50": quantile(0.5), "p99": quantile(0.99)})

    async def kube_state(request: web.Request) -> web.Response:
        return web.Response(text=kube_state_exposition(store.iter(PODS), store.iter(DEPLOYMENTS)))

    return [
        web.get("/twin/sd/service-endpoints", service_endpoints),
        web.get("/twin/metrics/pods/{namespace}/{pod}", pod_metrics),
        web.get("/twin/metrics/cadvisor", cadvisor),
        web.get("/twin/metrics/kube-state", kube_state),
        web.get("/twin/model/latency/{namespace}/{service}", latency),
    ]
