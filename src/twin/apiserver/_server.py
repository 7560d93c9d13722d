"""The HTTP face of the twin: URL routing, discovery endpoints and error translation.

Paths follow the apiserver: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` for the
others. Every failure leaves as a `meta/v1 Status` with the right code; an unexpected exception
becomes a 500 Status and a log line, never a dropped connection or a wedged server.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..store import errors, group_versions, lookup
from . import _discovery as discovery
from ._auth import AuthFilter
from ._rest import RestApi, Route

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 3 * 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def status_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into a Kubernetes `Status` body."""
    try:
        return await handler(request)
    except errors.ApiError as err:
        return web.json_response(err.status(), status=err.code)
    except web.HTTPException as err:
        if err.status >= 400:
            failure = errors.ApiError(err.status, err.reason.replace(" ", ""), err.text or err.reason)
            return web.json_response(failure.status(), status=err.status)
        raise
    except Exception:
        logger.exception("unexpected error handling %s %s", request.method, request.path_qs)
        failure = errors.ApiError(500, "InternalError", "an unexpected error occurred in the twin; see its log")
        return web.json_response(failure.status(), status=500)


def _not_found() -> errors.ApiError:
    return errors.ApiError(404, "NotFound", "the server could not find the requested resource")


def parse_route(group: str, version: str, rest: str) -> Route:
    """Split `[namespaces/<ns>/]<plural>[/<name>[/<subresource>...]]` into a `Route`."""
    parts = [p for p in rest.split("/") if p]
    namespace: str | None = None
    if (
        parts
        and parts[0] == "namespaces"
        and len(parts) >= 3
        and not (group == "" and parts[2] in ("status", "finalize"))
    ):
        namespace, parts = parts[1], parts[2:]
    if not parts:
        raise _not_found()
    resource = lookup(group, version, parts[0])
    if resource is None:
        raise _not_found()
    name = parts[1] if len(parts) > 1 else None
    subresource = parts[2] if len(parts) > 2 else None
    if namespace is not None and not resource.namespaced:
        raise _not_found()
    if resource.namespaced and namespace is None and name is not None:
        raise _not_found()
    if subresource is not None and subresource not in resource.subresources:
        raise _not_found()
    return Route(resource, version, namespace, name, subresource)


def build_app(
    api: RestApi, extra_routes: list[web.RouteDef] | None = None, auth: AuthFilter | None = None
) -> web.Application:
    """The aiohttp application serving the Kubernetes API over `api`, plus `extra_routes`.

    With `auth`, every request is authenticated and authorized first (401/403 otherwise), and the
    token and self-review endpoints are served; without it, every request acts as the admin.
    """
    middlewares = [status_errors] if auth is None else [status_errors, auth.middleware]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)

    async def version(request: web.Request) -> web.Response:
        return web.json_response(discovery.SERVER_VERSION)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    def discovery_response(request: web.Request, core: bool) -> web.Response:
        if discovery.wants_aggregated(request.headers.get("Accept", "")):
            return web.json_response(
                discovery.aggregated(core=core),
                content_type=None,
                headers={"Content-Type": discovery.AGGREGATED_CONTENT_TYPE},
            )
        return web.json_response(discovery.core_versions() if core else discovery.group_list())

    async def core_root(request: web.Request) -> web.Response:
        return discovery_response(request, core=True)

    async def groups_root(request: web.Request) -> web.Response:
        return discovery_response(request, core=False)

    async def core_resources(request: web.Request) -> web.Response:
        return web.json_response(discovery.resource_list("", "v1"))

    async def group_root(request: web.Request) -> web.Response:
        group = discovery.api_group(request.match_info["group"])
        if group is None:
            raise _not_found()
        return web.json_response(group)

    async def group_resources(request: web.Request) -> web.Response:
        group, version_name = request.match_info["group"], request.match_info["version"]
        if version_name not in group_versions().get(group, []):
            raise _not_found()
        return web.json_response(discovery.resource_list(group, version_name))

    async def openapi_v3(request: web.Request) -> web.Response:
        return web.json_response(api.openapi.root)

    async def openapi_v3_document(request: web.Request) -> web.Response:
        body = api.openapi.documents.get(request.match_info["path"])
        if body is None:
            raise _not_found()
        return web.Response(body=body, content_type="application/json")

    async def core_resource(request: web.Request) -> web.StreamResponse:
        return await api.handle(request, parse_route("", "v1", request.match_info["rest"]))

    async def group_resource(request: web.Request) -> web.StreamResponse:
        info = request.match_info
        return await api.handle(request, parse_route(info["group"], info["version"], info["rest"]))

    routes = [
        web.get("/version", version),
        web.get("/healthz", health),
        web.get("/livez", health),
        web.get("/readyz", health),
        web.get("/api", core_root),
        web.get("/api/", core_root),
        web.get("/api/v1", core_resources),
        web.get("/api/v1/", core_resources),
        web.get("/apis", groups_root),
        web.get("/apis/", groups_root),
        web.get("/openapi/v3", openapi_v3),
        web.get("/openapi/v3/{path:.+}", openapi_v3_document),
        web.get("/apis/{group}", group_root),
        web.get("/apis/{group}/{version}", group_resources),
        web.route("*", "/api/v1/{rest:.+}", core_resource),
        web.route("*", "/apis/{group}/{version}/{rest:.+}", group_resource),
    ]
    app.add_routes([*(auth.routes() if auth else []), *(extra_routes or []), *routes])
    return app
