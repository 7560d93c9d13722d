"""The twin's sub-packages and the names each one exports; other sub-packages import only these."""

import importlib

import pytest

SURFACES = {
    "src.twin": ["Twin", "free_port", "kubeconfig", "write_kubeconfig"],
    "src.twin.admission": ["Admission", "Cause", "GoSyntax", "Webhook", "field_errors", "validate", "validate_update"],
    "src.twin.apiserver": ["RestApi", "build_app", "kubeconfig", "write_kubeconfig"],
    "src.twin.chaos": ["FINALIZER", "ChaosController", "ChaosWebhook", "FaultTarget", "parse_go_duration"],
    "src.twin.shop": [
        "DEFAULT_MODEL_FILE",
        "Faults",
        "ContainerLogs",
        "LOOPBACK_ANNOTATION",
        "MAX_LINES",
        "ModelSpecError",
        "PodRuntime",
        "Reply",
        "ServiceProxy",
        "ShopModel",
        "load_model_spec",
        "twin_routes",
    ],
    "src.twin.store": [
        "ApiError",
        "CLUSTER_ROLES",
        "CLUSTER_ROLE_BINDINGS",
        "DEPLOYMENTS",
        "ENDPOINTS",
        "EVENTS",
        "FieldRequirement",
        "FieldSelector",
        "HPAS",
        "LabelSelector",
        "METRICS_GROUP",
        "NAMESPACED_STORED",
        "NAMESPACES",
        "NODES",
        "PODS",
        "QUANTITY_PATTERN",
        "QuantityError",
        "RBAC_GROUP",
        "REPLICASETS",
        "RESOURCES",
        "ROLES",
        "ROLE_BINDINGS",
        "ResourceType",
        "SERVICES",
        "SERVICE_ACCOUNTS",
        "SelectorError",
        "Store",
        "Watch",
        "WatchEvent",
        "by_kind",
        "clone",
        "controller_ref",
        "errors",
        "format_bytes",
        "format_cpu",
        "group_versions",
        "labels_of",
        "lookup",
        "parse_bytes",
        "parse_cpu",
        "parse_quantity",
        "parse_time",
        "parse_timestamp",
        "require",
        "resources_in",
        "rfc3339",
        "rfc3339_nano",
    ],
}


@pytest.mark.parametrize("package", sorted(SURFACES))
def test_the_public_surface_is_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(SURFACES[package])
    assert all(hasattr(module, name) for name in module.__all__)
