"""Kubeconfigs pointing at the twin, so kubectl and the kubernetes client need nothing else.

`kubeconfig` is the admin kubeconfig the twin has always written: its plain-HTTP port, full access.
`tls_kubeconfig` names the TLS port and trusts the twin's CA; with the admin token it is admin too,
and it is the cluster entry a ServiceAccount's kubeconfig copies (kubectl sends tokens only over TLS).
"""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from ..auth import ADMIN_TOKEN

CONTEXT = "sock-shop-twin"


def kubeconfig(url: str, namespace: str = "sock-shop") -> dict:
    """A kubeconfig document for a plain-HTTP API server at `url`, as its admin (full access)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": url}}],
        "users": [{"name": CONTEXT, "user": {"token": ADMIN_TOKEN}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}],
        "current-context": CONTEXT,
        "preferences": {},
    }


def tls_kubeconfig(url: str, ca_pem: bytes, namespace: str = "sock-shop") -> dict:
    """The admin kubeconfig for the TLS port at `url` (`https://...`), trusting the CA in `ca_pem`."""
    document = kubeconfig(url, namespace)
    document["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(ca_pem).decode("ascii")
    return document


def write_kubeconfig(path: Path, url: str, namespace: str = "sock-shop", *, ca_pem: bytes | None = None) -> None:
    """Write the admin kubeconfig (the TLS one with `ca_pem`) atomically: readers never see half a file."""
    document = kubeconfig(url, namespace) if ca_pem is None else tls_kubeconfig(url, ca_pem, namespace)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(yaml.safe_dump(document, sort_keys=False))
    partial.replace(path)
