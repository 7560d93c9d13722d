"""ServiceAccount tokens: the JWTs the TokenRequest API issues and the authenticator checks.

A real apiserver signs bound ServiceAccount tokens with its RSA key (RS256) and checks them with
the public half; the twin signs with a random per-process HMAC key (HS256), since nobody outside
it verifies them. The claims are the real ones (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`
and `kubernetes.io: {namespace, serviceaccount: {name, uid}}`), so a token decoded by a curious
user reads like a cluster's. A twin restart makes every token it issued invalid, as rotating the
signing key would.

`TokenInvalid` says why a token was refused; the caller answers 401 whatever the reason, as the
apiserver does (the reason is only logged).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

ISSUER = "https://kubernetes.default.svc.cluster.local"
API_AUDIENCES = (ISSUER,)
"""The audiences the API server accepts; a token requested for others does not authenticate here."""
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 1 << 32
_HEADER = {"alg": "HS256", "kid": "twin"}


class TokenInvalid(ValueError):
    """A bearer token that is not one of ours, is damaged, or is expired."""


@dataclass(frozen=True)
class ServiceAccountClaims:
    """What a verified token says about its bearer."""

    namespace: str
    name: str
    uid: str
    token_id: str
    audiences: tuple[str, ...]
    expires: float


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise TokenInvalid("a token segment is not base64url") from err


def _json_segment(data: dict[str, Any]) -> str:
    return _encode(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


class TokenIssuer:
    """Signs and verifies ServiceAccount tokens.

    Args:
        clock: Seconds since the epoch; `iat`, `exp` and the expiry check follow it.
        key: The HMAC key; a fresh random one by default.
    """

    def __init__(self, clock: Callable[[], float] = time.time, key: bytes | None = None) -> None:
        self.clock = clock
        self._key = key or secrets.token_bytes(32)

    def issue(
        self,
        namespace: str,
        name: str,
        uid: str,
        expiration_seconds: int = DEFAULT_EXPIRATION_SECONDS,
        audiences: Sequence[str] = API_AUDIENCES,
    ) -> tuple[str, float]:
        """A token for ServiceAccount `namespace/name` (its `uid`), and when it expires."""
        now = int(self.clock())
        expires = now + expiration_seconds
        claims = {
            "aud": list(audiences),
            "exp": expires,
            "iat": now,
            "iss": ISSUER,
            "jti": str(uuid.uuid4()),
            "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}},
            "nbf": now,
            "sub": f"system:serviceaccount:{namespace}:{name}",
        }
        signing_input = f"{_json_segment(_HEADER)}.{_json_segment(claims)}"
        return f"{signing_input}.{self._sign(signing_input)}", float(expires)

    def verify(self, token: str) -> ServiceAccountClaims:
        """The claims of a token this issuer signed, still valid now and meant for the API server.

        Raises:
            TokenInvalid: Anything else.
        """
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenInvalid("not a JWT")
        signing_input = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(signing_input), parts[2]):
            raise TokenInvalid("bad signature")
        try:
            claims = json.loads(_decode(parts[1]))
            bound = claims["kubernetes.io"]
            audiences = tuple(claims["aud"])
            expires, not_before = float(claims["exp"]), float(claims["nbf"])
            account = bound["serviceaccount"]
            result = ServiceAccountClaims(
                bound["namespace"], account["name"], account["uid"], claims["jti"], audiences, expires
            )
        except (ValueError, KeyError, TypeError) as err:
            raise TokenInvalid(f"malformed claims: {err}") from err
        now = self.clock()
        if now >= expires:
            raise TokenInvalid("token has expired")
        if now < not_before:
            raise TokenInvalid("token is not valid yet")
        if not set(audiences) & set(API_AUDIENCES):
            raise TokenInvalid("token audiences do not include the API server")
        return result

    def _sign(self, signing_input: str) -> str:
        return _encode(hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest())
