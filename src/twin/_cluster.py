"""`Twin`: the emulated cluster assembled: store, admission, controllers and the HTTP API server.

It is what `python -m src.twin serve` runs, and what tests start in-process on a free port. The
usage model and the pod-health model are parameters, so the performance model can drive `kubectl
top`, the HPA and probe failures without the API server knowing about it.
"""

from __future__ import annotations

import logging
import random
import socket
from typing import Any

from aiohttp import web

from ..config import TwinSettings
from ._admission import Admission
from ._resources import lookup
from ._rest import RestApi
from ._server import build_app
from ._store import Store
from ._usage import IdleUsage, UsageModel
from .controllers import ControllerConfig, Controllers, node_object, start_controllers
from .controllers._images import load_known_images

logger = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _resource(group: str, version: str, plural: str):
    found = lookup(group, version, plural)
    assert found is not None, plural
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Twin:
    """One emulated Kubernetes cluster serving its API on `url` once `start()` returns."""

    def __init__(self, settings: TwinSettings, usage: UsageModel | None = None, **controller_options: Any) -> None:
        self.settings = settings
        self.usage = usage or IdleUsage()
        self.store = Store(rng=random.Random(settings.seed))
        self.store.admit = Admission(self.store, _resource("", "v1", "namespaces"))
        self._controller_config = ControllerConfig(
            startup_time_scale=settings.startup_time_scale,
            known_images=load_known_images(settings.images),
            **controller_options,
        )
        self._controllers: Controllers | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    async def start(self) -> None:
        """Seed the system objects, start the controllers, then listen."""
        self._seed()
        self._controllers = start_controllers(self.store, self._controller_config, self.usage)
        self._runner = web.AppRunner(build_app(RestApi(self.store, self.usage)), access_log=None)
        await self._runner.setup()
        self.port = self.settings.port or free_port(self.settings.host)
        site = web.TCPSite(self._runner, self.settings.host, self.port, reuse_address=True)
        await site.start()
        logger.info("twin API server listening on %s", self.url)

    async def stop(self) -> None:
        """Close watches, stop the controllers and the listener."""
        self.store.close_all_watches()
        if self._controllers is not None:
            await self._controllers.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    def _seed(self) -> None:
        namespaces = _resource("", "v1", "namespaces")
        for name in SYSTEM_NAMESPACES:
            self.store.create(namespaces, {"metadata": {"name": name}})
        self.store.create(_resource("", "v1", "nodes"), node_object(self._controller_config))
        self.store.create(
            _resource("", "v1", "services"),
            {
                "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver"}},
                "spec": {"ports": [{"name": "https", "port": 443, "targetPort": 6443}], "clusterIP": "10.96.0.1"},
            },
        )
