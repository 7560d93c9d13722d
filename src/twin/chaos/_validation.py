"""Validation of Chaos Mesh experiments, as its admission webhook and CRD schema reject them.

Chaos Mesh checks its objects twice: the CRD's OpenAPI schema (enums for `mode` and `action`,
minimums) and a validating webhook (Go durations, stressor sizes, the `value` that goes with a
mode). Messages follow both ("parse duration field error: ...", "Unsupported value: ..."). Two
rules are the twin's own and stricter than Chaos Mesh: the selector must name something (Chaos
Mesh would default an empty one to the whole namespace), and an action must come with its
sub-spec (`delay` for a delay action), so a mistyped experiment fails loudly instead of doing nothing.

Admission runs these rules through `ChaosWebhook`, as the apiserver calls Chaos Mesh's webhook.
The controller reads experiments with the same `parse_go_duration` and `bandwidth_rate`, so what
validation accepts and what takes effect cannot drift apart.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from ..admission import Cause, GoSyntax
from ..admission import field_errors as fe
from ..store import QuantityError, parse_bytes

logger = logging.getLogger(__name__)

MODES = ("one", "all", "fixed", "fixed-percent", "random-max-percent")
POD_ACTIONS = ("pod-kill", "pod-failure", "container-kill")
NETWORK_ACTIONS = ("netem", "delay", "loss", "duplicate", "corrupt", "partition", "bandwidth")
DIRECTIONS = ("to", "from", "both")
SELECTOR_FIELDS = (
    "namespaces",
    "labelSelectors",
    "expressionSelectors",
    "annotationSelectors",
    "fieldSelectors",
    "podPhaseSelectors",
    "nodes",
    "nodeSelectors",
    "pods",
)

_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_NUMBER = re.compile(r"([0-9]*)(\.[0-9]*)?")
_GO_UNIT = re.compile(r"[^0-9.]*")
_BANDWIDTH_UNITS = (("tbps", 1 << 40), ("gbps", 1 << 30), ("mbps", 1 << 20), ("kbps", 1 << 10), ("bps", 1))


def _go_quote(text: str) -> str:
    return fe.go_value(text)


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration string: "1m30s" -> 90.0, "500ms" -> 0.5, "2h" -> 7200.0, "-1.5h".

    Raises:
        ValueError: with Go's own message, e.g. `time: invalid duration "abc"`.
    """
    rest = text
    sign = 1.0
    if rest[:1] in ("-", "+"):
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError(f"time: invalid duration {_go_quote(text)}")
    total = 0.0
    while rest:
        number = _GO_NUMBER.match(rest)
        assert number is not None
        whole, fraction = number.group(1), number.group(2) or ""
        if not whole and len(fraction) <= 1:
            raise ValueError(f"time: invalid duration {_go_quote(text)}")
        rest = rest[number.end() :]
        unit_match = _GO_UNIT.match(rest)
        assert unit_match is not None
        unit = unit_match.group(0)
        if not unit:
            raise ValueError(f"time: missing unit in duration {_go_quote(text)}")
        if unit not in _GO_UNITS:
            raise ValueError(f"time: unknown unit {_go_quote(unit)} in duration {_go_quote(text)}")
        total += float((whole or "0") + (fraction if len(fraction) > 1 else "")) * _GO_UNITS[unit]
        rest = rest[unit_match.end() :]
    return sign * total


def _atoi(text: str) -> int:
    """Go's `strconv.Atoi`, with its error message."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ValueError(f"strconv.Atoi: parsing {_go_quote(text)}: invalid syntax")
    return int(text)


def _parse_float(text: str) -> float:
    """Go's `strconv.ParseFloat`, with its error message (decimal forms only)."""
    if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(inf|infinity|nan)", text, re.I):
        raise ValueError(f"strconv.ParseFloat: parsing {_go_quote(text)}: invalid syntax")
    return float(text)


def bandwidth_rate(text: str) -> int:
    """Bytes per second in a rate like "1mbps" (Chaos Mesh's ConvertUnitToBytes)."""
    normal = text.strip().lower()
    for unit, multiplier in _BANDWIDTH_UNITS:
        if normal.endswith(unit):
            number = normal.removesuffix(unit).strip()
            if not re.fullmatch("[0-9]+", number):
                raise ValueError(f"strconv.ParseUint: parsing {_go_quote(number)}: invalid syntax")
            return int(number) * multiplier
    raise ValueError("invalid unit")


def _checked(parse: Callable[[str], Any], value: Any, field: str, what: str) -> list[Cause]:
    """One cause when `parse` rejects `value`, worded like Chaos Mesh ("parse <what> field error:...")."""
    try:
        parse(str(value))
    except ValueError as err:
        return [fe.invalid(field, value, f"parse {what} field error:{err}")]
    return []


# --- shared rules --------------------------------------------------------------------------------


def _mode_value(mode: str, value: Any, field: str) -> list[Cause]:
    text = "" if value is None else str(value)
    if mode not in ("fixed", "fixed-percent", "random-max-percent"):
        return []
    try:
        number = _atoi(text)
    except ValueError as err:
        return [fe.invalid(field, text, f"parse value field error:{err}")]
    if mode == "fixed" and number <= 0:
        return [fe.invalid(field, text, "value must be greater than 0 with mode:fixed")]
    if mode != "fixed" and not 0 < number <= 100:
        return [fe.invalid(field, text, f"value of {number} is invalid, Must be (0,100] with mode:{mode}")]
    return []


def pod_selector(spec: dict[str, Any], path: str) -> list[Cause]:
    """`mode`, its `value`, and a `selector` that names something; `path` is "spec" or "spec.target"."""
    causes: list[Cause] = []
    mode = spec.get("mode")
    if not mode:
        causes.append(fe.required(f"{path}.mode"))
    elif mode not in MODES:
        causes.append(fe.not_supported(f"{path}.mode", mode, MODES))
    else:
        causes += _mode_value(mode, spec.get("value"), f"{path}.value")
    selector = fe.mapping(spec.get("selector"))
    if not any(selector.get(key) for key in SELECTOR_FIELDS):
        causes.append(fe.required(f"{path}.selector", "at least one of " + ", ".join(SELECTOR_FIELDS) + " must be set"))
    return causes


def _duration(spec: dict[str, Any]) -> list[Cause]:
    duration = spec.get("duration")
    if duration in (None, ""):
        return []
    try:
        parse_go_duration(str(duration))
    except ValueError as err:
        return [fe.invalid("spec.duration", str(duration), f"parse duration field error: {err}")]
    return []


def _action(spec: dict[str, Any], supported: tuple[str, ...]) -> list[Cause]:
    action = spec.get("action")
    if not action:
        return [fe.required("spec.action")]
    if action not in supported:
        return [fe.not_supported("spec.action", action, supported)]
    return []


# --- kinds ---------------------------------------------------------------------------------------


def pod_chaos(spec: dict[str, Any]) -> list[Cause]:
    causes = _action(spec, POD_ACTIONS) + pod_selector(spec, "spec") + _duration(spec)
    if spec.get("action") == "container-kill" and not spec.get("containerNames"):
        names = spec.get("containerNames")
        shown = GoSyntax("[]string(nil)") if names is None else names
        causes.append(
            fe.invalid(
                "spec.containerNames", shown, "the name of container should not be empty on container-kill action"
            )
        )
    return causes


def _workers(stressor: dict[str, Any], path: str) -> list[Cause]:
    workers = stressor.get("workers")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers <= 0:
        return [fe.invalid(f"{path}.workers", workers, "workers should always be positive")]
    return []


def _memory_size(size: Any, field: str) -> list[Cause]:
    text = str(size)
    if text.endswith("%"):
        try:
            share = _atoi(text.removesuffix("%"))
        except ValueError as err:
            return [fe.invalid(field, size, f"incorrect bytes format: {err}")]
        return [] if 0 <= share <= 100 else [fe.invalid(field, size, "incorrect bytes format: illegal proportion")]
    try:
        parse_bytes(text)
    except QuantityError:
        return [fe.invalid(field, size, f"incorrect bytes format: invalid size: '{text}'")]
    return []


def stress_chaos(spec: dict[str, Any]) -> list[Cause]:
    causes = pod_selector(spec, "spec") + _duration(spec)
    stressors = fe.mapping(spec.get("stressors"))
    cpu, memory = stressors.get("cpu"), stressors.get("memory")
    if cpu is None and memory is None:
        if not spec.get("stressngStressors"):
            causes.append(fe.required("spec.stressors", "missing stressors"))
        return causes
    if cpu is not None:
        cpu = fe.mapping(cpu)
        causes += _workers(cpu, "spec.stressors.cpu")
        load = cpu.get("load")
        if load is not None and not (isinstance(load, int | float) and 0 <= load <= 100):
            causes.append(fe.invalid("spec.stressors.cpu.load", load, "illegal proportion"))
    if memory is not None:
        memory = fe.mapping(memory)
        causes += _workers(memory, "spec.stressors.memory")
        if memory.get("size") not in (None, ""):
            causes += _memory_size(memory["size"], "spec.stressors.memory.size")
    return causes


def _tc_parameters(spec: dict[str, Any]) -> list[Cause]:
    """The tc sub-specs, each parsed like the webhook's validateDelay/validateLoss/..."""
    causes: list[Cause] = []
    delay = spec.get("delay")
    if delay is not None:
        delay = fe.mapping(delay)
        causes += _checked(parse_go_duration, delay.get("latency", ""), "spec.delay.latency", "latency")
        if delay.get("jitter"):
            causes += _checked(parse_go_duration, delay["jitter"], "spec.delay.jitter", "jitter")
    for name in ("loss", "duplicate", "corrupt"):
        section = spec.get(name)
        if section is not None:
            causes += _checked(_parse_float, fe.mapping(section).get(name, ""), f"spec.{name}.{name}", name)
    for name in ("delay", "loss", "duplicate", "corrupt"):
        correlation = fe.mapping(spec.get(name)).get("correlation")
        if correlation not in (None, ""):
            causes += _checked(_parse_float, correlation, f"spec.{name}.correlation", "correlation")
    return causes


def _bandwidth(section: dict[str, Any]) -> list[Cause]:
    causes = _checked(bandwidth_rate, section.get("rate", ""), "spec.bandwidth.rate", "rate")
    for name in ("limit", "buffer"):
        value = section.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            causes.append(
                fe.invalid(
                    f"spec.bandwidth.{name}",
                    value,
                    f"spec.bandwidth.{name} in body should be greater than or equal to 1",
                )
            )
    return causes


def _network_subspec(spec: dict[str, Any]) -> list[Cause]:
    action = spec.get("action")
    if action == "netem":
        if not any(spec.get(name) is not None for name in ("delay", "loss", "duplicate", "corrupt", "rate")):
            return [
                fe.required("spec.delay", "a netem action needs at least one of delay, loss, duplicate, corrupt, rate")
            ]
        return []
    if action in ("delay", "loss", "duplicate", "corrupt", "bandwidth") and spec.get(action) is None:
        return [fe.required(f"spec.{action}", f"must be specified when `action` is '{action}'")]
    return []


def network_chaos(spec: dict[str, Any]) -> list[Cause]:
    causes = _action(spec, NETWORK_ACTIONS) + pod_selector(spec, "spec") + _duration(spec)
    causes += _network_subspec(spec)
    causes += _tc_parameters(spec)
    if spec.get("bandwidth") is not None:
        causes += _bandwidth(fe.mapping(spec["bandwidth"]))
    direction = spec.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        causes.append(fe.not_supported("spec.direction", direction, DIRECTIONS))
    if spec.get("target") is not None:
        causes += pod_selector(fe.mapping(spec["target"]), "spec.target")
    return causes


CHAOS_VALIDATORS: dict[str, Callable[[dict[str, Any]], list[Cause]]] = {
    "PodChaos": pod_chaos,
    "StressChaos": stress_chaos,
    "NetworkChaos": network_chaos,
}


class ChaosWebhook:
    """Chaos Mesh's validating webhook, for `Admission`: the rules above, and a spec fixed once created."""

    def validate(self, kind: str, obj: dict[str, Any]) -> list[Cause]:
        check = CHAOS_VALIDATORS.get(kind)
        return check(fe.mapping(obj.get("spec"))) if check is not None else []

    def validate_update(self, kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
        if kind in CHAOS_VALIDATORS and fe.mapping(old.get("spec")) != fe.mapping(new.get("spec")):
            return [fe.forbidden("spec", "Cannot update chaos spec")]
        return []
