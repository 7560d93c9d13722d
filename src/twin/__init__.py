"""The Sock Shop twin: an emulated Kubernetes cluster that real kubectl and client libraries drive.

Start it with `python -m src.twin serve`, or in-process with `Twin(settings).start()`.

Its parts are sub-packages named after the Kubernetes components they stand for, each exporting
its public names from `__init__` (the others import only those):

    store/        objects, watches and resourceVersions (etcd + registry); kinds, selectors,
                  quantities, timestamps and API errors, which every other part shares
    admission/    defaulting and validation on every write; the `Webhook` seam for custom kinds
    auth/         authentication (admin and ServiceAccount tokens) and RBAC authorization
    apiserver/    the REST API kubectl speaks: routing, discovery, patches, Tables, protobuf,
                  the authn/authz filter, TokenRequest and the self-reviews, plain HTTP and TLS
    controllers/  control plane and kubelet: Deployment, ReplicaSet, scheduler, HPA, events ...
    shop/         Sock Shop itself: performance model, HTTP endpoints, metrics, container logs
    chaos/        Chaos Mesh: experiment validation (its webhook) and the chaos controller

`Twin` (`_cluster.py`) wires them together, so it is the one module that imports them all.
"""

from ._cluster import Twin, free_port
from .apiserver import kubeconfig, write_kubeconfig

__all__ = ["Twin", "free_port", "kubeconfig", "write_kubeconfig"]
