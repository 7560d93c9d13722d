"""An agent's credentials: a kubeconfig of its own ServiceAccount, never the admin's.

The harness holds the admin kubeconfig (`AgentRun.kubeconfig`): it resets the shop, injects
faults and scores with it. An agent's code gets `KUBECONFIG` pointing at `~/.kube/config` in its
workspace (its HOME), a kubeconfig whose token is that of `<component>-maintainer` or `manager`
(`src.environment.rbac`), bound to the Roles of `kubernetes/rbac/`: it reads the Sock Shop
namespace and writes only its own component.

`issue_kubeconfig` runs when an agent starts: it applies `kubernetes/rbac/` with the admin
kubeconfig and writes a fresh token. Every runner creates its agents after the shop is deployed
or reset, and a reset re-creates the namespace, which deletes the ServiceAccounts and every token
issued for them; so the RBAC is applied and the token issued after every reset. The same code
runs in both worlds: only which kubeconfig names the cluster differs (the twin's TLS port; a real
cluster's admin kubeconfig is TLS already), see `rbac.cluster_kubeconfig_for`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..environment.rbac import DEFAULT_TOKEN_DURATION, apply_rbac, cluster_kubeconfig_for, write_agent_kubeconfig
from ._run import AgentRun

logger = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "sock-shop"


def agent_kubeconfig_path(run: AgentRun, agent: str) -> Path:
    """`results/<run>/workspace/<agent>/.kube/config`: kubectl's default under the agent's HOME."""
    return (run.workspace / agent).resolve() / ".kube" / "config"


def issue_kubeconfig(
    run: AgentRun, agent: str, *, namespace: str = DEFAULT_NAMESPACE, duration: str = DEFAULT_TOKEN_DURATION
) -> Path:
    """Apply the agents' RBAC and write `agent`'s kubeconfig (a new token); return its path.

    Without a cluster (no admin kubeconfig on disk: tests of the sandbox alone) nothing is
    written, and the agent's kubectl finds no configuration, as it would have before.

    Raises:
        RbacError: kubectl refused or timed out (the shop's namespace is missing, or the cluster is down).
    """
    path = agent_kubeconfig_path(run, agent)
    if not run.kubeconfig.exists():
        logger.info("%s: no cluster (%s is missing), so no kubeconfig", agent, run.kubeconfig)
        return path
    apply_rbac(run.kubeconfig)
    return write_agent_kubeconfig(
        run.kubeconfig,
        agent,
        path,
        namespace=namespace,
        cluster_kubeconfig=cluster_kubeconfig_for(run.kubeconfig),
        duration=duration,
    )
