"""The one envelope every agent, tool and the collector exchange, and its JSON wire form.

The original harness sent bare strings and put the sender in a header the LLM typed itself, so
nothing could tell a late answer from a fresh one. Every message here carries the run and the
round it belongs to and a unique id, which is what lets the collector drop other runs, stale
rounds and redeliveries. Decoding is strict: a missing, unknown or mistyped field is an error
naming that field, never a half-built message.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._errors import MessageFormatError


class MessageType(StrEnum):
    """What a message asks for or reports."""

    TASK = "TASK"
    """Work for the recipient (manager → collector → maintainers, or a runner → a maintainer)."""
    ISSUE = "ISSUE"
    """A maintainer reports a problem it could not solve."""
    RESPONSE = "RESPONSE"
    """An answer to a task (a maintainer's result, or the collector's aggregate for the manager)."""


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Message:
    """One message on the bus; `to_json`/`from_json` are its wire form (UTF-8 JSON object)."""

    run_id: str
    """The run this belongs to; consumers ignore other runs' messages."""
    round_id: str
    """The collector's round this answers or assigns ("" outside rounds)."""
    sender: str
    """A component name, `manager` or `collector`."""
    recipient: str
    type: MessageType
    body: str
    id: str = field(default_factory=_new_id)
    """uuid4 hex; redeliveries keep it, so it identifies duplicates."""
    sent_at: float = field(default_factory=time.time)
    """Unix time of creation."""

    def __post_init__(self) -> None:
        if not isinstance(self.type, MessageType):
            object.__setattr__(self, "type", _message_type(self.type))

    def to_json(self) -> bytes:
        """The wire form: a JSON object with exactly the fields of this class."""
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Message:
        """Decode the wire form.

        Raises:
            MessageFormatError: not UTF-8 JSON, not an object, or a field missing, unknown or
                of the wrong type; the message names the field.
        """
        try:
            document = json.loads(data.decode())
        except UnicodeDecodeError as error:
            raise MessageFormatError(f"message is not UTF-8: {error}") from error
        except json.JSONDecodeError as error:
            raise MessageFormatError(f"message is not JSON: {error}") from error
        if not isinstance(document, dict):
            raise MessageFormatError(f"message must be a JSON object, got {type(document).__name__}")
        _check_fields(document)
        return cls(**document)


_FIELDS = {item.name: item for item in dataclasses.fields(Message)}


def _check_fields(document: dict[str, Any]) -> None:
    missing = sorted(_FIELDS.keys() - document.keys())
    if missing:
        raise MessageFormatError(f"message lacks field(s): {', '.join(missing)}")
    unknown = sorted(document.keys() - _FIELDS.keys())
    if unknown:
        raise MessageFormatError(f"message has unknown field(s): {', '.join(unknown)}")
    for name, value in document.items():
        if name == "sent_at":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise MessageFormatError(f"message field sent_at must be a number, got {value!r}")
        elif not isinstance(value, str):
            raise MessageFormatError(f"message field {name} must be a string, got {value!r}")
    if not document["id"]:
        raise MessageFormatError("message field id must not be empty")


def _message_type(value: object) -> MessageType:
    try:
        return MessageType(value)
    except ValueError as error:
        expected = ", ".join(kind.value for kind in MessageType)
        raise MessageFormatError(f"message type must be one of {expected}, got {value!r}") from error
