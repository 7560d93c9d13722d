"""Validation of a PodSpec, bare or inside a workload's template, as `ValidatePodSpec` does it.

Split from `_validation` because every workload kind shares it and it is the largest single rule
set: containers, ports, environment, resources and probes. Admission defaults the spec first
(restartPolicy, protocol, probe periods), so a missing defaulted field is never reported here.
"""

from __future__ import annotations

import logging
from typing import Any

from ..store import QUANTITY_PATTERN, QuantityError, parse_quantity
from . import _fielderrors as fe
from ._fielderrors import Cause, items, mapping

logger = logging.getLogger(__name__)

RESTART_POLICIES = ("Always", "OnFailure", "Never")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
PROTOCOLS = ("SCTP", "TCP", "UDP")
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
_STANDARD_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def nonnegative(value: Any, field: str) -> list[Cause]:
    """`must be greater than or equal to 0` for a set, negative integer field."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return [fe.invalid(field, value, "must be greater than or equal to 0")]
    return []


def port_number_or_name(value: Any, field: str) -> list[Cause]:
    """A port given as a number (1..65535) or as an IANA name, like `targetPort` and probe ports."""
    if isinstance(value, bool) or value is None:
        return [fe.invalid(field, value, "must contain an int or string")]
    if isinstance(value, int):
        return fe.invalid_each(field, value, fe.port_number(value))
    if isinstance(value, str):
        return fe.invalid_each(field, value, fe.port_name(value))
    return [fe.invalid(field, value, "must contain an int or string")]


# --- containers ----------------------------------------------------------------------------------


def _ports(ports: list[dict[str, Any]], path: str) -> list[Cause]:
    causes: list[Cause] = []
    names: set[str] = set()
    for index, port in enumerate(ports):
        at = f"{path}[{index}]"
        name = port.get("name")
        if name:
            messages = fe.port_name(str(name))
            if messages:
                causes += fe.invalid_each(f"{at}.name", name, messages)
            elif name in names:
                causes.append(fe.duplicate(f"{at}.name", name))
            names.add(str(name))
        container_port = port.get("containerPort")
        if not container_port:
            causes.append(fe.required(f"{at}.containerPort"))
        elif isinstance(container_port, int):
            causes += fe.invalid_each(f"{at}.containerPort", container_port, fe.port_number(container_port))
        else:
            causes.append(fe.invalid(f"{at}.containerPort", container_port, "must be an integer"))
        host_port = port.get("hostPort")
        if isinstance(host_port, int) and host_port:
            causes += fe.invalid_each(f"{at}.hostPort", host_port, fe.port_number(host_port))
        protocol = port.get("protocol", "TCP")
        if protocol not in PROTOCOLS:
            causes.append(fe.not_supported(f"{at}.protocol", protocol, PROTOCOLS))
    return causes


def _env(env: list[dict[str, Any]], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for index, var in enumerate(env):
        at = f"{path}[{index}]"
        name = var.get("name")
        if not name:
            causes.append(fe.required(f"{at}.name"))
        else:
            causes += fe.invalid_each(f"{at}.name", name, fe.env_var_name(str(name)))
        if var.get("valueFrom") is not None and var.get("value"):
            causes.append(fe.invalid(f"{at}.valueFrom", "", "may not be specified when `value` is not empty"))
    return causes


def _resource_name(name: str, field: str) -> list[Cause]:
    if name in _STANDARD_RESOURCES or name.startswith("hugepages-"):
        return []
    if "/" in name:
        return fe.invalid_each(field, name, fe.qualified_name(name))
    return [fe.invalid(field, name, "must be a standard resource for containers")]


def _overcommittable(name: str) -> bool:
    """Native resources may request less than their limit; hugepages and extended ones may not."""
    native = "/" not in name or "kubernetes.io/" in name
    return native and not name.startswith("hugepages-")


def _quantities(section: dict[str, Any], path: str) -> tuple[list[Cause], dict[str, Any]]:
    """Check one of `limits`/`requests`; also return the values that parsed, for comparison."""
    causes: list[Cause] = []
    values = {}
    for name, quantity in section.items():
        at = f"{path}[{name}]"
        causes += _resource_name(str(name), at)
        try:
            value = parse_quantity(quantity)
        except QuantityError:
            causes.append(
                fe.invalid(at, quantity, f"quantities must match the regular expression '{QUANTITY_PATTERN}'")
            )
            continue
        if value < 0:
            causes.append(fe.invalid(at, str(quantity), "must be greater than or equal to 0"))
            continue
        values[name] = value
    return causes, values


def resources(spec: dict[str, Any], path: str) -> list[Cause]:
    """Quantities well-formed and non-negative, each request at most its limit (requests <= limits)."""
    limits, requests = mapping(spec.get("limits")), mapping(spec.get("requests"))
    limit_causes, limit_values = _quantities(limits, f"{path}.limits")
    request_causes, request_values = _quantities(requests, f"{path}.requests")
    causes = limit_causes + request_causes
    for name, request in request_values.items():
        if name not in limit_values:
            continue
        limit = limit_values[name]
        if request != limit and not _overcommittable(name):
            detail = f"must be equal to {name} limit of {limits[name]}"
            causes.append(fe.invalid(f"{path}.requests", str(requests[name]), detail))
        elif request > limit:
            detail = f"must be less than or equal to {name} limit of {limits[name]}"
            causes.append(fe.invalid(f"{path}.requests", str(requests[name]), detail))
    return causes


def _handler(name: str, handler: dict[str, Any], path: str) -> list[Cause]:
    if name == "exec":
        return [] if handler.get("command") else [fe.required(f"{path}.command")]
    if name == "grpc":
        port = handler.get("port")
        if not isinstance(port, int) or isinstance(port, bool):
            return [fe.invalid(f"{path}.port", port, "must be an integer")]
        return fe.invalid_each(f"{path}.port", port, fe.port_number(port))
    causes = port_number_or_name(handler.get("port"), f"{path}.port")
    scheme = handler.get("scheme", "HTTP")
    if name == "httpGet" and scheme not in ("HTTP", "HTTPS"):
        causes.append(fe.not_supported(f"{path}.scheme", scheme, ("HTTP", "HTTPS")))
    return causes


def probe(spec: dict[str, Any], path: str, *, liveness: bool = False) -> list[Cause]:
    """Exactly one handler (exec, httpGet, tcpSocket, grpc), non-negative timings."""
    present = [name for name in PROBE_HANDLERS if spec.get(name) is not None]
    if not present:
        causes = [fe.required(path, "must specify a handler type")]
    else:
        causes = _handler(present[0], mapping(spec[present[0]]), f"{path}.{present[0]}")
        causes += [fe.forbidden(f"{path}.{name}", "may not specify more than 1 handler type") for name in present[1:]]
    for timing in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        causes += nonnegative(spec.get(timing), f"{path}.{timing}")
    threshold = spec.get("successThreshold", 1)
    if liveness and threshold != 1:
        causes.append(fe.invalid(f"{path}.successThreshold", threshold, "must be 1"))
    return causes


def _container(container: dict[str, Any], path: str, volumes: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    image = container.get("image")
    if not image:
        causes.append(fe.required(f"{path}.image"))
    elif isinstance(image, str) and image != image.strip():
        causes.append(fe.invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    policy = container.get("imagePullPolicy")
    if policy is not None and policy not in PULL_POLICIES:
        causes.append(fe.not_supported(f"{path}.imagePullPolicy", policy, PULL_POLICIES))
    causes += _ports(items(container.get("ports")), f"{path}.ports")
    causes += _env(items(container.get("env")), f"{path}.env")
    causes += resources(mapping(container.get("resources")), f"{path}.resources")
    for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
        if container.get(kind) is not None:
            causes += probe(mapping(container[kind]), f"{path}.{kind}", liveness=kind != "readinessProbe")
    for index, mount in enumerate(items(container.get("volumeMounts"))):
        at = f"{path}.volumeMounts[{index}]"
        if not mount.get("name"):
            causes.append(fe.required(f"{at}.name"))
        elif mount["name"] not in volumes:
            causes.append(fe.not_found(f"{at}.name", mount["name"]))
        if not mount.get("mountPath"):
            causes.append(fe.required(f"{at}.mountPath"))
    return causes


def _containers(containers: list[dict[str, Any]], path: str, volumes: set[str], names: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    for index, container in enumerate(containers):
        at = f"{path}[{index}]"
        name = container.get("name")
        if not name:
            causes.append(fe.required(f"{at}.name"))
        elif messages := fe.dns1123_label(str(name)):
            causes += fe.invalid_each(f"{at}.name", name, messages)
        elif name in names:
            causes.append(fe.duplicate(f"{at}.name", name))
        if name:
            names.add(str(name))
        causes += _container(container, at, volumes)
    return causes


def _volumes(volumes: list[dict[str, Any]], path: str) -> tuple[list[Cause], set[str]]:
    causes: list[Cause] = []
    names: set[str] = set()
    for index, volume in enumerate(volumes):
        at = f"{path}[{index}].name"
        name = volume.get("name")
        if not name:
            causes.append(fe.required(at))
            continue
        causes += fe.invalid_each(at, name, fe.dns1123_label(str(name)))
        if name in names:
            causes.append(fe.duplicate(at, name))
        names.add(str(name))
    return causes, names


def pod_spec(spec: dict[str, Any], path: str, *, restart_policies: tuple[str, ...] = RESTART_POLICIES) -> list[Cause]:
    """Validate a PodSpec at `path` ("spec" or "spec.template.spec").

    Args:
        spec: the (defaulted) PodSpec.
        path: where it sits in the object, used in every cause's `field`.
        restart_policies: the policies allowed here; workload templates allow only "Always".
    """
    causes, volumes = _volumes(items(spec.get("volumes")), f"{path}.volumes")
    containers = items(spec.get("containers"))
    if not containers:
        causes.append(fe.required(f"{path}.containers"))
    names: set[str] = set()
    causes += _containers(containers, f"{path}.containers", volumes, names)
    causes += _containers(items(spec.get("initContainers")), f"{path}.initContainers", volumes, names)
    policy = spec.get("restartPolicy", "Always")
    if policy not in restart_policies:
        causes.append(fe.not_supported(f"{path}.restartPolicy", policy, restart_policies))
    causes += nonnegative(spec.get("terminationGracePeriodSeconds"), f"{path}.terminationGracePeriodSeconds")
    return causes
