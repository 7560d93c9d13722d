"""The twin's storage layer: etcd plus the apiserver's registry, and the vocabulary every other part shares.

`Store` holds objects as plain JSON dicts with resourceVersions, graceful deletion and watches;
`ResourceType` and `RESOURCES` describe the kinds served, and the constants (`PODS`, `DEPLOYMENTS`
...) name the ones the twin's own parts use. Around them sit the helpers every layer needs to read
those objects the way the apiserver does: timestamps, label and field selectors, resource
quantities, and the API's `Status` errors (`errors.not_found(...)`, `ApiError`).

Nothing here knows about admission, controllers, Sock Shop or HTTP: every other sub-package of the
twin builds on this one, and it imports none of them.
"""

from . import _errors as errors
from ._errors import ApiError
from ._kinds import (
    CLUSTER_ROLE_BINDINGS,
    CLUSTER_ROLES,
    DEPLOYMENTS,
    ENDPOINTS,
    EVENTS,
    HPAS,
    NAMESPACED_STORED,
    NAMESPACES,
    NODES,
    PODS,
    REPLICASETS,
    ROLE_BINDINGS,
    ROLES,
    SERVICE_ACCOUNTS,
    SERVICES,
)
from ._objects import clone, controller_ref, labels_of, parse_time, parse_timestamp, rfc3339, rfc3339_nano
from ._quantity import (
    QUANTITY_PATTERN,
    QuantityError,
    format_bytes,
    format_cpu,
    parse_bytes,
    parse_cpu,
    parse_quantity,
)
from ._resources import (
    METRICS_GROUP,
    RBAC_GROUP,
    RESOURCES,
    ResourceType,
    by_kind,
    group_versions,
    lookup,
    require,
    resources_in,
)
from ._selectors import FieldRequirement, FieldSelector, LabelSelector, SelectorError
from ._store import Store, Watch, WatchEvent

__all__ = [
    "CLUSTER_ROLES",
    "CLUSTER_ROLE_BINDINGS",
    "DEPLOYMENTS",
    "ENDPOINTS",
    "EVENTS",
    "HPAS",
    "METRICS_GROUP",
    "NAMESPACED_STORED",
    "NAMESPACES",
    "NODES",
    "PODS",
    "QUANTITY_PATTERN",
    "RBAC_GROUP",
    "REPLICASETS",
    "RESOURCES",
    "ROLES",
    "ROLE_BINDINGS",
    "SERVICES",
    "SERVICE_ACCOUNTS",
    "ApiError",
    "FieldRequirement",
    "FieldSelector",
    "LabelSelector",
    "QuantityError",
    "ResourceType",
    "SelectorError",
    "Store",
    "Watch",
    "WatchEvent",
    "by_kind",
    "clone",
    "controller_ref",
    "errors",
    "format_bytes",
    "format_cpu",
    "group_versions",
    "labels_of",
    "lookup",
    "parse_bytes",
    "parse_cpu",
    "parse_quantity",
    "parse_time",
    "parse_timestamp",
    "require",
    "resources_in",
    "rfc3339",
    "rfc3339_nano",
]
