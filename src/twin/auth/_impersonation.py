"""Impersonation: `kubectl --as=USER --as-group=GROUP`, as kube-apiserver's impersonation filter does it.

A request carrying `Impersonate-User` (and optionally `Impersonate-Group`, `Impersonate-Uid`,
`Impersonate-Extra-<key>`) runs as that user, provided its real sender may `impersonate` each of
them: `serviceaccounts` NAME in NAMESPACE for `system:serviceaccount:NAMESPACE:NAME`, otherwise
`users` NAME, `groups` NAME (both in the core group), `uids` and `userextras/<key>` (in
`authentication.k8s.io`). Only the admin may, here, unless a role grants it. An impersonated
ServiceAccount gets its groups unless groups are named, and everyone but `system:anonymous`
gets `system:authenticated`. This is what lets the admin ask `kubectl auth can-i --list
--as=system:serviceaccount:sock-shop:catalogue-maintainer`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..store import errors
from ._attributes import Attributes, forbidden
from ._rbac import RBACAuthorizer
from ._user import ANONYMOUS, AUTHENTICATED, SERVICE_ACCOUNTS, UNAUTHENTICATED, UserInfo, split_service_account

AUTHENTICATION_GROUP = "authentication.k8s.io"


def impersonate(
    authorizer: RBACAuthorizer,
    requester: UserInfo,
    user: str | None,
    groups: Sequence[str] = (),
    uid: str | None = None,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> UserInfo:
    """The user a request acts as: `requester`, or the one it impersonates if it may.

    Raises:
        ApiError: 400 for groups, a uid or extras without a user; 403 when `requester` may not
            impersonate one of them.
    """
    extra = extra or {}
    if not user:
        if groups or uid or extra:
            raise errors.bad_request("requested impersonation of groups, a uid or extras without impersonating a user")
        return requester

    def check(resource: str, name: str, namespace: str = "", group: str = "", subresource: str = "") -> None:
        attributes = Attributes(requester, "impersonate", "", True, namespace, group, "v1", resource, subresource, name)
        decision = authorizer.authorize(attributes)
        if not decision.allowed:
            raise forbidden(attributes, decision.reason)

    named_groups = list(groups)
    account = split_service_account(user)
    if account is not None:
        check("serviceaccounts", account[1], namespace=account[0])
        if not named_groups:
            named_groups = [SERVICE_ACCOUNTS, f"{SERVICE_ACCOUNTS}:{account[0]}"]
    else:
        check("users", user)
    for group in groups:
        check("groups", group)
    if uid:
        check("uids", uid, group=AUTHENTICATION_GROUP)
    for key, values in extra.items():
        for value in values:
            check("userextras", value, group=AUTHENTICATION_GROUP, subresource=key)
    if user == ANONYMOUS.name:
        if UNAUTHENTICATED not in named_groups:
            named_groups.append(UNAUTHENTICATED)
    elif AUTHENTICATED not in named_groups and UNAUTHENTICATED not in named_groups:
        named_groups.append(AUTHENTICATED)
    return UserInfo(user, uid or "", tuple(named_groups), {key: list(values) for key, values in extra.items()})
