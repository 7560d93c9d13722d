"""The REST verbs on resources: get, list, watch, create, update, patch, delete and subresources.

`RestApi.handle` receives one parsed `Route` and answers the way the apiserver would, including the
representation the client negotiated (`as=Table` for kubectl's server-side printing). Errors leave
as `ApiError` and become `Status` bodies in `_server`. Writes keep only the fields the kind's
OpenAPI schema declares, refusing the rest under `fieldValidation=Strict` (see `_fields`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml
from aiohttp import web

from ..controllers import LogError, PodLogs, UsageModel, node_metrics, pod_metrics
from ..store import (
    METRICS_GROUP,
    RESOURCES,
    FieldSelector,
    LabelSelector,
    ResourceType,
    SelectorError,
    Store,
    Watch,
    WatchEvent,
    clone,
    errors,
    lookup,
)
from ._conversion import from_storage, to_storage
from ._fields import FieldPath, format_path, prune
from ._openapi import OpenApi
from ._patch import PatchError, apply_patch, json_patch, merge_patch, strategic_merge_patch, supports_strategic
from ._protobuf import PROTOBUF_CONTENT_TYPE, UnsupportedKind, decode_object
from ._tables import to_table

logger = logging.getLogger(__name__)

BOOKMARK_INTERVAL = 5.0
DEFAULT_WATCH_TIMEOUT = 1800.0
UNSUPPORTED_STREAMS = {"exec", "attach", "portforward", "proxy"}
FIELD_VALIDATION = ("Ignore", "Warn", "Strict")

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}


@dataclass(frozen=True)
class Route:
    """A parsed resource URL."""

    resource: ResourceType
    version: str
    namespace: str | None
    name: str | None
    subresource: str | None


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("true", "1")


def _dry_run(request: web.Request, body: dict[str, Any] | None = None) -> bool:
    values = request.query.getall("dryRun", []) + list((body or {}).get("dryRun") or [])
    return any(v == "All" for v in values)


def _matcher(request: web.Request):
    try:
        label = LabelSelector.parse(request.query.get("labelSelector", ""))
        field = FieldSelector.parse(request.query.get("fieldSelector", ""))
    except SelectorError as err:
        raise errors.bad_request(str(err)) from err

    def matches(obj: dict[str, Any]) -> bool:
        return label.matches(obj.get("metadata", {}).get("labels")) and field.matches(obj)

    return matches


def _wants(request: web.Request, representation: str) -> bool:
    return f"as={representation}" in request.headers.get("Accept", "")


async def read_body(request: web.Request, *, yaml_allowed: bool = False) -> Any:
    """The request body as JSON (YAML for apply patches, Kubernetes protobuf from typed clients).

    Malformed input is a 400; CBOR, and protobuf of a kind the twin has no schema for, are a 415.
    """
    content_type = request.headers.get("Content-Type", "")
    protobuf = content_type.split(";")[0].strip() == PROTOBUF_CONTENT_TYPE
    if not protobuf and ("protobuf" in content_type or "cbor" in content_type):
        raise errors.unsupported_media_type(content_type)
    raw = await request.read()
    if not raw:
        raise errors.bad_request("the request body is empty")
    try:
        if protobuf:
            return decode_object(raw)
        if yaml_allowed:
            return yaml.safe_load(raw)
        return json.loads(raw)
    except UnsupportedKind as err:
        raise errors.ApiError(415, "UnsupportedMediaType", str(err)) from err
    except (ValueError, yaml.YAMLError) as err:
        raise errors.bad_request(f"the body of the request was malformed: {err}") from err


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    if not isinstance(body.get("metadata", {}), dict):
        raise errors.bad_request("metadata must be an object")
    body.setdefault("metadata", {})
    return body


class RestApi:
    """Resource verbs over one `Store`; pod logs and the metrics API come from the kubelet's seams.

    Args:
        openapi: The served OpenAPI documents, whose schemas also decide which fields a write may
            carry; by default the generated schemas file.
    """

    def __init__(
        self,
        store: Store,
        usage: UsageModel,
        logs: PodLogs,
        clock: Callable[[], float] = time.time,
        openapi: OpenApi | None = None,
    ) -> None:
        self.store = store
        self.usage = usage
        self.logs = logs
        self.clock = clock
        self.openapi = openapi or OpenApi.load()

    # --- dispatch ------------------------------------------------------------------------------

    async def handle(self, request: web.Request, route: Route) -> web.StreamResponse:
        if route.subresource in UNSUPPORTED_STREAMS:
            raise errors.bad_request(
                f"{route.subresource} is not supported by the Sock Shop twin: its pods are emulated, "
                "so there is no container to run commands in or forward ports to; use kubectl get, "
                "describe, logs and top, or query Prometheus"
            )
        if route.resource.group == METRICS_GROUP:
            return self._metrics(request, route)
        method = request.method
        if route.subresource == "log":
            return self._log(request, route)
        if route.subresource == "scale":
            return await self._scale(request, route)
        if route.subresource not in (None, "status", "finalize"):
            raise errors.not_found(f"{route.resource.plural}/{route.subresource}", route.name or "")
        if route.name is None:
            if method == "GET":
                if _flag(request, "watch"):
                    return await self._watch(request, route)
                return self._list(request, route)
            if method == "POST":
                return await self._create(request, route)
            if method == "DELETE":
                return await self._delete_collection(request, route)
        else:
            if method == "GET":
                if _flag(request, "watch"):
                    return await self._watch(request, route)
                return self._get(request, route)
            if method == "PUT":
                return await self._replace(request, route)
            if method == "PATCH":
                return await self._patch(request, route)
            if method == "DELETE":
                return await self._delete(request, route)
        raise errors.method_not_allowed(f"the server does not allow this method on the requested resource: {method}")

    # --- representation ------------------------------------------------------------------------

    def _now(self) -> datetime:
        """The clock's time, for table ages, log ends and metrics timestamps."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def _out(self, route: Route, obj: dict[str, Any]) -> dict[str, Any]:
        return from_storage(route.resource, route.version, obj)

    def _respond(self, request: web.Request, route: Route, obj: dict[str, Any], status: int = 200) -> web.Response:
        if _wants(request, "Table"):
            table = to_table(route.resource.kind, [obj], self._now(), request.query.get("includeObject", "Metadata"))
            return web.json_response(table, status=status)
        if _wants(request, "PartialObjectMetadata"):
            return web.json_response(_partial(obj), status=status)
        return web.json_response(self._out(route, obj), status=status)

    # --- reads ---------------------------------------------------------------------------------

    def _get(self, request: web.Request, route: Route) -> web.Response:
        obj = self.store.get(route.resource, route.namespace or "", route.name or "")
        return self._respond(request, route, obj)

    def _list(self, request: web.Request, route: Route) -> web.Response:
        items, revision = self.store.list(route.resource, route.namespace, _matcher(request))
        list_meta = {"resourceVersion": str(revision)}
        if _wants(request, "Table"):
            table = to_table(
                route.resource.kind, items, self._now(), request.query.get("includeObject", "Metadata"), list_meta
            )
            return web.json_response(table)
        if _wants(request, "PartialObjectMetadataList"):
            return web.json_response(
                {
                    "kind": "PartialObjectMetadataList",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": list_meta,
                    "items": [_partial(obj) for obj in items],
                }
            )
        return web.json_response(
            {
                "kind": route.resource.list_kind,
                "apiVersion": f"{route.resource.group}/{route.version}" if route.resource.group else route.version,
                "metadata": list_meta,
                "items": [self._out(route, obj) for obj in items],
            }
        )

    async def _watch(self, request: web.Request, route: Route) -> web.StreamResponse:
        matches = _matcher(request)
        if route.name is not None:
            by_name = route.name

            def matches_named(obj: dict[str, Any]) -> bool:
                return obj["metadata"]["name"] == by_name and matches(obj)

            check = matches_named
        else:
            check = matches
        since_text = request.query.get("resourceVersion", "")
        send_initial = _flag(request, "sendInitialEvents")
        since = int(since_text) if since_text.isdigit() and since_text != "0" and not send_initial else None
        timeout = float(request.query.get("timeoutSeconds") or DEFAULT_WATCH_TIMEOUT)
        bookmarks = _flag(request, "allowWatchBookmarks")
        as_table = _wants(request, "Table")
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            stream = self.store.watch(route.resource, route.namespace, since, check)
        except errors.ApiError as err:
            await _write_event(response, {"type": "ERROR", "object": err.status()})
            return response
        if send_initial:
            end = self._bookmark(route)
            end["metadata"]["annotations"] = {"k8s.io/initial-events-end": "true"}
            stream.queue.put_nowait(WatchEvent(self.store.revision, route.resource.key, "BOOKMARK", end))
        try:
            await self._pump(response, route, stream, timeout, bookmarks, as_table)
        except (ConnectionResetError, asyncio.CancelledError):
            logger.debug("watch client went away")
        finally:
            self.store.close(stream)
        return response

    async def _pump(
        self, response: web.StreamResponse, route: Route, stream: Watch, timeout: float, bookmarks: bool, as_table: bool
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            try:
                event = await asyncio.wait_for(stream.queue.get(), min(left, BOOKMARK_INTERVAL))
            except TimeoutError:
                if bookmarks:
                    await _write_event(response, {"type": "BOOKMARK", "object": self._bookmark(route)})
                continue
            if event is None:
                return
            if event.type == "BOOKMARK":
                await _write_event(response, {"type": "BOOKMARK", "object": event.object})
                continue
            obj = self._out(route, event.object)
            if as_table:
                obj = to_table(route.resource.kind, [obj], self._now(), "Object")
            await _write_event(response, {"type": event.type, "object": obj})

    def _bookmark(self, route: Route) -> dict[str, Any]:
        """The object of a BOOKMARK event: only the kind and the current resourceVersion."""
        return {
            "kind": route.resource.kind,
            "apiVersion": route.resource.api_version,
            "metadata": {"resourceVersion": str(self.store.revision)},
        }

    # --- writes --------------------------------------------------------------------------------

    def _incoming(self, route: Route, body: Any) -> dict[str, Any]:
        obj = _require_object(body)
        obj = to_storage(route.resource, route.version, obj)
        if route.resource.namespaced:
            sent = obj["metadata"].get("namespace")
            if sent and route.namespace and sent != route.namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            obj["metadata"]["namespace"] = route.namespace or sent or "default"
        return obj

    async def _create(self, request: web.Request, route: Route) -> web.Response:
        if route.subresource:
            raise errors.method_not_allowed("create is not supported on this subresource")
        body = _require_object(await read_body(request))
        warnings = self._drop_unknown_fields(request, route, body, _decoding_error(route))
        obj = self._incoming(route, body)
        created = self.store.create(route.resource, obj, dry_run=_dry_run(request))
        return _warned(self._respond(request, route, created, status=201), warnings)

    async def _replace(self, request: web.Request, route: Route) -> web.Response:
        body = _require_object(await read_body(request))
        warnings = self._drop_unknown_fields(request, route, body, _decoding_error(route))
        obj = self._incoming(route, body)
        if obj["metadata"].get("name") not in (None, route.name):
            raise errors.bad_request("the name of the object does not match the name on the URL")
        obj["metadata"]["name"] = route.name
        subresource = route.subresource if route.subresource == "status" else None
        updated = self.store.update(route.resource, obj, subresource=subresource, dry_run=_dry_run(request))
        return _warned(self._respond(request, route, updated), warnings)

    async def _patch(self, request: web.Request, route: Route) -> web.Response:
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        patch_type = PATCH_TYPES.get(content_type)
        if patch_type is None or (patch_type == "strategic" and not route.resource.builtin):
            raise errors.unsupported_media_type(content_type)
        body = await read_body(request, yaml_allowed=patch_type == "apply")
        namespace, name = route.namespace or "", route.name or ""
        current = self.store.peek(route.resource, namespace, name)
        strict_error = _apply_error(route) if patch_type == "apply" else _patch_error
        if current is None:
            if patch_type != "apply":
                raise errors.not_found(route.resource.plural, name, route.resource.group)
            body = _require_object(body)
            warnings = self._drop_unknown_fields(request, route, body, strict_error)
            obj = self._incoming(route, body)
            obj["metadata"]["name"] = name
            created = self.store.create(route.resource, obj, dry_run=_dry_run(request))
            return _warned(self._respond(request, route, created, status=201), warnings)
        original = self._out(route, clone(current))
        patched = _require_object(_apply(patch_type, original, body, route.resource))
        warnings = self._drop_unknown_fields(request, route, patched, strict_error, before=original)
        patched = self._incoming(route, patched)
        patched["metadata"]["name"] = name
        subresource = route.subresource if route.subresource == "status" else None
        updated = self.store.update(route.resource, patched, subresource=subresource, dry_run=_dry_run(request))
        return _warned(self._respond(request, route, updated), warnings)

    def _drop_unknown_fields(
        self,
        request: web.Request,
        route: Route,
        obj: dict[str, Any],
        strict_error: Callable[[dict[str, Any], list[FieldPath]], errors.ApiError],
        before: dict[str, Any] | None = None,
    ) -> list[str]:
        """Drop the fields `obj`'s schema does not declare, as `fieldValidation` says; the warnings to send.

        With `before` (a patch's target), only fields the patch added count: a field the twin itself
        stored is not the client's mistake.
        """
        directive = request.query.get("fieldValidation") or "Warn"
        if directive not in FIELD_VALIDATION:
            raise errors.bad_request(
                f'fieldValidation: Unsupported value: "{directive}": supported values: '
                + ", ".join(f'"{d}"' for d in FIELD_VALIDATION)
            )
        unknown = self.openapi.unknown_fields(route.resource, route.version, obj)
        if unknown and before is not None:
            already = set(self.openapi.unknown_fields(route.resource, route.version, before))
            unknown = [path for path in unknown if path not in already]
        if not unknown:
            return []
        if directive == "Strict":
            raise strict_error(obj, unknown)
        prune(obj, unknown)
        return [] if directive == "Ignore" else [f'unknown field "{format_path(path)}"' for path in unknown]

    async def _delete(self, request: web.Request, route: Route) -> web.Response:
        options = await _delete_options(request)
        namespace, name = route.namespace or "", route.name or ""
        if options.get("propagationPolicy") == "Orphan":
            self._orphan_dependents(route.resource, namespace, name)
        preconditions = options.get("preconditions") or {}
        deleted = self.store.delete(
            route.resource,
            namespace,
            name,
            grace_seconds=_grace(request, options),
            precondition_uid=preconditions.get("uid"),
            precondition_version=preconditions.get("resourceVersion"),
            dry_run=_dry_run(request, options),
        )
        return self._respond(request, route, deleted)

    async def _delete_collection(self, request: web.Request, route: Route) -> web.Response:
        options = await _delete_options(request)
        items, revision = self.store.list(route.resource, route.namespace, _matcher(request))
        for obj in items:
            self.store.delete(
                route.resource,
                obj["metadata"].get("namespace", ""),
                obj["metadata"]["name"],
                grace_seconds=_grace(request, options),
                dry_run=_dry_run(request, options),
            )
        return web.json_response(
            {
                "kind": route.resource.list_kind,
                "apiVersion": route.resource.api_version,
                "metadata": {"resourceVersion": str(revision)},
                "items": [self._out(route, obj) for obj in items],
            }
        )

    def _orphan_dependents(self, resource: ResourceType, namespace: str, name: str) -> None:
        owner_uid = self.store.get(resource, namespace, name)["metadata"]["uid"]
        for kind in RESOURCES:
            if kind.group == METRICS_GROUP:
                continue
            for dependent in list(self.store.iter(kind, namespace or None)):
                refs = dependent["metadata"].get("ownerReferences") or []
                if any(ref.get("uid") == owner_uid for ref in refs):

                    def drop(obj: dict[str, Any]) -> None:
                        kept = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != owner_uid]
                        obj["metadata"]["ownerReferences"] = kept

                    self.store.mutate(
                        kind, dependent["metadata"].get("namespace", ""), dependent["metadata"]["name"], drop
                    )

    # --- subresources --------------------------------------------------------------------------

    async def _scale(self, request: web.Request, route: Route) -> web.Response:
        namespace, name = route.namespace or "", route.name or ""
        current = self.store.get(route.resource, namespace, name)
        scale = _scale_of(current)
        if request.method == "GET":
            return web.json_response(scale)
        if request.method == "PUT":
            wanted = _require_object(await read_body(request))
        elif request.method == "PATCH":
            content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
            patch_type = PATCH_TYPES.get(content_type)
            if patch_type is None:
                raise errors.unsupported_media_type(content_type)
            wanted = _apply(patch_type, scale, await read_body(request, yaml_allowed=patch_type == "apply"), None)
        else:
            raise errors.method_not_allowed(f"{request.method} is not allowed on scale")
        replicas = (wanted.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise errors.invalid(
                "Scale",
                name,
                [
                    {
                        "reason": "FieldValueInvalid",
                        "message": f"Invalid value: {replicas!r}: must be a non-negative integer",
                        "field": "spec.replicas",
                    }
                ],
                "autoscaling",
            )
        sent_version = (wanted.get("metadata") or {}).get("resourceVersion")
        if sent_version and sent_version != current["metadata"]["resourceVersion"]:
            raise errors.conflict(route.resource.plural, name, route.resource.group)
        current["spec"]["replicas"] = replicas
        updated = self.store.update(route.resource, current, dry_run=_dry_run(request))
        return web.json_response(_scale_of(updated))

    def _log(self, request: web.Request, route: Route) -> web.Response:
        pod = self.store.get(route.resource, route.namespace or "", route.name or "")
        containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
        container = request.query.get("container")
        if not container:
            if len(containers) != 1:
                raise errors.bad_request(
                    f"a container name must be specified for pod {route.name}, choose one of: [{' '.join(containers)}]"
                )
            container = containers[0]
        if container not in containers:
            raise errors.bad_request(f"container {container} is not valid for pod {route.name}")

        def number(key: str) -> int | None:
            text = request.query.get(key)
            return int(text) if text and text.lstrip("-").isdigit() else None

        try:
            text = self.logs.render(
                pod,
                container,
                self._now(),
                tail_lines=number("tailLines"),
                since_seconds=number("sinceSeconds"),
                timestamps=_flag(request, "timestamps"),
                previous=_flag(request, "previous"),
                limit_bytes=number("limitBytes"),
            )
        except LogError as err:
            raise errors.bad_request(str(err)) from err
        return web.Response(text=text, content_type="text/plain")

    def _metrics(self, request: web.Request, route: Route) -> web.Response:
        if request.method != "GET" or _flag(request, "watch"):
            raise errors.method_not_allowed("metrics are read-only: get and list only")
        now = self._now()
        if route.resource.kind == "PodMetrics":
            pods_resource = lookup("", "v1", "pods")
            assert pods_resource is not None
            pods = self.store.list(pods_resource, route.namespace, _matcher(request))[0]
            items = [m for pod in pods if (m := pod_metrics(pod, self.usage, now)) is not None]
        else:
            nodes_resource = lookup("", "v1", "nodes")
            pods_resource = lookup("", "v1", "pods")
            assert nodes_resource is not None and pods_resource is not None
            nodes = self.store.list(nodes_resource, None, _matcher(request))[0]
            pods = self.store.list(pods_resource)[0]
            items = [node_metrics(node, pods, self.usage, now) for node in nodes]
        if route.name is not None:
            for item in items:
                if item["metadata"]["name"] == route.name:
                    return web.json_response(item)
            raise errors.not_found(route.resource.plural, route.name, METRICS_GROUP)
        return web.json_response(
            {
                "kind": route.resource.list_kind,
                "apiVersion": f"{METRICS_GROUP}/v1beta1",
                "metadata": {},
                "items": items,
            }
        )


def _apply(patch_type: str, original: dict[str, Any], body: Any, resource: ResourceType | None) -> dict[str, Any]:
    kind = resource.kind if resource else "Scale"
    try:
        if patch_type == "json":
            if not isinstance(body, list):
                raise PatchError("a JSON patch must be a list of operations")
            return json_patch(original, body)
        if not isinstance(body, dict):
            raise PatchError("a merge patch must be a JSON object")
        if patch_type == "merge":
            return merge_patch(original, body)
        if patch_type == "strategic":
            return (
                strategic_merge_patch(original, body, kind) if supports_strategic(kind) else merge_patch(original, body)
            )
        return apply_patch(original, body, kind)
    except PatchError as err:
        raise errors.ApiError(
            422 if patch_type == "json" else 400, "Invalid" if patch_type == "json" else "BadRequest", str(err)
        ) from err


def _unknown_list(paths: list[FieldPath]) -> str:
    return ", ".join(f'unknown field "{format_path(path)}"' for path in paths)


def _decoding_error(route: Route) -> Callable[[dict[str, Any], list[FieldPath]], errors.ApiError]:
    """The apiserver's answer to a create or update body with unknown fields under `fieldValidation=Strict`."""
    kind = route.resource.kind

    def error(obj: dict[str, Any], paths: list[FieldPath]) -> errors.ApiError:
        return errors.bad_request(
            f'{kind} in version "{route.version}" cannot be handled as a {kind}: '
            f"strict decoding error: {_unknown_list(paths)}"
        )

    return error


def _patch_error(obj: dict[str, Any], paths: list[FieldPath]) -> errors.ApiError:
    """The answer to a JSON, merge or strategic merge patch that adds unknown fields, under Strict."""
    return errors.bad_request(f"strict decoding error: {_unknown_list(paths)}")


def _apply_error(route: Route) -> Callable[[dict[str, Any], list[FieldPath]], errors.ApiError]:
    """The answer to a server-side apply with unknown fields under Strict (structured-merge-diff's wording)."""
    resource = route.resource

    def error(obj: dict[str, Any], paths: list[FieldPath]) -> errors.ApiError:
        meta = obj.get("metadata") or {}
        problems = [f".{format_path(path)}: field not declared in schema" for path in paths]
        text = problems[0] if len(problems) == 1 else "errors:\n  " + "\n  ".join(problems)
        return errors.bad_request(
            f"failed to create typed patch object ({meta.get('namespace', '')}/{meta.get('name', '')}; "
            f"{resource.group}/{route.version}, Kind={resource.kind}): {text}"
        )

    return error


def _warned(response: web.Response, warnings: list[str]) -> web.Response:
    """Add one `Warning: 299 - "..."` header per warning, which kubectl prints as `Warning: ...`."""
    for text in warnings:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        response.headers.add("Warning", f'299 - "{escaped}"')
    return response


async def _delete_options(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    options: dict[str, Any] = {}
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError as err:
            raise errors.bad_request(f"the DeleteOptions body was malformed: {err}") from err
        if isinstance(parsed, dict):
            options = parsed
    if "propagationPolicy" in request.query:
        options["propagationPolicy"] = request.query["propagationPolicy"]
    return options


def _grace(request: web.Request, options: dict[str, Any]) -> float | None:
    text = request.query.get("gracePeriodSeconds")
    if text is not None and text.lstrip("-").isdigit():
        return float(text)
    value = options.get("gracePeriodSeconds")
    return float(value) if isinstance(value, int | float) else None


def _scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    selector = LabelSelector.from_spec(obj.get("spec", {}).get("selector") or {})
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": obj["metadata"]["name"],
            "namespace": obj["metadata"].get("namespace", ""),
            "uid": obj["metadata"]["uid"],
            "resourceVersion": obj["metadata"]["resourceVersion"],
            "creationTimestamp": obj["metadata"]["creationTimestamp"],
        },
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
        "status": {"replicas": obj.get("status", {}).get("replicas", 0), "selector": str(selector)},
    }


def _partial(obj: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


async def _write_event(response: web.StreamResponse, event: dict[str, Any]) -> None:
    await response.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
