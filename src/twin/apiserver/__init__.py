"""The twin's API server: the Kubernetes REST API over the store, as kubectl and client libraries speak it.

`RestApi` serves reads, writes, watches, patches (JSON, merge, strategic, apply), server-side
Tables, protobuf bodies, pod logs and the metrics API; `build_app` adds discovery and OpenAPI
routes and turns `ApiError`s into `Status` answers. `kubeconfig` / `write_kubeconfig` tell
clients where the server listens.
"""

from ._kubeconfig import kubeconfig, write_kubeconfig
from ._rest import RestApi
from ._server import build_app

__all__ = ["RestApi", "build_app", "kubeconfig", "write_kubeconfig"]
