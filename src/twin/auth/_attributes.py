"""What a request asks to do, in the terms authorizers decide on, and the 403 that refuses it.

`request_attributes` is kube-apiserver's `RequestInfoFactory` (k8s.io/apiserver
`pkg/endpoints/request/requestinfo.go`): it reads only the method, path and query, before any
routing, so a request for a resource that does not exist is refused (403) before it could be
found missing (404), as on a real cluster. The rules worth knowing:

- `/api/v1/...` and `/apis/<group>/<version>/...` with a resource are resource requests; anything
  else (`/api`, `/apis/apps/v1`, `/version`, `/openapi/v3/...`) is a non-resource URL whose verb is
  the lower-case HTTP method;
- GET is `get` with a name, otherwise `list`, or `watch` with `?watch=true`; a list or watch with
  `fieldSelector=metadata.name=X` is about the object X (so `resourceNames` rules apply); DELETE
  without a name is `deletecollection`;
- for `namespaces/<name>` the namespace is `<name>` itself: a Role in a namespace can grant access
  to that Namespace object.

`forbidden` words the refusal as `responsewriters.Forbidden` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..store import ApiError, errors
from ._user import UserInfo

API_PREFIXES = ("api", "apis")
NAMESPACE_SUBRESOURCES = ("status", "finalize")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
"""What Go's `strconv.ParseBool` reads as true (the `watch` parameter)."""

METHOD_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@dataclass(frozen=True)
class Attributes:
    """One request's authorization attributes (`authorizer.Attributes`)."""

    user: UserInfo
    verb: str
    path: str = ""
    resource_request: bool = False
    namespace: str = ""
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""


def _name_from_field_selector(selector: str) -> str:
    """X of a field selector that requires exactly `metadata.name=X` (or `==`), else ""."""
    for term in selector.split(","):
        key, sep, value = term.partition("==") if "==" in term else term.partition("=")
        if sep and not key.endswith("!") and key.strip() == "metadata.name":
            name = value.strip()
            if name and name not in (".", "..") and "/" not in name and "%" not in name:
                return name
    return ""


def request_attributes(user: UserInfo, method: str, path: str, query: Mapping[str, str]) -> Attributes:
    """The attributes of a request by `user`, from its method, URL path and query parameters."""
    parts = [part for part in path.strip("/").split("/") if part]
    non_resource = Attributes(user, method.lower(), path)
    if len(parts) < 3 or parts[0] not in API_PREFIXES:
        return non_resource
    prefix, parts = parts[0], parts[1:]
    group = ""
    if prefix == "apis":
        if len(parts) < 3:
            return non_resource
        group, parts = parts[0], parts[1:]
    version, parts = parts[0], parts[1:]
    verb = METHOD_VERBS.get(method.upper(), "")
    if parts[0] == "watch" and len(parts) >= 2:  # the deprecated /watch/ path prefix
        verb, parts = "watch", parts[1:]
    namespace = ""
    if parts[0] == "namespaces" and len(parts) > 1:
        namespace = parts[1]
        if len(parts) > 2 and parts[2] not in NAMESPACE_SUBRESOURCES:
            parts = parts[2:]
    resource = parts[0]
    name = parts[1] if len(parts) >= 2 else ""
    subresource = parts[2] if len(parts) >= 3 else ""
    if not name and verb == "get":
        verb = "watch" if query.get("watch", "") in _TRUE else "list"
        name = _name_from_field_selector(query.get("fieldSelector", ""))
    if not name and verb == "delete":
        verb = "deletecollection"
    return Attributes(user, verb, path, True, namespace, group, version, resource, subresource, name)


def forbidden_message(attributes: Attributes) -> str:
    """`User "x" cannot <verb> resource "<resource>[/<sub>]" in API group "<g>" in the namespace "<ns>"`."""
    user = attributes.user.name
    if not attributes.resource_request:
        return f'User "{user}" cannot {attributes.verb} path "{attributes.path}"'
    resource = attributes.resource
    if attributes.subresource:
        resource = f"{resource}/{attributes.subresource}"
    where = f'in the namespace "{attributes.namespace}"' if attributes.namespace else "at the cluster scope"
    return f'User "{user}" cannot {attributes.verb} resource "{resource}" in API group "{attributes.api_group}" {where}'


def forbidden(attributes: Attributes, reason: str = "") -> ApiError:
    """The 403 of a denied request, e.g. `deployments.apps "front-end" is forbidden: User ...`.

    Args:
        attributes: The denied request.
        reason: The authorizers' reason (RBAC gives one only when a binding names a missing role).
    """
    message = forbidden_message(attributes)
    if reason:
        message = f"{message}: {reason}"
    if not attributes.resource_request:
        return errors.forbidden("", "", "", message)
    return errors.forbidden(attributes.resource, attributes.name, attributes.api_group, message)
