"""The twin's API server: the Kubernetes REST API over the store, as kubectl and client libraries speak it.

`RestApi` serves reads, writes, watches, patches (JSON, merge, strategic, apply), server-side
Tables, protobuf bodies, pod logs and the metrics API; `build_app` adds discovery and OpenAPI
routes and turns `ApiError`s into `Status` answers. `AuthFilter` authenticates and authorizes
every request (RBAC) and serves TokenRequest and the self-reviews; `serving_certificate` is what
the TLS port presents (kubectl sends tokens only over TLS). `kubeconfig` / `tls_kubeconfig` /
`write_kubeconfig` tell clients where the server listens, with the admin token.
"""

from ._auth import AuthFilter
from ._kubeconfig import kubeconfig, tls_kubeconfig, write_kubeconfig
from ._rest import RestApi
from ._server import build_app
from ._tls import ServingCertificate, serving_certificate

__all__ = [
    "AuthFilter",
    "RestApi",
    "ServingCertificate",
    "build_app",
    "kubeconfig",
    "serving_certificate",
    "tls_kubeconfig",
    "write_kubeconfig",
]
