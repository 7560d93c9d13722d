"""`kubectl explain` and `kubectl apply --validate=strict` against the twin's OpenAPI v3 documents.

Agents write manifests with the help of `kubectl explain`; kubectl reads the field lists, types,
required marks and descriptions from `/openapi/v3/<group-version>`. Under `--validate=strict` (the
default) kubectl sends `fieldValidation=Strict` and the server refuses unknown fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from src.config import load_settings
from tests.conftest import Cluster

pytestmark = pytest.mark.integration

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: default}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: app
        image: weaveworksdemos/catalogue:0.3.5
        resources: {{limits: {{cpu: 100m, memory: 64Mi}}}}
{extra}"""


def _manifest(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return str(path)


def test_explain_a_field_shows_its_type_and_description(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("explain", "deployment.spec.replicas")
    assert "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1" in output
    assert "FIELD: replicas <integer>" in output
    assert "Number of desired pods." in output


def test_explain_a_kind_lists_its_fields_with_required_marks(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("explain", "deployment.spec")
    assert "FIELD: spec <DeploymentSpec>" in output
    assert "  selector\t<LabelSelector> -required-" in output
    assert "  template\t<PodTemplateSpec> -required-" in output
    assert "  replicas\t<integer>\n" in output


def test_explain_recursive_lists_nested_fields(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("explain", "pods", "--recursive")
    assert "KIND:       Pod" in output
    assert "\n  spec\t<PodSpec>\n" in output
    assert "\n    containers\t<[]Container> -required-\n" in output
    assert "\n      resources\t<ResourceRequirements>\n" in output
    assert "\n        limits\t<map[string]Quantity>\n" in output


def test_explain_resource_limits_is_a_map_of_quantities(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("explain", "deployment.spec.template.spec.containers.resources.limits")
    assert "FIELD: limits <map[string]Quantity>" in output
    assert "Limits describes the maximum amount of compute resources allowed." in output


def test_explain_chaos_mesh_kinds(shared_shop: Cluster) -> None:
    output = shared_shop.kubectl("explain", "stresschaos.spec.stressors.cpu")
    assert "GROUP:      chaos-mesh.org\nKIND:       StressChaos\nVERSION:    v1alpha1" in output
    assert "  workers\t<integer> -required-" in output
    assert "  load\t<integer>" in output
    mode = shared_shop.kubectl("explain", "podchaos.spec.mode")
    assert "ENUM:\n    one\n    all\n    fixed\n    fixed-percent\n    random-max-percent" in mode
    assert "latency\t<string>" in shared_shop.kubectl("explain", "networkchaos.spec.delay")


def test_explain_an_unknown_field_says_it_does_not_exist(shared_shop: Cluster) -> None:
    result = shared_shop.kubectl_result("explain", "deployment.spec.replicaz")
    assert result.returncode != 0
    assert 'field "replicaz" does not exist' in result.stderr


def test_strict_apply_refuses_an_unknown_field_and_accepts_a_valid_manifest(
    shared_shop: Cluster, tmp_path: Path
) -> None:
    bad = _manifest(tmp_path, "bad", DEPLOYMENT.format(name="strict-demo", extra="  replica: 2\n"))
    refused = shared_shop.kubectl_result("apply", "--validate=strict", "-f", bad)
    assert refused.returncode != 0
    assert 'strict decoding error: unknown field "spec.replica"' in refused.stderr
    assert shared_shop.kubectl_result("get", "deployment", "strict-demo", "-n", "default").returncode != 0

    good = _manifest(tmp_path, "good", DEPLOYMENT.format(name="strict-demo", extra=""))
    assert "deployment.apps/strict-demo created" in shared_shop.kubectl("apply", "--validate=strict", "-f", good)
    try:
        again = shared_shop.kubectl_result("apply", "--validate=strict", "-f", bad)
        assert again.returncode != 0
        assert 'unknown field "spec.replica"' in again.stderr
        warned = shared_shop.kubectl_result("apply", "--validate=warn", "-f", bad)
        assert warned.returncode == 0, warned.stderr
        assert 'Warning: unknown field "spec.replica"' in warned.stderr
    finally:
        shared_shop.kubectl("delete", "deployment", "strict-demo", "-n", "default", "--wait=false")


def test_strict_apply_refuses_an_unknown_chaos_field(shared_shop: Cluster, tmp_path: Path) -> None:
    chaos = _manifest(
        tmp_path,
        "stress",
        "apiVersion: chaos-mesh.org/v1alpha1\nkind: StressChaos\nmetadata: {name: typo, namespace: default}\n"
        "spec: {mode: one, selector: {labelSelectors: {app: x}}, stressors: {cpu: {workers: 1, laod: 50}}}\n",
    )
    refused = shared_shop.kubectl_result("apply", "-f", chaos)
    assert refused.returncode != 0
    assert 'unknown field "spec.stressors.cpu.laod"' in refused.stderr


def test_plain_apply_of_the_sock_shop_manifests_still_works(shared_shop: Cluster) -> None:
    manifests = str(load_settings().manifests)
    output = shared_shop.kubectl("apply", "-f", manifests)
    assert "deployment.apps/catalogue unchanged" in output
    warned = shared_shop.kubectl_result("apply", "--validate=warn", "-f", manifests)
    assert warned.returncode == 0 and "unknown field" not in warned.stderr
