"""Messages on the wire, task lists, round summaries and queue names: no broker needed."""

from __future__ import annotations

import json

import pytest

import src.messaging
from src.messaging import (
    Assignment,
    BrokerError,
    Bus,
    Message,
    MessageFormatError,
    MessageType,
    RoundResult,
    Topology,
    decode_assignments,
    encode_assignments,
    send_to_collector,
)


def _message(**changes: object) -> Message:
    fields: dict[str, object] = {
        "run_id": "run-1",
        "round_id": "r1-abc",
        "sender": "catalogue",
        "recipient": "manager",
        "type": MessageType.RESPONSE,
        "body": "scaled catalogue to 3 replicas ✓",
    }
    return Message(**(fields | changes))  # type: ignore[arg-type]


def _wire(**changes: object) -> bytes:
    document = json.loads(_message().to_json()) | changes
    return json.dumps(document).encode()


def test_a_message_survives_the_json_round_trip() -> None:
    message = _message()
    assert Message.from_json(message.to_json()) == message


def test_the_wire_form_is_a_flat_json_object_with_the_type_as_its_name() -> None:
    document = json.loads(_message(type="ISSUE").to_json())
    assert set(document) == {"run_id", "round_id", "sender", "recipient", "type", "body", "id", "sent_at"}
    assert document["type"] == "ISSUE"


def test_each_message_gets_its_own_id() -> None:
    assert _message().id != _message().id


def test_a_type_given_as_text_becomes_a_message_type() -> None:
    assert _message(type="TASK").type is MessageType.TASK


def test_an_unknown_type_is_refused_when_building_a_message() -> None:
    with pytest.raises(MessageFormatError, match="TASK, ISSUE, RESPONSE"):
        _message(type="REPLY")


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"RESPONSE from component catalogue: done", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (_wire(type="REPLY"), "type must be one of"),
        (_wire(sent_at=True), "sent_at must be a number"),
        (_wire(sender=7), "sender must be a string"),
        (_wire(id=""), "id must not be empty"),
        (_wire(priority="high"), "unknown field.*priority"),
    ],
    ids=["bad-utf8", "not-json", "array", "type", "sent_at", "sender", "empty-id", "unknown-field"],
)
def test_malformed_bytes_raise_an_error_naming_the_problem(data: bytes, complaint: str) -> None:
    with pytest.raises(MessageFormatError, match=complaint):
        Message.from_json(data)


def test_a_missing_field_is_named() -> None:
    document = json.loads(_message().to_json())
    del document["round_id"]
    with pytest.raises(MessageFormatError, match=r"lacks field.*round_id"):
        Message.from_json(json.dumps(document).encode())


def test_a_format_error_is_also_a_value_error() -> None:
    assert issubclass(MessageFormatError, ValueError)


def test_a_task_list_survives_encoding() -> None:
    assignments = [Assignment("catalogue", "check CPU"), Assignment("carts", "check latency")]
    assert decode_assignments(encode_assignments(assignments), {"catalogue", "carts"}) == assignments


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("scale catalogue", "not JSON"),
        ('[["catalogue"], ["scale"]]', "must be"),
        ('{"assignments": []}', "non-empty"),
        ('{"assignments": [{"component": "catalogue"}]}', "entry 0"),
        ('{"assignments": [{"component": "catalogue", "task": " "}]}', "task non-empty"),
        ('{"assignments": [{"component": "payments", "task": "t"}]}', "unknown component 'payments'"),
        (
            '{"assignments": [{"component": "carts", "task": "a"}, {"component": "carts", "task": "b"}]}',
            "assigned twice",
        ),
    ],
)
def test_a_bad_task_list_is_refused_with_the_reason(body: str, complaint: str) -> None:
    with pytest.raises(MessageFormatError, match=complaint):
        decode_assignments(body, {"catalogue", "carts"})


def test_a_round_summary_lists_every_answer_and_names_the_silent() -> None:
    answer = _message(type=MessageType.ISSUE, body="cannot reach the API")
    text = RoundResult("r2-x", {"catalogue": answer}, ["carts", "orders"], timeout=90).render()
    assert "1 of 3 components answered" in text
    assert "ISSUE from component catalogue:\ncannot reach the API" in text
    assert text.splitlines()[-1] == "No answer within 90 s from: carts, orders"


def test_a_complete_round_summary_has_no_missing_line() -> None:
    text = RoundResult("r1-x", {"carts": _message(sender="carts")}, [], timeout=5).render()
    assert "No answer" not in text


def test_queue_names_carry_the_run_prefix() -> None:
    topology = Topology(("catalogue", "carts"), prefix="t1-")
    assert (topology.manager_queue, topology.collector_queue, topology.queue("carts")) == (
        "t1-manager",
        "t1-collector",
        "t1-carts",
    )
    assert list(topology.bindings()) == [
        ("high_level", "t1-manager"),
        ("high_level", "t1-catalogue"),
        ("high_level", "t1-carts"),
        ("collector", "t1-collector"),
    ]


@pytest.mark.parametrize("components", [("manager",), ("carts", "carts"), ("",)])
def test_reserved_empty_or_repeated_component_names_are_refused(components: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="component"):
        Topology(components)


def test_a_tool_without_a_broker_url_gets_one_clear_line() -> None:
    with pytest.raises(BrokerError, match="SOCKSHOP_BROKER_URL is not set"):
        send_to_collector(_message(), environ={})


def test_the_exported_names_are_pinned() -> None:
    assert sorted(src.messaging.__all__) == sorted(
        [
            "BROKER_URL_ENV",
            "COLLECTOR",
            "COLLECTOR_EXCHANGE",
            "HIGH_LEVEL_EXCHANGE",
            "MANAGER",
            "QUEUE_PREFIX_ENV",
            "Assignment",
            "BrokerError",
            "BrokerHandle",
            "BrokerMissing",
            "Bus",
            "Message",
            "MessageCollector",
            "MessageFormatError",
            "MessageType",
            "MessagingError",
            "RoundHook",
            "RoundLog",
            "RoundResult",
            "Topology",
            "TopologyError",
            "decode_assignments",
            "encode_assignments",
            "ensure_broker",
            "queue_name",
            "send_to_collector",
            "send_to_component",
            "start_broker",
        ]
    )


@pytest.mark.parametrize("url", ["localhost:5672", "http://127.0.0.1:5672/", "amqp://guest:secret@host:port/"])
def test_a_malformed_broker_url_is_one_clear_error_without_the_password(url: str) -> None:
    with pytest.raises(BrokerError, match="invalid broker URL") as caught:
        Bus(url)
    assert "secret" not in str(caught.value)
