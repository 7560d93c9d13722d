"""Server-side Tables: the columns and cells `kubectl get` prints for each kind."""

from datetime import UTC, datetime, timedelta

import pytest

from src.twin.apiserver._tables import human_age, human_duration, to_table

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str, **extra: object) -> dict:
    return {"name": name, "namespace": "sock-shop", "uid": f"uid-{name}", "creationTimestamp": ago(minutes=30)} | extra


def cells(kind: str, obj: dict) -> list:
    return to_table(kind, [obj], NOW)["rows"][0]["cells"]


def headers(kind: str, wide: bool = False) -> list[str]:
    columns = to_table(kind, [], NOW)["columnDefinitions"]
    return [c["name"].upper() for c in columns if wide or c["priority"] == 0]


def running_pod(**status: object) -> dict:
    container = {
        "name": "catalogue",
        "ready": True,
        "restartCount": 0,
        "state": {"running": {"startedAt": ago(minutes=29)}},
    }
    return {
        "kind": "Pod",
        "metadata": meta("catalogue-5d8f7-abcde", resourceVersion="7"),
        "spec": {
            "nodeName": "twin-node",
            "containers": [{"name": "catalogue", "image": "weaveworksdemos/catalogue:0.3.5"}],
        },
        "status": {
            "phase": "Running",
            "podIP": "10.244.0.7",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [container | status],
        },
    }


# --- ages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (5, "5s"),
        (119, "119s"),
        (120, "2m"),
        (192, "3m12s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 300, "3h5m"),
        (8 * 3600 + 600, "8h"),
        (47 * 3600, "47h"),
        (51 * 3600, "2d3h"),
        (8 * 86400, "8d"),
        (800 * 86400, "2y70d"),
        (9 * 365 * 86400, "9y"),
        (-1.5, "0s"),
        (-3, "<invalid>"),
    ],
)
def test_ages_read_like_kubectl_human_duration(seconds, text):
    assert human_duration(timedelta(seconds=seconds)) == text


def test_age_of_a_missing_timestamp_is_unknown():
    assert human_age(None, NOW) == "<unknown>"
    assert human_age(ago(seconds=42), NOW) == "42s"


def test_ages_truncate_partial_seconds():
    assert human_duration(timedelta(seconds=42.9)) == "42s"
    assert human_age("2026-03-01T11:59:17.9Z", NOW) == "42s"


# --- the table envelope --------------------------------------------------------------------------


def test_a_table_carries_kind_version_and_list_resource_version():
    table = to_table("Pod", [running_pod()], NOW, list_meta={"resourceVersion": "99"})
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] == {"resourceVersion": "99"}


def test_a_single_object_table_takes_the_object_resource_version():
    assert to_table("Pod", [running_pod()], NOW)["metadata"] == {"resourceVersion": "7"}


def test_rows_carry_partial_object_metadata_by_default():
    row = to_table("Pod", [running_pod()], NOW)["rows"][0]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["apiVersion"] == "meta.k8s.io/v1"
    assert row["object"]["metadata"]["name"] == "catalogue-5d8f7-abcde"


def test_rows_carry_the_whole_object_or_nothing_on_request():
    pod = running_pod()
    assert to_table("Pod", [pod], NOW, include_object="Object")["rows"][0]["object"] is pod
    assert to_table("Pod", [pod], NOW, include_object="None")["rows"][0]["object"] is None


def test_the_name_column_has_the_name_format():
    for kind in ("Pod", "Deployment", "Service", "PodChaos", "Widget"):
        first = to_table(kind, [], NOW)["columnDefinitions"][0]
        assert (first["name"], first["format"], first["type"]) == ("Name", "name", "string")


# --- pods ----------------------------------------------------------------------------------------


def test_pod_columns_match_kubectl_get_pods():
    assert headers("Pod") == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert headers("Pod", wide=True)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]


def test_a_ready_pod_shows_running_and_its_wide_cells():
    assert cells("Pod", running_pod()) == [
        "catalogue-5d8f7-abcde",
        "1/1",
        "Running",
        "0",
        "30m",
        "10.244.0.7",
        "twin-node",
        "<none>",
        "<none>",
    ]


def test_restarts_show_when_the_last_container_died():
    pod = running_pod(
        restartCount=3, lastState={"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": ago(minutes=5)}}
    )
    assert cells("Pod", pod)[3] == "3 (5m ago)"


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ({"waiting": {"reason": "CrashLoopBackOff"}}, "CrashLoopBackOff"),
        ({"waiting": {"reason": "ImagePullBackOff"}}, "ImagePullBackOff"),
        ({"waiting": {"reason": "ContainerCreating"}}, "ContainerCreating"),
        ({"terminated": {"reason": "OOMKilled", "exitCode": 137}}, "OOMKilled"),
        ({"terminated": {"exitCode": 2}}, "ExitCode:2"),
        ({"terminated": {"exitCode": 0, "signal": 9}}, "Signal:9"),
    ],
)
def test_a_container_state_becomes_the_pod_status(state, status):
    pod = running_pod(ready=False, state=state)
    row = cells("Pod", pod)
    assert row[1:3] == ["0/1", status]


def test_a_pod_being_deleted_is_terminating():
    pod = running_pod()
    pod["metadata"]["deletionTimestamp"] = ago(seconds=3)
    assert cells("Pod", pod)[2] == "Terminating"


def test_a_running_but_unready_container_keeps_the_phase():
    assert cells("Pod", running_pod(ready=False))[1:3] == ["0/1", "Running"]


def test_an_unstarted_init_container_shows_init_progress():
    pod = running_pod()
    pod["spec"]["initContainers"] = [{"name": "migrate", "image": "busybox"}]
    pod["status"]["initContainerStatuses"] = [{"name": "migrate", "state": {"waiting": {"reason": "PodInitializing"}}}]
    assert cells("Pod", pod)[2] == "Init:0/1"


def test_finished_pods_carry_a_completed_row_condition():
    pod = running_pod(ready=False, state={"terminated": {"reason": "Completed", "exitCode": 0}})
    pod["status"]["phase"] = "Succeeded"
    row = to_table("Pod", [pod], NOW)["rows"][0]
    assert row["cells"][2] == "Completed"
    assert row["conditions"][0]["type"] == "Completed"


# --- workloads -----------------------------------------------------------------------------------


def deployment() -> dict:
    template = {"spec": {"containers": [{"name": "catalogue", "image": "weaveworksdemos/catalogue:0.3.5"}]}}
    return {
        "metadata": meta("catalogue"),
        "spec": {"replicas": 3, "selector": {"matchLabels": {"name": "catalogue"}}, "template": template},
        "status": {"readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1, "replicas": 3},
    }


def test_deployment_rows_show_ready_over_desired():
    assert headers("Deployment") == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert cells("Deployment", deployment()) == [
        "catalogue",
        "1/3",
        2,
        1,
        "30m",
        "catalogue",
        "weaveworksdemos/catalogue:0.3.5",
        "name=catalogue",
    ]


def test_replicaset_rows_show_desired_current_ready():
    assert headers("ReplicaSet") == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert cells("ReplicaSet", deployment())[:5] == ["catalogue", 3, 3, 1, "30m"]


def test_selectors_with_expressions_print_like_label_selector_strings():
    obj = deployment()
    obj["spec"]["selector"] = {
        "matchLabels": {"name": "catalogue"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}],
    }
    assert cells("Deployment", obj)[-1] == "name=catalogue,tier in (api,web)"


# --- services and endpoints ----------------------------------------------------------------------


def test_a_node_port_service_lists_node_ports_and_no_external_ip():
    service = {
        "metadata": meta("front-end"),
        "spec": {
            "type": "NodePort",
            "clusterIP": "10.96.0.20",
            "clusterIPs": ["10.96.0.20"],
            "selector": {"name": "front-end"},
            "ports": [{"port": 80, "nodePort": 30001, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}],
        },
    }
    assert headers("Service") == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert cells("Service", service) == [
        "front-end",
        "NodePort",
        "10.96.0.20",
        "<none>",
        "80:30001/TCP,9090/TCP",
        "30m",
        "name=front-end",
    ]


def test_a_load_balancer_without_ingress_is_pending():
    service = {"metadata": meta("lb"), "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}
    assert cells("Service", service)[2:5] == ["<none>", "<pending>", "80/TCP"]


def test_endpoints_list_three_addresses_then_count_the_rest():
    subsets = [{"addresses": [{"ip": f"10.244.0.{i}"} for i in range(1, 6)], "ports": [{"port": 80}]}]
    endpoints = {"metadata": meta("catalogue"), "subsets": subsets}
    assert cells("Endpoints", endpoints)[1] == "10.244.0.1:80,10.244.0.2:80,10.244.0.3:80 + 2 more..."
    assert cells("Endpoints", {"metadata": meta("empty")})[1] == "<none>"


# --- events and cluster objects ------------------------------------------------------------------


def test_event_rows_name_the_object_and_trim_the_message():
    event = {
        "metadata": meta("catalogue-abc.17"),
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container\n",
        "involvedObject": {"kind": "Pod", "name": "catalogue-abc", "fieldPath": "spec.containers{catalogue}"},
        "source": {"component": "kubelet", "host": "twin-node"},
        "firstTimestamp": ago(minutes=10),
        "lastTimestamp": ago(seconds=30),
        "count": 4,
    }
    assert headers("Event") == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert cells("Event", event) == [
        "30s",
        "Warning",
        "BackOff",
        "pod/catalogue-abc",
        "spec.containers{catalogue}",
        "kubelet, twin-node",
        "Back-off restarting failed container",
        "10m",
        4,
        "catalogue-abc.17",
    ]


def test_namespaces_and_nodes_show_their_status():
    namespace = {"metadata": meta("sock-shop"), "status": {"phase": "Active"}}
    node = {
        "metadata": meta("twin-node", labels={"node-role.kubernetes.io/control-plane": ""}),
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {"kubeletVersion": "v1.37.1"},
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
        },
    }
    assert cells("Namespace", namespace) == ["sock-shop", "Active", "30m"]
    assert cells("Node", node)[:6] == [
        "twin-node",
        "Ready,SchedulingDisabled",
        "control-plane",
        "30m",
        "v1.37.1",
        "172.18.0.2",
    ]


def hpa(current: int | None) -> dict:
    metric = {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
    }
    status: dict = {"currentReplicas": 2}
    if current is not None:
        status["currentMetrics"] = [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}
        ]
    spec = {
        "scaleTargetRef": {"kind": "Deployment", "name": "catalogue"},
        "minReplicas": 1,
        "maxReplicas": 5,
        "metrics": [metric],
    }
    return {"metadata": meta("catalogue"), "spec": spec, "status": status}


def test_autoscaler_rows_show_reference_targets_and_bounds():
    assert headers("HorizontalPodAutoscaler") == [
        "NAME",
        "REFERENCE",
        "TARGETS",
        "MINPODS",
        "MAXPODS",
        "REPLICAS",
        "AGE",
    ]
    assert cells("HorizontalPodAutoscaler", hpa(12)) == [
        "catalogue",
        "Deployment/catalogue",
        "cpu: 12%/50%",
        "1",
        5,
        2,
        "30m",
    ]
    assert cells("HorizontalPodAutoscaler", hpa(None))[2] == "cpu: <unknown>/50%"


def test_autoscaling_v1_objects_print_their_cpu_target():
    obj = {
        "metadata": meta("catalogue"),
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "catalogue"},
            "maxReplicas": 4,
            "targetCPUUtilizationPercentage": 70,
        },
        "status": {"currentCPUUtilizationPercentage": 33},
    }
    assert cells("HorizontalPodAutoscaler", obj)[2:4] == ["cpu: 33%/70%", "<unset>"]


def test_more_than_two_metrics_are_summarised():
    obj = hpa(12)
    obj["spec"]["metrics"] *= 3
    assert cells("HorizontalPodAutoscaler", obj)[2] == "cpu: 12%/50%, cpu: <unknown>/50% + 1 more..."


def test_configuration_objects_count_their_data():
    assert cells("ConfigMap", {"metadata": meta("cfg"), "data": {"a": "1"}, "binaryData": {"b": ""}}) == [
        "cfg",
        2,
        "30m",
    ]
    assert cells("Secret", {"metadata": meta("s"), "type": "Opaque", "data": {"k": "dg=="}}) == [
        "s",
        "Opaque",
        1,
        "30m",
    ]
    assert cells("ServiceAccount", {"metadata": meta("default")}) == ["default", 0, "30m"]


# --- custom resources ----------------------------------------------------------------------------


def test_chaos_experiments_show_action_and_duration():
    pod_chaos = {"kind": "PodChaos", "metadata": meta("kill"), "spec": {"action": "pod-failure", "duration": "30s"}}
    stress = {"kind": "StressChaos", "metadata": meta("burn"), "spec": {"duration": "5m"}}
    assert headers("PodChaos") == ["NAME", "ACTION", "DURATION", "AGE"]
    assert cells("PodChaos", pod_chaos) == ["kill", "pod-failure", "30s", "30m"]
    assert cells("StressChaos", stress) == ["burn", "stress", "5m", "30m"]
    assert to_table("NetworkChaos", [], NOW)["columnDefinitions"][-1]["type"] == "date"


def test_other_kinds_get_name_and_age():
    assert headers("Lease") == ["NAME", "AGE"]
    assert cells("Lease", {"metadata": meta("holder")}) == ["holder", "30m"]
