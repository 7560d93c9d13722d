"""The dataset: every instance loads, each mistake is one line naming file, field and expectation; edits hit a copy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from src.config import DEFAULT_HEALTH_CHECK_TASK
from src.experiment import (
    DATASET_DIR,
    MANIFESTS_DIR,
    DatasetError,
    list_instances,
    load_all,
    load_instance,
    prepare_manifests,
)
from src.experiment._jsonpath import JsonPathError, parse, set_value

ORIGINAL_NAMES = {
    "restart",
    "manual_scaling",
    "create_deployment",
    "update_deployment",
    "rollback",
    "metric_collection_1",
    "metric_collection_2",
    "healthy_check",
    "performance_check",
    "auto_scaling",
    "reduce_latency",
    "reduce_resource_usage",
    "cpu_stress",
    "pod_failure",
    "rising_traffic",
}
NEW_NAMES = {
    "memory_stress",
    "network_delay",
    "high_reduce_latency_catalogue",
    "high_reduce_resource_usage_catalogue",
    "high_reduce_latency_group",
    "high_reduce_resource_usage_group",
}


def test_the_dataset_holds_the_original_instances_and_the_new_ones() -> None:
    assert set(list_instances()) == ORIGINAL_NAMES | NEW_NAMES


def test_every_instance_validates_and_keeps_the_papers_levels() -> None:
    instances = {instance.name: instance for instance in load_all()}
    assert len(instances) == 21
    low_l1 = {
        "restart",
        "manual_scaling",
        "create_deployment",
        "update_deployment",
        "rollback",
        "metric_collection_1",
        "metric_collection_2",
    }
    for name, instance in instances.items():
        if name in low_l1:
            assert (instance.level, instance.scope) == (1, "low"), name
        elif instance.chaos is not None or instance.ground_truth.check == "fault":
            assert instance.scored_levels == (3, 4, 5) and instance.task == DEFAULT_HEALTH_CHECK_TASK, name
            assert instance.ground_truth.root_cause_category and instance.ground_truth.slo is not None, name
        else:
            assert instance.level == 2, name
        assert instance.reference_solution.commands, name
    assert [i.name for i in instances.values() if i.scope == "high"] == sorted(
        n for n in NEW_NAMES if n.startswith("high_")
    )
    assert all(i.load_target == "front-end" for i in instances.values() if i.scope == "high")


def test_fault_instances_carry_full_chaos_objects() -> None:
    kinds = {i.name: (i.chaos.kind if i.chaos else None) for i in load_all() if i.ground_truth.check == "fault"}
    assert kinds == {
        "cpu_stress": "StressChaos",
        "pod_failure": "PodChaos",
        "memory_stress": "StressChaos",
        "network_delay": "NetworkChaos",
        "rising_traffic": None,
    }
    stress = load_instance("cpu_stress")
    assert stress.chaos is not None
    manifest = stress.chaos.manifest("sock-shop")
    assert manifest["apiVersion"] == "chaos-mesh.org/v1alpha1"
    assert manifest["metadata"] == {"name": "catalogue-cpu-stress", "namespace": "sock-shop"}
    assert manifest["spec"]["stressors"]["cpu"] == {"workers": 2, "load": 50}
    manifest["spec"]["mode"] = "one"
    assert stress.chaos.manifest("sock-shop")["spec"]["mode"] == "all", "each manifest is a fresh copy"


def test_ground_truth_is_converted_to_the_evaluators_units() -> None:
    assert load_instance("reduce_latency").ground_truth.slo.p99_seconds == pytest.approx(0.3)  # type: ignore[union-attr]
    cpu = load_instance("reduce_resource_usage").ground_truth.slo
    assert cpu is not None and cpu.cpu_share_of_limit == pytest.approx(0.3) and cpu.p99_seconds is None
    assert load_instance("high_reduce_latency_group").ground_truth.p99_sum_seconds == pytest.approx(0.4)
    assert load_instance("high_reduce_latency_catalogue").ground_truth.targets == ("catalogue",)
    assert load_instance("high_reduce_latency_group").ground_truth.targets == ("catalogue", "front-end")
    assert load_instance("update_deployment").ground_truth.env == ("logger_flag", "true")
    assert load_instance("rollback").ground_truth.image_tag == "0.3.4"
    assert load_instance("manual_scaling").ground_truth.replicas == 3
    bounds = load_instance("auto_scaling").ground_truth.autoscaler
    assert bounds is not None and bounds.cpu_percent_range == (30.0, 90.0)
    tolerance = load_instance("metric_collection_1").ground_truth.tolerance
    assert tolerance is not None and (tolerance.absolute, tolerance.relative) == (10, 0.25)


def test_reference_reports_render_with_their_values() -> None:
    for instance in load_all():
        report = instance.reference_solution.report
        if report is not None:
            text = report.render(dict.fromkeys(report.values, 42.0))
            assert "{" not in text and "42" in text, instance.name


def test_the_health_check_task_comes_from_the_config() -> None:
    assert load_instance("pod_failure", health_check_task="Keep it healthy.").task == "Keep it healthy."
    assert load_instance("restart").task == "Restart all pods of your component now."


def test_the_original_misspelling_is_an_alias() -> None:
    assert load_instance("rasing_traffic").name == "rising_traffic"


def test_an_unknown_name_lists_the_available_instances() -> None:
    with pytest.raises(DatasetError) as caught:
        load_instance("raising_traffic2")
    message = str(caught.value)
    assert "unknown instance 'raising_traffic2'" in message
    assert all(name in message for name in ORIGINAL_NAMES | NEW_NAMES)


def _gt(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["ground_truth"].__setitem__(key, value)


Mutation = Callable[[dict[str, Any]], None]
BAD_FIELDS: list[tuple[str, Mutation, str, str]] = [
    ("restart", lambda d: d.pop("workload"), "workload", "one of light, moderate, heavy, increase"),
    ("restart", lambda d: d.update(workload="medium"), "workload", "one of light, moderate, heavy, increase"),
    ("restart", lambda d: d.update(level=7), "level", "<= 5"),
    ("restart", lambda d: d.update(level="one"), "level", "a whole number"),
    ("restart", lambda d: d.update(colour="red"), "colour", "expected one of aliases, chaos"),
    ("restart", lambda d: d.update(components=[]), "components", "at least 1 item"),
    ("restart", lambda d: d.update(scope="middle"), "scope", "one of low, high"),
    ("restart", lambda d: d.update(task="health_check"), "task", "a task text of its own"),
    ("restart", lambda d: d.pop("task"), "task", "a task text of its own"),
    ("restart", lambda d: d.update(name="other"), "name", "the file name without .yaml"),
    ("restart", lambda d: d.update(components=["catalogue", "front-end"]), "components", "exactly one component"),
    ("restart", _gt("check", "scale"), "ground_truth.check", "one of pods_restarted"),
    (
        "restart",
        lambda d: d["reference_solution"].update(commands=[]),
        "reference_solution.commands",
        "at least 1 item",
    ),
    ("manual_scaling", lambda d: d["ground_truth"].pop("replicas"), "ground_truth.replicas", "Ready replicas"),
    ("manual_scaling", _gt("replicas", "3"), "ground_truth.replicas", "a whole number"),
    (
        "rollback",
        lambda d: d["environment"]["edits"][0].update(jsonpath="spec.x"),
        "environment.edits[0].jsonpath",
        "a JSONPath such as",
    ),
    (
        "rollback",
        lambda d: d["environment"]["edits"][0].update(jsonpath="$.spec.template.spec.containers[3].image"),
        "environment.edits[0].jsonpath",
        "[3] does not exist",
    ),
    (
        "rollback",
        lambda d: d["environment"]["edits"][0].update(file="99-nothing.yaml"),
        "environment.edits[0].file",
        "a file in",
    ),
    (
        "rollback",
        lambda d: d["environment"].update(unhealthy_pods_allowed=-1),
        "environment.unhealthy_pods_allowed",
        ">= 0",
    ),
    (
        "create_deployment",
        lambda d: d["environment"].update(delete=["05-catalogue.yaml"]),
        "environment.delete[0]",
        "a file in",
    ),
    ("cpu_stress", lambda d: d["chaos"].update(kind="StressChaoss"), "chaos.kind", "one of StressChaos"),
    ("cpu_stress", lambda d: d["chaos"]["spec"].pop("stressors"), "chaos.spec.stressors", "cpu {workers, load}"),
    (
        "cpu_stress",
        lambda d: d["chaos"]["spec"]["stressors"]["cpu"].update(load=150),
        "chaos.spec.stressors.cpu.load",
        "<= 100",
    ),
    (
        "cpu_stress",
        lambda d: d["chaos"]["spec"]["selector"].update(namespaces=["default"]),
        "chaos.spec.selector.namespaces",
        "include 'sock-shop'",
    ),
    ("cpu_stress", _gt("root_cause_category", "cpu"), "ground_truth.root_cause_category", "one of cpu_saturation"),
    ("cpu_stress", _gt("check", "slo"), "ground_truth.check", "fault (levels 3 to 5)"),
    ("pod_failure", lambda d: d["chaos"]["spec"].update(action="pod-fail"), "chaos.spec.action", "one of pod-failure"),
    ("network_delay", lambda d: d["chaos"]["spec"].pop("delay"), "chaos.spec.delay", "{latency, jitter"),
    (
        "restart",
        lambda d: d.update(chaos=load_instance("pod_failure").chaos.manifest("sock-shop")),  # type: ignore[union-attr]
        "chaos",
        "null (levels 1 and 2 inject no fault)",
    ),
    ("reduce_latency", lambda d: d["ground_truth"].pop("slo"), "ground_truth.slo", "p99_ms_below"),
    (
        "metric_collection_1",
        lambda d: d["ground_truth"].pop("tolerance"),
        "ground_truth.tolerance",
        "{absolute, relative}",
    ),
    ("metric_collection_1", _gt("metric", "cpu"), "ground_truth.metric", "one of cpu_percent_of_limit, p99_ms"),
    (
        "metric_collection_1",
        lambda d: d["reference_solution"]["report"]["values"].pop("cpu_percent"),
        "reference_solution.report.values",
        "missing cpu_percent",
    ),
    (
        "auto_scaling",
        lambda d: d["ground_truth"]["autoscaler"].update(cpu_percent_range=[30]),
        "ground_truth.autoscaler.cpu_percent_range",
        "at least 2 item",
    ),
    (
        "high_reduce_latency_group",
        lambda d: d.update(load_target="orders"),
        "load_target",
        "one of the components (catalogue, front-end)",
    ),
    ("high_reduce_latency_group", _gt("targets", ["orders"]), "ground_truth.targets[0]", "one of the components"),
]


@pytest.mark.parametrize(
    ("instance", "mutate", "field", "expected"),
    BAD_FIELDS,
    ids=[f"{case[0]}:{case[2]}:{index}" for index, case in enumerate(BAD_FIELDS)],
)
def test_a_bad_field_is_one_line_naming_file_field_and_expectation(
    tmp_path: Path, instance: str, mutate: Mutation, field: str, expected: str
) -> None:
    data = yaml.safe_load((DATASET_DIR / f"{instance}.yaml").read_text())
    mutate(data)
    path = tmp_path / f"{instance}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(DatasetError) as caught:
        load_instance(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert f"field '{field}'" in message
    assert expected in message


def test_a_file_that_is_not_an_instance_says_so(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(DatasetError, match=r"broken\.yaml: not valid YAML"):
        load_instance(broken)
    listing = tmp_path / "listing.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(DatasetError, match=r"listing\.yaml: expected a mapping"):
        load_instance(listing)


def test_an_alias_used_twice_is_an_error(tmp_path: Path) -> None:
    for name in ("rising_traffic", "pod_failure"):
        data = yaml.safe_load((DATASET_DIR / f"{name}.yaml").read_text())
        data["aliases"] = ["rasing_traffic"]
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(DatasetError, match=r"field 'aliases\[0\]' must be a name no other instance uses"):
        load_all(tmp_path)


def test_edits_apply_to_a_copy_and_never_to_the_repository(tmp_path: Path) -> None:
    original = (MANIFESTS_DIR / "05-catalogue-dep.yaml").read_text()
    prepared = prepare_manifests(load_instance("rollback"), tmp_path / "rollback")
    edited = yaml.safe_load((prepared / "05-catalogue-dep.yaml").read_text())
    assert edited["spec"]["template"]["spec"]["containers"][0]["image"] == "weaveworksdemos/catalogue:0.3.6"
    assert edited["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "200m"
    assert sorted(p.name for p in prepared.iterdir()) == sorted(p.name for p in MANIFESTS_DIR.iterdir())
    assert (MANIFESTS_DIR / "05-catalogue-dep.yaml").read_text() == original

    without = prepare_manifests(load_instance("create_deployment"), tmp_path / "create")
    assert not (without / "05-catalogue-dep.yaml").exists() and (MANIFESTS_DIR / "05-catalogue-dep.yaml").exists()
    assert (without / "06-catalogue-svc.yaml").exists()


def test_the_copy_goes_to_a_fresh_directory(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "left-over.yaml").write_text("kind: Pod\n")
    with pytest.raises(DatasetError, match="must be a new or empty directory"):
        prepare_manifests(load_instance("rollback"), tmp_path / "used")


def test_the_jsonpath_subset() -> None:
    assert parse("$.spec.template.spec.containers[0].image") == ["spec", "template", "spec", "containers", 0, "image"]
    assert parse("$.metadata.annotations['prometheus.io/scrape']") == [
        "metadata",
        "annotations",
        "prometheus.io/scrape",
    ]
    document: dict[str, Any] = {"spec": {"containers": [{"name": "catalogue"}]}}
    set_value(document, "$.spec.containers[0].env", [{"name": "logger_flag", "value": "true"}])
    set_value(document, "$.metadata.labels['app.kubernetes.io/name']", "catalogue")
    assert document["spec"]["containers"][0]["env"] == [{"name": "logger_flag", "value": "true"}]
    assert document["metadata"] == {"labels": {"app.kubernetes.io/name": "catalogue"}}
    for path, problem in [
        ("spec", "must start with '$'"),
        ("$", "at least one member"),
        ("$.spec..x", "cannot read"),
        ("$.spec.containers[1].image", "has 1 items"),
        ("$.spec[0]", "is not a list"),
        ("$.spec.containers[0].name.first", "is not a mapping"),
    ]:
        with pytest.raises(JsonPathError, match=problem.replace("[", r"\[").replace("$", r"\$")):
            set_value(document, path, 1)
