"""The status Chaos Mesh writes on an experiment, which `kubectl describe` shows and clients poll.

`status.experiment` holds `desiredPhase` (Run or Stop) and one record per target
(`containerRecords[]`: id, selectorKey, phase Injected/NotInjected, counts and the last ten apply
and recover events). `status.conditions` is derived from the records exactly as Chaos Mesh's
condition controller does: Selected once records exist, AllInjected / AllRecovered when every
record is Injected / NotInjected, Paused from the pause annotation. Chaos Mesh leaves the
condition reasons empty; the twin says why selection failed, which is the one case where an
operator has nothing else to go on.
"""

from __future__ import annotations

from typing import Any

from ..store import WatchEvent, rfc3339

INJECTED = "Injected"
NOT_INJECTED = "NotInjected"
RUN = "Run"
STOP = "Stop"
SELECTOR_KEY = "."
MAX_RECORD_EVENTS = 10
"""Chaos Mesh's `ControllerCfg.MaxEvents`: older record events are dropped."""
PAUSE_ANNOTATION = "experiment.chaos-mesh.org/pause"


def new_record(record_id: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "selectorKey": SELECTOR_KEY,
        "phase": NOT_INJECTED,
        "injectedCount": 0,
        "recoveredCount": 0,
        "events": [],
    }


def note(record: dict[str, Any], operation: str, now: float, error: str | None = None) -> None:
    """Append one apply/recover event to a record, counting successes as Chaos Mesh does."""
    event: dict[str, Any] = {
        "type": "Failed" if error else "Succeeded",
        "operation": operation,
        "timestamp": rfc3339(now),
    }
    if error:
        event["message"] = error
    elif operation == "Apply":
        record["phase"] = INJECTED
        record["injectedCount"] = int(record.get("injectedCount") or 0) + 1
    else:
        record["phase"] = NOT_INJECTED
        record["recoveredCount"] = int(record.get("recoveredCount") or 0) + 1
    record["events"] = [*(record.get("events") or []), event][-MAX_RECORD_EVENTS:]


def is_paused(obj: dict[str, Any]) -> bool:
    return (obj["metadata"].get("annotations") or {}).get(PAUSE_ANNOTATION) == "true"


def conditions(records: list[dict[str, Any]] | None, paused: bool, selection_error: str | None) -> list[dict[str, Any]]:
    """Selected, AllInjected, AllRecovered and Paused, from the records."""
    phases = [record.get("phase") for record in records or []]

    def condition(kind: str, status: bool, reason: str = "") -> dict[str, Any]:
        return {"type": kind, "status": "True" if status else "False", "reason": reason}

    return [
        condition("Selected", records is not None, "" if records is not None else selection_error or ""),
        condition("AllInjected", records is not None and all(p == INJECTED for p in phases)),
        condition("AllRecovered", records is not None and all(p == NOT_INJECTED for p in phases)),
        condition("Paused", paused),
    ]


def status_only(event: WatchEvent) -> bool:
    """Whether a MODIFIED event changed nothing but status (and the resourceVersion)."""
    if event.type != "MODIFIED" or event.old is None:
        return False

    def rest(obj: dict[str, Any]) -> dict[str, Any]:
        meta = {k: v for k, v in obj["metadata"].items() if k not in ("resourceVersion", "managedFields")}
        return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}

    return rest(event.object) == rest(event.old)
