"""Small helpers over Kubernetes objects held as plain JSON dicts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def clone(value: Any) -> Any:
    """A deep copy of JSON-like data; several times faster than `copy.deepcopy`."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def rfc3339(timestamp: float) -> str:
    """Seconds since the epoch as the apiserver writes timestamps (`2026-11-27T20:30:00Z`)."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(timestamp: float) -> str:
    """Micro-precision timestamp, as used by Events' `eventTime` and lease renewals."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> float:
    """An RFC 3339 timestamp as seconds since the epoch."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 timestamp (`2026-01-02T03:04:05Z`, fractions allowed) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.setdefault("metadata", {})


def name_of(obj: dict[str, Any]) -> str:
    return obj.get("metadata", {}).get("name", "")


def namespace_of(obj: dict[str, Any]) -> str:
    return obj.get("metadata", {}).get("namespace", "")


def labels_of(obj: dict[str, Any]) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def owner_uids(obj: dict[str, Any]) -> set[str]:
    return {ref.get("uid", "") for ref in obj.get("metadata", {}).get("ownerReferences") or []}


def controller_ref(owner: dict[str, Any]) -> dict[str, Any]:
    """The ownerReference a controller puts on what it creates."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
