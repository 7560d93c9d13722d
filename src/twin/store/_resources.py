"""The resource types the twin serves, described once and used by discovery, routing and storage.

A `ResourceType` is what a real apiserver learns from its built-in schemes and CRDs: group, version,
plural, kind, scope, short names and subresources. Discovery documents, the OpenAPI paths, URL routing
and the store are all derived from `RESOURCES`, so adding a kind is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list")
CREATE_ONLY = ("create",)
RBAC_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class ResourceType:
    """One REST resource (e.g. `apps/v1 deployments`)."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    other_versions: tuple[str, ...] = ()
    """Versions also served for this resource (converted on the way in and out)."""
    has_spec: bool = True
    """Whether spec changes bump `metadata.generation`."""
    builtin: bool = True
    """Built-in kinds accept strategic merge patches; custom resources do not."""

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def key(self) -> str:
        """Storage key, independent of the version a client used."""
        return f"{self.group}/{self.plural}"

    def group_resource(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural


_ALL = ("all",)

RESOURCES: tuple[ResourceType, ...] = (
    ResourceType(
        "",
        "v1",
        "namespaces",
        "Namespace",
        namespaced=False,
        short_names=("ns",),
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
        subresources=("status", "finalize"),
        has_spec=False,
    ),
    ResourceType(
        "",
        "v1",
        "nodes",
        "Node",
        namespaced=False,
        short_names=("no",),
        subresources=("status", "proxy"),
        has_spec=False,
    ),
    ResourceType(
        "",
        "v1",
        "pods",
        "Pod",
        short_names=("po",),
        categories=_ALL,
        subresources=("status", "log", "exec", "attach", "portforward", "proxy", "eviction"),
        has_spec=False,
    ),
    ResourceType(
        "",
        "v1",
        "services",
        "Service",
        short_names=("svc",),
        categories=_ALL,
        subresources=("status", "proxy"),
        has_spec=False,
    ),
    ResourceType("", "v1", "endpoints", "Endpoints", short_names=("ep",), has_spec=False),
    ResourceType("", "v1", "events", "Event", short_names=("ev",), has_spec=False),
    ResourceType("", "v1", "configmaps", "ConfigMap", short_names=("cm",), has_spec=False),
    ResourceType("", "v1", "secrets", "Secret", has_spec=False),
    ResourceType(
        "", "v1", "serviceaccounts", "ServiceAccount", short_names=("sa",), subresources=("token",), has_spec=False
    ),
    ResourceType(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        short_names=("deploy",),
        categories=_ALL,
        subresources=("scale", "status"),
    ),
    ResourceType(
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        short_names=("rs",),
        categories=_ALL,
        subresources=("scale", "status"),
    ),
    ResourceType(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        short_names=("hpa",),
        categories=_ALL,
        subresources=("status",),
        other_versions=("v1",),
    ),
    ResourceType(RBAC_GROUP, "v1", "roles", "Role", has_spec=False),
    ResourceType(RBAC_GROUP, "v1", "rolebindings", "RoleBinding", has_spec=False),
    ResourceType(RBAC_GROUP, "v1", "clusterroles", "ClusterRole", namespaced=False, has_spec=False),
    ResourceType(RBAC_GROUP, "v1", "clusterrolebindings", "ClusterRoleBinding", namespaced=False, has_spec=False),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        namespaced=False,
        verbs=CREATE_ONLY,
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        namespaced=False,
        verbs=CREATE_ONLY,
    ),
    ResourceType(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        namespaced=False,
        verbs=CREATE_ONLY,
    ),
    ResourceType("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", verbs=READ_VERBS, has_spec=False),
    ResourceType(
        "metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", namespaced=False, verbs=READ_VERBS, has_spec=False
    ),
    ResourceType(
        "chaos-mesh.org",
        "v1alpha1",
        "podchaos",
        "PodChaos",
        categories=("chaos-mesh",),
        subresources=("status",),
        builtin=False,
    ),
    ResourceType(
        "chaos-mesh.org",
        "v1alpha1",
        "stresschaos",
        "StressChaos",
        categories=("chaos-mesh",),
        subresources=("status",),
        builtin=False,
    ),
    ResourceType(
        "chaos-mesh.org",
        "v1alpha1",
        "networkchaos",
        "NetworkChaos",
        categories=("chaos-mesh",),
        subresources=("status",),
        builtin=False,
    ),
)

METRICS_GROUP = "metrics.k8s.io"

GROUP_PREFERRED_VERSION: dict[str, str] = {r.group: r.version for r in RESOURCES}


def group_versions() -> dict[str, list[str]]:
    """Every served group with its versions, preferred first (the empty group is core `v1`)."""
    served: dict[str, list[str]] = {}
    for resource in RESOURCES:
        versions = served.setdefault(resource.group, [])
        for version in (resource.version, *resource.other_versions):
            if version not in versions:
                versions.append(version)
    return served


def resources_in(group: str, version: str) -> list[ResourceType]:
    """The resources served under one group/version."""
    return [r for r in RESOURCES if r.group == group and version in (r.version, *r.other_versions)]


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    """The resource a URL names, or None when the server does not serve it."""
    for resource in resources_in(group, version):
        if resource.plural == plural:
            return resource
    return None


def require(group: str, version: str, plural: str) -> ResourceType:
    """The resource a URL names; `LookupError` when the twin does not serve it (a programming error)."""
    found = lookup(group, version, plural)
    if found is None:
        raise LookupError(f"the twin does not serve {plural} in {group or 'core'}/{version}")
    return found


def by_kind(kind: str, api_version: str | None = None) -> ResourceType | None:
    """The resource of an object's `kind` (chaos kinds may arrive spelled as their plural)."""
    for resource in RESOURCES:
        if resource.group == METRICS_GROUP:
            continue
        group_ok = api_version is None or api_version.split("/")[0] in (resource.group, resource.version)
        if kind in (resource.kind, resource.plural) and group_ok:
            return resource
    return None
