"""Defaults and validation of the RBAC kinds, as `pkg/apis/rbac/v1/defaults.go` and `rbac/validation` have them.

- Role and ClusterRole: each rule needs verbs, and either apiGroups plus resources, or (for a
  ClusterRole only) nonResourceURLs without any resource fields.
- RoleBinding and ClusterRoleBinding: `roleRef` must name a Role or ClusterRole (a
  ClusterRoleBinding only a ClusterRole) in `rbac.authorization.k8s.io`, and cannot change once
  set; a subject is a ServiceAccount (in the core group; a namespace is required in a
  ClusterRoleBinding), a User or a Group (in `rbac.authorization.k8s.io`).
- Names of these kinds may hold any character but `/` and `%` (`system:discovery` is one).

`roleRef.apiGroup` and subjects' `apiGroup` are defaulted first, so manifests may leave them out.
"""

from __future__ import annotations

from typing import Any

from . import _fielderrors as fe
from ._fielderrors import Cause, items, mapping

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
RBAC_KINDS = (*ROLE_KINDS, *BINDING_KINDS)
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def path_segment_name(value: str) -> list[str]:
    """`path.IsValidPathSegmentName`: the name rule of RBAC objects."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in value]


def default_rbac(kind: str, obj: dict[str, Any]) -> None:
    """Fill `roleRef.apiGroup` and each subject's `apiGroup`, as the v1 scheme does."""
    if kind not in BINDING_KINDS:
        return
    ref = obj.setdefault("roleRef", {})
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = RBAC_GROUP
    for subject in items(obj.get("subjects")):
        if not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = RBAC_GROUP


def _strings(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _rule(rule: dict[str, Any], namespaced: bool, at: str) -> list[Cause]:
    causes: list[Cause] = []
    if not _strings(rule.get("verbs")):
        causes.append(fe.required(f"{at}.verbs", "verbs must contain at least one value"))
    urls = _strings(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            causes.append(
                fe.invalid(f"{at}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs")
            )
        if any(_strings(rule.get(key)) for key in ("apiGroups", "resources", "resourceNames")):
            causes.append(
                fe.invalid(
                    f"{at}.nonResourceURLs", urls, "rules cannot apply to both regular resources and non-resource URLs"
                )
            )
        return causes
    if not _strings(rule.get("apiGroups")):
        causes.append(fe.required(f"{at}.apiGroups", "resource rules must supply at least one api group"))
    if not _strings(rule.get("resources")):
        causes.append(fe.required(f"{at}.resources", "resource rules must supply at least one resource"))
    return causes


def _role(obj: dict[str, Any], namespaced: bool) -> list[Cause]:
    causes: list[Cause] = []
    for index, rule in enumerate(items(obj.get("rules"))):
        causes += _rule(rule, namespaced, f"rules[{index}]")
    aggregation = obj.get("aggregationRule")
    if not namespaced and isinstance(aggregation, dict) and not items(aggregation.get("clusterRoleSelectors")):
        causes.append(
            fe.required(
                "aggregationRule.clusterRoleSelectors",
                "at least one clusterRoleSelector required if aggregationRule is non-nil",
            )
        )
    return causes


def _subject(subject: dict[str, Any], namespaced: bool, at: str) -> list[Cause]:
    causes: list[Cause] = []
    name, kind, group = subject.get("name") or "", subject.get("kind") or "", subject.get("apiGroup") or ""
    if not name:
        causes.append(fe.required(f"{at}.name"))
    if kind == "ServiceAccount":
        if name:
            causes += fe.invalid_each(f"{at}.name", name, fe.dns1123_subdomain(str(name)))
        if group:
            causes.append(fe.not_supported(f"{at}.apiGroup", group, [""]))
        if not namespaced and not subject.get("namespace"):
            causes.append(fe.required(f"{at}.namespace"))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            causes.append(fe.not_supported(f"{at}.apiGroup", group, [RBAC_GROUP]))
    else:
        causes.append(fe.not_supported(f"{at}.kind", kind, list(SUBJECT_KINDS)))
    return causes


def _binding(obj: dict[str, Any], namespaced: bool) -> list[Cause]:
    ref = mapping(obj.get("roleRef"))
    causes: list[Cause] = []
    if ref.get("apiGroup") != RBAC_GROUP:
        causes.append(fe.not_supported("roleRef.apiGroup", ref.get("apiGroup") or "", [RBAC_GROUP]))
    allowed = list(ROLE_KINDS) if namespaced else ["ClusterRole"]
    if ref.get("kind") not in allowed:
        causes.append(fe.not_supported("roleRef.kind", ref.get("kind") or "", allowed))
    name = ref.get("name") or ""
    if not name:
        causes.append(fe.required("roleRef.name"))
    else:
        causes += fe.invalid_each("roleRef.name", name, path_segment_name(str(name)))
    for index, subject in enumerate(items(obj.get("subjects"))):
        causes += _subject(subject, namespaced, f"subjects[{index}]")
    return causes


def validate_rbac(kind: str, obj: dict[str, Any]) -> list[Cause]:
    """The rules a Role, ClusterRole, RoleBinding or ClusterRoleBinding breaks (none for other kinds)."""
    if kind in ROLE_KINDS:
        return _role(obj, namespaced=kind == "Role")
    if kind in BINDING_KINDS:
        return _binding(obj, namespaced=kind == "RoleBinding")
    return []


def validate_rbac_update(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    """A binding's `roleRef` cannot change: delete and re-create the binding instead."""
    if kind in BINDING_KINDS and mapping(old.get("roleRef")) != mapping(new.get("roleRef")):
        ref = mapping(new.get("roleRef"))
        shown = fe.GoSyntax(
            f'rbac.RoleRef{{APIGroup:"{ref.get("apiGroup", "")}", Kind:"{ref.get("kind", "")}", '
            f'Name:"{ref.get("name", "")}"}}'
        )
        return [fe.invalid("roleRef", shown, "cannot change roleRef")]
    return []
