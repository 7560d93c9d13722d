"""Unknown fields: which fields of an object its kind's OpenAPI schema does not declare.

The apiserver decodes a request body into its Go type (or prunes a custom resource by its CRD
schema), so a field the type does not have is never stored. The `fieldValidation` query parameter
says what the client hears about it: `Strict` fails the request ("strict decoding error: unknown
field ..."), `Warn`, the default, drops the field and answers with a `Warning` header for each,
`Ignore` drops it silently. kubectl sends `Strict` for `apply`/`create`/`replace` under its default
`--validate=strict`.

The twin has no Go types; the same component schemas it serves at `/openapi/v3` stand in for them.
A schema with `properties` declares its fields; one with only `additionalProperties` is a map whose
keys are free; one with neither (or with `x-kubernetes-preserve-unknown-fields`) takes anything.
Paths are written the way the apiserver writes them: `spec.template.spec.containers[0].foo`.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

REF_PREFIX = "#/components/schemas/"

FieldPath = tuple[str | int, ...]
"""Keys and list indices from the object's root to one field."""


def _resolve(schemas: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and a lone `allOf: [{$ref}]` wrapper to the schema they name."""
    for _ in range(16):
        ref = node.get("$ref")
        if isinstance(ref, str):
            node = schemas.get(ref.removeprefix(REF_PREFIX), {})
            continue
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and "properties" not in node:
            node = all_of[0]
            continue
        return node
    return node


def unknown_fields(schemas: dict[str, Any], schema_name: str, obj: Any) -> list[FieldPath]:
    """The paths of every field in `obj` that the schema `schema_name` (and those it refers to) lacks.

    Args:
        schemas: Component schemas by name, as in an OpenAPI v3 document's `components.schemas`.
        schema_name: The schema of the object's kind, e.g. `io.k8s.api.apps.v1.Deployment`.
        obj: The object as decoded JSON.
    """
    found: list[FieldPath] = []
    _walk(schemas, schemas.get(schema_name, {}), obj, (), found)
    return found


def _walk(schemas: dict[str, Any], node: dict[str, Any], value: Any, path: FieldPath, found: list[FieldPath]) -> None:
    node = _resolve(schemas, node)
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict):
        properties = node.get("properties")
        extra = node.get("additionalProperties")
        for key, item in value.items():
            if isinstance(properties, dict) and key in properties:
                _walk(schemas, properties[key], item, (*path, key), found)
            elif isinstance(extra, dict):
                _walk(schemas, extra, item, (*path, key), found)
            elif isinstance(properties, dict) and extra is not True:
                found.append((*path, key))
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            _walk(schemas, node["items"], item, (*path, index), found)


def format_path(path: FieldPath) -> str:
    """`("spec", "containers", 0, "foo")` -> `spec.containers[0].foo`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def prune(obj: Any, paths: list[FieldPath]) -> None:
    """Delete the fields at `paths` from `obj` in place (only map keys are ever deleted)."""
    for path in paths:
        parent = obj
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        if isinstance(parent, dict):
            parent.pop(key, None)
