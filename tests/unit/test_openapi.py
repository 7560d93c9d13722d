"""The OpenAPI v3 schemas: their generator, the documents the twin serves, and unknown-field checks.

`scripts/generate_openapi.py` turns the kubernetes client's models into component schemas; the
twin serves them per group/version (`kubectl explain`) and drops or refuses fields they do not
declare (`kubectl apply --validate=strict`). `tests/integration/test_kubectl_explain.py` runs the
real kubectl against them.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from src.twin.apiserver._fields import format_path, prune, unknown_fields
from src.twin.apiserver._openapi import SCHEMAS_FILE, OpenApi, document_path
from src.twin.apiserver._rest import RestApi, Route, _decoding_error, _patch_error, _warned
from src.twin.store import RESOURCES, ApiError, require

GENERATOR = Path(__file__).resolve().parents[2] / "scripts" / "generate_openapi.py"
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_openapi", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_generator()


@pytest.fixture(scope="module")
def openapi() -> OpenApi:
    return OpenApi.load()


def _deployment(**spec_extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"any-key": "x"}, "annotations": {"a/b": "c"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "a", "image": "a:1", "resources": {"limits": {"cpu": "1"}}},
                        {"name": "b", "image": "b:1", "resourcez": {}},
                    ]
                },
            },
            **spec_extra,
        },
    }


# --- the generator --------------------------------------------------------------------------------


def test_the_committed_schemas_file_is_what_the_generator_writes(generator: ModuleType) -> None:
    assert SCHEMAS_FILE.read_bytes() == generator.encode(generator.generate()), (
        "run python3 scripts/generate_openapi.py"
    )


@pytest.mark.parametrize(
    ("class_name", "schema_name"),
    [
        ("V1Deployment", "io.k8s.api.apps.v1.Deployment"),
        ("V1RollingUpdateDeployment", "io.k8s.api.apps.v1.RollingUpdateDeployment"),
        ("V1PodTemplateSpec", "io.k8s.api.core.v1.PodTemplateSpec"),
        ("CoreV1Event", "io.k8s.api.core.v1.Event"),
        ("V1ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        ("V1LabelSelectorRequirement", "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement"),
        ("V2MetricTarget", "io.k8s.api.autoscaling.v2.MetricTarget"),
        ("V1Scale", "io.k8s.api.autoscaling.v1.Scale"),
        ("V1ScaleIOVolumeSource", "io.k8s.api.core.v1.ScaleIOVolumeSource"),
    ],
)
def test_schema_names_follow_the_apiservers_packages(generator: ModuleType, class_name: str, schema_name: str) -> None:
    assert generator.schema_name(class_name) == schema_name


def test_a_model_of_no_known_package_is_an_error(generator: ModuleType) -> None:
    with pytest.raises(ValueError, match="EventsV1Event"):
        generator.schema_name("EventsV1Event")


def test_a_model_schema_has_json_names_types_required_fields_and_descriptions(generator: ModuleType) -> None:
    from kubernetes.client.models import V1DeploymentSpec

    refs: list[str] = []
    schema = generator.model_schema(V1DeploymentSpec, refs)
    assert schema["description"] == "DeploymentSpec is the specification of the desired behavior of the Deployment."
    assert schema["required"] == ["selector", "template"]
    assert schema["properties"]["replicas"]["type"] == "integer"
    assert schema["properties"]["replicas"]["description"].startswith("Number of desired pods.")
    assert "minReadySeconds" in schema["properties"]
    assert schema["properties"]["template"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec"}
    assert set(refs) == {"V1LabelSelector", "V1DeploymentStrategy", "V1PodTemplateSpec"}


def test_quantities_and_int_or_strings_are_typed_as_the_apiserver_types_them(generator: ModuleType) -> None:
    from kubernetes.client.models import V1ContainerPort, V1ResourceRequirements, V1RollingUpdateDeployment

    quantity = {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}
    limits = generator.model_schema(V1ResourceRequirements, [])["properties"]["limits"]
    assert limits["type"] == "object" and limits["additionalProperties"] == quantity
    surge = generator.model_schema(V1RollingUpdateDeployment, [])["properties"]["maxSurge"]
    assert surge["allOf"] == [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]
    port = generator.model_schema(V1ContainerPort, [])
    assert port["properties"]["containerPort"]["type"] == "integer" and port["required"] == ["containerPort"]


def test_the_check_refuses_dangling_references_and_unserved_kinds(generator: ModuleType) -> None:
    schemas = generator.generate()
    dangling = {**schemas, "x.Broken": {"properties": {"a": {"$ref": "#/components/schemas/x.Missing"}}}}
    with pytest.raises(ValueError, match=r"x\.Missing"):
        generator.check(dangling)
    unserved = {k: v for k, v in schemas.items() if k != "org.chaos-mesh.v1alpha1.PodChaos"}
    with pytest.raises(ValueError, match=r"chaos-mesh\.org/v1alpha1 PodChaos"):
        generator.check(unserved)


# --- the served documents -------------------------------------------------------------------------


def test_every_served_kind_has_its_schema_and_a_patch_taking_field_validation(openapi: OpenApi) -> None:
    for resource in RESOURCES:
        for version in (resource.version, *resource.other_versions):
            document = json.loads(openapi.documents[document_path(resource.group, version)])
            gvk = {"group": resource.group, "version": version, "kind": resource.kind}
            name = openapi.schema_name(resource, version)
            assert name is not None, gvk
            assert gvk in document["components"]["schemas"][name]["x-kubernetes-group-version-kind"]
            scope = "/namespaces/{namespace}" if resource.namespaced else ""
            item = f"/{document_path(resource.group, version)}{scope}/{resource.plural}/{{name}}"
            patch = document["paths"][item]["patch"]
            assert patch["x-kubernetes-group-version-kind"] == gvk
            assert {"name": "fieldValidation", "in": "query"}.items() <= patch["parameters"][0].items()


def test_each_document_holds_every_schema_its_schemas_refer_to(openapi: OpenApi) -> None:
    for path, body in openapi.documents.items():
        schemas = json.loads(body)["components"]["schemas"]
        text = json.dumps(schemas)
        referenced = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
        assert referenced <= set(schemas), path
    apps = json.loads(openapi.documents["apis/apps/v1"])["components"]["schemas"]
    assert "io.k8s.api.core.v1.Container" in apps and "io.k8s.api.core.v1.Service" not in apps


def test_the_root_names_each_document_with_a_hash_of_its_content(openapi: OpenApi) -> None:
    urls = {path: entry["serverRelativeURL"] for path, entry in openapi.root["paths"].items()}
    assert set(urls) == set(openapi.documents)
    assert urls["apis/apps/v1"].startswith("/openapi/v3/apis/apps/v1?hash=")
    changed = OpenApi({**openapi.schemas, DEPLOYMENT: {**openapi.schemas[DEPLOYMENT], "description": "other"}})
    assert changed.root["paths"]["apis/apps/v1"] != openapi.root["paths"]["apis/apps/v1"]
    assert changed.root["paths"]["api/v1"] == openapi.root["paths"]["api/v1"]


# --- unknown fields -------------------------------------------------------------------------------


def test_unknown_fields_are_named_by_path_and_map_keys_are_free(openapi: OpenApi) -> None:
    found = unknown_fields(openapi.schemas, DEPLOYMENT, _deployment(replica=3))
    assert [format_path(p) for p in found] == ["spec.template.spec.containers[1].resourcez", "spec.replica"]
    chaos = {"spec": {"mode": "one", "stressors": {"cpu": {"workers": 1, "bogus": 2}}}}
    found = unknown_fields(openapi.schemas, "org.chaos-mesh.v1alpha1.StressChaos", chaos)
    assert found == [("spec", "stressors", "cpu", "bogus")]


def test_objects_without_declared_properties_take_any_field() -> None:
    schemas = {
        "Root": {
            "properties": {
                "free": {"type": "object"},
                "kept": {"type": "object", "properties": {}, "x-kubernetes-preserve-unknown-fields": True},
                "open": {"type": "object", "properties": {}, "additionalProperties": True},
                "closed": {"type": "object", "properties": {}},
            }
        }
    }
    obj = {"free": {"x": 1}, "kept": {"y": 2}, "open": {"z": 3}, "closed": {"w": 4}}
    assert unknown_fields(schemas, "Root", obj) == [("closed", "w")]
    assert unknown_fields(schemas, "NoSuchSchema", obj) == []


def test_prune_deletes_only_the_named_fields() -> None:
    obj = {"spec": {"a": 1, "b": [{"c": 2, "d": 3}]}}
    prune(obj, [("spec", "a"), ("spec", "b", 0, "d")])
    assert obj == {"spec": {"b": [{"c": 2}]}}
    assert format_path(("kind",)) == "kind"


# --- what the REST layer does with them -----------------------------------------------------------

ROUTE = Route(require("apps", "v1", "deployments"), "v1", "default", None, None)


def _check(api: RestApi, directive: str | None, obj: dict[str, Any], before: dict[str, Any] | None = None) -> list[str]:
    query = f"?fieldValidation={directive}" if directive is not None else ""
    request = make_mocked_request("POST", f"/apis/apps/v1/namespaces/default/deployments{query}")
    error = _decoding_error(ROUTE) if before is None else _patch_error
    return api._drop_unknown_fields(request, ROUTE, obj, error, before=before)


@pytest.fixture(scope="module")
def api(openapi: OpenApi) -> RestApi:
    return RestApi(mock.Mock(), mock.Mock(), mock.Mock(), openapi=openapi)


def test_strict_refuses_the_object_naming_every_unknown_field(api: RestApi) -> None:
    with pytest.raises(ApiError) as caught:
        _check(api, "Strict", _deployment(replica=3))
    assert caught.value.code == 400
    assert caught.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.template.spec.containers[1].resourcez", unknown field "spec.replica"'
    )


def test_warn_is_the_default_and_drops_the_fields_with_a_warning_each(api: RestApi) -> None:
    obj = _deployment(replica=3)
    assert _check(api, None, obj) == [
        'unknown field "spec.template.spec.containers[1].resourcez"',
        'unknown field "spec.replica"',
    ]
    assert "replica" not in obj["spec"] and obj["spec"]["replicas"] == 2
    assert "resourcez" not in obj["spec"]["template"]["spec"]["containers"][1]


def test_ignore_drops_the_fields_silently_and_a_valid_object_passes_untouched(api: RestApi) -> None:
    obj = _deployment(replica=3)
    assert _check(api, "Ignore", obj) == []
    assert "replica" not in obj["spec"]
    valid = _deployment()
    del valid["spec"]["template"]["spec"]["containers"][1]["resourcez"]
    untouched = copy.deepcopy(valid)
    assert _check(api, "Strict", valid) == [] and valid == untouched


def test_a_patch_answers_only_for_the_fields_it_adds(api: RestApi) -> None:
    stored = _deployment()
    patched = _deployment(replica=3)
    with pytest.raises(ApiError, match=r'^strict decoding error: unknown field "spec.replica"$'):
        _check(api, "Strict", patched, before=stored)


def test_an_unsupported_directive_is_a_bad_request(api: RestApi) -> None:
    with pytest.raises(ApiError, match='Unsupported value: "strict"'):
        _check(api, "strict", _deployment())


def test_warnings_travel_as_warning_headers() -> None:
    from aiohttp import web

    response = _warned(web.Response(), ['unknown field "spec.a"', "b"])
    assert response.headers.getall("Warning") == ['299 - "unknown field \\"spec.a\\""', '299 - "b"']


def test_the_datasets_chaos_experiments_use_only_declared_fields(openapi: OpenApi) -> None:
    import yaml

    dataset = Path(__file__).resolve().parents[2] / "data" / "dataset"
    experiments = [yaml.safe_load(path.read_text()).get("chaos") for path in sorted(dataset.glob("*.yaml"))]
    experiments = [chaos for chaos in experiments if chaos]
    assert experiments
    for chaos in experiments:
        schema = f"org.chaos-mesh.v1alpha1.{chaos['kind']}"
        assert schema in openapi.schemas
        assert unknown_fields(openapi.schemas, schema, {"spec": chaos["spec"]}) == [], chaos["name"]
