"""RBAC authorization, evaluated as kube-apiserver's RBAC authorizer does.

For a request in namespace N by user U, the rules that count are those of every ClusterRole bound
to U by a ClusterRoleBinding, and, when N is set, of every Role or ClusterRole bound to U by a
RoleBinding in N (k8s.io/kubernetes `pkg/registry/rbac/validation/rule.go`, `VisitRulesFor`). A
binding applies to U when one of its subjects is U's name (`User`), one of U's groups (`Group`),
or U's ServiceAccount (`ServiceAccount`, whose namespace defaults to the RoleBinding's). A rule
allows the request when each of its lists matches (`plugin/pkg/auth/authorizer/rbac/rbac.go`,
`RuleAllows`):

- verbs, apiGroups: `*` or the exact value;
- resources: `*`, the exact `resource` or `resource/subresource`, or `*/subresource`;
- resourceNames: empty (any object) or the exact name; a request with no name (list, create,
  deletecollection) never matches a rule that names objects;
- nonResourceURLs: `*`, the exact path, or a prefix ending in `*` (`/openapi/*`).

There are no deny rules: RBAC only adds. Members of `system:masters` are allowed before RBAC is
asked (kube-apiserver's privileged-group authorizer). A binding whose role does not exist counts
for nothing, and the denial then says so (`RBAC: role.rbac.authorization.k8s.io "x" not found`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..store import CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES, Store
from ._attributes import Attributes
from ._user import MASTERS, UserInfo

Rule = dict[str, Any]

ALL = "*"
EVERYTHING: tuple[Rule, Rule] = (
    {"verbs": [ALL], "apiGroups": [ALL], "resources": [ALL]},
    {"verbs": [ALL], "nonResourceURLs": [ALL]},
)
"""What the privileged group may do, as its rules review lists it."""


def _strings(rule: Rule, key: str) -> list[str]:
    values = rule.get(key)
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def verb_matches(rule: Rule, verb: str) -> bool:
    return any(v in (ALL, verb) for v in _strings(rule, "verbs"))


def api_group_matches(rule: Rule, group: str) -> bool:
    return any(g in (ALL, group) for g in _strings(rule, "apiGroups"))


def resource_matches(rule: Rule, resource: str, subresource: str) -> bool:
    """`resource` combined with its subresource (`deployments/scale`) against the rule's resources."""
    combined = f"{resource}/{subresource}" if subresource else resource
    for wanted in _strings(rule, "resources"):
        if wanted in (ALL, combined):
            return True
        if subresource and wanted == f"*/{subresource}":
            return True
    return False


def resource_name_matches(rule: Rule, name: str) -> bool:
    names = _strings(rule, "resourceNames")
    return not names or name in names


def non_resource_url_matches(rule: Rule, path: str) -> bool:
    for url in _strings(rule, "nonResourceURLs"):
        if url in (ALL, path):
            return True
        if url.endswith("*") and path.startswith(url[:-1]):
            return True
    return False


def rule_allows(attributes: Attributes, rule: Rule) -> bool:
    """Whether one PolicyRule allows the request (`RuleAllows`)."""
    if not verb_matches(rule, attributes.verb):
        return False
    if not attributes.resource_request:
        return non_resource_url_matches(rule, attributes.path)
    return (
        api_group_matches(rule, attributes.api_group)
        and resource_matches(rule, attributes.resource, attributes.subresource)
        and resource_name_matches(rule, attributes.name)
    )


def _subject_matches(subject: Any, user: UserInfo, binding_namespace: str) -> bool:
    if not isinstance(subject, dict):
        return False
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == user.name
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return bool(namespace) and user.name == f"system:serviceaccount:{namespace}:{name}"
    return False


def _describe_subject(subject: dict[str, Any], binding_namespace: str) -> str:
    if subject.get("kind") == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return f'ServiceAccount "{subject.get("name")}/{namespace}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


@dataclass(frozen=True)
class Decision:
    """An authorizer's answer: allowed or not, why, and what went wrong while deciding."""

    allowed: bool
    reason: str = ""
    """For an allowed request, the binding that allowed it; for a denied one, the errors met, if any."""
    errors: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Rules:
    """The rules that apply to one user in one namespace, as a rules review reports them."""

    resource_rules: list[Rule]
    non_resource_rules: list[Rule]
    errors: tuple[str, ...] = ()

    @property
    def evaluation_error(self) -> str:
        return _aggregate(self.errors)


def _aggregate(messages: tuple[str, ...]) -> str:
    """Go's `utilerrors.NewAggregate(...).Error()`: one error alone, several as `[a, b]`."""
    if not messages:
        return ""
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


class RBACAuthorizer:
    """Decides requests from the Roles, ClusterRoles and bindings in `store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def authorize(self, attributes: Attributes) -> Decision:
        """Allow or deny one request (the union of the privileged-group and RBAC authorizers)."""
        if MASTERS in attributes.user.groups:
            return Decision(True)
        problems: list[str] = []
        for source, rules, error in self._visit(attributes.user, attributes.namespace):
            if error:
                problems.append(error)
                continue
            if any(rule_allows(attributes, rule) for rule in rules):
                return Decision(True, f"RBAC: allowed by {source}")
        unique = tuple(dict.fromkeys(problems))
        return Decision(False, f"RBAC: {_aggregate(unique)}" if unique else "", unique)

    def rules_for(self, user: UserInfo, namespace: str) -> Rules:
        """Every rule that applies to `user` in `namespace`, split into resource and non-resource rules."""
        resource_rules: list[Rule] = []
        non_resource_rules: list[Rule] = []
        problems: list[str] = []
        if MASTERS in user.groups:
            resource_rules.append(dict(EVERYTHING[0]))
            non_resource_rules.append(dict(EVERYTHING[1]))
        for _, rules, error in self._visit(user, namespace):
            if error:
                problems.append(error)
            for rule in rules:
                if _strings(rule, "resources"):
                    resource_rules.append(
                        {key: _strings(rule, key) for key in ("verbs", "apiGroups", "resources", "resourceNames")}
                    )
                if _strings(rule, "nonResourceURLs"):
                    non_resource_rules.append({key: _strings(rule, key) for key in ("verbs", "nonResourceURLs")})
        return Rules(resource_rules, non_resource_rules, tuple(dict.fromkeys(problems)))

    def _visit(self, user: UserInfo, namespace: str) -> Iterator[tuple[str, list[Rule], str]]:
        """(who grants it, rules, error) for each binding of `user`: cluster-wide first, then `namespace`'s."""
        for binding in self.store.iter(CLUSTER_ROLE_BINDINGS):
            subject = _applying_subject(binding, user, "")
            if subject is None:
                continue
            rules, error = self._role_rules(binding, "")
            ref = binding.get("roleRef") or {}
            source = (
                f'ClusterRoleBinding "{binding["metadata"]["name"]}" of {ref.get("kind")} "{ref.get("name")}" '
                f"to {_describe_subject(subject, '')}"
            )
            yield source, rules, error
        if not namespace:
            return
        for binding in self.store.iter(ROLE_BINDINGS, namespace):
            subject = _applying_subject(binding, user, namespace)
            if subject is None:
                continue
            rules, error = self._role_rules(binding, namespace)
            ref = binding.get("roleRef") or {}
            source = (
                f'RoleBinding "{binding["metadata"]["name"]}/{namespace}" of {ref.get("kind")} "{ref.get("name")}" '
                f"to {_describe_subject(subject, namespace)}"
            )
            yield source, rules, error

    def _role_rules(self, binding: dict[str, Any], namespace: str) -> tuple[list[Rule], str]:
        """The rules of the role a binding refers to, or the error of a missing role."""
        ref = binding.get("roleRef") or {}
        name = str(ref.get("name", ""))
        if ref.get("kind") == "Role" and namespace:
            role = self.store.peek(ROLES, namespace, name)
            missing = f'role.rbac.authorization.k8s.io "{name}" not found'
        elif ref.get("kind") == "ClusterRole":
            role = self.store.peek(CLUSTER_ROLES, "", name)
            missing = f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
        else:
            return [], f"unsupported role reference kind: {ref.get('kind')!r}"
        if role is None:
            return [], missing
        rules = role.get("rules")
        return ([rule for rule in rules if isinstance(rule, dict)] if isinstance(rules, list) else []), ""


def _applying_subject(binding: dict[str, Any], user: UserInfo, namespace: str) -> dict[str, Any] | None:
    """The first of a binding's subjects that is `user`, or None."""
    subjects = binding.get("subjects")
    for subject in subjects if isinstance(subjects, list) else []:
        if _subject_matches(subject, user, namespace):
            return subject
    return None
