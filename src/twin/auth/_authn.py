"""Authentication: who sent a request, from its `Authorization: Bearer` header.

The order is kube-apiserver's: a request with no bearer token is anonymous (`system:anonymous`,
which RBAC then lets read only `/healthz`, `/livez`, `/readyz` and `/version`); a bearer token
is either the admin token of the kubeconfig the twin writes (`system:masters`) or a
ServiceAccount token the TokenRequest API issued; anything else, an expired token, or the token
of a ServiceAccount deleted (or deleted and re-created) since, is refused with 401. A bad token is
never treated as anonymous.
"""

from __future__ import annotations

import hmac
import logging

from ..store import SERVICE_ACCOUNTS, Store, errors
from ._tokens import TokenInvalid, TokenIssuer
from ._user import ADMIN, ANONYMOUS, UserInfo, service_account_user

logger = logging.getLogger(__name__)

ADMIN_TOKEN = "twin"
"""The bearer token of the admin kubeconfig (`logs/twin/kubeconfig`): full access, as it always had."""


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when there is none.

    As the apiserver's bearer-token authenticator: the scheme is case-insensitive, and an empty
    token or another scheme means "no bearer credentials" (so the request is anonymous).
    """
    parts = (authorization or "").strip().split(" ")
    if len(parts) < 2 or parts[0].lower() != "bearer" or not parts[1]:
        return None
    return parts[1]


class Authenticator:
    """Turns a request's credentials into a `UserInfo`.

    Args:
        store: Where ServiceAccounts live; a token is valid only while its account does.
        issuer: Verifies ServiceAccount tokens.
        admin_token: The token that authenticates as the cluster admin.
    """

    def __init__(self, store: Store, issuer: TokenIssuer, admin_token: str = ADMIN_TOKEN) -> None:
        self.store = store
        self.issuer = issuer
        self._admin_token = admin_token

    def authenticate(self, authorization: str | None) -> UserInfo:
        """The user of an `Authorization` header value.

        Raises:
            ApiError: 401 Unauthorized for a bearer token that does not authenticate.
        """
        token = bearer_token(authorization)
        if token is None:
            return ANONYMOUS
        if hmac.compare_digest(token.encode(), self._admin_token.encode()):
            return ADMIN
        try:
            claims = self.issuer.verify(token)
        except TokenInvalid as err:
            logger.info("refused a bearer token: %s", err)
            raise errors.unauthorized() from err
        account = self.store.peek(SERVICE_ACCOUNTS, claims.namespace, claims.name)
        if account is None or account["metadata"].get("uid") != claims.uid:
            logger.info("refused the token of deleted service account %s/%s", claims.namespace, claims.name)
            raise errors.unauthorized()
        if account["metadata"].get("deletionTimestamp"):
            raise errors.unauthorized()
        return service_account_user(claims.namespace, claims.name, claims.uid, f"JTI={claims.token_id}")
