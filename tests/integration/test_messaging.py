"""Messaging against a real RabbitMQ node: acks, rounds, timeouts, heartbeats, restarts, cleanup."""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pika
import psutil
import pytest

from src.messaging import (
    MANAGER,
    Assignment,
    BrokerError,
    BrokerHandle,
    BrokerMissing,
    Bus,
    Message,
    MessageCollector,
    MessageType,
    Topology,
    TopologyError,
    _node,
    _send,
    encode_assignments,
    ensure_broker,
    send_to_collector,
    start_broker,
)
from tests.integration.conftest import silent_local_url

pytestmark = pytest.mark.integration

WAIT = 15.0
"""Seconds any single expected event may take before the test fails instead of hanging."""


class Inbox:
    """Consumes a queue on a thread of its own; each message is handed to `react`, then queued here."""

    def __init__(self, bus: Bus, name: str, react: Callable[[Message], None] | None = None) -> None:
        self._received: queue.Queue[Message] = queue.Queue()
        self._react = react
        self._stop = threading.Event()
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._consuming: Future[None] = self._thread.submit(bus.consume, name, self._handle, stop=self._stop)

    def _handle(self, message: Message) -> None:
        if self._react is not None:
            self._react(message)
        self._received.put(message)

    def get(self, timeout: float = WAIT) -> Message:
        return self._received.get(timeout=timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.shutdown(wait=True)
        self._consuming.result()


@pytest.fixture
def prefix() -> str:
    """A queue-name prefix of this test's own, so tests share the session's broker safely."""
    return f"t{uuid.uuid4().hex[:8]}-"


@pytest.fixture
def bus(rabbitmq: BrokerHandle) -> Iterator[Bus]:
    with Bus(rabbitmq.url) as connected:
        yield connected


@pytest.fixture
def inboxes() -> Iterator[list[Inbox]]:
    opened: list[Inbox] = []
    yield opened
    for inbox in opened:
        inbox.close()


def _ready_count(url: str, name: str) -> int:
    """Messages waiting in a queue (delivered-but-unacked ones not counted)."""
    with pika.BlockingConnection(pika.URLParameters(url)) as connection:
        return int(connection.channel().queue_declare(name, passive=True).method.message_count)


def _task(run_id: str, recipient: str, body: str) -> Message:
    return Message(run_id, "", MANAGER, recipient, MessageType.TASK, body)


def _answer(task: Message, sender: str, body: str, **changes: str) -> Message:
    fields = {"run_id": task.run_id, "round_id": task.round_id} | changes
    return Message(fields["run_id"], fields["round_id"], sender, MANAGER, MessageType.RESPONSE, body)


def _tool_env(url: str, prefix: str) -> dict[str, str]:
    return {"SOCKSHOP_BROKER_URL": url, "SOCKSHOP_QUEUE_PREFIX": prefix}


def test_messages_are_acked_only_after_the_handler_returned(bus: Bus, prefix: str, rabbitmq: BrokerHandle) -> None:
    topology = bus.declare_topology(["a"], prefix)
    sent = [_task("run", "a", f"task {n}") for n in range(3)]
    for message in sent:
        bus.publish("high_level", topology.queue("a"), message)
    waiting_during_first: list[int] = []
    handled: list[Message] = []
    stop = threading.Event()

    def handler(message: Message) -> None:
        if not handled:
            waiting_during_first.append(_ready_count(rabbitmq.url, topology.queue("a")))
        handled.append(message)
        if len(handled) == len(sent):
            stop.set()

    bus.consume(topology.queue("a"), handler, stop=stop)

    assert handled == sent
    assert waiting_during_first == [2], "the message in hand is neither waiting nor gone: it is unacked"
    assert _ready_count(rabbitmq.url, topology.queue("a")) == 0


def test_a_failing_handler_returns_its_message_and_the_error_surfaces(bus: Bus, prefix: str) -> None:
    topology = bus.declare_topology(["a"], prefix)
    message = _task("run", "a", "explode")
    bus.publish("high_level", topology.queue("a"), message)

    def handler(_message: Message) -> None:
        raise RuntimeError("agent crashed")

    with pytest.raises(RuntimeError, match="agent crashed"):
        bus.consume(topology.queue("a"), handler, stop=threading.Event())
    stop = threading.Event()
    again: list[Message] = []

    def receive(received: Message) -> None:
        again.append(received)
        stop.set()

    bus.consume(topology.queue("a"), receive, stop=stop)
    assert again == [message]


def test_a_publish_nobody_can_receive_raises(bus: Bus, prefix: str) -> None:
    bus.declare_topology(["a"], prefix)
    with pytest.raises(TopologyError, match="no queue is bound"):
        bus.publish("high_level", f"{prefix}nobody", _task("run", "nobody", "hello?"))


def test_a_round_where_both_components_answer_gives_the_manager_one_message(
    bus: Bus, prefix: str, rabbitmq: BrokerHandle, inboxes: list[Inbox]
) -> None:
    run_id = f"run-{prefix}"
    env = _tool_env(rabbitmq.url, prefix)
    collector = MessageCollector(bus, run_id, ["catalogue", "carts"], timeout=WAIT, prefix=prefix)
    collector.start()
    try:
        topology = Topology(("catalogue", "carts"), prefix)
        for name in topology.components:
            reply = _answerer(name, env)
            inboxes.append(Inbox(bus, topology.queue(name), reply))
        manager = Inbox(bus, topology.manager_queue)
        inboxes.append(manager)
        plan = [Assignment("catalogue", "report CPU"), Assignment("carts", "report latency")]
        send_to_collector(
            Message(run_id, "", MANAGER, "collector", MessageType.TASK, encode_assignments(plan)), environ=env
        )

        aggregated = manager.get()
        assert (aggregated.type, aggregated.sender, aggregated.run_id) == (MessageType.RESPONSE, "collector", run_id)
        assert "RESPONSE from component catalogue:\ncatalogue did: report CPU" in aggregated.body
        assert "RESPONSE from component carts:\ncarts did: report latency" in aggregated.body
        assert "No answer" not in aggregated.body
        with pytest.raises(queue.Empty):
            manager.get(timeout=0.5)
    finally:
        collector.stop()


def _answerer(name: str, env: dict[str, str]) -> Callable[[Message], None]:
    def reply(task: Message) -> None:
        send_to_collector(_answer(task, name, f"{name} did: {task.body}"), environ=env)

    return reply


def test_a_silent_component_is_named_after_the_timeout_without_hanging(
    bus: Bus, prefix: str, rabbitmq: BrokerHandle, inboxes: list[Inbox]
) -> None:
    run_id = f"run-{prefix}"
    env = _tool_env(rabbitmq.url, prefix)
    timeout = 1.5
    collector = MessageCollector(bus, run_id, ["catalogue", "carts"], timeout=timeout, prefix=prefix)
    collector.start()
    try:
        topology = Topology(("catalogue", "carts"), prefix)
        inboxes.append(Inbox(bus, topology.queue("catalogue"), _answerer("catalogue", env)))
        inboxes.append(Inbox(bus, topology.queue("carts")))
        manager = Inbox(bus, topology.manager_queue)
        inboxes.append(manager)
        plan = [Assignment("catalogue", "report CPU"), Assignment("carts", "report latency")]
        started = time.monotonic()
        send_to_collector(
            Message(run_id, "", MANAGER, "collector", MessageType.TASK, encode_assignments(plan)), environ=env
        )

        aggregated = manager.get(timeout=timeout + 5)
        assert time.monotonic() - started >= timeout
        assert "RESPONSE from component catalogue" in aggregated.body
        assert aggregated.body.splitlines()[-1] == "No answer within 1.5 s from: carts"
    finally:
        collector.stop()


def test_other_runs_stale_rounds_strangers_and_duplicates_are_dropped(
    bus: Bus, prefix: str, rabbitmq: BrokerHandle, inboxes: list[Inbox], caplog: pytest.LogCaptureFixture
) -> None:
    run_id = f"run-{prefix}"
    env = _tool_env(rabbitmq.url, prefix)
    collector = MessageCollector(bus, run_id, ["a", "b"], timeout=WAIT, prefix=prefix)
    collector.start()
    rounds = ThreadPoolExecutor(max_workers=1)
    try:
        topology = Topology(("a", "b"), prefix)
        tasks = {name: Inbox(bus, topology.queue(name)) for name in topology.components}
        inboxes.extend(tasks.values())

        first = rounds.submit(collector.run_round, [Assignment("a", "first")])
        old_task = tasks["a"].get()
        send_to_collector(_answer(old_task, "a", "first answer"), environ=env)
        assert first.result(timeout=WAIT).responses["a"].body == "first answer"

        second = rounds.submit(collector.run_round, [Assignment("a", "second"), Assignment("b", "second")])
        task_a, task_b = tasks["a"].get(), tasks["b"].get()
        assert task_a.round_id == task_b.round_id != old_task.round_id
        caplog.set_level(logging.WARNING, logger="src.messaging")
        decoys = [
            _answer(task_a, "a", "from another run", run_id="run-elsewhere"),
            _answer(old_task, "a", "for the old round"),
            _answer(task_a, "zzz", "from a stranger"),
            _answer(task_a, "a", "real answer"),
            _answer(task_a, "a", "second answer"),
        ]
        for message in [*decoys, _answer(task_b, "b", "b's answer")]:
            send_to_collector(message, environ=env)

        result = second.result(timeout=WAIT)
        assert {name: message.body for name, message in result.responses.items()} == {
            "a": "real answer",
            "b": "b's answer",
        }
        assert result.missing == []
        dropped = [record.getMessage() for record in caplog.records if "collector dropped" in record.getMessage()]
        assert len(dropped) == 4, dropped
        assert _ready_count(rabbitmq.url, topology.collector_queue) == 0
    finally:
        rounds.shutdown(wait=True)
        collector.stop()


def test_heartbeats_keep_the_connection_through_a_handler_blocking_four_times_their_interval(
    rabbitmq: BrokerHandle, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The broker drops a silent connection after two to three intervals, not exactly two.

    Measured on this machine with a handler run on the connection's own thread (the original
    harness's pattern) and a 2 s heartbeat: a 5 s handler kept its connection, 7, 9 and 12 s
    handlers lost theirs. So the handler here blocks 4 intervals (8 s), which that pattern
    cannot survive.
    """
    heartbeat = 2
    caplog.set_level(logging.WARNING)
    with Bus(rabbitmq.url, heartbeat=heartbeat) as bus:
        topology = bus.declare_topology(["slow"], prefix)
        bus.publish("high_level", topology.queue("slow"), _task("run", "slow", "think hard"))
        stop = threading.Event()
        calls: list[float] = []

        def handler(_message: Message) -> None:
            started = time.monotonic()
            threading.Event().wait(4 * heartbeat)
            calls.append(time.monotonic() - started)
            stop.set()

        bus.consume(topology.queue("slow"), handler, stop=stop)
        assert _ready_count(rabbitmq.url, topology.queue("slow")) == 0
        bus.publish("high_level", topology.queue("slow"), _task("run", "slow", "after a long silence"))

    assert len(calls) == 1 and calls[0] >= 4 * heartbeat
    assert _ready_count(rabbitmq.url, topology.queue("slow")) == 1
    assert [record.getMessage() for record in caplog.records] == []


@pytest.mark.slow
def test_a_broker_restart_mid_run_loses_no_message(tmp_path: Path, prefix: str) -> None:
    state_dir = tmp_path / "node"
    node = start_broker(state_dir)
    assert node.node is not None
    port = node.node.port
    restarted: BrokerHandle | None = None
    handled: list[str] = []
    changed = threading.Condition()
    holding, release, stop = threading.Event(), threading.Event(), threading.Event()

    def handler(message: Message) -> None:
        if not handled:
            holding.set()
            assert release.wait(WAIT)
        with changed:
            handled.append(message.body)
            changed.notify_all()

    workers = ThreadPoolExecutor(max_workers=2)
    bus = Bus(node.url)
    try:
        topology = bus.declare_topology(["a"], prefix)
        for n in range(3):
            bus.publish("high_level", topology.queue("a"), _task("run", "a", f"m{n}"))
        consuming = workers.submit(bus.consume, topology.queue("a"), handler, stop=stop)
        assert holding.wait(WAIT)

        node.stop()
        late = workers.submit(
            lambda: [bus.publish("high_level", topology.queue("a"), _task("run", "a", f"m{n}")) for n in (3, 4)]
        )
        release.set()
        restarted = start_broker(state_dir, port=port)

        late.result(timeout=30)
        with changed:
            assert changed.wait_for(lambda: len(handled) >= 5, timeout=30), handled
        stop.set()
        consuming.result(timeout=WAIT)
        assert sorted(handled) == ["m0", "m1", "m2", "m3", "m4"], "each message handled exactly once"
        assert _ready_count(restarted.url, topology.queue("a")) == 0
    finally:
        stop.set()
        release.set()
        bus.close()
        workers.shutdown(wait=True)
        if restarted is not None:
            restarted.stop()
        node.stop()


def test_ensure_broker_starts_a_node_for_a_silent_local_url_and_leaves_nothing_behind(tmp_path: Path) -> None:
    state_dir = tmp_path / "broker"
    handle = ensure_broker(silent_local_url(), state_dir)
    assert handle.started and handle.node is not None
    with pika.BlockingConnection(pika.URLParameters(handle.url)) as connection:
        assert connection.is_open
    processes = [psutil.Process(pid) for pid in _node_pids(handle)]
    assert {process.name() for process in processes} >= {"beam.smp", "epmd"}

    handle.stop()

    assert [process.pid for process in processes if process.is_running()] == []
    assert [process.pid for process in psutil.process_iter() if _mentions(process, str(state_dir))] == []
    handle.stop()


def _node_pids(handle: BrokerHandle) -> list[int]:
    assert handle.node is not None
    return [process.pid for process in handle.node.processes()]


def _mentions(process: psutil.Process, text: str) -> bool:
    try:
        return any(text in part for part in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def test_ensure_broker_reuses_a_running_broker_and_never_stops_it(rabbitmq: BrokerHandle, tmp_path: Path) -> None:
    handle = ensure_broker(rabbitmq.url, tmp_path / "unused")
    handle.stop()
    assert not handle.started and handle.url == rabbitmq.url
    with pika.BlockingConnection(pika.URLParameters(rabbitmq.url)) as connection:
        assert connection.is_open
    assert not (tmp_path / "unused").exists()


def test_a_remote_broker_that_does_not_answer_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match=r"no broker answers at amqp://guest:\*\*\*@broker\.invalid") as caught:
        ensure_broker("amqp://guest:secret@broker.invalid:5672/%2F", tmp_path)
    assert "\n" not in str(caught.value)


def test_a_missing_rabbitmq_package_says_to_run_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_node, "SERVER", tmp_path / "no-rabbitmq-server")
    with pytest.raises(BrokerMissing, match=re.escape("run `bash scripts/setup.sh`")):
        ensure_broker(silent_local_url(), tmp_path / "broker")


def test_a_tool_facing_a_dead_broker_gets_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_send, "SEND_WINDOW", 0.5)
    url = silent_local_url()
    with pytest.raises(BrokerError, match=r"broker unreachable for 0\.5 s .*Connection refused") as caught:
        send_to_collector(_task("run", "collector", "hello"), environ={"SOCKSHOP_BROKER_URL": url})
    assert "\n" not in str(caught.value)


def test_a_node_started_in_the_background_knows_its_url_at_once_and_can_be_stopped_while_it_starts(
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    handle = ensure_broker(silent_local_url(), tmp_path / "early", background=True)
    assert time.monotonic() - began < 1.0 and handle.started
    handle.stop()
    with pytest.raises(BrokerError, match="stopped while it started"):
        handle.wait_ready(timeout=WAIT)
    assert [process.pid for process in psutil.process_iter() if _mentions(process, str(tmp_path / "early"))] == []

    handle = ensure_broker(silent_local_url(), tmp_path / "later", background=True)
    url = handle.url
    try:
        assert handle.wait_ready(timeout=60) == url
        with pika.BlockingConnection(pika.URLParameters(url)) as connection:
            assert connection.is_open
    finally:
        handle.stop()
    assert [process.pid for process in psutil.process_iter() if _mentions(process, str(tmp_path / "later"))] == []


STUCK_HANDLER = """
import sys, threading
from src.messaging import Bus, Message, MessageType
bus = Bus(sys.argv[1])
topology = bus.declare_topology(["stuck"], sys.argv[2])
bus.publish("high_level", topology.queue("stuck"), Message("run", "", "manager", "stuck", MessageType.TASK, "wait"))
holding, stop = threading.Event(), threading.Event()
def handler(message):
    holding.set()
    threading.Event().wait()  # an LLM request that never returns
queue = topology.queue("stuck")
consumer = threading.Thread(target=bus.consume, args=(queue, handler), kwargs={"stop": stop}, daemon=True)
consumer.start()
assert holding.wait(15)
stop.set()
consumer.join(1)
bus.close()
print("leaving", flush=True)
"""


def test_a_handler_stuck_for_ever_does_not_keep_the_interpreter_alive(rabbitmq: BrokerHandle, prefix: str) -> None:
    import subprocess
    import sys

    from src.config import REPO_ROOT

    process = subprocess.Popen(
        [sys.executable, "-c", STUCK_HANDLER, rabbitmq.url, prefix],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out == "leaving\n"
