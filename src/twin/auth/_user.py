"""Who a request comes from: `UserInfo`, and the names Kubernetes gives its built-in users and groups.

A ServiceAccount authenticates as `system:serviceaccount:<namespace>:<name>`, in the groups
`system:serviceaccounts`, `system:serviceaccounts:<namespace>` and `system:authenticated`; a
request without credentials is `system:anonymous` in `system:unauthenticated`; members of
`system:masters` pass every authorization check (kube-apiserver's privileged group).
"""

from __future__ import annotations

from dataclasses import dataclass, field

AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
MASTERS = "system:masters"
SERVICE_ACCOUNTS = "system:serviceaccounts"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"


@dataclass(frozen=True)
class UserInfo:
    """An authenticated (or anonymous) user, as authorizers and `kubectl auth whoami` see it."""

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: dict[str, list[str]] = field(default_factory=dict, compare=False)
    """Authenticator-specific facts, e.g. a ServiceAccount token's credential id."""

    def as_json(self) -> dict[str, object]:
        """The `authentication.k8s.io/v1 UserInfo` form (empty fields left out)."""
        body: dict[str, object] = {"username": self.name}
        if self.uid:
            body["uid"] = self.uid
        if self.groups:
            body["groups"] = list(self.groups)
        if self.extra:
            body["extra"] = {key: list(values) for key, values in self.extra.items()}
        return body


ANONYMOUS = UserInfo("system:anonymous", groups=(UNAUTHENTICATED,))
ADMIN = UserInfo("kubernetes-admin", groups=(MASTERS, AUTHENTICATED))
"""The user of the admin kubeconfig the twin writes (kubeadm's name for it)."""


def service_account_name(namespace: str, name: str) -> str:
    """`system:serviceaccount:<namespace>:<name>`."""
    return f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}"


def split_service_account(username: str) -> tuple[str, str] | None:
    """(namespace, name) of a ServiceAccount's user name; None for any other user."""
    if not username.startswith(SERVICE_ACCOUNT_PREFIX):
        return None
    namespace, _, name = username.removeprefix(SERVICE_ACCOUNT_PREFIX).partition(":")
    if not namespace or not name or ":" in name:
        return None
    return namespace, name


def service_account_groups(namespace: str) -> tuple[str, ...]:
    """The groups every ServiceAccount of `namespace` is in, `system:authenticated` included."""
    return (SERVICE_ACCOUNTS, f"{SERVICE_ACCOUNTS}:{namespace}", AUTHENTICATED)


def service_account_user(namespace: str, name: str, uid: str = "", credential_id: str = "") -> UserInfo:
    """The user a ServiceAccount's token authenticates as."""
    extra = {CREDENTIAL_ID: [credential_id]} if credential_id else {}
    return UserInfo(service_account_name(namespace, name), uid, service_account_groups(namespace), extra)
