"""A kubeconfig pointing at the twin, so kubectl and the kubernetes client need nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml

CONTEXT = "sock-shop-twin"


def kubeconfig(url: str, namespace: str = "sock-shop") -> dict:
    """A kubeconfig document for a plain-HTTP API server at `url` (the twin has no auth)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": url}}],
        "users": [{"name": CONTEXT, "user": {"token": "twin"}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace}}],
        "current-context": CONTEXT,
        "preferences": {},
    }


def write_kubeconfig(path: Path, url: str, namespace: str = "sock-shop") -> None:
    """Write the kubeconfig atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(yaml.safe_dump(kubeconfig(url, namespace), sort_keys=False))
    partial.replace(path)
