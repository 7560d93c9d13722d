"""Apiserver-like validation: which objects are refused, and in the apiserver's words."""

import copy
from functools import partial

import pytest

from src.twin import admission
from src.twin.chaos import ChaosWebhook, parse_go_duration

# What admission checks: the apiserver's rules, and Chaos Mesh's webhook for its kinds.
validate = partial(admission.validate, webhooks=[ChaosWebhook()])
validate_update = partial(admission.validate_update, webhooks=[ChaosWebhook()])

DNS_SUBDOMAIN_RULE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def catalogue_deployment() -> dict:
    """The Sock Shop catalogue Deployment after admission defaulting."""
    container = {
        "name": "catalogue",
        "image": "weaveworksdemos/catalogue:0.3.5",
        "command": ["/app"],
        "args": ["-port=80"],
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "resources": {"limits": {"cpu": "200m", "memory": "200Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
        "livenessProbe": {"httpGet": {"path": "/health", "port": 80}, "initialDelaySeconds": 10, "periodSeconds": 3},
        "readinessProbe": {"httpGet": {"path": "/health", "port": 80}, "initialDelaySeconds": 10, "periodSeconds": 3},
        "env": [{"name": "ZIPKIN", "value": "http://zipkin:9411"}],
    }
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
                "spec": {"restartPolicy": "Always", "containers": [container]},
            },
        },
    }


def container(obj: dict) -> dict:
    return obj["spec"]["template"]["spec"]["containers"][0]


def fields(causes: list[dict]) -> dict[str, str]:
    return {cause["field"]: cause["message"] for cause in causes}


def test_the_sock_shop_catalogue_deployment_is_valid():
    assert validate("Deployment", catalogue_deployment()) == []


def test_causes_are_status_causes():
    obj = catalogue_deployment()
    del container(obj)["image"]
    assert validate("Deployment", obj) == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.template.spec.containers[0].image"}
    ]


# --- metadata ------------------------------------------------------------------------------------


def test_a_name_or_generate_name_is_required():
    obj = catalogue_deployment()
    del obj["metadata"]["name"]
    assert fields(validate("Deployment", obj)) == {"metadata.name": "Required value: name or generateName is required"}
    obj["metadata"]["generateName"] = "catalogue-"
    assert validate("Deployment", obj) == []


def test_object_names_must_be_dns_subdomains():
    obj = catalogue_deployment()
    obj["metadata"]["name"] = "Catalogue"
    assert fields(validate("Deployment", obj)) == {"metadata.name": f'Invalid value: "Catalogue": {DNS_SUBDOMAIN_RULE}'}


def test_service_names_must_start_with_a_letter():
    service = {"metadata": {"name": "1front"}, "spec": {"ports": [{"port": 80}]}}
    message = fields(validate("Service", service))["metadata.name"]
    assert message.startswith('Invalid value: "1front": a DNS-1035 label must consist of lower case alphanumeric')


def test_label_keys_and_values_follow_the_label_rules():
    obj = catalogue_deployment()
    obj["metadata"]["labels"] = {"bad key": "ok", "good": "-bad-"}
    causes = validate("Deployment", obj)
    assert [c["field"] for c in causes] == ["metadata.labels", "metadata.labels"]
    assert causes[0]["message"].startswith('Invalid value: "bad key": name part must consist of alphanumeric')
    assert causes[1]["message"].startswith('Invalid value: "-bad-": a valid label must be an empty string')


def test_unknown_kinds_get_metadata_checks_only():
    assert validate("Widget", {"metadata": {"name": "w"}, "spec": {"anything": -1}}) == []
    assert fields(validate("Widget", {"metadata": {}}))["metadata.name"].startswith("Required value")


# --- workloads -----------------------------------------------------------------------------------


def test_a_selector_that_misses_the_template_labels_is_refused():
    obj = catalogue_deployment()
    obj["spec"]["template"]["metadata"]["labels"] = {"name": "catalog"}
    assert fields(validate("Deployment", obj)) == {
        "spec.template.metadata.labels": (
            'Invalid value: map[string]string{"name":"catalog"}: `selector` does not match template `labels`'
        )
    }


def test_workloads_need_a_non_empty_selector():
    obj = catalogue_deployment()
    del obj["spec"]["selector"]
    assert fields(validate("ReplicaSet", obj)) == {"spec.selector": "Required value"}
    obj["spec"]["selector"] = {}
    assert "empty selector is invalid for deployment" in fields(validate("Deployment", obj))["spec.selector"]


def test_replicas_may_not_be_negative():
    obj = catalogue_deployment()
    obj["spec"]["replicas"] = -1
    assert fields(validate("Deployment", obj)) == {
        "spec.replicas": "Invalid value: -1: must be greater than or equal to 0"
    }


def test_the_strategy_type_must_be_supported():
    obj = catalogue_deployment()
    obj["spec"]["strategy"] = {"type": "BlueGreen"}
    assert fields(validate("Deployment", obj)) == {
        "spec.strategy.type": 'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'
    }


def test_recreate_may_not_carry_rolling_update_parameters():
    obj = catalogue_deployment()
    obj["spec"]["strategy"]["type"] = "Recreate"
    assert fields(validate("Deployment", obj)) == {
        "spec.strategy.rollingUpdate": "Forbidden: may not be specified when strategy `type` is 'Recreate'"
    }


@pytest.mark.parametrize(
    ("surge", "unavailable", "field", "message"),
    [
        (0, 0, "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
        (
            "25%",
            "120%",
            "spec.strategy.rollingUpdate.maxUnavailable",
            'Invalid value: "120%": must not be greater than 100%',
        ),
        (-1, 1, "spec.strategy.rollingUpdate.maxSurge", "Invalid value: -1: must be greater than or equal to 0"),
    ],
)
def test_rolling_update_bounds(surge, unavailable, field, message):
    obj = catalogue_deployment()
    obj["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    assert fields(validate("Deployment", obj)) == {field: message}


def test_percentages_must_be_numbers_with_a_percent_sign():
    obj = catalogue_deployment()
    obj["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "lots"
    message = fields(validate("Deployment", obj))["spec.strategy.rollingUpdate.maxSurge"]
    assert message.startswith('Invalid value: "lots": a valid percent string must be a numeric string')


def test_workload_templates_only_allow_restart_always():
    obj = catalogue_deployment()
    obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert fields(validate("Deployment", obj)) == {
        "spec.template.spec.restartPolicy": 'Unsupported value: "Never": supported values: "Always"'
    }


# --- pod specs -----------------------------------------------------------------------------------


def test_a_pod_needs_containers():
    assert fields(validate("Pod", {"metadata": {"name": "p"}, "spec": {"containers": []}})) == {
        "spec.containers": "Required value"
    }


def test_container_names_are_unique_labels():
    obj = catalogue_deployment()
    twin = copy.deepcopy(container(obj))
    obj["spec"]["template"]["spec"]["containers"].append(twin)
    obj["spec"]["template"]["spec"]["containers"].append(copy.deepcopy(twin) | {"name": "Side_Car"})
    causes = fields(validate("Deployment", obj))
    assert causes["spec.template.spec.containers[1].name"] == 'Duplicate value: "catalogue"'
    assert causes["spec.template.spec.containers[2].name"].startswith(
        'Invalid value: "Side_Car": a lowercase RFC 1123 label'
    )


def test_ports_must_be_in_range_with_a_known_protocol():
    obj = catalogue_deployment()
    container(obj)["ports"] = [{"containerPort": 70000, "protocol": "HTTP"}]
    assert fields(validate("Deployment", obj)) == {
        "spec.template.spec.containers[0].ports[0].containerPort": (
            "Invalid value: 70000: must be between 1 and 65535, inclusive"
        ),
        "spec.template.spec.containers[0].ports[0].protocol": (
            'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'
        ),
    }


def test_environment_names_may_not_contain_equals():
    obj = catalogue_deployment()
    container(obj)["env"] = [{"name": "A=B", "value": "1"}, {"value": "no name"}]
    causes = fields(validate("Deployment", obj))
    assert causes["spec.template.spec.containers[0].env[0].name"] == (
        'Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII '
        "characters other than '='"
    )
    assert causes["spec.template.spec.containers[0].env[1].name"] == "Required value"


def test_resource_quantities_must_parse():
    obj = catalogue_deployment()
    container(obj)["resources"]["limits"]["memory"] = "lots"
    message = fields(validate("Deployment", obj))["spec.template.spec.containers[0].resources.limits[memory]"]
    assert message.startswith('Invalid value: "lots": quantities must match the regular expression')


def test_requests_may_not_exceed_limits():
    obj = catalogue_deployment()
    container(obj)["resources"]["requests"]["cpu"] = "600m"
    assert fields(validate("Deployment", obj)) == {
        "spec.template.spec.containers[0].resources.requests": (
            'Invalid value: "600m": must be less than or equal to cpu limit of 200m'
        )
    }


def test_requests_equal_to_limits_in_other_units_are_fine():
    obj = catalogue_deployment()
    container(obj)["resources"]["requests"] = {"cpu": "0.2", "memory": "209715200"}
    assert validate("Deployment", obj) == []


def test_probes_need_exactly_one_handler():
    obj = catalogue_deployment()
    container(obj)["livenessProbe"] = {"periodSeconds": 3}
    container(obj)["readinessProbe"] = {"httpGet": {"port": 80}, "tcpSocket": {"port": 80}}
    path = "spec.template.spec.containers[0]"
    assert fields(validate("Deployment", obj)) == {
        f"{path}.livenessProbe": "Required value: must specify a handler type",
        f"{path}.readinessProbe.tcpSocket": "Forbidden: may not specify more than 1 handler type",
    }


def test_volume_mounts_must_name_a_volume():
    obj = catalogue_deployment()
    container(obj)["volumeMounts"] = [{"name": "tmp-volume", "mountPath": "/tmp"}]
    assert fields(validate("Deployment", obj)) == {
        "spec.template.spec.containers[0].volumeMounts[0].name": 'Not found: "tmp-volume"'
    }


# --- services ------------------------------------------------------------------------------------


def service(**spec: object) -> dict:
    base = {"type": "ClusterIP", "selector": {"name": "catalogue"}, "ports": [{"port": 80, "targetPort": 80}]}
    return {"metadata": {"name": "catalogue", "namespace": "sock-shop"}, "spec": base | spec}


def test_a_plain_service_is_valid():
    assert validate("Service", service()) == []
    assert validate("Service", service(type="NodePort", ports=[{"port": 80, "nodePort": 30001}])) == []


def test_services_need_ports_unless_headless():
    assert fields(validate("Service", service(ports=[]))) == {"spec.ports": "Required value"}
    assert validate("Service", service(ports=[], clusterIP="None")) == []


def test_service_types_are_the_four_known_ones():
    assert fields(validate("Service", service(type="Ingress"))) == {
        "spec.type": (
            'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'
        )
    }


def test_node_ports_must_be_in_the_node_port_range():
    causes = fields(validate("Service", service(type="NodePort", ports=[{"port": 80, "nodePort": 8080}])))
    assert causes == {
        "spec.ports[0].nodePort": (
            "Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"
        )
    }


def test_cluster_ip_services_may_not_set_node_ports():
    assert fields(validate("Service", service(ports=[{"port": 80, "nodePort": 30001}]))) == {
        "spec.ports[0].nodePort": "Forbidden: may not be used when `type` is 'ClusterIP'"
    }


def test_service_ports_need_valid_numbers_and_target_ports():
    causes = fields(validate("Service", service(ports=[{"port": 0, "targetPort": "http_port"}])))
    assert causes["spec.ports[0].port"] == "Invalid value: 0: must be between 1 and 65535, inclusive"
    assert causes["spec.ports[0].targetPort"].startswith('Invalid value: "http_port": must contain only alpha-numeric')


def test_several_service_ports_must_be_named():
    assert fields(validate("Service", service(ports=[{"port": 80}, {"port": 81}]))) == {
        "spec.ports[0].name": "Required value",
        "spec.ports[1].name": "Required value",
    }


# --- autoscalers ---------------------------------------------------------------------------------


def autoscaler(**spec: object) -> dict:
    metric = {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
    }
    base = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "catalogue"},
        "minReplicas": 1,
        "maxReplicas": 5,
        "metrics": [metric],
    }
    return {"metadata": {"name": "catalogue"}, "spec": base | spec}


def test_a_cpu_autoscaler_is_valid():
    assert validate("HorizontalPodAutoscaler", autoscaler()) == []


def test_autoscaler_bounds():
    causes = fields(validate("HorizontalPodAutoscaler", autoscaler(minReplicas=0, maxReplicas=0)))
    assert causes == {
        "spec.minReplicas": "Invalid value: 0: must be greater than or equal to 1",
        "spec.maxReplicas": "Invalid value: 0: must be greater than 0",
    }
    assert fields(validate("HorizontalPodAutoscaler", autoscaler(minReplicas=4, maxReplicas=2))) == {
        "spec.maxReplicas": "Invalid value: 2: must be greater than or equal to `minReplicas`"
    }


def test_autoscalers_need_a_scale_target():
    assert fields(validate("HorizontalPodAutoscaler", autoscaler(scaleTargetRef={}))) == {
        "spec.scaleTargetRef.kind": "Required value",
        "spec.scaleTargetRef.name": "Required value",
    }


def test_utilization_targets_must_be_positive():
    bad = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}}
    missing = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}
    causes = fields(validate("HorizontalPodAutoscaler", autoscaler(metrics=[bad, missing, {}])))
    assert causes == {
        "spec.metrics[0].resource.target.averageUtilization": "Invalid value: 0: must be greater than 0",
        "spec.metrics[1].resource.target.averageUtilization": (
            "Required value: must set either a target raw value or a target utilization"
        ),
        "spec.metrics[2].type": "Required value: must specify a metric source type",
    }


def test_autoscaling_v1_targets_must_be_positive():
    v1 = {"metadata": {"name": "c"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "c"}, "maxReplicas": 3}}
    v1["spec"]["targetCPUUtilizationPercentage"] = 0
    assert fields(validate("HorizontalPodAutoscaler", v1)) == {
        "spec.targetCPUUtilizationPercentage": "Invalid value: 0: must be greater than 0"
    }


# --- Chaos Mesh ----------------------------------------------------------------------------------


def chaos(kind: str, **spec: object) -> dict:
    base = {"mode": "one", "selector": {"namespaces": ["sock-shop"], "labelSelectors": {"name": "catalogue"}}}
    return {"kind": kind, "metadata": {"name": "experiment", "namespace": "sock-shop"}, "spec": base | spec}


def test_valid_chaos_experiments_pass():
    assert validate("PodChaos", chaos("PodChaos", action="pod-failure", duration="30s")) == []
    stressors = {"cpu": {"workers": 2, "load": 50}, "memory": {"workers": 2, "size": "150MB"}}
    assert validate("StressChaos", chaos("StressChaos", stressors=stressors, duration="5m")) == []
    network = chaos("NetworkChaos", action="delay", delay={"latency": "100ms", "jitter": "10ms", "correlation": "25"})
    assert validate("NetworkChaos", network) == []


def test_pod_chaos_actions_are_the_three_known_ones():
    assert fields(validate("PodChaos", chaos("PodChaos", action="pod-explode"))) == {
        "spec.action": 'Unsupported value: "pod-explode": supported values: "pod-kill", "pod-failure", "container-kill"'
    }


def test_container_kill_needs_container_names():
    assert fields(validate("PodChaos", chaos("PodChaos", action="container-kill"))) == {
        "spec.containerNames": (
            "Invalid value: []string(nil): the name of container should not be empty on container-kill action"
        )
    }


def test_modes_and_their_values():
    assert fields(validate("PodChaos", chaos("PodChaos", action="pod-kill", mode="some")))["spec.mode"].startswith(
        'Unsupported value: "some": supported values: "one", "all", "fixed", "fixed-percent", "random-max-percent"'
    )
    assert fields(validate("PodChaos", chaos("PodChaos", action="pod-kill", mode="fixed"))) == {
        "spec.value": 'Invalid value: "": parse value field error:strconv.Atoi: parsing "": invalid syntax'
    }
    assert fields(validate("PodChaos", chaos("PodChaos", action="pod-kill", mode="fixed-percent", value="150"))) == {
        "spec.value": 'Invalid value: "150": value of 150 is invalid, Must be (0,100] with mode:fixed-percent'
    }


def test_chaos_selectors_must_select_something():
    obj = chaos("PodChaos", action="pod-kill", selector={})
    assert fields(validate("PodChaos", obj))["spec.selector"].startswith("Required value: at least one of namespaces")


def test_chaos_durations_are_go_durations():
    assert fields(validate("PodChaos", chaos("PodChaos", action="pod-kill", duration="5 minutes"))) == {
        "spec.duration": 'Invalid value: "5 minutes": parse duration field error: time: unknown unit " minutes" '
        'in duration "5 minutes"'
    }


def test_stress_chaos_needs_sound_stressors():
    assert fields(validate("StressChaos", chaos("StressChaos"))) == {
        "spec.stressors": "Required value: missing stressors"
    }
    stressors = {"cpu": {"workers": 0, "load": 150}, "memory": {"workers": 1, "size": "a lot"}}
    assert fields(validate("StressChaos", chaos("StressChaos", stressors=stressors))) == {
        "spec.stressors.cpu.workers": "Invalid value: 0: workers should always be positive",
        "spec.stressors.cpu.load": "Invalid value: 150: illegal proportion",
        "spec.stressors.memory.size": "Invalid value: \"a lot\": incorrect bytes format: invalid size: 'a lot'",
    }


def test_network_chaos_actions_need_their_parameters():
    assert fields(validate("NetworkChaos", chaos("NetworkChaos", action="delay"))) == {
        "spec.delay": "Required value: must be specified when `action` is 'delay'"
    }
    bad = chaos("NetworkChaos", action="delay", delay={"latency": "fast"})
    assert fields(validate("NetworkChaos", bad)) == {
        "spec.delay.latency": 'Invalid value: "fast": parse latency field error:time: invalid duration "fast"'
    }
    throttle = chaos("NetworkChaos", action="bandwidth", bandwidth={"rate": "1 gallon", "limit": 20, "buffer": 0})
    assert fields(validate("NetworkChaos", throttle)) == {
        "spec.bandwidth.rate": 'Invalid value: "1 gallon": parse rate field error:invalid unit',
        "spec.bandwidth.buffer": "Invalid value: 0: spec.bandwidth.buffer in body should be greater than or equal to 1",
    }


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1m30s", 90.0), ("500ms", 0.5), ("2h", 7200.0), ("0", 0.0), ("-1.5h", -5400.0), ("1.5s", 1.5), ("300us", 0.0003)],
)
def test_go_durations_parse_to_seconds(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("abc", 'time: invalid duration "abc"'),
        ("10", 'time: missing unit in duration "10"'),
        ("3d", 'time: unknown unit "d" in duration "3d"'),
        (".s", 'time: invalid duration ".s"'),
    ],
)
def test_bad_go_durations_raise_go_messages(text, message):
    with pytest.raises(ValueError, match=message):
        parse_go_duration(text)


# --- updates -------------------------------------------------------------------------------------


def test_names_are_immutable():
    old = catalogue_deployment()
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "catalog"
    assert fields(validate_update("Deployment", old, new)) == {
        "metadata.name": 'Invalid value: "catalog": field is immutable'
    }


def test_workload_selectors_are_immutable():
    old = catalogue_deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"name": "catalogue", "tier": "web"}}
    assert fields(validate_update("Deployment", old, new)) == {
        "spec.selector": (
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"name":"catalogue", "tier":"web"}, '
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        )
    }
    assert validate_update("Deployment", old, copy.deepcopy(old)) == []


def test_a_service_keeps_its_cluster_ip():
    old = service(clusterIP="10.96.0.12", clusterIPs=["10.96.0.12"])
    new = service(clusterIP="10.96.0.13", clusterIPs=["10.96.0.13"])
    assert fields(validate_update("Service", old, new)) == {
        "spec.clusterIPs[0]": 'Invalid value: []string{"10.96.0.13"}: may not change once set'
    }


def test_chaos_specs_cannot_be_updated():
    old = chaos("PodChaos", action="pod-kill")
    new = chaos("PodChaos", action="pod-failure")
    assert fields(validate_update("PodChaos", old, new)) == {"spec": "Forbidden: Cannot update chaos spec"}
