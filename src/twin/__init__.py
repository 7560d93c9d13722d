"""The Sock Shop twin: an emulated Kubernetes cluster that real kubectl and client libraries drive.

Start it with `python -m src.twin serve`, or in-process with `Twin(settings).start()`.
"""

from ._cluster import Twin, free_port
from ._kubeconfig import kubeconfig, write_kubeconfig

__all__ = ["Twin", "free_port", "kubeconfig", "write_kubeconfig"]
