"""The twin's kube-state-metrics text: the names, labels and values kube-state-metrics v2 exports.

Parsed with `prometheus_client`'s text parser, so the exposition is also checked to be valid.
The same series seen through a real Prometheus are in `tests/integration/test_kube_state_metrics.py`.
"""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from src.twin.shop._exposition import kube_state_exposition

NS = "sock-shop"


def _pod(name: str, ready: str | None, phase: str | None = "Running") -> dict[str, Any]:
    status: dict[str, Any] = {}
    if phase is not None:
        status["phase"] = phase
    if ready is not None:
        status["conditions"] = [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": ready}]
    return {
        "metadata": {"namespace": NS, "name": name, "uid": f"uid-{name}"},
        "spec": {"nodeName": "twin", "containers": [{"name": "catalogue", "resources": {"limits": {"cpu": "200m"}}}]},
        "status": status,
    }


def _deployment(name: str, replicas: int, ready: int | None) -> dict[str, Any]:
    status = {"replicas": replicas} if ready is None else {"replicas": replicas, "readyReplicas": ready}
    return {"metadata": {"namespace": NS, "name": name}, "spec": {"replicas": replicas}, "status": status}


def _series(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Labels (sorted pairs) -> value for every sample of the family `name`."""
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def test_a_pod_has_one_ready_series_per_condition_value_and_only_the_true_one_is_set() -> None:
    text = kube_state_exposition([_pod("catalogue-a", "True"), _pod("catalogue-b", "False")], [])
    ready = _series(text, "kube_pod_status_ready")
    expected = {
        ("catalogue-a", "true"): 1.0,
        ("catalogue-a", "false"): 0.0,
        ("catalogue-a", "unknown"): 0.0,
        ("catalogue-b", "true"): 0.0,
        ("catalogue-b", "false"): 1.0,
        ("catalogue-b", "unknown"): 0.0,
    }
    assert {(dict(labels)["pod"], dict(labels)["condition"]): value for labels, value in ready.items()} == expected
    assert {key for labels in ready for key, _ in labels} == {"namespace", "pod", "uid", "condition"}


def test_a_pod_without_a_ready_condition_or_phase_has_no_such_series_as_in_kube_state_metrics() -> None:
    text = kube_state_exposition([_pod("catalogue-new", None, phase=None)], [])
    assert _series(text, "kube_pod_status_ready") == {}
    assert _series(text, "kube_pod_status_phase") == {}
    assert _series(text, "kube_pod_container_resource_limits")


def test_the_phase_is_one_hot_over_the_five_phases() -> None:
    phases = _series(kube_state_exposition([_pod("catalogue-a", "True")], []), "kube_pod_status_phase")
    assert {dict(labels)["phase"]: value for labels, value in phases.items()} == {
        "Pending": 0.0,
        "Running": 1.0,
        "Succeeded": 0.0,
        "Failed": 0.0,
        "Unknown": 0.0,
    }


def test_deployments_export_wanted_and_ready_replicas_with_zero_when_the_status_omits_them() -> None:
    text = kube_state_exposition([], [_deployment("catalogue", 3, 2), _deployment("carts", 0, None)])
    labels = {
        "catalogue": (("deployment", "catalogue"), ("namespace", NS)),
        "carts": (("deployment", "carts"), ("namespace", NS)),
    }
    wanted = _series(text, "kube_deployment_spec_replicas")
    ready = _series(text, "kube_deployment_status_replicas_ready")
    assert wanted == {labels["catalogue"]: 3.0, labels["carts"]: 0.0}
    assert ready == {labels["catalogue"]: 2.0, labels["carts"]: 0.0}


def test_every_family_is_typed_once() -> None:
    text = kube_state_exposition([_pod("catalogue-a", "True")], [_deployment("catalogue", 1, 1)])
    types = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(types) == len(set(types))
    assert {"kube_pod_status_ready", "kube_deployment_spec_replicas", "kube_deployment_status_replicas_ready"} <= set(
        types
    )
