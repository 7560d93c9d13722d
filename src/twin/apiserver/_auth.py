"""The API server's authentication and authorization filter, and the endpoints built on them.

Every request passes `AuthFilter.middleware` before it is routed, as kube-apiserver's handler
chain does (authentication, impersonation, then authorization): a bad token, a denied verb or
path, and the request ends there with a 401 or 403 `Status`. Where it arrived decides what a
request without credentials is:

- on the TLS port it is `system:anonymous`, as on any cluster, which RBAC lets read only health
  and version;
- on the plain-HTTP port it is the admin. That is the port of the admin kubeconfig the twin has
  always written, and kubectl never sends a token over plain HTTP, so this keeps that kubeconfig
  (and everything using it) working as before; it is kube-apiserver's old insecure port. Clients
  that do send a token there (the Python client does) are authenticated as on the TLS port.
  Agents must therefore be kept off the plain-HTTP port; their kubeconfig names the TLS one.

The paths under `/twin/` are not the Kubernetes API but the twin's stand-ins for what Prometheus
scrapes on the pods and nodes themselves, so they are left open, as those endpoints are in a
cluster.

`AuthFilter.routes` serves what the authorization layer answers itself: the TokenRequest
subresource (`kubectl create token`), SelfSubjectAccessReview (`kubectl auth can-i`),
SelfSubjectRulesReview (`kubectl auth can-i --list`) and SelfSubjectReview (`kubectl auth
whoami`). They are added ahead of the generic resource routes, which would otherwise store them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..auth import (
    ADMIN,
    Authenticator,
    RBACAuthorizer,
    TokenIssuer,
    UserInfo,
    access_review,
    bearer_token,
    forbidden,
    impersonate,
    request_attributes,
    rules_review,
    self_review,
    token_request,
)
from ..store import Store, errors
from ._rest import read_body

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_PREFIX = "/twin/"
USER_KEY = web.RequestKey("twin.user", UserInfo)
"""Where the filter leaves the request's user for the handlers."""
EXTRA_HEADER = "impersonate-extra-"


def _impersonated(authorizer: RBACAuthorizer, requester: UserInfo, request: web.Request) -> UserInfo:
    headers = request.headers
    extra: dict[str, list[str]] = {}
    for key, value in headers.items():
        if key.lower().startswith(EXTRA_HEADER):
            extra.setdefault(key[len(EXTRA_HEADER) :].lower(), []).append(value)
    return impersonate(
        authorizer,
        requester,
        headers.get("Impersonate-User"),
        headers.getall("Impersonate-Group", []),
        headers.get("Impersonate-Uid"),
        extra,
    )


def _user(request: web.Request) -> UserInfo:
    """Who sent the request; the admin when the app runs without the filter (in-process tests)."""
    return request.get(USER_KEY, ADMIN)


async def _object_body(request: web.Request) -> dict[str, Any]:
    if request.method != "POST":
        raise errors.method_not_allowed(
            f"the server does not allow this method on the requested resource: {request.method}"
        )
    body = await read_body(request)
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    return body


class AuthFilter:
    """Authenticates and authorizes each request; serves the token and review endpoints.

    Args:
        store: ServiceAccounts, Roles and bindings live here.
        clock: Seconds since the epoch: token issue and expiry times follow it.
        key: The key ServiceAccount tokens are signed with; random by default.
    """

    def __init__(self, store: Store, clock: Callable[[], float] = time.time, key: bytes | None = None) -> None:
        self.store = store
        self.issuer = TokenIssuer(clock, key)
        self.authenticator = Authenticator(store, self.issuer)
        self.authorizer = RBACAuthorizer(store)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Authentication, impersonation, authorization; then the handler, or a 401/403 `Status`."""
        if request.path.startswith(OPEN_PREFIX):
            return await handler(request)
        authorization = request.headers.get("Authorization")
        if bearer_token(authorization) is None and not request.secure:
            user = ADMIN
        else:
            user = self.authenticator.authenticate(authorization)
        if "Impersonate-User" in request.headers or "Impersonate-Group" in request.headers:
            user = _impersonated(self.authorizer, user, request)
        attributes = request_attributes(user, request.method, request.path, request.query)
        decision = self.authorizer.authorize(attributes)
        if not decision.allowed:
            logger.info("forbidden: %s %s for %s", request.method, request.path, user.name)
            raise forbidden(attributes, decision.reason)
        request[USER_KEY] = user
        return await handler(request)

    def routes(self) -> list[web.RouteDef]:
        """The TokenRequest subresource and the self-review APIs."""

        async def create_token(request: web.Request) -> web.Response:
            info = request.match_info
            body = await _object_body(request)
            answer = token_request(self.store, self.issuer, info["namespace"], info["name"], body)
            return web.json_response(answer, status=201)

        async def access(request: web.Request) -> web.Response:
            answer = access_review(self.authorizer, _user(request), await _object_body(request))
            return web.json_response(answer, status=201)

        async def rules(request: web.Request) -> web.Response:
            answer = rules_review(self.authorizer, _user(request), await _object_body(request))
            return web.json_response(answer, status=201)

        async def whoami(request: web.Request) -> web.Response:
            await _object_body(request)
            return web.json_response(self_review(_user(request), self.issuer.clock()), status=201)

        return [
            web.post("/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", create_token),
            web.route("*", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", access),
            web.route("*", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", rules),
            web.route("*", "/apis/authentication.k8s.io/v1/selfsubjectreviews", whoami),
        ]
