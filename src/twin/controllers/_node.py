"""The twin's one Node, as a kind control-plane node describes itself.

Whoever starts the twin creates it (`node_object(config)`); the kubelet then posts its heartbeat
times. Labels matter: the Sock Shop manifests select `beta.kubernetes.io/os: linux`, and agents
read `kubernetes.io/hostname` and the control-plane role in `kubectl get nodes`.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from ._config import ControllerConfig

NODE_IP = "172.18.0.2"
POD_CIDR = "10.244.0.0/24"
CAPACITY = {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi", "hugepages-2Mi": "0"}
KUBELET_VERSION = "v1.30.0"

_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def _stable_uuid(seed: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))


def node_object(config: ControllerConfig) -> dict[str, Any]:
    """The Node to create before pods can be scheduled: 8 CPUs, 32Gi, 110 pods, Ready."""
    name = config.node_name
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/control-plane": "",
            },
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": POD_CIDR, "podCIDRs": [POD_CIDR], "providerID": f"kind://docker/twin/{name}"},
        "status": {
            "capacity": dict(CAPACITY),
            "allocatable": dict(CAPACITY),
            "conditions": [
                {"type": kind, "status": status, "reason": reason, "message": message}
                for kind, status, reason, message in _CONDITIONS
            ],
            "addresses": [{"type": "InternalIP", "address": NODE_IP}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": _stable_uuid(f"{name}/boot"),
                "containerRuntimeVersion": "containerd://1.7.15",
                "kernelVersion": "6.1.0-18-amd64",
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "machineID": hashlib.sha256(f"{name}/machine".encode()).hexdigest()[:32],
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": _stable_uuid(f"{name}/system"),
            },
        },
    }


def node_ip(node: dict[str, Any] | None) -> str:
    """The node's InternalIP (the pods' `hostIP`)."""
    for address in (node or {}).get("status", {}).get("addresses") or []:
        if address.get("type") == "InternalIP":
            return str(address.get("address", NODE_IP))
    return NODE_IP
