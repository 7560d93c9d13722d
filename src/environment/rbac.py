"""The agents' identities: RBAC for each of them, and a kubeconfig holding its ServiceAccount token.

`apply_rbac` applies `kubernetes/rbac/` with the admin kubeconfig: one ServiceAccount per
maintainer (`<component>-maintainer`) and one for the manager, each with the Role of
`scripts/generate_rbac.py` (read the Sock Shop namespace, write only one's own component).
`write_agent_kubeconfig` asks for a token with `kubectl create token` (TokenRequest) and writes a
kubeconfig that authenticates as that ServiceAccount. Both run plain kubectl, so they work the
same against the twin and a real cluster.

One difference between the worlds matters: kubectl sends a bearer token only over TLS. A real
cluster's admin kubeconfig names its TLS endpoint already; the twin's admin kubeconfig is plain
HTTP, so for the twin the cluster entry comes from its TLS kubeconfig (`TwinHandle.tls_kubeconfig`),
passed as `cluster_kubeconfig`. A plain-HTTP cluster entry is refused rather than written into a
kubeconfig whose token would silently never be sent.

Namespaced objects go with their namespace: re-creating the Sock Shop namespace (a reset) deletes
the ServiceAccounts, and with them every token issued for them, so apply again and write new
kubeconfigs after a reset.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ..config import REPO_ROOT
from .kubectl import run_kubectl
from .twin_process import tls_kubeconfig_path

logger = logging.getLogger(__name__)

RBAC_MANIFESTS = REPO_ROOT / "kubernetes" / "rbac"
MANAGER = "manager"
DEFAULT_TOKEN_DURATION = "24h"
"""How long an agent's token is valid; a real cluster may cap it (`--service-account-max-token-expiration`)."""


class RbacError(RuntimeError):
    """kubectl refused, timed out, or the cluster entry cannot carry a token; the message says which."""


def service_account_for(agent: str) -> str:
    """The ServiceAccount of an agent: `manager`, or `<component>-maintainer` for a maintainer."""
    return MANAGER if agent == MANAGER else f"{agent}-maintainer"


def _kubectl(args: list[str], kubeconfig: Path, timeout: float) -> str:
    try:
        return run_kubectl(args, kubeconfig, timeout=timeout).stdout
    except subprocess.CalledProcessError as err:
        raise RbacError(f"kubectl {' '.join(args)} failed: {err.stderr.strip()}") from err
    except subprocess.TimeoutExpired as err:
        raise RbacError(f"kubectl {' '.join(args)} did not finish within {timeout:.0f} s") from err


def apply_rbac(admin_kubeconfig: Path, manifests: Path = RBAC_MANIFESTS, timeout: float = 60) -> None:
    """`kubectl apply` the agents' ServiceAccounts, Roles and RoleBindings as the admin.

    The Sock Shop namespace must exist (deploy the shop first).

    Raises:
        RbacError: kubectl refused or timed out.
    """
    _kubectl(["apply", "-f", str(manifests)], admin_kubeconfig, timeout)
    logger.info("agents' RBAC applied from %s", manifests)


def _cluster_entry(kubeconfig: Path, timeout: float) -> tuple[str, dict[str, Any]]:
    """Name and contents (server, CA data) of the current context's cluster, files inlined."""
    view = json.loads(_kubectl(["config", "view", "--minify", "--flatten", "-o", "json"], kubeconfig, timeout))
    try:
        entry = view["clusters"][0]
        name, cluster = str(entry["name"]), dict(entry["cluster"])
    except (KeyError, IndexError, TypeError) as err:
        raise RbacError(f"{kubeconfig} has no cluster in its current context") from err
    if not str(cluster.get("server", "")).startswith("https://"):
        raise RbacError(
            f"the cluster in {kubeconfig} is served over plain HTTP ({cluster.get('server')}), over which "
            "kubectl sends no token; pass cluster_kubeconfig= a kubeconfig of its TLS endpoint "
            "(for the twin: TwinHandle.tls_kubeconfig)"
        )
    return name, cluster


def cluster_kubeconfig_for(admin_kubeconfig: Path) -> Path | None:
    """Which kubeconfig names the cluster for an agent: None (the admin one) when it is TLS already.

    A real cluster's admin kubeconfig names its TLS endpoint; the twin's is plain HTTP, and its
    TLS kubeconfig lies beside it (`twin_process.tls_kubeconfig_path`), which is then the answer.
    """
    tls = tls_kubeconfig_path(admin_kubeconfig)
    server = _server(admin_kubeconfig)
    return tls if not server.startswith("https://") and tls.exists() else None


def _server(kubeconfig: Path) -> str:
    try:
        document = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
        return str(document["clusters"][0]["cluster"]["server"])
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return ""


def write_agent_kubeconfig(
    admin_kubeconfig: Path,
    agent: str,
    path: Path,
    *,
    namespace: str = "sock-shop",
    cluster_kubeconfig: Path | None = None,
    duration: str = DEFAULT_TOKEN_DURATION,
    timeout: float = 60,
) -> Path:
    """Write a kubeconfig at `path` that authenticates as `agent`'s ServiceAccount in `namespace`.

    Args:
        admin_kubeconfig: Requests the token (`kubectl create token`).
        agent: `manager` or a component name (`catalogue`).
        path: Where to write it (mode 0600; the folder is created).
        namespace: The ServiceAccount's namespace, also the context's default namespace.
        cluster_kubeconfig: Whose current cluster (server and CA) to name; by default the admin
            kubeconfig's. Must be TLS: for the twin, its TLS kubeconfig.
        duration: The token's requested lifetime, as kubectl's `--duration` takes it.
        timeout: Seconds each kubectl call may take.

    Returns:
        `path`.

    Raises:
        RbacError: No such ServiceAccount (apply the RBAC first), kubectl failed, or the cluster
            entry is plain HTTP.
    """
    cluster_name, cluster = _cluster_entry(cluster_kubeconfig or admin_kubeconfig, timeout)
    account = service_account_for(agent)
    token = _kubectl(
        ["create", "token", account, "-n", namespace, f"--duration={duration}"], admin_kubeconfig, timeout
    ).strip()
    if not token:
        raise RbacError(f"kubectl create token {account} -n {namespace} printed no token")
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": account, "user": {"token": token}}],
        "contexts": [{"name": account, "context": {"cluster": cluster_name, "user": account, "namespace": namespace}}],
        "current-context": account,
        "preferences": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
        out.write(yaml.safe_dump(document, sort_keys=False))
    partial.replace(path)
    logger.info("kubeconfig of %s/%s written to %s", namespace, account, path)
    return path
