"""The kubelet of the twin's node: runs the pods bound to it and reports their status.

For each pod it keeps what a container runtime would (`_containers.Runtime`), gives the pod an IP
from 10.244.0.0/16, and writes `status` as kubectl reads it: phase, the five pod conditions,
`containerStatuses`, IPs, QoS class. How healthy a running container is comes from a `PodHealth`
(the seam the performance model and chaos implement): "unready" fails its readiness probe,
"crash" and "oomkilled" end the process, which then restarts through CrashLoopBackOff.

Deleting a pod that runs here sets its `deletionTimestamp`; the kubelet then stops the containers
(`Killing` events, not ready) and removes the pod after a short, scaled grace period, so
`kubectl delete pod` returns quickly.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ..store import NODES, PODS, Store, WatchEvent, clone, rfc3339
from ._config import ControllerConfig
from ._containers import COMPONENT, Container, Runtime, field_path
from ._events import EventRecorder
from ._node import node_ip
from ._pods import is_terminating, set_condition
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

POD_NETWORK = ipaddress.ip_network("10.244.0.0/16")
NODE_STATUS_PERIOD = 300.0
CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
HEALTH_VERDICTS = ("ok", "unready", "crash", "oomkilled")

Key = tuple[str, str]


class PodHealth(Protocol):
    """How a running container is doing right now, as its probes and its process would show it."""

    def container_state(self, pod: dict[str, Any], container_name: str, now: datetime) -> str:
        """One of "ok", "unready" (readiness probe fails), "crash" (exits 1) or "oomkilled" (exits 137)."""
        ...


class HealthyPods:
    """Every container is fine: the default when nothing models load or faults."""

    def container_state(self, pod: dict[str, Any], container_name: str, now: datetime) -> str:
        return "ok"


@dataclass
class _PodRuntime:
    uid: str
    ip: str
    started: float
    containers: dict[str, Container] = field(default_factory=dict)
    killing_since: float | None = None


def _qos_class(spec: dict[str, Any]) -> str:
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    sections = [(c.get("resources") or {}) for c in containers]
    if not any(s.get("requests") or s.get("limits") for s in sections):
        return "BestEffort"
    for s in sections:
        limits, requests = s.get("limits") or {}, s.get("requests") or {}
        for name in ("cpu", "memory"):
            if name not in limits or requests.get(name, limits[name]) != limits[name]:
                return "Burstable"
    return "Guaranteed"


def _unhealthy_message(spec: dict[str, Any], ip: str) -> str:
    probe = spec.get("readinessProbe") or {}
    port = (probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port", "")
    for declared in spec.get("ports") or []:
        if declared.get("name") == port:
            port = declared.get("containerPort", port)
    if "httpGet" in probe:
        scheme = str(probe["httpGet"].get("scheme", "HTTP")).lower()
        return (
            f'Readiness probe failed: Get "{scheme}://{ip}:{port}{probe["httpGet"].get("path", "/")}": '
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        )
    if "tcpSocket" in probe:
        return f"Readiness probe failed: dial tcp {ip}:{port}: connect: connection refused"
    return "Readiness probe failed: command timed out"


class Kubelet:
    """Runs the pods bound to `config.node_name`."""

    def __init__(self, store: Store, recorder: EventRecorder, config: ControllerConfig, health: PodHealth) -> None:
        self._store = store
        self._recorder = recorder
        self._config = config
        self._health = health
        self._pods: dict[Key, _PodRuntime] = {}
        self._ip_cursor = 1
        self._runtime = Runtime(
            recorder,
            config.node_name,
            config.startup_time_scale,
            config.known_images,
            store.rng,
            lambda: store.random_hex(64),
        )
        self.queue: WorkQueue[Key] = WorkQueue("kubelet", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        metadata = event.object["metadata"]
        if event.resource_key == NODES.key:
            if event.type == "ADDED" and metadata["name"] == self._config.node_name:
                self.queue.add(("", metadata["name"]))
        elif event.resource_key == PODS.key:
            mine = self._config.node_name
            if any((pod or {}).get("spec", {}).get("nodeName") == mine for pod in (event.object, event.old)):
                self.queue.add((metadata["namespace"], metadata["name"]))

    # --- reconcile -------------------------------------------------------------------------------

    def reconcile(self, key: Key) -> float | None:
        if not key[0]:
            return self._post_node_status()
        pod = self._store.peek(PODS, *key)
        state = self._pods.get(key)
        if pod is None or pod.get("spec", {}).get("nodeName") != self._config.node_name:
            self._pods.pop(key, None)
            return None
        now = self._store.clock()
        if state is None or state.uid != pod["metadata"]["uid"]:
            state = self._pods[key] = self._start_pod(pod, now)
        if is_terminating(pod):
            return self._terminate(key, pod, state, now)
        specs = {c["name"]: c for c in pod["spec"].get("containers") or []}
        for name, spec in specs.items():
            container = state.containers.get(name)
            if container is None:
                state.containers[name] = Container(name, spec.get("image", ""), due=now)
            elif spec.get("image", "") != container.image:
                self._runtime.replace_image(pod, container, spec.get("image", ""), now)
        for container in state.containers.values():
            self._runtime.advance(pod, container, specs.get(container.name, {}), now)
        self._probe(pod, state, specs, now)
        self._write_status(key, pod, state, now)
        return self._next_wake(state, now)

    def _start_pod(self, pod: dict[str, Any], now: float) -> _PodRuntime:
        """The pod sandbox: an IP, and every container waiting to start."""
        ip = pod.get("status", {}).get("podIP")
        if not ip or ip in self._ips_in_use():
            ip = self._allocate_ip()
        state = _PodRuntime(pod["metadata"]["uid"], ip, now)
        for spec in pod["spec"].get("containers") or []:
            state.containers[spec["name"]] = Container(spec["name"], spec.get("image", ""), due=now)
        return state

    def _ips_in_use(self) -> set[str]:
        return {state.ip for state in self._pods.values()}

    def _allocate_ip(self) -> str:
        """The next free address after the last one handed out, as the host-local IPAM plugin does."""
        used = self._ips_in_use()
        size = POD_NETWORK.num_addresses
        for _ in range(size):
            self._ip_cursor = self._ip_cursor + 1 if self._ip_cursor + 1 < size - 1 else 2
            candidate = str(POD_NETWORK[self._ip_cursor])
            if candidate not in used:
                return candidate
        raise RuntimeError(f"the pod network {POD_NETWORK} is exhausted")

    def _probe(self, pod: dict[str, Any], state: _PodRuntime, specs: dict[str, dict[str, Any]], now: float) -> None:
        """Ask `PodHealth` about every running container and act on the answer."""
        moment = datetime.fromtimestamp(now, UTC)
        for container in state.containers.values():
            if not container.running:
                continue
            verdict = self._health.container_state(pod, container.name, moment)
            if verdict not in HEALTH_VERDICTS:
                logger.warning(
                    "PodHealth said %r about %s/%s; treating it as ok", verdict, pod["metadata"]["name"], container.name
                )
                verdict = "ok"
            if verdict in ("crash", "oomkilled"):
                self._runtime.crash(container, now, oom=verdict == "oomkilled")
                continue
            container.unready = verdict == "unready"
            if container.unready and container.ready_at is not None and now >= container.ready_at:
                self._unhealthy(pod, state, container, specs.get(container.name, {}), now)

    def _unhealthy(
        self, pod: dict[str, Any], state: _PodRuntime, container: Container, spec: dict[str, Any], now: float
    ) -> None:
        period = float((spec.get("readinessProbe") or {}).get("periodSeconds") or 10)
        if container.last_unhealthy_event is not None and now - container.last_unhealthy_event < period:
            return
        container.last_unhealthy_event = now
        self._recorder.record(
            pod,
            "Warning",
            "Unhealthy",
            _unhealthy_message(spec, state.ip),
            COMPONENT,
            field_path=field_path(container.name),
            host=self._config.node_name,
        )

    def _next_wake(self, state: _PodRuntime, now: float) -> float | None:
        times = [c.due for c in state.containers.values() if c.step is not None]
        for container in state.containers.values():
            if container.running:
                times += [t for t in (container.started_at, container.ready_at) if t is not None and t > now]
                times.append(now + self._config.probe_period)
        return max(min(times) - now, 0.001) if times else None

    def _terminate(self, key: Key, pod: dict[str, Any], state: _PodRuntime, now: float) -> float | None:
        if state.killing_since is None:
            state.killing_since = now
            for container in state.containers.values():
                if container.running:
                    self._recorder.record(
                        pod,
                        "Normal",
                        "Killing",
                        f"Stopping container {container.name}",
                        COMPONENT,
                        field_path=field_path(container.name),
                        host=self._config.node_name,
                    )
        self._write_status(key, pod, state, now)
        grace = float(pod["metadata"].get("deletionGracePeriodSeconds", 30))
        remaining = state.killing_since + min(grace, 1.0) * self._config.startup_time_scale - now
        if remaining > 0:
            return remaining
        current = self._store.peek(PODS, *key)
        if current is not None and not current["metadata"].get("finalizers"):
            self._store.remove(PODS, *key)
            self._pods.pop(key, None)
        return None

    # --- status ----------------------------------------------------------------------------------

    def _write_status(self, key: Key, pod: dict[str, Any], state: _PodRuntime, now: float) -> None:
        terminating = is_terminating(pod)
        previous = pod.get("status") or {}
        statuses = [self._runtime.status(c, now, terminating=terminating) for c in state.containers.values()]
        status = clone(previous)
        conditions = status.get("conditions") or []
        set_condition(conditions, "PodScheduled", "True", now)
        set_condition(conditions, "PodReadyToStartContainers", "True", now)
        set_condition(conditions, "Initialized", "True", now)
        unready = [s["name"] for s in statuses if not s["ready"]]
        if unready:
            message = f"containers with unready status: [{' '.join(unready)}]"
            set_condition(conditions, "ContainersReady", "False", now, "ContainersNotReady", message)
            set_condition(conditions, "Ready", "False", now, "ContainersNotReady", message)
        else:
            set_condition(conditions, "ContainersReady", "True", now)
            set_condition(conditions, "Ready", "True", now)
        order = {kind: index for index, kind in enumerate(CONDITION_ORDER)}
        conditions.sort(key=lambda c: order.get(c.get("type", ""), len(order)))
        host_ip = node_ip(self._store.peek(NODES, "", self._config.node_name))
        status.update(
            {
                "phase": _phase(pod, statuses),
                "conditions": conditions,
                "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}],
                "podIP": state.ip,
                "podIPs": [{"ip": state.ip}],
                "startTime": rfc3339(state.started),
                "containerStatuses": statuses,
                "qosClass": _qos_class(pod.get("spec", {})),
            }
        )
        init = _init_statuses(pod, state)
        if init:
            status["initContainerStatuses"] = init
        if status != previous:

            def change(draft: dict[str, Any]) -> None:
                draft["status"] = status

            self._store.mutate(PODS, *key, change, subresource="status")

    def _post_node_status(self) -> float | None:
        """The kubelet's periodic node status report: heartbeat times on the node's conditions."""
        name = self._config.node_name
        if self._store.peek(NODES, "", name) is None:
            return None
        stamp = rfc3339(self._store.clock())

        def change(node: dict[str, Any]) -> None:
            for cond in node.setdefault("status", {}).get("conditions") or []:
                cond["lastHeartbeatTime"] = stamp
                cond.setdefault("lastTransitionTime", stamp)

        self._store.mutate(NODES, "", name, change, subresource="status")
        return NODE_STATUS_PERIOD


def _phase(pod: dict[str, Any], statuses: list[dict[str, Any]]) -> str:
    """The kubelet's `getPhase` for regular containers."""
    waiting = running = stopped = failed = 0
    for entry in statuses:
        state = entry["state"]
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            failed += state["terminated"].get("exitCode", 0) != 0
        elif entry.get("lastState", {}).get("terminated"):
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if not stopped:
        return "Pending"
    policy = pod.get("spec", {}).get("restartPolicy", "Always")
    if policy == "Always" or (policy == "OnFailure" and failed):
        return "Running"
    return "Failed" if failed else "Succeeded"


def _init_statuses(pod: dict[str, Any], state: _PodRuntime) -> list[dict[str, Any]]:
    """Init containers are modelled as having completed when the pod started."""
    stamp = rfc3339(state.started)
    return [
        {
            "name": spec["name"],
            "image": spec.get("image", ""),
            "imageID": "",
            "ready": True,
            "started": False,
            "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": stamp, "finishedAt": stamp}},
            "lastState": {},
        }
        for spec in pod.get("spec", {}).get("initContainers") or []
    ]
