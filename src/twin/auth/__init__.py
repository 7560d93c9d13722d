"""Authentication and RBAC authorization, as kube-apiserver applies them to every request.

`Authenticator` maps an `Authorization: Bearer` header to a `UserInfo`: the admin kubeconfig's
token (`ADMIN_TOKEN`, group `system:masters`, full access), a ServiceAccount token issued by
`TokenIssuer` through the TokenRequest API, or no token at all (`system:anonymous`); any other
token is a 401. `request_attributes` says what a request asks to do (verb, API group, resource,
subresource, namespace, name, or a non-resource path) and `RBACAuthorizer` decides it from the
Roles, ClusterRoles and their bindings in the store; `forbidden` is the 403 of a denial, worded
as Kubernetes words it. `seed_default_policy` creates the default ClusterRoles and bindings a
cluster starts with (discovery, `auth can-i`/`whoami` for everyone authenticated).

The answers of the create-only APIs (`token_request`, `access_review`, `rules_review`,
`self_review`) and `impersonate` (`kubectl --as`) build on the same pieces. Nothing here knows
HTTP: the apiserver's filter calls these for each request.
"""

from ._attributes import Attributes, forbidden, forbidden_message, request_attributes
from ._authn import ADMIN_TOKEN, Authenticator, bearer_token
from ._impersonation import impersonate
from ._policy import DEFAULT_BINDINGS, DEFAULT_CLUSTER_ROLES, default_policy, seed_default_policy
from ._rbac import Decision, RBACAuthorizer, Rules, rule_allows
from ._reviews import access_review, rules_review, self_review, token_request
from ._tokens import TokenInvalid, TokenIssuer
from ._user import ADMIN, ANONYMOUS, UserInfo, service_account_user, split_service_account

__all__ = [
    "ADMIN",
    "ADMIN_TOKEN",
    "ANONYMOUS",
    "DEFAULT_BINDINGS",
    "DEFAULT_CLUSTER_ROLES",
    "Attributes",
    "Authenticator",
    "Decision",
    "RBACAuthorizer",
    "Rules",
    "TokenInvalid",
    "TokenIssuer",
    "UserInfo",
    "access_review",
    "bearer_token",
    "default_policy",
    "forbidden",
    "forbidden_message",
    "impersonate",
    "request_attributes",
    "rule_allows",
    "rules_review",
    "seed_default_policy",
    "self_review",
    "service_account_user",
    "split_service_account",
    "token_request",
]
