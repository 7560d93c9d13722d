"""The PromQL the checks share: a Deployment's pods by name, and CPU as a share of the limit."""

from __future__ import annotations

import re

import pytest

from src.evaluate._promql import cpu_share, deployment_pods, exact_pods, pod_matcher
from src.evaluate.reporting import measure_metric
from src.evaluate.timeline import cpu_percent_query


def _unquoted(matcher: str) -> str:
    """The regex inside `pod=~"..."` as Prometheus reads it (PromQL's string escapes undone)."""
    found = re.search(r'pod=~"((?:[^"\\]|\\.)*)"', matcher)
    assert found is not None, matcher
    return re.sub(r"\\(.)", r"\1", found.group(1))


@pytest.mark.parametrize(
    ("pod", "matches"),
    [
        ("catalogue-6c8f7b9d5-x2k9q", True),
        ("catalogue-7d4b9c8f6d-bq2zx", True),
        ("catalogue-db-6c8f7b9d5-x2k9q", False),
        ("catalogue-6c8f7b9d5-x2k9", False),
        ("catalogue-6c8f7b9d5", False),
        ("carts-6c8f7b9d5-x2k9q", False),
    ],
)
def test_a_deployments_pods_are_its_name_a_template_hash_and_five_characters(pod: str, matches: bool) -> None:
    assert bool(re.fullmatch(deployment_pods("catalogue"), pod)) is matches


def test_a_dot_in_a_deployments_name_is_a_dot_not_any_character() -> None:
    pattern = deployment_pods("front.end")
    assert re.fullmatch(pattern, "front.end-6c8f7b9d5-x2k9q")
    assert not re.fullmatch(pattern, "frontxend-6c8f7b9d5-x2k9q")
    assert not re.fullmatch(pattern, "front.end-db-6c8f7b9d5-x2k9q")
    matcher = pod_matcher("sock-shop", pattern)
    assert matcher.startswith('namespace="sock-shop",pod=~"front\\\\.end-') and matcher.endswith(',container!~"|POD"')
    assert _unquoted(matcher) == pattern


def test_exact_pods_match_only_the_names_given() -> None:
    pattern = _unquoted(pod_matcher("sock-shop", exact_pods(["carts-db-5d8f-abcde", "x.y"])))
    assert re.fullmatch(pattern, "carts-db-5d8f-abcde") and re.fullmatch(pattern, "x.y")
    assert not re.fullmatch(pattern, "xzy") and not re.fullmatch(pattern, "carts-db-5d8f-abcdef")


def test_cpu_share_is_usage_over_quota_per_period_per_pod_or_in_total() -> None:
    matcher = pod_matcher("sock-shop", deployment_pods("catalogue"))
    per_pod = cpu_share(matcher, "30s", per_pod=True)
    assert per_pod.usage == f"sum by (pod) (rate(container_cpu_usage_seconds_total{{{matcher}}}[30s]))"
    assert per_pod.limit == (
        f"sum by (pod) (container_spec_cpu_quota{{{matcher}}} / container_spec_cpu_period{{{matcher}}})"
    )
    assert per_pod.worst_percent() == f"100 * max({per_pod.usage} / {per_pod.limit})"
    total = cpu_share(matcher, "1m", per_pod=False)
    assert total.usage.startswith("sum(rate(container_cpu_usage_seconds_total{") and total.usage.endswith("[1m]))")
    assert total.limit.startswith("sum(container_spec_cpu_quota{")


def test_the_timeline_and_the_reporting_truth_select_the_same_pods(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def answer(url: str, promql: str, at: object = None) -> float:
        asked.append(promql)
        return 0.1

    monkeypatch.setattr("src.evaluate.reporting.scalar_query", answer)
    measure_metric("http://prometheus", "sock-shop", "front.end", "cpu_percent_of_limit")
    timeline = cpu_percent_query("sock-shop", "front.end")
    patterns = {_unquoted(query) for query in [*asked, timeline]}
    assert patterns == {deployment_pods("front.end")}
