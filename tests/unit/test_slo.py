"""The pure parts of the SLO and state checks: shares of limits, group P99 sums, image tags, HPA targets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from src.evaluate import SloCheck, SloReport, check_p99_sum
from src.evaluate._cluster import container_started, image_tag, is_ready
from src.evaluate._promql import exact_pods, pod_matcher
from src.evaluate.slo import _worst_share
from src.evaluate.state import _cpu_target_percent


def _report(component: str, p99: float | None, *, ready: bool = True) -> SloReport:
    checks = (
        SloCheck("ready", ready, 1 if ready else 0, 1, "pods", "1/1 pods Ready" if ready else "scaled to 0"),
        SloCheck("p99", p99 is not None, p99, 0.4, "seconds", f"P99 {p99}"),
        SloCheck("serving", True, 1.0, 0.9, "share 2xx", "serving"),
    )
    return SloReport("sock-shop", component, "2m", checks)


def test_a_group_meets_its_latency_sum_only_with_every_member_up() -> None:
    passed = check_p99_sum([_report("catalogue", 0.12), _report("front-end", 0.2)], 0.4)
    assert passed.passed and passed.evidence["p99_sum_seconds"] == pytest.approx(0.32)
    assert "catalogue 120 ms + front-end 200 ms = 320 ms < 400 ms" in passed.explanation
    assert not check_p99_sum([_report("catalogue", 0.25), _report("front-end", 0.2)], 0.4).passed
    switched_off = check_p99_sum([_report("catalogue", 0.01, ready=False), _report("front-end", 0.1)], 0.4)
    assert not switched_off.passed and "scaled to 0" in switched_off.explanation
    unmeasured = check_p99_sum([_report("catalogue", None), _report("front-end", 0.1)], 0.4)
    assert not unmeasured.passed and "no P99 measured for catalogue" in unmeasured.explanation


def test_a_report_passes_only_when_every_check_does() -> None:
    good = _report("catalogue", 0.1)
    assert good.passed and good.score().passed and good.failed == ()
    bad = _report("catalogue", 0.1, ready=False)
    assert bad.failed == ("ready",) and "misses its SLO: scaled to 0" in bad.score().explanation
    assert bad.evidence()["checks"]["ready"]["passed"] is False


def test_the_worst_pod_decides_and_a_missing_limit_fails() -> None:
    pods = ["catalogue-a-1", "catalogue-a-2"]
    usage = {"catalogue-a-1": 0.05, "catalogue-a-2": 0.12}
    share = _worst_share("cpu", usage, {"catalogue-a-1": 0.2, "catalogue-a-2": 0.2}, pods, 0.5, "CPU")
    assert not share.passed and share.value == pytest.approx(0.6) and "catalogue-a-2" in share.explanation
    unlimited = _worst_share("cpu", usage, {"catalogue-a-1": 0.2}, pods, 0.5, "CPU")
    assert not unlimited.passed and "no limit set on catalogue-a-2" in unlimited.explanation
    nothing = _worst_share("cpu", {}, {}, pods, 0.5, "CPU")
    assert not nothing.passed and "no samples" in nothing.explanation
    assert not _worst_share("cpu", {}, {}, [], 0.5, "CPU").passed


def test_pods_are_matched_exactly_and_without_pod_level_series() -> None:
    assert pod_matcher("sock-shop", exact_pods(["catalogue-a-1", "x.y"])) == (
        'namespace="sock-shop",pod=~"catalogue\\\\-a\\\\-1|x\\\\.y",container!~"|POD"'
    )


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("weaveworksdemos/catalogue:0.3.4", "0.3.4"),
        ("docker.io/weaveworksdemos/catalogue:0.3.4", "0.3.4"),
        ("localhost:5000/catalogue", "latest"),
        ("localhost:5000/catalogue:0.3.5", "0.3.5"),
        ("weaveworksdemos/catalogue:0.3.4@sha256:abc", "0.3.4"),
    ],
)
def test_image_tags(image: str, tag: str) -> None:
    assert image_tag(image) == tag


def test_pod_readiness_and_start_time() -> None:
    pod = {
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"state": {"running": {"startedAt": "2025-05-01T12:00:03Z"}}},
                {"state": {"running": {"startedAt": "2025-05-01T12:00:07Z"}}},
            ],
        }
    }
    assert is_ready(pod) and container_started(pod) == datetime(2025, 5, 1, 12, 0, 7, tzinfo=UTC)
    assert (
        not is_ready({"status": {}})
        and container_started(
            {"status": {"containerStatuses": [{"state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}
        )
        is None
    )


@pytest.mark.parametrize(
    ("spec", "percent"),
    [
        ({"targetCPUUtilizationPercentage": 60}, 60.0),
        (
            {
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
                    }
                ]
            },
            50.0,
        ),
        (
            {
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "AverageValue", "averageValue": "70m"}},
                    }
                ]
            },
            70.0,
        ),
        (
            {"metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {"averageUtilization": 50}}}]},
            None,
        ),
    ],
)
def test_hpa_cpu_targets_in_v1_v2_and_as_average_values(spec: dict[str, object], percent: float | None) -> None:
    assert _cpu_target_percent({"spec": spec}, request_cores=0.1) == (pytest.approx(percent) if percent else None)
