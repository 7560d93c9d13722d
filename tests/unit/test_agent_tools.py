"""The agents' tools: how query results read, what bad calls say, what gets sent. No servers but a stub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from src.agent import tools
from src.agent._promql import MAX_POINTS_PER_SERIES, MAX_SERIES, Window, format_result, parse_duration, parse_time
from src.agent.tools import AWAITING_FLAG, SENT_MARKER, assign_tasks, query_prometheus, report_result
from src.messaging import Message, MessageType, decode_assignments

NOW = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(minutes=2), NOW, 60.0)


def _series(metric: dict[str, str], values: list[str]) -> dict[str, Any]:
    start = WINDOW.start.timestamp()
    return {"metric": metric, "values": [[start + 60 * index, value] for index, value in enumerate(values)]}


def test_every_series_is_listed_with_its_labels_and_values() -> None:
    data = {
        "resultType": "matrix",
        "result": [
            _series({"__name__": "up", "name": "catalogue", "route": "catalogue"}, ["1", "1", "0.5"]),
            _series({"name": "front-end", "status_code": "200"}, ["0.0123456789", "2", "3"]),
        ],
    }
    text = format_result("up", WINDOW, data)
    assert text.startswith("2 series for 'up' from 2025-05-01 11:58:00Z to 2025-05-01 12:00:00Z, step 1m")
    assert '[1] up{name="catalogue", route="catalogue"}' in text
    assert '[2] {name="front-end", status_code="200"}' in text
    assert "    11:58:00  1\n" in text
    assert "    12:00:00  0.5" in text
    assert "0.0123457" in text


def test_long_answers_are_capped_and_say_what_was_left_out() -> None:
    many_points = [str(index) for index in range(MAX_POINTS_PER_SERIES + 7)]
    result = [_series({"pod": f"p{index}"}, many_points) for index in range(MAX_SERIES + 3)]
    text = format_result("x", WINDOW, {"resultType": "matrix", "result": result})
    assert "... 7 earlier points not shown" in text
    assert "more series not shown" in text
    assert len(text.splitlines()) < 260


def test_an_empty_result_says_what_to_check() -> None:
    text = format_result('rate(nope{name="x"}[1m])', WINDOW, {"resultType": "matrix", "result": []})
    assert text.startswith("No data:")
    assert "metric name" in text


def test_all_nan_values_get_a_hint() -> None:
    data = {"resultType": "matrix", "result": [_series({"name": "catalogue"}, ["NaN", "NaN"])]}
    assert "Every value is NaN" in format_result("q", WINDOW, data)


@pytest.mark.parametrize(("text", "seconds"), [("2m", 120), ("90s", 90), ("1h30m", 5400), ("500ms", 0.5), (15, 15)])
def test_durations_parse_as_prometheus_writes_them(text: str | int, seconds: float) -> None:
    assert parse_duration(text, "duration") == seconds


@pytest.mark.parametrize("text", ["", "2 minutes", "m2", "-1m", "0s"])
def test_bad_durations_raise_naming_the_argument(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text, "duration")


def test_times_are_read_as_utc() -> None:
    assert parse_time("2025-05-01T12:00:00Z", "start") == NOW
    assert parse_time("2025-05-01 12:00:00", "start") == NOW
    assert parse_time(NOW.timestamp(), "start") == NOW
    assert parse_time(datetime(2025, 5, 1, 12), "start") == NOW  # noqa: DTZ001 - a naive time counts as UTC
    with pytest.raises(ValueError, match="start"):
        parse_time("yesterday", "start")


class _Prometheus(BaseHTTPRequestHandler):
    """Answers query_range like Prometheus: a fixed series, or its 400 error for a bad query."""

    queries: ClassVar[list[dict[str, str]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        from urllib.parse import parse_qsl, urlsplit

        query = dict(parse_qsl(urlsplit(self.path).query))
        _Prometheus.queries.append(query)
        if "(" in query["query"] and ")" not in query["query"]:
            status, body = (
                400,
                {"status": "error", "errorType": "bad_data", "error": "1:5: parse error: unclosed left parenthesis"},
            )
        else:
            start = float(query["start"])
            body = {
                "status": "success",
                "data": {
                    "resultType": "matrix",
                    "result": [{"metric": {"name": "catalogue"}, "values": [[start, "0.2"]]}],
                },
            }
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def prometheus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Prometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("PROMETHEUS_URL", url)
    _Prometheus.queries = []
    yield url
    server.shutdown()
    server.server_close()


def test_query_prometheus_asks_the_range_api_and_formats_the_answer(prometheus: str) -> None:
    text = query_prometheus('rate(request_duration_seconds_count{name="catalogue"}[1m])', duration="5m", step="30s")
    assert '[1] {name="catalogue"}' in text
    asked = _Prometheus.queries[-1]
    assert float(asked["end"]) - float(asked["start"]) == pytest.approx(300, abs=1)
    assert asked["step"] == "30"


def test_query_prometheus_quotes_prometheus_error_for_bad_promql(prometheus: str) -> None:
    text = query_prometheus("rate(up[1m]")
    assert text.startswith("Error: Prometheus rejected the query")
    assert "parse error: unclosed left parenthesis" in text


def test_query_prometheus_explains_an_unreachable_or_missing_prometheus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")
    assert query_prometheus("up").startswith("Error: cannot reach Prometheus at http://127.0.0.1:9")
    monkeypatch.delenv("PROMETHEUS_URL")
    assert "PROMETHEUS_URL is not set" in query_prometheus("up")


@pytest.fixture
def agent_env(monkeypatch: pytest.MonkeyPatch) -> list[Message]:
    """The executor's environment for catalogue in round r7, with sends captured instead of published."""
    for name, value in {
        "SOCKSHOP_RUN_ID": "run-9",
        "SOCKSHOP_ROUND_ID": "r7-abc",
        "SOCKSHOP_COMPONENT": "catalogue",
        "SOCKSHOP_COMPONENTS": "catalogue,front-end",
        "SOCKSHOP_BROKER_URL": "amqp://guest:guest@127.0.0.1:1/%2F",
    }.items():
        monkeypatch.setenv(name, value)
    sent: list[Message] = []
    monkeypatch.setattr("src.messaging.send_to_collector", sent.append)
    return sent


def test_report_result_sends_a_stamped_message_and_announces_it(
    agent_env: list[Message], capsys: pytest.CaptureFixture[str]
) -> None:
    answer = report_result("catalogue", "  Scaled to 2 replicas.  ")
    [message] = agent_env
    assert (message.run_id, message.round_id, message.sender) == ("run-9", "r7-abc", "catalogue")
    assert (message.type, message.recipient, message.body) == (MessageType.RESPONSE, "manager", "Scaled to 2 replicas.")
    assert answer == f"RESPONSE sent to the manager; message id {message.id}."
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(SENT_MARKER)
    assert json.loads(line[len(SENT_MARKER) :])["id"] == message.id


def test_report_result_sends_as_its_own_component_whatever_the_llm_typed(agent_env: list[Message]) -> None:
    answer = report_result("front-end", "CPU is at 12%.", "ISSUE")
    assert agent_env[0].sender == "catalogue"
    assert agent_env[0].type is MessageType.ISSUE
    assert "as catalogue" in answer


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("catalogue", "ok", "DONE"), "message_type must be 'RESPONSE' or 'ISSUE'"),
        (("catalogue", "  "), "message must be a non-empty text"),
    ],
)
def test_report_result_rejects_bad_arguments(agent_env: list[Message], args: tuple[str, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        report_result(*args)
    assert agent_env == []


def test_assign_tasks_sends_one_task_list_and_ends_with_the_awaiting_flag(agent_env: list[Message]) -> None:
    answer = assign_tasks(["catalogue", "front-end"], ["Report your P99.", "Report your CPU use."])
    assert answer == f"Tasks assigned to catalogue, front-end. {AWAITING_FLAG}"
    [message] = agent_env
    assert message.type is MessageType.TASK and message.recipient == "collector"
    assignments = decode_assignments(message.body, ["catalogue", "front-end"])
    assert [(item.component, item.task) for item in assignments] == [
        ("catalogue", "Report your P99."),
        ("front-end", "Report your CPU use."),
    ]


@pytest.mark.parametrize(
    ("components", "messages", "match"),
    [
        (["catalogue"], ["a", "b"], "1 components but 2 messages"),
        (["payment"], ["a"], r"unknown component\(s\) \['payment'\]"),
        (["catalogue", "catalogue"], ["a", "b"], "appears twice"),
        ([], [], "components is empty"),
        ("catalogue", ["a"], "must be lists"),
        (["catalogue"], [" "], "is empty"),
    ],
)
def test_assign_tasks_rejects_bad_assignments(
    agent_env: list[Message], components: Any, messages: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        assign_tasks(components, messages)
    assert agent_env == []


def test_the_public_tools_module_exports_exactly_the_three_tools_and_the_flag() -> None:
    assert set(tools.__all__) == {"query_prometheus", "report_result", "assign_tasks", "AWAITING_FLAG"}


def test_the_agent_package_exports_resolve_without_importing_ag2_for_the_tools() -> None:
    import subprocess
    import sys

    import src.agent

    for name in src.agent.__all__:
        assert getattr(src.agent, name) is not None
    probe = "import sys; import src.agent.tools; print('autogen' in sys.modules, 'pika' in sys.modules)"
    root = Path(src.agent.__file__).parents[2]
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root)
    assert result.stdout.split() == ["False", "False"]
