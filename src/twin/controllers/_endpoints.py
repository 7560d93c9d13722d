"""The Endpoints controller: one Endpoints object per selector Service, listing its pods by readiness.

`kubectl get endpoints` and `describe svc` are how an agent sees that a Service has no ready
backends, and the Sock Shop model routes requests only to the addresses listed here. Ready pods go
to `addresses`, the others to `notReadyAddresses`; terminating pods are left out (no
`publishNotReadyAddresses`). Ports are the Service's, with named `targetPort`s resolved through
each pod's container ports, so pods that resolve differently land in different subsets. Services
without a selector are left alone: their Endpoints belong to whoever wrote them.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from ..store import ENDPOINTS, PODS, SERVICES, ApiError, LabelSelector, Store, WatchEvent, clone, labels_of
from ._pods import is_ready, is_terminating
from ._queue import WorkQueue

logger = logging.getLogger(__name__)

Key = tuple[str, str]


def _selector(service: dict[str, Any]) -> LabelSelector | None:
    selector = service.get("spec", {}).get("selector")
    return LabelSelector.from_labels(selector) if selector else None


def _resolve(port: dict[str, Any], pod: dict[str, Any]) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return int(target)
    for container in pod.get("spec", {}).get("containers") or []:
        for declared in container.get("ports") or []:
            if declared.get("name") == target and declared.get("protocol", "TCP") == port.get("protocol", "TCP"):
                return int(declared["containerPort"])
    return None


def _address(pod: dict[str, Any]) -> dict[str, Any]:
    metadata = pod["metadata"]
    address: dict[str, Any] = {
        "ip": pod["status"]["podIP"],
        "targetRef": {
            "kind": "Pod",
            "namespace": metadata["namespace"],
            "name": metadata["name"],
            "uid": metadata["uid"],
        },
    }
    if pod.get("spec", {}).get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    return address


def _ip_order(address: dict[str, Any]) -> tuple[int, str]:
    try:
        return int(ipaddress.ip_address(address["ip"])), address["ip"]
    except ValueError:
        return 0, address["ip"]


def subsets(service: dict[str, Any], pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Endpoints subsets of `service` over the candidate `pods`."""
    service_ports = service.get("spec", {}).get("ports") or []
    groups: dict[tuple[tuple[str, int, str], ...], dict[str, list[dict[str, Any]]]] = {}
    for pod in pods:
        if is_terminating(pod) or not pod.get("status", {}).get("podIP"):
            continue
        ports: list[tuple[str, int, str]] = []
        for port in service_ports:
            number = _resolve(port, pod)
            if number is not None:
                ports.append((port.get("name") or "", number, port.get("protocol", "TCP")))
        if service_ports and not ports:
            continue
        group = groups.setdefault(tuple(ports), {"addresses": [], "notReadyAddresses": []})
        group["addresses" if is_ready(pod) else "notReadyAddresses"].append(_address(pod))
    result = []
    for resolved, members in sorted(groups.items(), key=lambda item: item[0]):
        subset: dict[str, Any] = {}
        for field in ("addresses", "notReadyAddresses"):
            if members[field]:
                subset[field] = sorted(members[field], key=_ip_order)
        subset["ports"] = [
            {**({"name": name} if name else {}), "port": number, "protocol": protocol}
            for name, number, protocol in resolved
        ]
        result.append(subset)
    return result


class EndpointsController:
    """Keeps each selector Service's Endpoints in step with its pods."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.queue: WorkQueue[Key] = WorkQueue("endpoints", self.reconcile)

    def on_change(self, event: WatchEvent) -> None:
        metadata = event.object["metadata"]
        if event.resource_key == SERVICES.key or (event.resource_key == ENDPOINTS.key and event.type == "DELETED"):
            self.queue.add((metadata["namespace"], metadata["name"]))
        elif event.resource_key == PODS.key:
            labels = [labels_of(pod) for pod in (event.object, event.old) if pod is not None]
            for service in self._store.iter(SERVICES, metadata["namespace"]):
                selector = _selector(service)
                if selector is not None and any(selector.matches(found) for found in labels):
                    self.queue.add((metadata["namespace"], service["metadata"]["name"]))

    def reconcile(self, key: Key) -> float | None:
        service = self._store.peek(SERVICES, *key)
        current = self._store.peek(ENDPOINTS, *key)
        if service is None:
            if current is not None:
                self._delete(key)
            return None
        selector = _selector(service)
        if selector is None:
            return None
        pods = [pod for pod in self._store.iter(PODS, key[0]) if selector.matches(labels_of(pod))]
        wanted: dict[str, Any] = {"metadata": {"name": key[1], "namespace": key[0]}}
        if service["metadata"].get("labels"):
            wanted["metadata"]["labels"] = clone(service["metadata"]["labels"])
        found = subsets(service, pods)
        if found:
            wanted["subsets"] = found
        if current is None:
            self._store.create(ENDPOINTS, wanted)
        elif current.get("subsets") != wanted.get("subsets") or current["metadata"].get("labels") != wanted[
            "metadata"
        ].get("labels"):
            self._store.mutate(ENDPOINTS, *key, lambda draft: _replace(draft, wanted))
        return None

    def _delete(self, key: Key) -> None:
        try:
            self._store.delete(ENDPOINTS, *key)
        except ApiError as err:
            if err.code != 404:
                raise


def _replace(draft: dict[str, Any], wanted: dict[str, Any]) -> None:
    draft.pop("subsets", None)
    if "subsets" in wanted:
        draft["subsets"] = wanted["subsets"]
    if "labels" in wanted["metadata"]:
        draft["metadata"]["labels"] = wanted["metadata"]["labels"]
    else:
        draft["metadata"].pop("labels", None)
