"""Bad requests get the apiserver's answers (400/404/409/415/422 Status bodies), and never wedge the twin."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.conftest import Cluster

pytestmark = pytest.mark.integration

DEPLOYMENTS = "/apis/apps/v1/namespaces/sock-shop/deployments"


def _call(
    cluster: Cluster, method: str, path: str, body: bytes | None = None, content_type: str = "application/json"
) -> tuple[int, dict]:
    request = urllib.request.Request(
        cluster.url + path, data=body, method=method, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _deployment(name: str, **spec_changes) -> bytes:
    spec = {
        "replicas": 1,
        "selector": {"matchLabels": {"name": name}},
        "template": {
            "metadata": {"labels": {"name": name}},
            "spec": {"containers": [{"name": name, "image": "nginx:latest"}]},
        },
        **spec_changes,
    }
    return json.dumps(
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}
    ).encode()


def test_malformed_json_is_a_400_and_the_server_keeps_serving(shared_shop: Cluster) -> None:
    code, status = _call(shared_shop, "POST", DEPLOYMENTS, b"{not json")
    assert code == 400 and status["kind"] == "Status" and status["reason"] == "BadRequest"
    for garbage in (b"[]", b"42", b'{"metadata": []}', b'{"metadata": {"name": "x"}, "spec": []}'):
        code, _ = _call(shared_shop, "POST", DEPLOYMENTS, garbage)
        assert 400 <= code < 500
    assert _call(shared_shop, "GET", DEPLOYMENTS)[0] == 200


def test_invalid_object_is_a_422_naming_the_field(shared_shop: Cluster) -> None:
    body = json.loads(_deployment("broken"))
    del body["spec"]["template"]["spec"]["containers"][0]["image"]
    code, status = _call(shared_shop, "POST", DEPLOYMENTS, json.dumps(body).encode())
    assert code == 422 and status["reason"] == "Invalid"
    fields = [cause["field"] for cause in status["details"]["causes"]]
    assert "spec.template.spec.containers[0].image" in fields


def test_unknown_kind_is_a_404(shared_shop: Cluster) -> None:
    assert _call(shared_shop, "GET", "/apis/apps/v1/namespaces/sock-shop/widgets")[0] == 404
    assert _call(shared_shop, "GET", "/apis/nonexistent.io/v1")[0] == 404


def test_duplicate_create_and_stale_update_are_409(shared_shop: Cluster) -> None:
    assert _call(shared_shop, "POST", DEPLOYMENTS, _deployment("dupe"))[0] == 201
    code, status = _call(shared_shop, "POST", DEPLOYMENTS, _deployment("dupe"))
    assert code == 409 and status["reason"] == "AlreadyExists"
    _, current = _call(shared_shop, "GET", f"{DEPLOYMENTS}/dupe")
    current["metadata"]["resourceVersion"] = "1"
    code, status = _call(shared_shop, "PUT", f"{DEPLOYMENTS}/dupe", json.dumps(current).encode())
    assert code == 409 and status["reason"] == "Conflict"


def test_strategic_patch_on_a_custom_resource_is_415(shared_shop: Cluster) -> None:
    code, _ = _call(
        shared_shop,
        "PATCH",
        "/apis/chaos-mesh.org/v1alpha1/namespaces/sock-shop/podchaos/none",
        b"{}",
        "application/strategic-merge-patch+json",
    )
    assert code == 415


def test_dry_run_create_stores_nothing(shared_shop: Cluster) -> None:
    code, _ = _call(shared_shop, "POST", f"{DEPLOYMENTS}?dryRun=All", _deployment("ghost"))
    assert code == 201
    assert _call(shared_shop, "GET", f"{DEPLOYMENTS}/ghost")[0] == 404
