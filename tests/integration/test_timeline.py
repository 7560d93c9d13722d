"""`timeline.png` drawn from a real Prometheus scraping a twin under real Locust load.

About 40 s of a run: moderate load on catalogue, catalogue scaled to zero (the "injection"), then
scaled back by an "action"; the figure is a PNG of the expected size and the series behind it show
the P99, the CPU and the Ready count falling to zero and coming back.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from src.environment.prometheus import PrometheusServer
from src.environment.traffic import Traffic, workload_for
from src.evaluate import Mark, Timeline, draw_timeline
from src.evaluate._figure import DPI, FIGURE_SIZE
from src.evaluate._prometheus import scalar_query
from src.evaluate.timeline import ready_pods_query
from tests.conftest import Cluster
from tests.polling import poll

pytestmark = [pytest.mark.integration, pytest.mark.calibrated, pytest.mark.slow]

NS = ("-n", "sock-shop")
LOADED = 18.0
"""Seconds of load before catalogue is scaled away: over a dozen P99 and CPU points."""
PAUSE = 6.0
"""Seconds at zero replicas, and after the recovery, so each phase shows as several points."""
DEADLINE = 20.0
RATE_WINDOW = "10s"
"""Prometheus starts with the run, so a 1-minute rate would read low for most of it."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _until(done: Callable[[], bool], what: str) -> None:
    poll(done, timeout=DEADLINE, what=what)


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the signature."""
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE and header[12:16] == b"IHDR", header
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _values(timeline: Timeline, panel: str, component: str, since: float = 0.0, until: float = 1e9) -> list[float]:
    return [value for at, value in timeline.panel(panel).series[component] if since <= at <= until]


def _seconds(timeline: Timeline, mark: Mark) -> float:
    return (mark.at - timeline.start).total_seconds()


def test_a_timeline_shows_load_a_scale_to_zero_and_the_recovery(shop: Cluster, tmp_path: Path) -> None:
    url = shop.kubectl(
        "get", "svc", "catalogue", *NS, "-o", "jsonpath={.metadata.annotations.twin\\.sock-shop/loopback-url}"
    )
    with (
        PrometheusServer(shop.url, tmp_path / "prom", scrape_interval="1s") as prometheus,
        Traffic(url, "catalogue", workload_for("catalogue", "moderate"), state_dir=tmp_path / "locust"),
    ):
        start = datetime.now(UTC)
        ready = ready_pods_query("sock-shop", "catalogue")
        _until(lambda: scalar_query(prometheus.url, ready) == 1, "Prometheus' first scrape of catalogue")
        marks = [Mark(datetime.now(UTC), "task", "task sent")]
        time.sleep(LOADED)
        marks.append(Mark(datetime.now(UTC), "injection", "scale catalogue to 0"))
        shop.kubectl("scale", "deployment", "catalogue", "--replicas=0", *NS)
        _until(lambda: scalar_query(prometheus.url, ready) == 0, "Prometheus seeing catalogue at 0 Ready")
        time.sleep(PAUSE)
        marks.append(Mark(datetime.now(UTC), "action", "kubectl scale deployment catalogue --replicas=1"))
        shop.kubectl("scale", "deployment", "catalogue", "--replicas=1", *NS)
        _until(lambda: scalar_query(prometheus.url, ready) == 1, "Prometheus seeing catalogue Ready again")
        time.sleep(PAUSE)
        marks.append(Mark(datetime.now(UTC), "evaluation", "SLO checked"))
        time.sleep(1)
        end = datetime.now(UTC)
        timeline = draw_timeline(
            tmp_path / "run" / "timeline.png",
            prometheus.url,
            "sock-shop",
            ["catalogue", "carts"],
            start,
            end,
            marks,
            rate_window=RATE_WINDOW,
        )
        nothing = draw_timeline(tmp_path / "empty.png", prometheus.url, "sock-shop", ["no-such"], start, end, [])

    assert _png_size(timeline.path) == (round(FIGURE_SIZE[0] * DPI), round(FIGURE_SIZE[1] * DPI))
    assert 20_000 < timeline.path.stat().st_size < 2_000_000
    assert list(timeline.path.parent.iterdir()) == [timeline.path], "no temporary file is left behind"
    assert timeline.step == 1.0 and timeline.marks == tuple(marks)

    scaled, restored = _seconds(timeline, marks[1]), _seconds(timeline, marks[2])
    assert set(_values(timeline, "ready", "catalogue", until=scaled)) == {1.0}
    assert 0.0 in _values(timeline, "ready", "catalogue", since=scaled, until=restored)
    assert _values(timeline, "ready", "catalogue", since=restored)[-1] == 1.0
    assert set(_values(timeline, "ready", "carts")) == {1.0}

    p99 = _values(timeline, "p99", "catalogue", until=scaled)
    assert len(p99) >= 5 and all(0 < value < 2000 for value in p99), p99
    cpu = _values(timeline, "cpu", "catalogue", until=scaled)
    assert cpu and 20 < max(cpu) < 150, cpu

    assert all(panel.empty for panel in nothing.panels)
    assert _png_size(nothing.path)[0] > 0
