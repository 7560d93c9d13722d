"""The L4 rubric and the verdict rules: the reference reports name their faults, agent-like wordings are read right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from src.evaluate import RubricError, check_root_cause, load_rubric
from src.evaluate.rubric import HEALTHY, UNHEALTHY
from src.experiment import SCHEMA_PATH, load_all


def test_the_categories_are_the_datasets_root_causes() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    categories = schema["$defs"]["ground_truth"]["properties"]["root_cause_category"]["enum"]
    assert sorted(load_rubric().categories) == sorted(categories)


def test_each_fault_instances_reference_report_names_its_category() -> None:
    faults = [instance for instance in load_all() if instance.ground_truth.check == "fault"]
    assert len(faults) == 5
    for instance in faults:
        report = instance.reference_solution.report
        assert report is not None, instance.name
        text = report.render(dict.fromkeys(report.values, 12.0))
        expected = instance.ground_truth.root_cause_category
        assert expected is not None
        score = check_root_cause(text, expected)
        assert score.passed, f"{instance.name}: {score.explanation} {score.evidence}"
        assert load_rubric().verdict(text) == UNHEALTHY, instance.name
        others = [category for category in load_rubric().categories if category != expected]
        assert not any(check_root_cause(text, other).passed for other in others)


@pytest.mark.parametrize(
    ("report", "category"),
    [
        (
            "P99 is 640 ms and CPU usage is 198m of a 200m limit. The root cause is CPU throttling: the container "
            "is pinned at its CPU limit.",
            "cpu_saturation",
        ),
        (
            "Found a stress-ng process consuming CPU inside the catalogue container; this is why latency rose.",
            "cpu_saturation",
        ),
        (
            "The catalogue pod shows 0/1 READY and its readiness probe keeps failing, so the service has no endpoints. "
            "CPU and memory are low.",
            "pod_failure",
        ),
        ("Root cause: the pod is in CrashLoopBackOff.", "pod_failure"),
        (
            "Requests per second went from 20 to 95 because the number of users increased; a single replica cannot "
            "handle this load.",
            "traffic_surge",
        ),
        ("The latency problem is due to a traffic spike.", "traffic_surge"),
        (
            "Memory usage is 140Mi of a 200Mi limit; the root cause is memory pressure from a process allocating "
            "memory, which risks an OOM kill.",
            "memory_pressure",
        ),
        (
            "CPU is 12% of the limit and memory 8%, yet P99 is 280 ms. The cause is added network delay on the "
            "pod's interface (netem).",
            "network_latency",
        ),
    ],
)
def test_agent_like_wordings_are_classified(report: str, category: str) -> None:
    classification = load_rubric().classify(report)
    assert classification.category == category, classification


def test_cause_sentences_outweigh_the_metrics_listed_elsewhere() -> None:
    report = (
        "CPU usage is 35% of the limit. Memory usage is 20% of the limit. CPU looks fine. "
        "The root cause is that the pod failed: it is not ready."
    )
    classification = load_rubric().classify(report)
    assert (classification.category, classification.basis) == ("pod_failure", "cause sentences")


def test_a_report_without_a_cause_or_with_two_equal_ones_fails() -> None:
    assert load_rubric().classify("All good, nothing to report.").category is None
    score = check_root_cause("Everything looks fine.", "cpu_saturation")
    assert not score.passed and "names no single root cause" in score.explanation
    tie = load_rubric().classify("The root cause is the network or the traffic.")
    assert tie.category is None and tie.scores["network_latency"] == tie.scores["traffic_surge"]


@pytest.mark.parametrize(
    ("report", "verdict"),
    [
        ("catalogue is healthy: all pods Ready, CPU 31% of the limit, P99 12 ms.", HEALTHY),
        ("Performance is normal; the P99 latency of 45 ms is within the SLO.", HEALTHY),
        ("No issues found and no errors in the logs; the service meets all objectives.", HEALTHY),
        ("CPU is not exceeding the threshold and there are zero restarts.", HEALTHY),
        ("catalogue is unhealthy: CPU at 92% of its limit.", UNHEALTHY),
        ("The P99 latency of 450 ms exceeds the 200 ms objective.", UNHEALTHY),
        ("Pods are Ready but the SLO is not met: CPU is above the threshold.", UNHEALTHY),
        ("The component was degraded; after scaling to 3 replicas it is healthy again.", UNHEALTHY),
        ("CPU usage is 62% of the limit.", None),
        ("", None),
    ],
)
def test_verdicts(report: str, verdict: str | None) -> None:
    assert load_rubric().verdict(report) == verdict


def _rubric(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    return path


VERDICT = "verdict: {denials: ['no errors'], problems: ['bad'], healthy: ['good']}\n"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "cause_markers: ['because']\ncategories: {cpu_saturation: [{pattern: 'cpu(', weight: 1}]}\n" + VERDICT,
            "categories.cpu_saturation[0].pattern",
        ),
        (
            "cause_markers: ['because']\ncategories: {cpu_saturation: [{pattern: 'cpu', weight: -1}]}\n" + VERDICT,
            "categories.cpu_saturation[0].weight",
        ),
        (
            "cause_markers: ['because']\ncategories: {cpu_saturation: [{pattern: 'cpu'}]}\n" + VERDICT,
            "categories.cpu_saturation[0]",
        ),
        ("cause_markers: []\ncategories: {cpu_saturation: [{pattern: 'cpu', weight: 1}]}\n" + VERDICT, "cause_markers"),
        (
            "cause_markers: ['because']\ncategories: {cpu_saturation: [{pattern: 'cpu', weight: 1}]}\n"
            "verdict: {denials: ['x'], problems: ['y']}\n",
            "verdict.healthy",
        ),
    ],
)
def test_a_malformed_rubric_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(RubricError) as caught:
        load_rubric(_rubric(tmp_path, text))
    assert f"rubric.yaml: field '{field}'" in str(caught.value) and "\n" not in str(caught.value)
