"""Kubernetes protobuf request bodies, decoded into the JSON dicts the rest of the twin works on.

kubectl's typed clients (`kubectl create deployment`, `create namespace|configmap|secret|service`,
`autoscale`) send `application/vnd.kubernetes.protobuf` and never fall back to JSON when refused,
so the twin must read that format to support them. Responses stay JSON: clients accept either.

The body is the 4-byte magic `k8s\\x00` and a `runtime.Unknown` envelope: typeMeta (1) holding
apiVersion (1) and kind (2), then raw (2), the object's own message. The reader here is generic
protobuf (varint, 64-bit, length-delimited and 32-bit wire types); what the fields mean comes from
the tables in `_protobuf_schema`, including which zero values are "unset" (see there). A few
apimachinery messages have a JSON form of their own and are converted here: `Time` becomes an
RFC 3339 string, `Quantity` its string, `IntOrString` an int or a string, and bytes are base64.

Errors: `ProtobufError` (a `ValueError`) for a body that is not valid protobuf, which the REST
layer answers with 400; its subclass `UnsupportedKind` for a well-formed body of a kind the schema
does not cover, answered with 415 so the user knows to send that object as JSON instead.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ..store import rfc3339
from ._protobuf_schema import MESSAGES, ROOTS, Field, Kind

logger = logging.getLogger(__name__)

PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

_MAGIC = b"k8s\x00"
_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
_FIXED_WIDTH = {_I64: 8, _I32: 4}
_MAX_VARINT_BITS = 64
_INT64_SIGN = 1 << 63


class ProtobufError(ValueError):
    """The body is not a well-formed Kubernetes protobuf object."""


class UnsupportedKind(ProtobufError):
    """A well-formed body of a kind the twin has no protobuf schema for."""


class _WireField(NamedTuple):
    number: int
    wire_type: int
    value: int | bytes
    """The integer of a varint; the payload bytes of every other wire type."""


def decode_object(body: bytes) -> dict[str, Any]:
    """Decode a protobuf request body into the object's JSON form.

    Args:
        body: The request body, starting with the `k8s\\x00` magic.

    Returns:
        The object as a JSON dict, with `apiVersion` and `kind` taken from the envelope and
        unset fields left out.

    Raises:
        UnsupportedKind: The envelope names a kind outside the schema.
        ProtobufError: The body is not a valid Kubernetes protobuf object.
    """
    if not body.startswith(_MAGIC):
        raise ProtobufError("the body does not start with the Kubernetes protobuf magic k8s\\x00")
    api_version, kind, raw = _envelope(body[len(_MAGIC) :])
    root = ROOTS.get((api_version, kind))
    if root is None:
        known = ", ".join(f"{v}/{k}" for v, k in ROOTS)
        raise UnsupportedKind(
            f"the twin cannot read {api_version}/{kind} as protobuf (it reads {known}); "
            "send it as JSON, e.g. with kubectl apply -f"
        )
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
    obj.update(_decode_message(raw, root, ""))
    logger.debug("decoded a protobuf %s/%s", api_version, kind)
    return obj


def _envelope(data: bytes) -> tuple[str, str, bytes]:
    """apiVersion, kind and raw object bytes out of a `runtime.Unknown`."""
    type_meta: dict[str, Any] = {}
    raw = b""
    for field in _wire_fields(data, "envelope"):
        if field.wire_type != _LEN or not isinstance(field.value, bytes):
            continue
        if field.number == 1:
            type_meta = _decode_message(field.value, "TypeMeta", "typeMeta")
        elif field.number == 2:
            raw = field.value
        elif field.number == 3 and field.value:
            encoding = _text(field.value, "contentEncoding")
            raise ProtobufError(f"the object is compressed ({encoding}); send it uncompressed")
    return type_meta.get("apiVersion", ""), type_meta.get("kind", ""), raw


def _decode_message(data: bytes, message: str, path: str) -> dict[str, Any]:
    schema = MESSAGES[message]
    out: dict[str, Any] = {}
    for wire in _wire_fields(data, path or message):
        field = schema.get(wire.number)
        if field is None:
            continue
        where = f"{path}.{field.name}".lstrip(".") if field.name else path
        for value in _values(field, wire, where):
            _store(out, field, value)
    return out


def _values(field: Field, wire: _WireField, path: str) -> list[Any]:
    """The decoded value(s) one wire field carries (a packed repeated number carries several)."""
    if field.kind in (Kind.INT, Kind.BOOL):
        if isinstance(wire.value, int):
            raw_numbers = [wire.value]
        elif field.repeated and wire.wire_type == _LEN:
            raw_numbers = _packed(wire.value, path)
        else:
            raise _mismatch(field, wire, path)
        if field.kind is Kind.BOOL:
            return [n != 0 for n in raw_numbers]
        return [n - (1 << 64) if n & _INT64_SIGN else n for n in raw_numbers]
    if wire.wire_type != _LEN or not isinstance(wire.value, bytes):
        raise _mismatch(field, wire, path)
    if field.kind is Kind.STRING:
        return [_text(wire.value, path)]
    if field.kind is Kind.BYTES:
        return [base64.b64encode(wire.value).decode("ascii")]
    message = field.message or ""
    decoded = _decode_message(wire.value, message, path)
    convert = _CONVERTERS.get(message)
    return [convert(decoded) if convert else decoded]


def _store(out: dict[str, Any], field: Field, value: Any) -> None:
    if field.name is None:
        out.update(value)
    elif field.is_map:
        out.setdefault(field.name, {})[value.get("key", "")] = value.get("value", "")
    elif field.repeated:
        out.setdefault(field.name, []).append(value)
    elif value is not None and (field.keep_zero or value not in ("", 0)):
        out[field.name] = value


def _wire_fields(data: bytes, path: str) -> Iterator[_WireField]:
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos, path)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise ProtobufError(f"{path}: field number 0 is not valid protobuf")
        if wire_type == _VARINT:
            value, pos = _varint(data, pos, path)
            yield _WireField(number, wire_type, value)
            continue
        if wire_type == _LEN:
            size, pos = _varint(data, pos, path)
        elif wire_type in _FIXED_WIDTH:
            size = _FIXED_WIDTH[wire_type]
        else:
            raise ProtobufError(f"{path}: field {number} uses wire type {wire_type}, which Kubernetes never writes")
        if pos + size > len(data):
            raise ProtobufError(f"{path}: field {number} runs past the end of the body")
        yield _WireField(number, wire_type, data[pos : pos + size])
        pos += size


def _varint(data: bytes, pos: int, path: str) -> tuple[int, int]:
    result = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & ((1 << _MAX_VARINT_BITS) - 1), pos
        shift += 7
        if shift >= 70:
            raise ProtobufError(f"{path}: a varint is longer than 10 bytes")
    raise ProtobufError(f"{path}: the body ends inside a varint")


def _packed(data: bytes, path: str) -> list[int]:
    values = []
    pos = 0
    while pos < len(data):
        value, pos = _varint(data, pos, path)
        values.append(value)
    return values


def _text(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtobufError(f"{path}: a string is not valid UTF-8") from err


def _mismatch(field: Field, wire: _WireField, path: str) -> ProtobufError:
    kind = field.kind.value
    return ProtobufError(f"{path}: field {wire.number} is a {kind} but arrived with wire type {wire.wire_type}")


def _time(fields: dict[str, Any]) -> str | None:
    """meta/v1 Time, which JSON writes with second precision; the zero time is JSON null, i.e. unset."""
    seconds = fields.get("seconds", 0)
    return rfc3339(seconds) if seconds or fields.get("nanos") else None


def _quantity(fields: dict[str, Any]) -> str:
    return str(fields.get("string", ""))


def _int_or_string(fields: dict[str, Any]) -> int | str:
    """intstr.IntOrString: type 0 holds intVal, type 1 strVal."""
    if fields.get("type", 0) == 1:
        return str(fields.get("strVal", ""))
    return int(fields.get("intVal", 0))


_CONVERTERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Time": _time,
    "Quantity": _quantity,
    "IntOrString": _int_or_string,
}
"""Messages whose JSON form is a scalar, keyed by message type."""
