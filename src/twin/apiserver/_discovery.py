"""Discovery documents, derived from `RESOURCES`.

kubectl first asks for aggregated discovery (`apidiscovery.k8s.io/v2`) and falls back to the legacy
`APIVersions`/`APIGroupList`/`APIResourceList` documents; both are served. The OpenAPI v3 documents
are `_openapi`'s.
"""

from __future__ import annotations

from typing import Any

from ..store import ResourceType, group_versions, resources_in

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
SERVER_VERSION = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.0-twin",
    "gitCommit": "twin",
    "gitTreeState": "clean",
    "buildDate": "2026-11-27T00:00:00Z",
    "goVersion": "go1.22.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}

_SUBRESOURCE_VERBS = {
    "status": ("get", "patch", "update"),
    "scale": ("get", "patch", "update"),
    "log": ("get",),
    "exec": ("create", "get"),
    "attach": ("create", "get"),
    "portforward": ("create", "get"),
    "proxy": ("create", "delete", "get", "patch", "update"),
    "eviction": ("create",),
    "finalize": ("update",),
    "token": ("create",),
}


def _subresource_kind(resource: ResourceType, subresource: str) -> dict[str, str]:
    if subresource == "scale":
        return {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    if subresource == "eviction":
        return {"group": "policy", "version": "v1", "kind": "Eviction"}
    if subresource == "token":
        return {"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}
    if subresource in ("status", "finalize"):
        return {"group": resource.group, "version": resource.version, "kind": resource.kind}
    return {"group": "", "version": "v1", "kind": "Status"}


def _legacy_resources(resource: ResourceType) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        main["shortNames"] = list(resource.short_names)
    if resource.categories:
        main["categories"] = list(resource.categories)
    entries = [main]
    for sub in resource.subresources:
        kind = _subresource_kind(resource, sub)
        entry = {
            "name": f"{resource.plural}/{sub}",
            "singularName": "",
            "namespaced": resource.namespaced,
            "kind": kind["kind"],
            "verbs": list(_SUBRESOURCE_VERBS[sub]),
        }
        if kind["group"] != resource.group:
            entry["group"], entry["version"] = kind["group"], kind["version"]
        entries.append(entry)
    return entries


def resource_list(group: str, version: str) -> dict[str, Any]:
    """Legacy `APIResourceList` for `/api/v1` or `/apis/<group>/<version>`."""
    items = [entry for r in resources_in(group, version) for entry in _legacy_resources(r)]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": items,
    }


def _group_entry(group: str, versions: list[str]) -> dict[str, Any]:
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def core_versions() -> dict[str, Any]:
    """Legacy `/api`."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    }


def group_list() -> dict[str, Any]:
    """Legacy `/apis`."""
    groups = [_group_entry(g, v) for g, v in group_versions().items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group: str) -> dict[str, Any] | None:
    """Legacy `/apis/<group>`."""
    versions = group_versions().get(group)
    if not group or versions is None:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group, versions)}


def _aggregated_resource(resource: ResourceType, version: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": resource.plural,
        "responseKind": {"group": resource.group, "version": version, "kind": resource.kind},
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "singularResource": resource.singular,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    if resource.subresources:
        entry["subresources"] = [
            {
                "subresource": sub,
                "responseKind": _subresource_kind(resource, sub),
                "verbs": list(_SUBRESOURCE_VERBS[sub]),
            }
            for sub in resource.subresources
        ]
    return entry


def aggregated(core: bool) -> dict[str, Any]:
    """Aggregated discovery (`APIGroupDiscoveryList`) for `/api` (core) or `/apis`."""
    items = []
    for group, versions in group_versions().items():
        if bool(group) == core:
            continue
        items.append(
            {
                "metadata": {"name": group, "creationTimestamp": None},
                "versions": [
                    {
                        "version": v,
                        "resources": [_aggregated_resource(r, v) for r in resources_in(group, v)],
                        "freshness": "Current",
                    }
                    for v in versions
                ],
            }
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def wants_aggregated(accept: str) -> bool:
    return "as=APIGroupDiscoveryList" in accept and "v=v2" in accept
