"""The answers of the "create-only" authentication and authorization APIs, from a request body.

- `TokenRequest` (`POST .../serviceaccounts/<name>/token`, what `kubectl create token` sends):
  issues a ServiceAccount token for the API server's audience, by default for an hour, 10 minutes
  to 2^32 seconds on request. Tokens bound to an object (`--bound-object-kind`) are refused.
- `SelfSubjectAccessReview` (`kubectl auth can-i VERB RESOURCE`): the authorizer's decision for the
  asking user, with RBAC's reason (`RBAC: allowed by RoleBinding "x/ns" of Role "x" to ...`).
- `SelfSubjectRulesReview` (`kubectl auth can-i --list`): every rule that applies in a namespace.
- `SelfSubjectReview` (`kubectl auth whoami`): the asking user's name, uid, groups and extras.

Each function takes the decoded body and returns the object to answer with (kind and apiVersion
set); an invalid body raises the apiserver's 400 or 422.
"""

from __future__ import annotations

from typing import Any

from ..admission import field_errors
from ..store import SERVICE_ACCOUNTS, Store, errors, rfc3339
from ._attributes import Attributes
from ._rbac import RBACAuthorizer
from ._tokens import (
    API_AUDIENCES,
    DEFAULT_EXPIRATION_SECONDS,
    MAX_EXPIRATION_SECONDS,
    MIN_EXPIRATION_SECONDS,
    TokenIssuer,
)
from ._user import UserInfo

AUTHORIZATION_V1 = "authorization.k8s.io/v1"
AUTHENTICATION_V1 = "authentication.k8s.io/v1"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _invalid(kind: str, group: str, field: str, value: Any, detail: str) -> errors.ApiError:
    return errors.invalid(kind, "", [field_errors.invalid(field, value, detail)], group)


def token_request(store: Store, issuer: TokenIssuer, namespace: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """Issue a token for ServiceAccount `namespace/name`; the TokenRequest with `status.token` set.

    Raises:
        ApiError: 404 when the ServiceAccount does not exist, 422 for a lifetime out of range,
            400 for a token bound to an object.
    """
    spec = _mapping(body.get("spec"))
    seconds = spec.get("expirationSeconds")
    if seconds is None:
        seconds = DEFAULT_EXPIRATION_SECONDS
    group = "authentication.k8s.io"
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < MIN_EXPIRATION_SECONDS:
        raise _invalid(
            "TokenRequest", group, "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"
        )
    if seconds > MAX_EXPIRATION_SECONDS:
        raise _invalid(
            "TokenRequest",
            group,
            "spec.expirationSeconds",
            seconds,
            "may not specify a duration larger than 2^32 seconds",
        )
    if spec.get("boundObjectRef"):
        raise errors.bad_request(
            "the Sock Shop twin does not bind tokens to objects; request a token without --bound-object-kind"
        )
    account = store.get(SERVICE_ACCOUNTS, namespace, name)
    audiences = [a for a in spec.get("audiences") or [] if isinstance(a, str)] or list(API_AUDIENCES)
    token, expires = issuer.issue(namespace, name, account["metadata"]["uid"], seconds, audiences)
    return {
        "kind": "TokenRequest",
        "apiVersion": AUTHENTICATION_V1,
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": rfc3339(issuer.clock())},
        "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": None},
        "status": {"token": token, "expirationTimestamp": rfc3339(expires)},
    }


def access_review(authorizer: RBACAuthorizer, user: UserInfo, body: dict[str, Any]) -> dict[str, Any]:
    """Decide a SelfSubjectAccessReview for `user`.

    Raises:
        ApiError: 422 unless exactly one of `resourceAttributes` and `nonResourceAttributes` is set.
    """
    spec = _mapping(body.get("spec"))
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    kind, group = "SelfSubjectAccessReview", "authorization.k8s.io"
    if isinstance(resource, dict) and isinstance(non_resource, dict):
        raise _invalid(
            kind,
            group,
            "spec.nonResourceAttributes",
            non_resource,
            "cannot be specified in combination with resourceAttributes",
        )
    if isinstance(resource, dict):
        attributes = Attributes(
            user,
            _text(resource.get("verb")),
            "",
            True,
            _text(resource.get("namespace")),
            _text(resource.get("group")),
            _text(resource.get("version")),
            _text(resource.get("resource")),
            _text(resource.get("subresource")),
            _text(resource.get("name")),
        )
    elif isinstance(non_resource, dict):
        attributes = Attributes(user, _text(non_resource.get("verb")), _text(non_resource.get("path")))
    else:
        raise _invalid(
            kind,
            group,
            "spec.resourceAttributes",
            None,
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )
    decision = authorizer.authorize(attributes)
    status: dict[str, Any] = {"allowed": decision.allowed}
    if decision.reason:
        status["reason"] = decision.reason
    return {"kind": kind, "apiVersion": AUTHORIZATION_V1, "metadata": {}, "spec": spec, "status": status}


def rules_review(authorizer: RBACAuthorizer, user: UserInfo, body: dict[str, Any]) -> dict[str, Any]:
    """List what `user` may do in the SelfSubjectRulesReview's `spec.namespace`.

    Raises:
        ApiError: 400 when the review names no namespace.
    """
    spec = _mapping(body.get("spec"))
    namespace = _text(spec.get("namespace"))
    if not namespace:
        raise errors.bad_request("no namespace on request")
    rules = authorizer.rules_for(user, namespace)
    status: dict[str, Any] = {
        "resourceRules": rules.resource_rules,
        "nonResourceRules": rules.non_resource_rules,
        "incomplete": False,
    }
    if rules.evaluation_error:
        status["evaluationError"] = rules.evaluation_error
    return {
        "kind": "SelfSubjectRulesReview",
        "apiVersion": AUTHORIZATION_V1,
        "metadata": {},
        "spec": spec,
        "status": status,
    }


def self_review(user: UserInfo, now: float) -> dict[str, Any]:
    """The SelfSubjectReview of `user`: who the API server takes them for."""
    return {
        "kind": "SelfSubjectReview",
        "apiVersion": AUTHENTICATION_V1,
        "metadata": {"creationTimestamp": rfc3339(now)},
        "status": {"userInfo": user.as_json()},
    }
