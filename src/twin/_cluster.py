"""`Twin`: the emulated cluster assembled: store, admission, controllers, Sock Shop model, Chaos Mesh, API server.

It is what `python -m src.twin serve` runs, and what tests start in-process on a free port. The
`ShopModel` is the one source of truth for load and health: it is the controllers' `UsageModel`
(kubectl top, the HPA) and `PodHealth` (readiness, crashes, OOM kills), serves the shop's HTTP
through `ServiceProxy`, and exports the metrics Prometheus scrapes.
"""

from __future__ import annotations

import logging
import random
import socket
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..config import TwinSettings
from .admission import Admission
from .apiserver import AuthFilter, RestApi, build_app, serving_certificate
from .auth import seed_default_policy
from .chaos import ChaosController, ChaosWebhook
from .controllers import ControllerConfig, Controllers, load_known_images, node_object, start_controllers
from .shop import ContainerLogs, ServiceProxy, ShopModel, load_model_spec, twin_routes
from .store import NAMESPACES, NODES, SERVICES, Store

logger = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Twin:
    """One emulated Kubernetes cluster serving its API on `url` once `start()` returns.

    Args:
        settings: Address, seed, model and image files, start-up time scale.
        clock: Seconds since the epoch. The one clock of the cluster: the store (timestamps, and so
            every controller), the Sock Shop model, the chaos controller and the REST layer read it.
        token_key: The key ServiceAccount tokens are signed with; random by default, so the tokens
            of one twin process are worthless to the next.
        tls_port: The TLS port, where every request is authenticated and authorized; 0 = a free
            port. The plain-HTTP `settings.port` serves the same API, and takes a request without
            credentials for the admin's (kubectl sends no token over plain HTTP).
        controller_options: Further `ControllerConfig` fields (HPA timing, event TTL ...).
    """

    def __init__(
        self,
        settings: TwinSettings,
        *,
        clock: Callable[[], float] = time.time,
        token_key: bytes | None = None,
        tls_port: int = 0,
        **controller_options: Any,
    ) -> None:
        self.settings = settings
        self.clock = clock
        rng = random.Random(settings.seed)
        self.store = Store(rng=rng, clock=clock)
        self.store.admit = Admission(self.store, NAMESPACES, webhooks=[ChaosWebhook()])
        self.model = ShopModel(
            self.store, load_model_spec(settings.model), clock=clock, rng=random.Random(rng.random())
        )
        self.proxy = ServiceProxy(self.store, self.model, settings.host)
        self.auth = AuthFilter(self.store, clock, token_key)
        self.certificate = serving_certificate(settings.host)
        self._controller_config = ControllerConfig(
            startup_time_scale=settings.startup_time_scale,
            known_images=load_known_images(settings.images),
            **controller_options,
        )
        self._controllers: Controllers | None = None
        self._chaos: ChaosController | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.tls_port = tls_port

    @property
    def url(self) -> str:
        """The plain-HTTP API (the admin kubeconfig's)."""
        return f"http://{self.settings.host}:{self.port}"

    @property
    def tls_url(self) -> str:
        """The TLS API, whose certificate `self.certificate.ca_pem` signed."""
        return f"https://{self.settings.host}:{self.tls_port}"

    async def start(self) -> None:
        """Seed the system objects, start the controllers and the shop, then listen."""
        self._seed()
        self._controllers = start_controllers(self.store, self._controller_config, self.model, self.model)
        self._chaos = ChaosController(self.store, self.model, self._controllers.recorder, self.clock)
        self._chaos.start()
        self.model.start()
        await self.proxy.start()
        app = build_app(
            RestApi(self.store, self.model, ContainerLogs(self.model.spec), self.clock),
            twin_routes(self.store, self.model),
            self.auth,
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        self.port = self.settings.port or free_port(self.settings.host)
        site = web.TCPSite(self._runner, self.settings.host, self.port, reuse_address=True)
        await site.start()
        self.tls_port = self.tls_port or free_port(self.settings.host)
        tls_site = web.TCPSite(
            self._runner,
            self.settings.host,
            self.tls_port,
            reuse_address=True,
            ssl_context=self.certificate.ssl_context(),
        )
        await tls_site.start()
        logger.info("twin API server listening on %s and %s", self.url, self.tls_url)

    async def stop(self) -> None:
        """Close watches, stop the controllers, the shop and the listeners."""
        self.store.close_all_watches()
        if self._chaos is not None:
            await self._chaos.stop()
        if self._controllers is not None:
            await self._controllers.stop()
        await self.model.stop()
        await self.proxy.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    def _seed(self) -> None:
        for name in SYSTEM_NAMESPACES:
            self.store.create(NAMESPACES, {"metadata": {"name": name}})
        seed_default_policy(self.store)
        self.store.create(NODES, node_object(self._controller_config))
        self.store.create(
            SERVICES,
            {
                "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver"}},
                "spec": {"ports": [{"name": "https", "port": 443, "targetPort": 6443}], "clusterIP": "10.96.0.1"},
            },
        )
