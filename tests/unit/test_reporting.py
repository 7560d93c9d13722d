"""Reading figures and verdicts out of reports, and comparing them with a (stubbed) Prometheus."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from src.evaluate import (
    EvaluationError,
    Measurement,
    SloCheck,
    SloReport,
    Tolerance,
    check_reported_metric,
    check_reported_verdict,
    measure_metric,
)
from src.evaluate._prometheus import scalar_query
from src.evaluate.reporting import CORES, PERCENT, SECONDS, parse_figures
from src.experiment import Instance, load_all

CPU = Measurement("cpu_percent_of_limit", 62.0, {"cores": 0.124, "limit_cores": 0.2})
P99 = Measurement("p99_ms", 85.0, {})
CPU_TOLERANCE = Tolerance(absolute=10, relative=0.25)
P99_TOLERANCE = Tolerance(absolute=20, relative=0.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CPU is at 62%", [(62.0, PERCENT)]),
        ("CPU: 62 percent", [(62.0, PERCENT)]),
        ("it uses 124m", [(0.124, CORES)]),
        ("it uses 0.124 cores", [(0.124, CORES)]),
        ("P99 is 85 ms", [(0.085, SECONDS)]),
        ("P99 is 85ms", [(0.085, SECONDS)]),
        ("P99 is 0.085 s", [(0.085, SECONDS)]),
        ("P99 is 0.085 seconds", [(0.085, SECONDS)]),
        ("P99 is 850 µs", [(0.00085, SECONDS)]),
        ("image 0.3.4 and the P99 metric", []),
        ("over the last 5 minutes with 50 users", []),
    ],
)
def test_figures_are_numbers_with_units(text: str, expected: list[tuple[float, str]]) -> None:
    figures = parse_figures(text)
    assert [f.dimension for f in figures] == [dimension for _, dimension in expected]
    assert [f.value for f in figures] == pytest.approx([value for value, _ in expected])


@pytest.mark.parametrize(
    "text",
    [
        "P99 is 85 ms, under the 200 ms threshold.",
        "P99 is 85 ms, below 200 ms.",
        "P99 is 85 ms; the SLO is 200 ms.",
        "P99 is 85 ms which is less than 200 ms.",
        "CPU is 124m against a limit of 200m.",
        "CPU is 124m (a 200m limit).",
    ],
)
def test_thresholds_are_not_read_as_measurements(text: str) -> None:
    assert len(parse_figures(text)) == 1


def test_a_cpu_report_within_tolerance_passes_in_percent_or_in_cores() -> None:
    for report in (
        "catalogue is using 60% of its CPU limit.",
        "CPU usage: 131m.",
        "The container uses 0.13 cores of CPU, with memory at 5% of its limit.",
        "Over the last 1m, CPU usage was 55 percent of the limit (the objective is below 50%).",
    ):
        score = check_reported_metric(report, CPU, CPU_TOLERANCE)
        assert score.passed, (report, score.explanation, score.evidence)


def test_a_cpu_report_too_far_off_or_about_memory_fails() -> None:
    assert not check_reported_metric("CPU usage is 20% of the limit.", CPU, CPU_TOLERANCE).passed
    memory_only = check_reported_metric("Memory is at 61% of its limit.", CPU, CPU_TOLERANCE)
    assert not memory_only.passed and "no figure" in memory_only.explanation
    assert not check_reported_metric("The task is done.", CPU, CPU_TOLERANCE).passed


def test_a_latency_report_is_read_in_latency_sentences_only() -> None:
    assert check_reported_metric("The P99 latency is 0.09 s.", P99, P99_TOLERANCE).passed
    assert check_reported_metric("99th percentile response time: 110 ms (window 60s).", P99, P99_TOLERANCE).passed
    off = check_reported_metric("P99 latency is 300 ms.", P99, P99_TOLERANCE)
    assert not off.passed and off.evidence["closest"]["value"] == pytest.approx(300)
    assert not check_reported_metric("Pods restarted within 85 ms.", P99, P99_TOLERANCE).passed


def test_no_ground_truth_fails_with_a_reason() -> None:
    score = check_reported_metric("P99 is 85 ms", None, P99_TOLERANCE)
    assert not score.passed and "no ground truth" in score.explanation


def test_the_larger_allowance_applies() -> None:
    tolerance = Tolerance(absolute=10, relative=0.25)
    assert tolerance.allows(75, 62) and not tolerance.allows(80, 62)
    assert tolerance.allows(250, 200) and not tolerance.allows(251, 200)


def _report(passed: bool) -> SloReport:
    cpu = SloCheck("cpu", passed, 0.3 if passed else 0.9, 0.5, "share of limit", "CPU")
    return SloReport("sock-shop", "catalogue", "2m", (SloCheck("ready", True, 1, 1, "pods", "1/1 Ready"), cpu))


def test_the_verdict_must_agree_with_the_slo_checker() -> None:
    assert check_reported_verdict("catalogue is healthy.", _report(True)).passed
    assert check_reported_verdict("catalogue is unhealthy: CPU exceeds 50%.", _report(False)).passed
    wrong = check_reported_verdict("catalogue is healthy.", _report(False))
    assert not wrong.passed and wrong.evidence["expected"] == "unhealthy"
    silent = check_reported_verdict("I looked at the metrics.", _report(True))
    assert not silent.passed and "no verdict" in silent.explanation


class _Prometheus(BaseHTTPRequestHandler):
    """Answers instant queries from a table of (query fragment, value); records the `time` asked for."""

    answers: ClassVar[list[tuple[str, str]]] = []
    times: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        promql = query["query"][0]
        self.times.extend(query.get("time", []))
        if "bad(" in promql:
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b'{"status":"error","error":"parse error"}')
            return
        value = next((v for fragment, v in self.answers if fragment in promql), None)
        result = [] if value is None else [{"metric": {}, "value": [0, value]}]
        body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request log lines."""


@pytest.fixture
def prometheus() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Prometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Prometheus.times.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_measuring_cpu_and_p99_at_report_time(prometheus: str) -> None:
    _Prometheus.answers = [
        ("container_cpu_usage_seconds_total", "0.124"),
        ("container_spec_cpu_quota", "0.2"),
        ("histogram_quantile", "0.085"),
    ]
    at = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    cpu = measure_metric(prometheus, "sock-shop", "catalogue", "cpu_percent_of_limit", "1m", at)
    assert cpu is not None and cpu.value == pytest.approx(62.0) and cpu.details["limit_cores"] == pytest.approx(0.2)
    p99 = measure_metric(prometheus, "sock-shop", "catalogue", "p99_ms", "1m", at)
    assert p99 is not None and p99.value == pytest.approx(85.0)
    assert set(_Prometheus.times) == {f"{at.timestamp():.3f}"}


def test_no_data_or_no_limit_is_no_measurement(prometheus: str) -> None:
    _Prometheus.answers = [("container_cpu_usage_seconds_total", "0.124")]
    assert measure_metric(prometheus, "sock-shop", "catalogue", "cpu_percent_of_limit") is None
    _Prometheus.answers = [("histogram_quantile", "NaN")]
    assert measure_metric(prometheus, "sock-shop", "catalogue", "p99_ms") is None
    with pytest.raises(ValueError, match="metric must be one of"):
        measure_metric(prometheus, "sock-shop", "catalogue", "memory")


def test_an_unreachable_prometheus_is_an_evaluation_error_not_a_fail() -> None:
    with pytest.raises(EvaluationError, match="did not answer"):
        measure_metric("http://127.0.0.1:9", "sock-shop", "catalogue", "p99_ms")


REFERENCE_VALUES = {"cpu_percent": 62.0, "cpu_millicores": 124.0, "limit_millicores": 200.0, "p99_ms": 85.0}
"""What each reference query of the dataset reads when catalogue uses 0.124 of its 0.2 cores and P99 is 85 ms."""


@pytest.mark.parametrize(
    "instance", [i for i in load_all() if i.ground_truth.check == "reported_metric"], ids=lambda i: i.name
)
def test_each_reference_report_reads_as_the_truth_measured_at_report_time(prometheus: str, instance: Instance) -> None:
    truth, report = instance.ground_truth, instance.reference_solution.report
    assert report is not None and truth.metric is not None and truth.tolerance is not None
    _Prometheus.answers = [(promql, str(REFERENCE_VALUES[name])) for name, promql in report.values.items()]
    _Prometheus.answers += [
        ("container_cpu_usage_seconds_total", "0.124"),
        ("container_spec_cpu_quota", "0.2"),
        ("histogram_quantile", "0.085"),
    ]
    at = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
    values = {name: scalar_query(prometheus, promql, at) for name, promql in report.values.items()}
    text = report.render({name: value for name, value in values.items() if value is not None})
    measurement = measure_metric(prometheus, "sock-shop", "catalogue", truth.metric, truth.window, at)
    assert check_reported_metric(text, measurement, truth.tolerance).passed, text
    assert not check_reported_metric("I could not find out.", measurement, truth.tolerance).passed
