"""The three patch types and apply, with the exact patches kubectl sends."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from src.twin.apiserver._patch import (
    PatchError,
    apply_patch,
    json_patch,
    merge_patch,
    strategic_merge_patch,
    supports_strategic,
)


def _deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "catalogue", "namespace": "sock-shop", "labels": {"name": "catalogue"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"name": "catalogue"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"name": "catalogue"}},
                "spec": {
                    "containers": [
                        {
                            "name": "catalogue",
                            "image": "weaveworksdemos/catalogue:0.3.5",
                            "args": ["-port=80"],
                            "env": [{"name": "ZIPKIN", "value": "zipkin:9411"}, {"name": "DEBUG", "value": "0"}],
                            "ports": [{"containerPort": 80, "name": "http"}],
                            "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
                        },
                        {"name": "sidecar", "image": "envoy:1.0"},
                    ],
                    "tolerations": [{"key": "a", "operator": "Exists"}],
                },
            },
        },
    }


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def _dollar_keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value if k.startswith("$")] + [d for v in value.values() for d in _dollar_keys(v)]
    if isinstance(value, list):
        return [d for v in value for d in _dollar_keys(v)]
    return []


# --- JSON merge patch (RFC 7386) ----------------------------------------------------------------


def test_merge_patch_merges_maps_and_null_deletes_a_field() -> None:
    result = merge_patch(_deployment(), {"metadata": {"labels": {"tier": "backend", "name": None}}})
    assert result["metadata"]["labels"] == {"tier": "backend"}
    assert result["metadata"]["name"] == "catalogue"


def test_merge_patch_replaces_lists_wholesale() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "catalogue", "image": "x:1"}]}}}}
    assert _pod_spec(merge_patch(_deployment(), patch))["containers"] == [{"name": "catalogue", "image": "x:1"}]


def test_merge_patch_never_mutates_its_inputs() -> None:
    original, patch = _deployment(), {"spec": {"replicas": 3, "strategy": None}}
    before = copy.deepcopy((original, patch))
    merge_patch(original, patch)
    assert (original, patch) == before


def test_merge_patch_rejects_a_patch_that_is_not_an_object() -> None:
    with pytest.raises(PatchError):
        merge_patch(_deployment(), [{"op": "add"}])  # type: ignore[arg-type]


# --- JSON patch (RFC 6902) ----------------------------------------------------------------------


def test_json_patch_applies_every_operation() -> None:
    operations = [
        {"op": "test", "path": "/spec/replicas", "value": 1},
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/metadata/labels/tier", "value": "backend"},
        {"op": "copy", "from": "/metadata/labels/tier", "path": "/metadata/labels/layer"},
        {"op": "move", "from": "/metadata/labels/layer", "path": "/metadata/labels/moved"},
        {"op": "remove", "path": "/spec/template/spec/tolerations"},
        {"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "-v"},
    ]
    result = json_patch(_deployment(), operations)
    assert result["spec"]["replicas"] == 3
    assert result["metadata"]["labels"] == {"name": "catalogue", "tier": "backend", "moved": "backend"}
    assert "tolerations" not in _pod_spec(result)
    assert _pod_spec(result)["containers"][0]["args"] == ["-port=80", "-v"]


def test_json_patch_failed_test_operation_raises_patch_error() -> None:
    with pytest.raises(PatchError, match="test"):
        json_patch(_deployment(), [{"op": "test", "path": "/spec/replicas", "value": 5}])


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "/spec/paused"},
        {"op": "replace", "path": "/spec/missing/field", "value": 1},
        {"op": "add", "path": "spec/replicas", "value": 2},
        {"op": "add", "path": "/spec/template/spec/containers/7", "value": {}},
        {"op": "remove", "path": "/metadata/name/0"},
        {"op": "move", "from": "/spec/nothing", "path": "/spec/else"},
    ],
)
def test_json_patch_with_a_bad_path_raises_patch_error(operation: dict[str, Any]) -> None:
    with pytest.raises(PatchError):
        json_patch(_deployment(), [operation])


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "frobnicate", "path": "/spec"}],
        [{"path": "/spec/replicas", "value": 1}],
        [{"op": "add", "value": 1}],
        [{"op": "add", "path": "/spec/x"}],
        [{"op": "copy", "path": "/spec/x"}],
        ["not an operation"],
        {"op": "add", "path": "/spec/x", "value": 1},
    ],
)
def test_json_patch_with_a_malformed_operation_raises_patch_error(operations: Any) -> None:
    with pytest.raises(PatchError):
        json_patch(_deployment(), operations)


def test_json_patch_that_replaces_the_root_with_a_scalar_raises_patch_error() -> None:
    with pytest.raises(PatchError, match="object"):
        json_patch(_deployment(), [{"op": "replace", "path": "", "value": 3}])


def test_json_patch_never_mutates_the_original() -> None:
    original = _deployment()
    json_patch(original, [{"op": "replace", "path": "/spec/replicas", "value": 9}])
    assert original == _deployment()


# --- strategic merge patch: the kubectl commands ------------------------------------------------


def test_rollout_restart_annotation_patch_keeps_the_pod_template() -> None:
    patch = {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}
        }
    }
    result = strategic_merge_patch(_deployment(), patch, "Deployment")
    template = result["spec"]["template"]
    assert template["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}
    assert template["metadata"]["labels"] == {"name": "catalogue"}
    assert template["spec"] == _pod_spec(_deployment())


def test_set_resources_patch_keeps_container_image() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "catalogue"}],
                    "containers": [{"name": "catalogue", "resources": {"limits": {"cpu": "500m"}}}],
                }
            }
        }
    }
    containers = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))["containers"]
    catalogue = containers[0]
    assert catalogue["image"] == "weaveworksdemos/catalogue:0.3.5"
    assert catalogue["resources"] == {"requests": {"cpu": "100m", "memory": "100Mi"}, "limits": {"cpu": "500m"}}
    assert catalogue["env"] == _pod_spec(_deployment())["containers"][0]["env"]
    assert [c["name"] for c in containers] == ["catalogue", "sidecar"]


def test_set_env_merges_env_by_name_in_set_element_order() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "catalogue"}, {"name": "sidecar"}],
                    "containers": [
                        {
                            "name": "catalogue",
                            "$setElementOrder/env": [{"name": "ZIPKIN"}, {"name": "DEBUG"}, {"name": "LOG_LEVEL"}],
                            "env": [{"name": "DEBUG", "value": "1"}, {"name": "LOG_LEVEL", "value": "info"}],
                        }
                    ],
                }
            }
        }
    }
    result = strategic_merge_patch(_deployment(), patch, "Deployment")
    assert _pod_spec(result)["containers"][0]["env"] == [
        {"name": "ZIPKIN", "value": "zipkin:9411"},
        {"name": "DEBUG", "value": "1"},
        {"name": "LOG_LEVEL", "value": "info"},
    ]
    assert _dollar_keys(result) == []


def test_set_image_patch_changes_only_that_container() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "envoy:2.0"}]}}}}
    containers = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))["containers"]
    assert containers[1] == {"name": "sidecar", "image": "envoy:2.0"}
    assert containers[0] == _pod_spec(_deployment())["containers"][0]


def test_patch_delete_directive_removes_one_container_env_var() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "catalogue", "env": [{"name": "DEBUG", "$patch": "delete"}]}]}
            }
        }
    }
    catalogue = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))["containers"][0]
    assert catalogue["env"] == [{"name": "ZIPKIN", "value": "zipkin:9411"}]
    assert catalogue["image"] == "weaveworksdemos/catalogue:0.3.5"


def test_scale_style_patch_sets_replicas_only() -> None:
    result = strategic_merge_patch(_deployment(), {"spec": {"replicas": 4}}, "Deployment")
    assert result["spec"]["replicas"] == 4
    assert result["spec"]["template"] == _deployment()["spec"]["template"]


# --- strategic merge patch: directives ----------------------------------------------------------


def test_null_deletes_a_map_field() -> None:
    patch = {"metadata": {"labels": {"name": None}}, "spec": {"template": {"spec": {"tolerations": None}}}}
    result = strategic_merge_patch(_deployment(), patch, "Deployment")
    assert result["metadata"]["labels"] == {}
    assert "tolerations" not in _pod_spec(result)


def test_null_for_a_field_that_does_not_exist_leaves_no_trace() -> None:
    result = strategic_merge_patch(
        _deployment(), {"spec": {"paused": None, "extra": {"a": None, "b": 1}}}, "Deployment"
    )
    assert "paused" not in result["spec"]
    assert result["spec"]["extra"] == {"b": 1}


def test_retain_keys_clears_fields_not_listed() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    result = strategic_merge_patch(_deployment(), patch, "Deployment")
    assert result["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_rejects_a_patched_field_outside_the_list() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "RollingUpdate", "rollingUpdate": {}}}}
    with pytest.raises(PatchError, match="retainKeys"):
        strategic_merge_patch(_deployment(), patch, "Deployment")


def test_delete_from_primitive_list_removes_finalizers() -> None:
    pod = {"metadata": {"name": "p", "finalizers": ["a/one", "b/two", "c/three"]}}
    patch = {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b/two", "not/there"]}}
    assert strategic_merge_patch(pod, patch, "Pod")["metadata"]["finalizers"] == ["a/one", "c/three"]


def test_finalizers_merge_as_a_set_with_new_ones_first() -> None:
    pod = {"metadata": {"name": "p", "finalizers": ["a", "b"]}}
    result = strategic_merge_patch(pod, {"metadata": {"finalizers": ["b", "c"]}}, "Pod")
    assert result["metadata"]["finalizers"] == ["a", "b", "c"]
    result = strategic_merge_patch(pod, {"metadata": {"finalizers": ["c"]}}, "Pod")
    assert result["metadata"]["finalizers"] == ["c", "a", "b"]


def test_set_element_order_on_finalizers_keeps_server_only_items_near_their_live_position() -> None:
    pod = {"metadata": {"name": "p", "finalizers": ["b", "e", "a", "c", "d"]}}
    patch = {
        "metadata": {
            "$setElementOrder/finalizers": ["a", "b", "f"],
            "$deleteFromPrimitiveList/finalizers": ["c"],
            "finalizers": ["f"],
        }
    }
    assert strategic_merge_patch(pod, patch, "Pod")["metadata"]["finalizers"] == ["e", "a", "b", "f", "d"]


def test_set_element_order_alone_reorders_containers() -> None:
    patch = {
        "spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "catalogue"}]}}}
    }
    containers = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "catalogue"]
    assert containers[1] == _pod_spec(_deployment())["containers"][0]


def test_set_element_order_rejects_a_patch_list_in_another_order() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "catalogue"}, {"name": "sidecar"}],
                    "containers": [{"name": "sidecar", "image": "x"}, {"name": "catalogue", "image": "y"}],
                }
            }
        }
    }
    with pytest.raises(PatchError, match="setElementOrder"):
        strategic_merge_patch(_deployment(), patch, "Deployment")


def test_new_container_without_an_order_goes_first_like_the_apiserver() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "debug", "image": "busybox"}]}}}}
    containers = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))["containers"]
    assert [c["name"] for c in containers] == ["debug", "catalogue", "sidecar"]


def test_patch_replace_directive_replaces_a_map() -> None:
    patch = {"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}}
    assert strategic_merge_patch(_deployment(), patch, "Deployment")["spec"]["strategy"] == {"type": "Recreate"}


def test_patch_replace_directive_in_a_list_element_replaces_the_list() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "i"}]}}}}
    containers = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))["containers"]
    assert containers == [{"name": "only", "image": "i"}]


def test_patch_delete_directive_in_a_map_empties_it_as_kubernetes_does() -> None:
    patch = {"spec": {"strategy": {"$patch": "delete"}}}
    assert strategic_merge_patch(_deployment(), patch, "Deployment")["spec"]["strategy"] == {}


def test_patch_merge_directive_is_the_default_merge() -> None:
    patch = {"metadata": {"labels": {"$patch": "merge", "tier": "backend"}}}
    labels = strategic_merge_patch(_deployment(), patch, "Deployment")["metadata"]["labels"]
    assert labels == {"name": "catalogue", "tier": "backend"}


def test_unknown_patch_directive_raises_patch_error() -> None:
    with pytest.raises(PatchError, match="directive"):
        strategic_merge_patch(_deployment(), {"spec": {"$patch": "explode"}}, "Deployment")


def test_delete_directive_in_a_list_without_merge_key_raises_patch_error() -> None:
    patch = {"spec": {"template": {"spec": {"tolerations": [{"key": "a", "$patch": "delete"}]}}}}
    with pytest.raises(PatchError, match="merge key"):
        strategic_merge_patch(_deployment(), patch, "Deployment")


def test_list_element_without_its_merge_key_raises_patch_error() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"image": "nameless"}]}}}}
    with pytest.raises(PatchError, match="merge key"):
        strategic_merge_patch(_deployment(), patch, "Deployment")


def test_no_dollar_key_survives_in_fields_the_original_lacks() -> None:
    patch = {
        "metadata": {"$unknownDirective": 1, "annotations": {"$patch": "replace", "a": "b"}},
        "spec": {
            "template": {
                "spec": {
                    "initContainers": [
                        {"name": "init", "env": [{"name": "X", "value": "1"}, {"name": "Y", "$patch": "delete"}]}
                    ],
                    "$setElementOrder/volumes": [{"name": "data"}],
                    "volumes": [{"name": "data", "emptyDir": {"$retainKeys": ["medium"], "medium": "Memory"}}],
                }
            }
        },
    }
    result = strategic_merge_patch(_deployment(), patch, "Deployment")
    assert _dollar_keys(result) == []
    assert _pod_spec(result)["initContainers"] == [{"name": "init", "env": [{"name": "X", "value": "1"}]}]
    assert _pod_spec(result)["volumes"] == [{"name": "data", "emptyDir": {"medium": "Memory"}}]
    assert result["metadata"]["annotations"] == {"a": "b"}


def test_strategic_merge_never_mutates_its_inputs() -> None:
    original = _deployment()
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "catalogue"}],
                    "containers": [{"name": "catalogue", "env": [{"name": "DEBUG", "$patch": "delete"}]}],
                }
            }
        }
    }
    before = copy.deepcopy((original, patch))
    strategic_merge_patch(original, patch, "Deployment")
    assert (original, patch) == before


# --- strategic merge patch: merge keys per kind -------------------------------------------------


def test_service_ports_merge_by_port() -> None:
    service = {
        "metadata": {"name": "front-end"},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 8079, "protocol": "TCP"}]},
    }
    patch = {"spec": {"ports": [{"port": 80, "nodePort": 30001}, {"port": 443, "targetPort": 8443}]}}
    ports = strategic_merge_patch(service, patch, "Service")["spec"]["ports"]
    assert ports == [
        {"name": "http", "port": 80, "targetPort": 8079, "protocol": "TCP", "nodePort": 30001},
        {"port": 443, "targetPort": 8443},
    ]


def test_container_ports_merge_by_container_port() -> None:
    pod = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "http"}]}]}}
    patch = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}
    ports = strategic_merge_patch(pod, patch, "Pod")["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 80, "name": "http", "protocol": "TCP"}]


def test_lists_without_a_merge_key_are_replaced_wholesale() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "tolerations": [{"key": "b", "operator": "Exists"}],
                    "containers": [{"name": "catalogue", "args": ["-port=8080"]}],
                }
            }
        }
    }
    spec = _pod_spec(strategic_merge_patch(_deployment(), patch, "Deployment"))
    assert spec["tolerations"] == [{"key": "b", "operator": "Exists"}]
    assert spec["containers"][0]["args"] == ["-port=8080"]


def test_endpoints_subsets_are_replaced_atomically() -> None:
    endpoints = {"metadata": {"name": "e"}, "subsets": [{"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}]}]}
    patch = {"subsets": [{"addresses": [{"ip": "10.0.0.2"}]}]}
    assert strategic_merge_patch(endpoints, patch, "Endpoints")["subsets"] == [{"addresses": [{"ip": "10.0.0.2"}]}]


def test_owner_references_merge_by_uid() -> None:
    pod = {"metadata": {"ownerReferences": [{"uid": "u1", "kind": "ReplicaSet", "name": "rs"}]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "u1", "controller": True}]}}
    refs = strategic_merge_patch(pod, patch, "Pod")["metadata"]["ownerReferences"]
    assert refs == [{"uid": "u1", "kind": "ReplicaSet", "name": "rs", "controller": True}]


@pytest.mark.parametrize("kind", ["Pod", "Deployment", "ReplicaSet", "Node"])
def test_status_conditions_merge_by_type(kind: str) -> None:
    obj = {"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Other", "status": "False"}]}}
    patch = {"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Crash"}]}}
    conditions = strategic_merge_patch(obj, patch, kind)["status"]["conditions"]
    assert conditions == [{"type": "Ready", "status": "False", "reason": "Crash"}, {"type": "Other", "status": "False"}]


def test_cronjob_containers_merge_by_name_under_the_job_template() -> None:
    cronjob = {
        "spec": {
            "jobTemplate": {
                "spec": {"template": {"spec": {"containers": [{"name": "job", "image": "a", "args": ["x"]}]}}}
            }
        }
    }
    patch = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "b"}]}}}}}}
    result = strategic_merge_patch(cronjob, patch, "CronJob")
    assert result["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] == [
        {"name": "job", "image": "b", "args": ["x"]}
    ]


def test_volume_mounts_merge_by_mount_path() -> None:
    pod = {"spec": {"containers": [{"name": "c", "volumeMounts": [{"mountPath": "/data", "name": "d"}]}]}}
    patch = {"spec": {"containers": [{"name": "c", "volumeMounts": [{"mountPath": "/data", "readOnly": True}]}]}}
    mounts = strategic_merge_patch(pod, patch, "Pod")["spec"]["containers"][0]["volumeMounts"]
    assert mounts == [{"mountPath": "/data", "name": "d", "readOnly": True}]


# --- supports_strategic and apply ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Pod", "Service", "Deployment", "HorizontalPodAutoscaler", "Job", "Ingress"])
def test_supports_strategic_is_true_for_built_in_kinds(kind: str) -> None:
    assert supports_strategic(kind)


@pytest.mark.parametrize("kind", ["PodChaos", "StressChaos", "NetworkChaos", "Widget"])
def test_supports_strategic_is_false_for_custom_resources(kind: str) -> None:
    assert not supports_strategic(kind)


def test_apply_patch_without_an_original_returns_the_applied_config() -> None:
    applied = _deployment()
    result = apply_patch(None, applied, "Deployment")
    assert result == applied
    assert result is not applied


def test_apply_patch_merges_built_in_kinds_strategically() -> None:
    applied = {"spec": {"template": {"spec": {"containers": [{"name": "catalogue", "image": "new:1"}]}}}}
    containers = _pod_spec(apply_patch(_deployment(), applied, "Deployment"))["containers"]
    assert containers[0]["image"] == "new:1"
    assert containers[0]["env"] == _pod_spec(_deployment())["containers"][0]["env"]
    assert [c["name"] for c in containers] == ["catalogue", "sidecar"]


def test_apply_patch_merges_custom_resources_as_json_merge() -> None:
    chaos = {"kind": "PodChaos", "spec": {"action": "pod-kill", "selector": {"namespaces": ["a", "b"]}}}
    applied = {"spec": {"selector": {"namespaces": ["c"]}, "duration": "30s"}}
    result = apply_patch(chaos, applied, "PodChaos")
    assert result["spec"] == {"action": "pod-kill", "selector": {"namespaces": ["c"]}, "duration": "30s"}
