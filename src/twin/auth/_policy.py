"""The default RBAC policy a kube-apiserver creates at start (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`).

Only the part this cluster needs: `cluster-admin` for `system:masters`; `system:discovery` and
`system:basic-user` for every authenticated user, so a ServiceAccount can run discovery, read the
OpenAPI documents and ask what it may do (`kubectl auth can-i`, `kubectl auth whoami`); and
`system:public-info-viewer` for everyone, anonymous requests included (health and version). The
objects carry the bootstrap label and the auto-update annotation, as on a real cluster.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, RBAC_GROUP, Store
from ._user import AUTHENTICATED, MASTERS, UNAUTHENTICATED

logger = logging.getLogger(__name__)

_PUBLIC_INFO = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
_DISCOVERY = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz"]
_DISCOVERY += ["/version", "/version/"]

DEFAULT_CLUSTER_ROLES: dict[str, list[dict[str, Any]]] = {
    "cluster-admin": [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ],
    "system:discovery": [{"nonResourceURLs": _DISCOVERY, "verbs": ["get"]}],
    "system:basic-user": [
        {
            "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
            "verbs": ["create"],
        },
        {"apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]},
    ],
    "system:public-info-viewer": [{"nonResourceURLs": _PUBLIC_INFO, "verbs": ["get"]}],
}
"""Name -> rules of each default ClusterRole."""

DEFAULT_BINDINGS: dict[str, list[str]] = {
    "cluster-admin": [MASTERS],
    "system:discovery": [AUTHENTICATED],
    "system:basic-user": [AUTHENTICATED],
    "system:public-info-viewer": [AUTHENTICATED, UNAUTHENTICATED],
}
"""Name of each default ClusterRoleBinding (named after its ClusterRole) -> the groups it binds."""


def _bootstrap_metadata(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
    }


def default_policy() -> list[tuple[str, dict[str, Any]]]:
    """The default ClusterRoles, then their ClusterRoleBindings, as (`ClusterRole`|`ClusterRoleBinding`, object)."""
    objects: list[tuple[str, dict[str, Any]]] = [
        ("ClusterRole", {"metadata": _bootstrap_metadata(name), "rules": rules})
        for name, rules in DEFAULT_CLUSTER_ROLES.items()
    ]
    objects += [
        (
            "ClusterRoleBinding",
            {
                "metadata": _bootstrap_metadata(name),
                "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
                "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": group} for group in groups],
            },
        )
        for name, groups in DEFAULT_BINDINGS.items()
    ]
    return objects


def seed_default_policy(store: Store) -> None:
    """Create the default ClusterRoles and ClusterRoleBindings (those already there are kept)."""
    for kind, obj in default_policy():
        resource = CLUSTER_ROLES if kind == "ClusterRole" else CLUSTER_ROLE_BINDINGS
        if store.peek(resource, "", obj["metadata"]["name"]) is None:
            store.create(resource, obj)
    logger.debug("default RBAC policy in place")
