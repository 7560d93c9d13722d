"""Container logs: plausible per image, deterministic per pod, refused like the kubelet refuses."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from src.twin.controllers import LogError
from src.twin.shop import MAX_LINES, ContainerLogs, load_model_spec

render_log = ContainerLogs(load_model_spec()).render

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
RFC3339_NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z ")


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pod(
    image: str, name: str = "catalogue", *, ready: bool = True, started: str | None = None, **status: object
) -> dict:
    """A scheduled pod with one container of `image`, running since `started` (10 minutes ago)."""
    container_status = {
        "name": name,
        "ready": ready,
        "restartCount": 0,
        "state": {"running": {"startedAt": started or ago(minutes=10)}},
    } | status
    return {
        "metadata": {"name": f"{name}-5d8f7-abcde", "namespace": "sock-shop", "uid": f"uid-{name}"},
        "spec": {"nodeName": "twin-node", "containers": [{"name": name, "image": image}]},
        "status": {
            "phase": "Running",
            "podIP": "10.244.0.7",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [container_status],
        },
    }


CATALOGUE = "weaveworksdemos/catalogue:0.3.5"


def test_the_same_pod_always_logs_the_same_text():
    assert render_log(pod(CATALOGUE), "catalogue", NOW) == render_log(pod(CATALOGUE), "catalogue", NOW)


def test_another_pod_logs_different_text():
    other = pod(CATALOGUE)
    other["metadata"]["uid"] = "uid-other"
    assert render_log(other, "catalogue", NOW) != render_log(pod(CATALOGUE), "catalogue", NOW)


def test_lines_already_shown_stay_the_same_as_time_passes():
    earlier = render_log(pod(CATALOGUE), "catalogue", NOW)
    later = render_log(pod(CATALOGUE), "catalogue", NOW + timedelta(seconds=90))
    assert later.startswith(earlier)
    assert len(later) > len(earlier)


def test_go_kit_services_log_logfmt_calls_from_their_start():
    lines = render_log(pod(CATALOGUE), "catalogue", NOW, timestamps=True).splitlines()
    assert lines[0].startswith(ago(minutes=10).removesuffix("Z"))
    assert all(RFC3339_NANO.match(line) for line in lines)
    assert any("method=List tags= order=id pageNum=1" in line and "err=null took=" in line for line in lines)
    assert any("method=Health result=2" in line for line in lines)


def test_a_log_ends_at_now():
    last = render_log(pod(CATALOGUE), "catalogue", NOW, timestamps=True).splitlines()[-1]
    stamp = datetime.fromisoformat(last.split(" ")[0].replace("Z", "+00:00")[:26] + "+00:00")
    assert NOW - timedelta(seconds=10) <= stamp <= NOW


def test_tail_keeps_the_last_lines():
    full = render_log(pod(CATALOGUE), "catalogue", NOW).splitlines()
    assert render_log(pod(CATALOGUE), "catalogue", NOW, tail_lines=5).splitlines() == full[-5:]
    assert render_log(pod(CATALOGUE), "catalogue", NOW, tail_lines=0) == ""


def test_since_keeps_recent_lines():
    lines = render_log(pod(CATALOGUE), "catalogue", NOW, since_seconds=30, timestamps=True).splitlines()
    assert lines
    assert all(line.split(" ")[0] >= ago(seconds=30).removesuffix("Z") for line in lines)
    assert len(lines) < len(render_log(pod(CATALOGUE), "catalogue", NOW).splitlines())


def test_limit_bytes_cuts_the_output():
    assert len(render_log(pod(CATALOGUE), "catalogue", NOW, limit_bytes=100).encode()) == 100


def test_previous_without_a_restart_is_refused():
    with pytest.raises(
        LogError, match=r'^previous terminated container "catalogue" in pod "catalogue-5d8f7-abcde" not found$'
    ):
        render_log(pod(CATALOGUE), "catalogue", NOW, previous=True)


@pytest.mark.parametrize(
    ("reason", "detail"),
    [
        ("ContainerCreating", "ContainerCreating"),
        ("ImagePullBackOff", "trying and failing to pull image"),
        ("ErrImagePull", "image can't be pulled"),
    ],
)
def test_a_waiting_container_is_refused(reason, detail):
    waiting = pod(CATALOGUE, ready=False, state={"waiting": {"reason": reason}})
    with pytest.raises(LogError) as caught:
        render_log(waiting, "catalogue", NOW)
    assert str(caught.value) == f'container "catalogue" in pod "catalogue-5d8f7-abcde" is waiting to start: {detail}'


def test_log_errors_are_value_errors():
    assert issubclass(LogError, ValueError)


def test_an_unknown_container_is_refused():
    with pytest.raises(LogError, match="container sidecar is not valid for pod catalogue-5d8f7-abcde"):
        render_log(pod(CATALOGUE), "sidecar", NOW)


def test_an_unscheduled_pod_has_an_empty_log():
    pending = pod(CATALOGUE)
    del pending["spec"]["nodeName"]
    assert render_log(pending, "catalogue", NOW) == ""


def test_a_crash_looping_container_shows_its_last_run_ending_in_an_error():
    crashed = {
        "terminated": {"reason": "Error", "exitCode": 1, "startedAt": ago(minutes=3), "finishedAt": ago(minutes=1)}
    }
    looping = pod(
        CATALOGUE, ready=False, restartCount=4, state={"waiting": {"reason": "CrashLoopBackOff"}}, lastState=crashed
    )
    text = render_log(looping, "catalogue", NOW)
    assert "connection refused" in text
    assert 'exit="dial tcp catalogue-db:3306: connect: connection refused"' in text.splitlines()[-1]
    assert render_log(looping, "catalogue", NOW, previous=True) == text


def test_previous_reads_the_run_before_the_restart():
    oom = {
        "terminated": {"reason": "OOMKilled", "exitCode": 137, "startedAt": ago(hours=1), "finishedAt": ago(minutes=10)}
    }
    restarted = pod("weaveworksdemos/carts:0.4.8", "carts", restartCount=1, lastState={"terminated": oom["terminated"]})
    previous = render_log(restarted, "carts", NOW, previous=True)
    assert (
        previous.splitlines()[-1]
        == 'Exception in thread "http-nio-80-exec-4" java.lang.OutOfMemoryError: Java heap space'
    )
    assert previous != render_log(restarted, "carts", NOW)


def test_an_unready_container_logs_trouble():
    text = render_log(pod(CATALOGUE, ready=False), "catalogue", NOW, since_seconds=60)
    assert "connect: connection refused" in text or "lookup catalogue-db: connection refused" in text
    assert "level=error" in text


def test_a_ready_container_logs_no_trouble():
    assert "connection refused" not in render_log(pod(CATALOGUE), "catalogue", NOW)


def test_spring_services_start_with_the_banner():
    text = render_log(pod("weaveworksdemos/orders:0.4.7", "orders"), "orders", NOW)
    assert ":: Spring Boot ::" in text
    assert "INFO [orders,,,] 1 --- [           main]" in text
    assert re.search(r"Started OrderApplication in [\d.]+ seconds", text)


def test_unready_queue_consumers_cannot_reach_rabbitmq():
    text = render_log(pod("weaveworksdemos/queue-master:0.3.1", "queue-master", ready=False), "queue-master", NOW)
    assert "AmqpConnectException: java.net.ConnectException: Connection refused" in text


def test_the_front_end_logs_express_requests():
    lines = render_log(pod("weaveworksdemos/front-end:0.3.12", "front-end"), "front-end", NOW).splitlines()
    assert "App now running in production mode on port 8079" in lines
    assert any(re.fullmatch(r"(GET|POST) /\S* \d{3} [\d.]+ ms - \d+", line) for line in lines)


def test_mongo_logs_structured_json():
    lines = render_log(pod("mongo:5.0.11", "carts-db"), "carts-db", NOW).splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["t"]["$date"].startswith(ago(minutes=10)[:19])
    assert any(record["msg"] == "Waiting for connections" for record in records)


@pytest.mark.parametrize(
    ("image", "name", "marker"),
    [
        ("weaveworksdemos/catalogue-db:0.3.0", "catalogue-db", "mysqld: ready for connections."),
        ("redis:alpine", "session-db", "Ready to accept connections tcp"),
        ("rabbitmq:3.6.8-management", "rabbitmq", "Server startup complete;"),
        ("weaveworksdemos/payment:0.4.3", "payment", "transport=HTTP port=80"),
        ("weaveworksdemos/user:0.4.7", "user", "transport=HTTP port=80"),
        ("kbudde/rabbitmq-exporter", "rabbitmq-exporter", 'msg="Starting rabbitmq-exporter"'),
    ],
)
def test_each_image_family_has_its_start_up_lines(image, name, marker):
    assert marker in render_log(pod(image, name), name, NOW)


def test_long_runs_are_capped():
    month_old = pod(CATALOGUE, started=ago(days=30))
    lines = render_log(month_old, "catalogue", NOW).splitlines()
    assert len(lines) <= MAX_LINES
    assert "method=" in lines[-1]
