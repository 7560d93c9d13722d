"""The timeline's inputs and failure modes, without a Prometheus: marks, steps, pod patterns, unreachable URLs.

The figure itself, drawn from a real Prometheus under real load, is in
`tests/integration/test_timeline.py`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from src.evaluate import EvaluationError, Mark, draw_timeline
from src.evaluate.timeline import MAX_POINTS, cpu_percent_query, step_for
from tests.ports import silent_port

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _closed_port_url() -> str:
    return f"http://127.0.0.1:{silent_port()}"


def test_a_mark_must_be_of_a_known_kind_and_timezone_aware() -> None:
    assert Mark(START, "action", "kubectl scale").kind == "action"
    with pytest.raises(ValueError, match="not one of injection, task, evaluation, action"):
        Mark(START, "restart", "kubectl rollout restart")
    with pytest.raises(ValueError, match="naive"):
        Mark(START.replace(tzinfo=None), "task", "task sent")


@pytest.mark.parametrize(("seconds", "step"), [(40, 1.0), (300, 1.0), (301, 2.0), (600, 2.0), (3600, 12.0)])
def test_the_step_keeps_a_run_within_a_few_hundred_points(seconds: int, step: float) -> None:
    assert step_for(START, START + timedelta(seconds=seconds)) == step
    assert seconds / step <= MAX_POINTS


def test_the_cpu_query_takes_the_worst_pod_of_the_deployment_and_not_of_its_namesakes() -> None:
    query = cpu_percent_query("sock-shop", "catalogue", "30s")
    assert query.startswith("100 * max(") and "[30s]" in query
    pattern = re.search(r'pod=~"([^"]+)"', query)
    assert pattern is not None
    assert re.fullmatch(pattern.group(1), "catalogue-6c8f7b9d5-x2k9q")
    assert not re.fullmatch(pattern.group(1), "catalogue-db-6c8f7b9d5-x2k9q")


def test_an_unreachable_prometheus_is_one_line_of_evaluation_error_and_no_figure(tmp_path: Path) -> None:
    url = _closed_port_url()
    path = tmp_path / "timeline.png"
    with pytest.raises(EvaluationError, match=f"prometheus at {url} did not answer") as raised:
        draw_timeline(path, url, "sock-shop", ["catalogue"], START, START + timedelta(seconds=40), [])
    assert "\n" not in str(raised.value)
    assert not path.exists()


def test_a_run_needs_aware_times_in_order(tmp_path: Path) -> None:
    path = tmp_path / "timeline.png"
    with pytest.raises(ValueError, match="timezone-aware"):
        draw_timeline(path, "http://127.0.0.1:1", "sock-shop", ["catalogue"], START.replace(tzinfo=None), START, [])
    with pytest.raises(ValueError, match="at least a second"):
        draw_timeline(path, "http://127.0.0.1:1", "sock-shop", ["catalogue"], START, START, [])
