"""What an experiment does to one pod, as a `Faults` contribution, and how contributions add up.

Each active experiment contributes a `Faults` value to each pod it holds; the pod's actual faults
are recomputed from all contributions whenever one comes or goes, so recovering one experiment
leaves exactly what the others still inject. Contributions combine the way the real mechanisms
stack: stressors are separate processes, so CPU and memory add up; netem delays on one interface
do not add in the model's single hop, so the largest wins; independent drops compound
(1 - Π(1 - p)); the narrowest bandwidth limit is the one that binds.

Units follow Chaos Mesh: `load` is percent per CPU worker (100 when omitted, stress-ng's
default); memory `size` is per worker, in bytes ("256MB", "1GiB") or a percentage of the
container's memory limit; `loss` is a percentage; bandwidth `rate` uses tc's units, where "bps"
means *bytes* per second (the CRD's own documentation), converted by the same function
validation uses. A request crosses one modelled hop, so `direction`, `target` and
`externalTargets` do not narrow a network fault: the selected pods' replies carry it. Duplicate
and corrupt have no counterpart in the model: they are recorded as injected and logged, so an
experiment using them is not silently mistaken for one that works.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from ..shop import Faults
from ..store import QuantityError, parse_bytes
from ._validation import bandwidth_rate, parse_go_duration

logger = logging.getLogger(__name__)

ONE_SHOT_ACTIONS = ("pod-kill", "container-kill")
"""PodChaos actions that act once (Chaos Mesh's `IsOneShot`): no duration, pause or recovery."""
UNMODELLED_NETEM = ("duplicate", "corrupt")
FULL_LOAD = 100


def is_one_shot(kind: str, spec: dict[str, Any]) -> bool:
    return kind == "PodChaos" and spec.get("action") in ONE_SHOT_ACTIONS


def contribution(kind: str, spec: dict[str, Any], memory_limit: int | None, name: str) -> Faults:
    """The lasting faults an experiment puts on one pod.

    Args:
        kind: PodChaos, StressChaos or NetworkChaos.
        spec: The experiment's spec (already validated by admission).
        memory_limit: The target container's memory limit in bytes, the basis of "50%" sizes.
        name: The experiment's "<namespace>/<name>", for log messages.
    """
    if kind == "PodChaos":
        return Faults(failed=spec.get("action") == "pod-failure")
    if kind == "StressChaos":
        return _stress(spec.get("stressors") or {}, memory_limit, name)
    return _network(spec, name)


def _stress(stressors: dict[str, Any], memory_limit: int | None, name: str) -> Faults:
    faults = Faults()
    cpu = stressors.get("cpu")
    if cpu:
        workers = int(cpu.get("workers") or 0)
        load = cpu.get("load")
        faults.stress_cpu_cores = workers * float(FULL_LOAD if load is None else load) / 100
        faults.stress_workers = workers
    memory = stressors.get("memory")
    if memory:
        faults.stress_memory_bytes = int(memory.get("workers") or 0) * _memory_size(
            memory.get("size"), memory_limit, name
        )
    return faults


def _memory_size(size: Any, memory_limit: int | None, name: str) -> int:
    """Bytes of one memory worker; a percentage (or no size, stress-ng's "all of it") needs a limit."""
    text = "100%" if size in (None, "") else str(size).strip()
    if not text.endswith("%"):
        try:
            return parse_bytes(text)
        except QuantityError:
            logger.warning("%s: memory size %r is not a size; no memory stress", name, size)
            return 0
    if memory_limit is None:
        logger.info("%s: memory size %s of a container without a memory limit; no memory stress", name, text)
        return 0
    return memory_limit * int(text.removesuffix("%")) // 100


def _network(spec: dict[str, Any], name: str) -> Faults:
    action = spec.get("action")
    faults = Faults()
    if action == "partition":
        faults.loss = 1.0
        return faults
    if action in UNMODELLED_NETEM or any(spec.get(part) for part in UNMODELLED_NETEM if action == "netem"):
        logger.info("%s: duplicate/corrupt packets are not modelled; recorded as injected without effect", name)
    if action in ("delay", "netem") and spec.get("delay"):
        delay = spec["delay"]
        faults.delay = parse_go_duration(str(delay.get("latency") or "0"))
        faults.jitter = parse_go_duration(str(delay.get("jitter") or "0"))
    if action in ("loss", "netem") and spec.get("loss"):
        faults.loss = min(1.0, float(spec["loss"].get("loss") or 0) / 100)
    if action == "bandwidth" and spec.get("bandwidth"):
        faults.bandwidth_bytes_per_second = _rate(spec["bandwidth"].get("rate"), name)
    if action == "netem" and spec.get("rate"):
        faults.bandwidth_bytes_per_second = _rate(spec["rate"].get("rate"), name)
    return faults


def _rate(text: Any, name: str) -> float:
    try:
        return float(bandwidth_rate(str(text)))
    except ValueError:
        logger.warning("%s: bandwidth rate %r is not understood; no bandwidth limit", name, text)
        return 0.0


def combine(contributions: Iterable[Faults]) -> Faults:
    """The faults of a pod under several experiments at once (`kills` is not a lasting fault)."""
    total = Faults()
    kept = 1.0
    for part in contributions:
        total.failed = total.failed or part.failed
        total.stress_cpu_cores += part.stress_cpu_cores
        total.stress_workers += part.stress_workers
        total.stress_memory_bytes += part.stress_memory_bytes
        total.delay = max(total.delay, part.delay)
        total.jitter = max(total.jitter, part.jitter)
        kept *= 1.0 - part.loss
        if part.bandwidth_bytes_per_second > 0:
            current = total.bandwidth_bytes_per_second
            total.bandwidth_bytes_per_second = (
                min(current, part.bandwidth_bytes_per_second) if current else (part.bandwidth_bytes_per_second)
            )
    total.loss = 1.0 - kept
    return total


def assign(faults: Faults, lasting: Faults) -> None:
    """Set a pod's lasting faults in place, keeping the kills the kubelet has not acted on yet."""
    for field in fields(Faults):
        if field.name != "kills":
            setattr(faults, field.name, getattr(lasting, field.name))


def memory_limit(pod: dict[str, Any], container_name: str | None) -> int | None:
    """The memory limit of the target container (the pod's first when the record is pod-level)."""
    containers = pod.get("spec", {}).get("containers") or []
    chosen = next((c for c in containers if c.get("name") == container_name), containers[0] if containers else {})
    limit = ((chosen.get("resources") or {}).get("limits") or {}).get("memory")
    try:
        return parse_bytes(limit) if limit is not None else None
    except QuantityError:
        return None
