"""The twin's control plane: the controllers, scheduler and kubelet a real cluster runs beside its API server.

They run on the store's asyncio loop and act only through the `Store`'s public methods, the same
reads and writes kubectl's requests become, so nothing they do is out of reach of the rules
(admission, resourceVersions, watches) that clients face. Each controller is a store listener that
only queues the keys an event concerns, plus a work queue whose worker reconciles them. On start,
every stored object is offered to every controller as ADDED, as an informer's first list would,
so objects created before the controllers are picked up. Start them from a coroutine on the
store's loop, after the Node exists:

    controllers = start_controllers(store, ControllerConfig(known_images=...), usage)
    ...
    await controllers.stop()

The kubelet's seams to the workload live here too: `PodHealth` (how containers are doing),
`UsageModel` (what they use, read by the HPA and served as metrics.k8s.io by the API server) and
`PodLogs` (what they print, served by the API server); the Sock Shop model fills all three.
`WorkQueue` is exported for other reconcilers (Chaos Mesh).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from ..store import METRICS_GROUP, RESOURCES, Store, WatchEvent
from ._config import ControllerConfig
from ._deployment import DeploymentController
from ._endpoints import EndpointsController
from ._events import EventRecorder
from ._garbage import GarbageCollector
from ._hpa import HpaController
from ._images import load_known_images
from ._kubelet import HealthyPods, Kubelet, PodHealth
from ._logs import LogError, PodLogs
from ._namespace import NamespaceController
from ._node import node_object
from ._queue import WorkQueue
from ._replicaset import ReplicaSetController
from ._scheduler import Scheduler
from ._usage import ContainerUsage, IdleUsage, UsageModel, node_metrics, pod_metrics

__all__ = [
    "ContainerUsage",
    "ControllerConfig",
    "Controllers",
    "EventRecorder",
    "HealthyPods",
    "IdleUsage",
    "LogError",
    "PodHealth",
    "PodLogs",
    "UsageModel",
    "WorkQueue",
    "load_known_images",
    "node_metrics",
    "node_object",
    "pod_metrics",
    "start_controllers",
]

logger = logging.getLogger(__name__)


class _Controller(Protocol):
    queue: WorkQueue[Any]

    def on_change(self, event: WatchEvent) -> None: ...


@dataclass
class Controllers:
    """The running control plane; `recorder` lets other in-process parts (chaos) post Events too."""

    recorder: EventRecorder
    controllers: tuple[_Controller, ...]

    async def stop(self) -> None:
        """Stop every worker and timer. The listeners stay registered but queue nothing any more."""
        for controller in self.controllers:
            await controller.queue.stop()
        logger.info("controllers stopped")


def start_controllers(
    store: Store,
    config: ControllerConfig,
    usage: UsageModel,
    health: PodHealth | None = None,
) -> Controllers:
    """Start the controllers on the running loop (call from a coroutine on the store's loop).

    Args:
        store: The twin's object store; create the Node (`node_object(config)`) first.
        config: Delays, the image registry, the node name, HPA timing.
        usage: CPU and memory of running containers, read by the HPA controller.
        health: How running containers are doing; every container is healthy when omitted.

    Returns:
        The running controllers; `await controllers.stop()` on shutdown.
    """
    recorder = EventRecorder(store, ttl=config.event_ttl)
    controllers: tuple[_Controller, ...] = (
        recorder,
        GarbageCollector(store),
        NamespaceController(store),
        DeploymentController(store, recorder),
        ReplicaSetController(store, recorder),
        Scheduler(store, recorder),
        Kubelet(store, recorder, config, health or HealthyPods()),
        EndpointsController(store),
        HpaController(store, recorder, usage, config),
    )
    for controller in controllers:
        store.add_listener(controller.on_change)
        controller.queue.start()
    existing = [
        WatchEvent(store.revision, resource.key, "ADDED", obj)
        for resource in RESOURCES
        if resource.group != METRICS_GROUP
        for obj in store.iter(resource)
    ]
    for event in existing:
        for controller in controllers:
            controller.on_change(event)
    logger.info("controllers started (node %s, start-up time scale %s)", config.node_name, config.startup_time_scale)
    return Controllers(recorder, controllers)
