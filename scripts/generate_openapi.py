"""Generate the twin's OpenAPI v3 component schemas: `data/twin/openapi/schemas.json.gz`.

    python3 scripts/generate_openapi.py            # rewrite the data file
    python3 scripts/generate_openapi.py --check    # exit 1 when the committed file is stale

The built-in kinds come from the official `kubernetes` Python client: each model class carries its
fields (`openapi_types`, `attribute_map`), which are required (pydantic `is_required()`), the field
descriptions and, in the class docstring, the type's description. Schemas are named as the real
apiserver names them (`io.k8s.api.apps.v1.Deployment`) and refer to each other with
`allOf: [{$ref: #/components/schemas/...}]`, also as it does. The client drops three facts the
apiserver's document has, so they are restored here: which package a type lives in (`PACKAGES`),
which strings and maps are resource quantities (`QUANTITIES`), and that int-or-string fields are
`IntOrString`. It also has no description for fields whose type is another model; those fields
carry their type's description instead.

Kinds that the client does not know, Chaos Mesh's and metrics.k8s.io's, are written by hand in
`data/twin/openapi/*.yaml` and merged in. Which kinds to generate comes from the twin's own
`RESOURCES`, so a kind added there without a schema fails here. The twin reads only the output
file, so it never imports the kubernetes client; it assembles one document per group/version
from these schemas at run time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from src.twin.store import METRICS_GROUP, RESOURCES

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "twin" / "openapi"
OUTPUT = DATA_DIR / "schemas.json.gz"
HANDWRITTEN = ("chaos-mesh.yaml", "metrics.yaml")

REF_PREFIX = "#/components/schemas/"
META = "io.k8s.apimachinery.pkg.apis.meta.v1"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
FIELDS_V1 = f"{META}.FieldsV1"

EXTRA_ROOTS = {("autoscaling", "v1", "Scale"), ("authentication.k8s.io", "v1", "TokenRequest")}
"""Kinds served only as a subresource's body, which the real autoscaling/v1 and authentication.k8s.io/v1
documents also list."""

PACKAGES: dict[str, str] = {
    "io.k8s.api.apps.v1": r"V1(Deployment|ReplicaSet|RollingUpdateDeployment)\w*",
    "io.k8s.api.autoscaling.v1": r"V1(HorizontalPodAutoscaler\w*|CrossVersionObjectReference|Scale(Spec|Status)?)",
    "io.k8s.api.autoscaling.v2": r"V2\w+",
    META: r"V1(ObjectMeta|ListMeta|LabelSelector(Requirement)?|ManagedFieldsEntry|OwnerReference|Condition|ShardInfo)",
    "io.k8s.api.rbac.v1": r"V1((Cluster)?Role(Binding)?(List)?|PolicyRule|RoleRef|AggregationRule)|RbacV1Subject",
    "io.k8s.api.authorization.v1": r"V1(SelfSubject(Access|Rules)Review\w*|Subject(Access|Rules)ReviewStatus|"
    r"(Non)?Resource(Attributes|Rule)|(Field|Label)Selector(Attributes|Requirement))",
    "io.k8s.api.authentication.v1": r"V1(SelfSubjectReview\w*|UserInfo|TokenRequest\w*|BoundObjectReference)|"
    r"AuthenticationV1TokenRequest",
}
"""The Go package of each client model reached from a served kind, by class name; the rest are core/v1."""

QUANTITIES: set[tuple[str, str]] = {
    ("ResourceRequirements", "limits"),
    ("ResourceRequirements", "requests"),
    ("VolumeResourceRequirements", "limits"),
    ("VolumeResourceRequirements", "requests"),
    ("PodSpec", "overhead"),
    ("PodStatus", "allocatedResources"),
    ("ContainerStatus", "allocatedResources"),
    ("NodeStatus", "allocatable"),
    ("NodeStatus", "capacity"),
    ("EmptyDirVolumeSource", "sizeLimit"),
    ("ResourceFieldSelector", "divisor"),
    ("MetricTarget", "value"),
    ("MetricTarget", "averageValue"),
    ("MetricValueStatus", "value"),
    ("MetricValueStatus", "averageValue"),
    ("NodeAllocatableOverheadResources", "perContainer"),
    ("NodeAllocatableOverheadResources", "perPod"),
    ("NodeAllocatableMappedResources", "quantity"),
}
"""(type, field) pairs the apiserver types as `Quantity` (or a map of them); the client says `str`."""

SHARED: dict[str, dict[str, Any]] = {
    INT_OR_STRING: {
        "description": "IntOrString holds either an integer or a string, such as a port number or a port "
        "name, or an absolute number or a percentage.",
        "format": "int-or-string",
        "oneOf": [{"type": "integer"}, {"type": "string"}],
    },
    QUANTITY: {
        "description": "Quantity is a fixed-point number with an optional suffix: a decimal SI suffix "
        '(m, k, M, G, ...), a binary one (Ki, Mi, Gi, ...) or an exponent, e.g. "500m", "128Mi", "1e3".',
        "oneOf": [{"type": "string"}, {"type": "number"}],
    },
    FIELDS_V1: {
        "description": "FieldsV1 stores a set of fields in a trie-like JSON format; the apiserver's "
        "server-side apply writes it, clients do not.",
        "type": "object",
    },
}

_SCALARS = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number", "format": "double"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "bytes": {"type": "string", "format": "byte"},
    "bytearray": {"type": "string", "format": "byte"},
}


_VERSION_PREFIX = re.compile(r"^(Rbac|Authentication)?V\d+")


def _models() -> Any:
    import kubernetes.client.models as models

    return models


def schema_name(class_name: str) -> str:
    """`V1DeploymentSpec` -> `io.k8s.api.apps.v1.DeploymentSpec`; `CoreV1Event` -> `io.k8s.api.core.v1.Event`."""
    for package, pattern in PACKAGES.items():
        if re.fullmatch(pattern, class_name):
            return f"{package}.{_VERSION_PREFIX.sub('', class_name)}"
    match = re.fullmatch(r"(?:Core)?V1(\w+)", class_name)
    if match is None:
        raise ValueError(f"no package is known for the client model {class_name}")
    return f"io.k8s.api.core.v1.{match.group(1)}"


def _description(model: type) -> str:
    text = (model.__doc__ or "").split("Attributes:")[0]
    return " ".join(text.split())


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": REF_PREFIX + name}


def _type_schema(spec: str, quantity: bool, refs: list[str]) -> dict[str, Any]:
    """The schema of one `openapi_types` entry (`List[V1Container]`, `Dict[str, str]`, `object` ...)."""
    if spec.startswith("List[") and spec.endswith("]"):
        return {"type": "array", "items": _type_schema(spec[5:-1], quantity, refs)}
    if spec.startswith("Dict[str, ") and spec.endswith("]"):
        return {"type": "object", "additionalProperties": _type_schema(spec[10:-1], quantity, refs)}
    if quantity and spec == "str":
        return _ref(QUANTITY)
    if spec in _SCALARS:
        return dict(_SCALARS[spec])
    if spec == "object":
        return {"type": "object"}
    refs.append(spec)
    return _ref(schema_name(spec))


def _plain_types(annotation: Any) -> set[Any]:
    """Python types inside an annotation, with `Optional`, `Annotated` and `Union` unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plain_types(typing.get_args(annotation)[0])
    if origin is typing.Union:
        return {t for a in typing.get_args(annotation) for t in _plain_types(a)}
    return {origin or annotation}


def model_schema(model: type, refs: list[str]) -> dict[str, Any]:
    """The component schema of one client model; names of the models it refers to go into `refs`."""
    short = schema_name(model.__name__).rsplit(".", 1)[1]
    properties: dict[str, Any] = {}
    required: list[str] = []
    fields = {f.serialization_alias or f.alias or n: f for n, f in model.model_fields.items()}  # type: ignore[attr-defined]
    for python_name, spec in model.openapi_types.items():  # type: ignore[attr-defined]
        json_name = model.attribute_map[python_name]  # type: ignore[attr-defined]
        field = fields[json_name]
        if spec == "object" and {int, str} <= _plain_types(field.annotation):
            schema = _ref(INT_OR_STRING)
        elif spec == "object" and json_name == "fieldsV1":
            schema = _ref(FIELDS_V1)
        else:
            schema = _type_schema(spec, (short, json_name) in QUANTITIES, refs)
        description = field.description
        if description:
            schema = (
                {"allOf": [schema], "description": description}
                if "$ref" in schema
                else {**schema, "description": description}
            )
        properties[json_name] = schema
        if field.is_required():
            required.append(json_name)
    result: dict[str, Any] = {"description": _description(model), "type": "object", "properties": properties}
    if required:
        result["required"] = required
    return result


def _fill_ref_descriptions(schemas: dict[str, dict[str, Any]]) -> None:
    """Describe a field that is just a `$ref` (the client has no description for it) by the type it names.

    The description sits beside the `$ref`, not in an `allOf` wrapper: `kubectl explain` then shows
    it in field lists and, for the field itself, prints the type's description once, not twice.
    """
    for schema in schemas.values():
        for field in (schema.get("properties") or {}).values():
            target = field.get("$ref")
            if target and "description" not in field:
                described = schemas.get(target.removeprefix(REF_PREFIX), {}).get("description")
                if described:
                    field["description"] = described


def _client_class(group: str, version: str, kind: str) -> str:
    models = _models()
    prefix = version[:1].upper() + version[1:]
    grouped = f"{group.split('.')[0].capitalize()}{prefix}{kind}" if group else f"Core{prefix}{kind}"
    for name in (f"{prefix}{kind}", grouped):
        if name and hasattr(models, name):
            return name
    raise ValueError(f"the kubernetes client has no model for {group or 'core'}/{version} {kind}")


def builtin_roots() -> dict[str, tuple[str, str, str]]:
    """Client class name -> GVK for every built-in kind the twin serves, its list kind, and `EXTRA_ROOTS`."""
    roots: dict[str, tuple[str, str, str]] = {}
    wanted = {
        (r.group, v, r.kind)
        for r in RESOURCES
        if r.builtin and r.group != METRICS_GROUP
        for v in (r.version, *r.other_versions)
    }
    for group, version, kind in sorted(wanted | EXTRA_ROOTS):
        name = _client_class(group, version, kind)
        roots[name] = (group, version, kind)
        if (group, version, kind) not in EXTRA_ROOTS and hasattr(_models(), f"{name}List"):
            roots[f"{name}List"] = (group, version, f"{kind}List")
    return roots


def builtin_schemas() -> dict[str, dict[str, Any]]:
    """Component schemas for the built-in kinds and everything they refer to, from the client's models."""
    models = _models()
    roots = builtin_roots()
    schemas: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    pending = list(roots)
    while pending:
        class_name = pending.pop()
        name = schema_name(class_name)
        if name in schemas:
            if origin[name] != class_name:
                raise ValueError(f"{class_name} and {origin[name]} would both be {name}")
            continue
        refs: list[str] = []
        schemas[name] = model_schema(getattr(models, class_name), refs)
        origin[name] = class_name
        if class_name in roots:
            group, version, kind = roots[class_name]
            schemas[name]["x-kubernetes-group-version-kind"] = [{"group": group, "kind": kind, "version": version}]
        pending.extend(refs)
    schemas.update(SHARED)
    _fill_ref_descriptions(schemas)
    return schemas


def handwritten_schemas() -> dict[str, dict[str, Any]]:
    """The schemas in `data/twin/openapi/*.yaml` (Chaos Mesh, metrics.k8s.io)."""
    schemas: dict[str, dict[str, Any]] = {}
    for file_name in HANDWRITTEN:
        schemas.update(yaml.safe_load((DATA_DIR / file_name).read_text()))
    return schemas


def _refs_in(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].removeprefix(REF_PREFIX)} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs_in(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs_in(v) for v in node))
    return set()


def check(schemas: dict[str, dict[str, Any]]) -> None:
    """Every `$ref` resolves and every kind the twin serves has a schema carrying its GVK."""
    dangling = sorted(_refs_in(schemas) - set(schemas))
    if dangling:
        raise ValueError(f"references to missing schemas: {', '.join(dangling)}")
    served = {
        (g["group"], g["version"], g["kind"])
        for s in schemas.values()
        for g in s.get("x-kubernetes-group-version-kind", [])
    }
    missing = [
        f"{r.group or 'core'}/{v} {r.kind}"
        for r in RESOURCES
        for v in (r.version, *r.other_versions)
        if (r.group, v, r.kind) not in served
    ]
    if missing:
        raise ValueError(f"no schema for {', '.join(missing)}")


def generate() -> dict[str, dict[str, Any]]:
    """All component schemas, checked, with sorted keys."""
    schemas = {**builtin_schemas(), **handwritten_schemas()}
    check(schemas)
    return dict(sorted(schemas.items()))


def encode(schemas: dict[str, dict[str, Any]]) -> bytes:
    """The data file's bytes: compact JSON, gzip with no timestamp, so the output is reproducible."""
    text = json.dumps({"schemas": schemas}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the committed file is up to date")
    args = parser.parse_args()
    data = encode(generate())
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_bytes() != data:
            sys.stderr.write(f"{OUTPUT} is stale: run python3 scripts/generate_openapi.py\n")
            return 1
        return 0
    OUTPUT.write_bytes(data)
    sys.stderr.write(f"wrote {OUTPUT} ({len(data)} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
