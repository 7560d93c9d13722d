"""Apiserver-like validation: the 422 `Invalid` answers a real cluster gives to bad objects.

Admission defaults an object, then calls `validate` (and `validate_update` on updates); any causes
become one `Status` whose message lists `<field>: <message>` pairs, as kubectl prints them. The
rules and wording follow `pkg/apis/*/validation` for the kinds Sock Shop uses (Deployment,
ReplicaSet, Pod, Service, HorizontalPodAutoscaler) and the RBAC kinds; every other kind gets the ObjectMeta checks
only, plus the rules of any `Webhook` passed in (Chaos Mesh's, in `twin.chaos`), as a real
apiserver calls the validating webhooks registered for a custom resource.

Pod specs live in `_validation_pod`, RBAC objects in `_validation_rbac` and the shared wording in
`_fielderrors`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..store import LabelSelector, SelectorError
from . import _fielderrors as fe
from ._fielderrors import Cause, GoSyntax, items, mapping
from ._validation_pod import nonnegative, pod_spec, port_number_or_name
from ._validation_rbac import RBAC_KINDS, path_segment_name, validate_rbac, validate_rbac_update

logger = logging.getLogger(__name__)

TOTAL_ANNOTATION_SIZE = 256 * 1024
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
NODE_PORTS = range(30000, 32768)
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
METRIC_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")
IMMUTABLE = "field is immutable"


# --- metadata ------------------------------------------------------------------------------------


def _name_rules(kind: str) -> Callable[[str], list[str]]:
    if kind == "Service":
        return fe.dns1035_label
    if kind == "Namespace":
        return fe.dns1123_label
    if kind in RBAC_KINDS:
        return path_segment_name
    return fe.dns1123_subdomain


def labels(value: Any, field: str) -> list[Cause]:
    """Label keys are qualified names and values label values (ValidateLabels)."""
    causes: list[Cause] = []
    for key, val in mapping(value).items():
        causes += fe.invalid_each(field, key, fe.qualified_name(key))
        if not isinstance(val, str):
            causes.append(fe.invalid(field, val, "must be a string"))
        else:
            causes += fe.invalid_each(field, val, fe.label_value(val))
    return causes


def _annotations(value: Any, field: str) -> list[Cause]:
    annotations = mapping(value)
    causes: list[Cause] = []
    for key in annotations:
        causes += fe.invalid_each(field, key, fe.qualified_name(key.lower()))
    size = sum(len(key) + len(str(val)) for key, val in annotations.items())
    if size > TOTAL_ANNOTATION_SIZE:
        causes.append(fe.too_long(field, TOTAL_ANNOTATION_SIZE))
    return causes


def _metadata(kind: str, meta: dict[str, Any]) -> list[Cause]:
    causes: list[Cause] = []
    name = meta.get("name")
    if not name and not meta.get("generateName"):
        causes.append(fe.required("metadata.name", "name or generateName is required"))
    elif name:
        causes += fe.invalid_each("metadata.name", name, _name_rules(kind)(str(name)))
    namespace = meta.get("namespace")
    if namespace:
        causes += fe.invalid_each("metadata.namespace", namespace, fe.dns1123_label(str(namespace)))
    causes += labels(meta.get("labels"), "metadata.labels")
    causes += _annotations(meta.get("annotations"), "metadata.annotations")
    return causes


# --- label selectors -----------------------------------------------------------------------------


def label_selector(selector: dict[str, Any], path: str) -> list[Cause]:
    """matchLabels as labels; matchExpressions with a valid key, operator and values (metav1 rules)."""
    causes = labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for index, expression in enumerate(items(selector.get("matchExpressions"))):
        at = f"{path}.matchExpressions[{index}]"
        operator, values = expression.get("operator"), expression.get("values")
        if operator in ("In", "NotIn") and not values:
            causes.append(fe.required(f"{at}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist") and values:
            causes.append(
                fe.forbidden(f"{at}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
            )
        elif operator not in SELECTOR_OPERATORS:
            causes.append(fe.invalid(f"{at}.operator", operator, "not a valid selector operator"))
        causes += fe.invalid_each(
            f"{at}.key", expression.get("key", ""), fe.qualified_name(str(expression.get("key", "")))
        )
    return causes


def _go_string_map(value: Any) -> str:
    if value is None:
        return "map[string]string(nil)"
    return fe.go_value(mapping(value))


def selector_go_syntax(selector: dict[str, Any]) -> GoSyntax:
    """A LabelSelector as Go's `%#v` prints it, the way "field is immutable" errors show it."""
    expressions = items(selector.get("matchExpressions"))
    if selector.get("matchExpressions") is None:
        rendered = "[]v1.LabelSelectorRequirement(nil)"
    else:
        parts = [
            f"v1.LabelSelectorRequirement{{Key:{fe.go_value(e.get('key', ''))}, "
            f"Operator:{fe.go_value(e.get('operator', ''))}, "
            f"Values:{'[]string(nil)' if e.get('values') is None else fe.go_value(list(e['values']))}}}"
            for e in expressions
        ]
        rendered = "[]v1.LabelSelectorRequirement{" + ", ".join(parts) + "}"
    return GoSyntax(
        f"v1.LabelSelector{{MatchLabels:{_go_string_map(selector.get('matchLabels'))}, MatchExpressions:{rendered}}}"
    )


# --- workloads -----------------------------------------------------------------------------------


def _template(spec: dict[str, Any], selector: dict[str, Any] | None) -> list[Cause]:
    template = spec.get("template")
    if template is None:
        return [fe.required("spec.template")]
    template = mapping(template)
    meta = mapping(template.get("metadata"))
    causes: list[Cause] = []
    if selector:
        try:
            matches = LabelSelector.from_spec(selector).matches(meta.get("labels"))
        except SelectorError:
            matches = True
        if not matches:
            shown = GoSyntax(_go_string_map(meta.get("labels")))
            causes.append(
                fe.invalid("spec.template.metadata.labels", shown, "`selector` does not match template `labels`")
            )
    causes += labels(meta.get("labels"), "spec.template.metadata.labels")
    causes += _annotations(meta.get("annotations"), "spec.template.metadata.annotations")
    causes += pod_spec(mapping(template.get("spec")), "spec.template.spec", restart_policies=("Always",))
    return causes


def _selector(spec: dict[str, Any]) -> list[Cause]:
    selector = spec.get("selector")
    if selector is None:
        return [fe.required("spec.selector")]
    selector = mapping(selector)
    causes = label_selector(selector, "spec.selector")
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        causes.append(
            fe.invalid("spec.selector", selector_go_syntax(selector), "empty selector is invalid for deployment")
        )
    return causes


def _replica_counts(spec: dict[str, Any]) -> list[Cause]:
    causes = nonnegative(spec.get("replicas"), "spec.replicas")
    causes += nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    return causes


def _replicaset(obj: dict[str, Any]) -> list[Cause]:
    spec = mapping(obj.get("spec"))
    selector = spec.get("selector")
    return _replica_counts(spec) + _selector(spec) + _template(spec, mapping(selector) if selector else None)


def _int_or_percent(value: Any, field: str, *, at_most_100: bool = False) -> list[Cause]:
    if isinstance(value, str):
        messages = fe.percent(value)
        if messages:
            return fe.invalid_each(field, value, messages)
        if at_most_100 and int(value[:-1]) > 100:
            return [fe.invalid(field, value, "must not be greater than 100%")]
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return nonnegative(value, field)
    return [fe.invalid(field, value, "must be an integer or a percent string")]


def _is_zero(value: Any) -> bool:
    return bool(value == 0 or value == "0%")


def _strategy(spec: dict[str, Any]) -> list[Cause]:
    strategy = mapping(spec.get("strategy"))
    kind = strategy.get("type", "RollingUpdate")
    if kind == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            return [
                fe.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
            ]
        return []
    if kind != "RollingUpdate":
        return [fe.not_supported("spec.strategy.type", kind, ("Recreate", "RollingUpdate"))]
    rolling = mapping(strategy.get("rollingUpdate"))
    surge, unavailable = rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%")
    path = "spec.strategy.rollingUpdate"
    causes = _int_or_percent(unavailable, f"{path}.maxUnavailable", at_most_100=True)
    causes += _int_or_percent(surge, f"{path}.maxSurge")
    if _is_zero(surge) and _is_zero(unavailable):
        causes.append(fe.invalid(f"{path}.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0"))
    return causes


def _deployment(obj: dict[str, Any]) -> list[Cause]:
    spec = mapping(obj.get("spec"))
    causes = _replicaset(obj) + _strategy(spec)
    causes += nonnegative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
    deadline = spec.get("progressDeadlineSeconds")
    causes += nonnegative(deadline, "spec.progressDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= (spec.get("minReadySeconds") or 0):
        causes.append(fe.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
    return causes


def _pod(obj: dict[str, Any]) -> list[Cause]:
    return pod_spec(mapping(obj.get("spec")), "spec")


# --- services ------------------------------------------------------------------------------------


def _service_port(port: dict[str, Any], at: str, kind: str, several: bool) -> list[Cause]:
    causes: list[Cause] = []
    name = port.get("name")
    if several and not name:
        causes.append(fe.required(f"{at}.name"))
    elif name:
        causes += fe.invalid_each(f"{at}.name", name, fe.dns1123_label(str(name)))
    number = port.get("port")
    if not isinstance(number, int) or isinstance(number, bool):
        causes.append(fe.invalid(f"{at}.port", number, "must be between 1 and 65535, inclusive"))
    else:
        causes += fe.invalid_each(f"{at}.port", number, fe.port_number(number))
    protocol = port.get("protocol", "TCP")
    if protocol not in ("SCTP", "TCP", "UDP"):
        causes.append(fe.not_supported(f"{at}.protocol", protocol, ("SCTP", "TCP", "UDP")))
    if port.get("targetPort") not in (None, 0):
        causes += port_number_or_name(port["targetPort"], f"{at}.targetPort")
    node_port = port.get("nodePort")
    if node_port:
        if kind == "ClusterIP":
            causes.append(fe.forbidden(f"{at}.nodePort", "may not be used when `type` is 'ClusterIP'"))
        elif node_port not in NODE_PORTS:
            causes.append(
                fe.invalid(
                    f"{at}.nodePort",
                    node_port,
                    "provided port is not in the valid range. The range of valid ports is 30000-32767",
                )
            )
    return causes


def _service_ports(spec: dict[str, Any], kind: str) -> list[Cause]:
    ports = items(spec.get("ports"))
    if not ports and spec.get("clusterIP") != "None" and kind != "ExternalName":
        return [fe.required("spec.ports")]
    causes: list[Cause] = []
    names: set[str] = set()
    node_ports: set[int] = set()
    for index, port in enumerate(ports):
        at = f"spec.ports[{index}]"
        causes += _service_port(port, at, kind, len(ports) > 1)
        name, node_port = port.get("name"), port.get("nodePort")
        if name and name in names:
            causes.append(fe.duplicate(f"{at}.name", name))
        if node_port and node_port in node_ports:
            causes.append(fe.duplicate(f"{at}.nodePort", node_port))
        names.add(name or "")
        node_ports.add(node_port or 0)
    return causes


def _cluster_ip(spec: dict[str, Any], kind: str) -> list[Cause]:
    cluster_ip = spec.get("clusterIP")
    if kind == "ExternalName":
        if cluster_ip:
            return [fe.forbidden("spec.clusterIP", "may not be set for type 'ExternalName'")]
        name = spec.get("externalName")
        if not name:
            return [fe.required("spec.externalName")]
        return fe.invalid_each("spec.externalName", name, fe.dns1123_subdomain(str(name).removesuffix(".")))
    if cluster_ip in (None, "", "None"):
        return []
    try:
        ipaddress.ip_address(str(cluster_ip))
    except ValueError:
        return [
            fe.invalid(
                "spec.clusterIPs[0]", cluster_ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            )
        ]
    return []


def _service(obj: dict[str, Any]) -> list[Cause]:
    spec = mapping(obj.get("spec"))
    kind = spec.get("type", "ClusterIP")
    causes: list[Cause] = []
    if kind not in SERVICE_TYPES:
        causes.append(fe.not_supported("spec.type", kind, SERVICE_TYPES))
    causes += _service_ports(spec, kind)
    causes += _cluster_ip(spec, kind)
    causes += labels(spec.get("selector"), "spec.selector")
    affinity = spec.get("sessionAffinity", "None")
    if affinity not in ("ClientIP", "None"):
        causes.append(fe.not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    return causes


# --- autoscaling ---------------------------------------------------------------------------------


def _metric_target(target: dict[str, Any], path: str) -> list[Cause]:
    kind = target.get("type")
    if not kind:
        return [fe.required(f"{path}.type", "must specify a metric target type")]
    if kind not in ("Utilization", "Value", "AverageValue"):
        return [fe.invalid(f"{path}.type", kind, "must be either Utilization, Value, or AverageValue")]
    utilization = target.get("averageUtilization")
    if kind == "Utilization" and utilization is None:
        return [fe.required(f"{path}.averageUtilization", "must set either a target raw value or a target utilization")]
    if utilization is not None and (not isinstance(utilization, int) or utilization < 1):
        return [fe.invalid(f"{path}.averageUtilization", utilization, "must be greater than 0")]
    return []


def _metric(metric: dict[str, Any], path: str) -> list[Cause]:
    kind = metric.get("type")
    if not kind:
        return [fe.required(f"{path}.type", "must specify a metric source type")]
    if kind not in METRIC_TYPES:
        return [fe.not_supported(f"{path}.type", kind, METRIC_TYPES)]
    key = kind[0].lower() + kind[1:]
    source = metric.get(key)
    if source is None:
        return [fe.required(f"{path}.{key}", "must populate information for the given metric source")]
    source = mapping(source)
    causes: list[Cause] = []
    if kind in ("Resource", "ContainerResource") and not source.get("name"):
        causes.append(fe.required(f"{path}.{key}.name", "must specify a resource name"))
    return causes + _metric_target(mapping(source.get("target")), f"{path}.{key}.target")


def _hpa(obj: dict[str, Any]) -> list[Cause]:
    spec = mapping(obj.get("spec"))
    ref = mapping(spec.get("scaleTargetRef"))
    causes = [fe.required(f"spec.scaleTargetRef.{key}") for key in ("kind", "name") if not ref.get(key)]
    low, high = spec.get("minReplicas"), spec.get("maxReplicas")
    if low is not None and (not isinstance(low, int) or low < 1):
        causes.append(fe.invalid("spec.minReplicas", low, "must be greater than or equal to 1"))
    if not isinstance(high, int) or high < 1:
        causes.append(fe.invalid("spec.maxReplicas", high, "must be greater than 0"))
    elif isinstance(low, int) and high < low:
        causes.append(fe.invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`"))
    cpu = spec.get("targetCPUUtilizationPercentage")
    if cpu is not None and (not isinstance(cpu, int) or cpu < 1):
        causes.append(fe.invalid("spec.targetCPUUtilizationPercentage", cpu, "must be greater than 0"))
    for index, metric in enumerate(items(spec.get("metrics"))):
        causes += _metric(metric, f"spec.metrics[{index}]")
    return causes


# --- entry points --------------------------------------------------------------------------------


class Webhook(Protocol):
    """A validating admission webhook: the rules of custom kinds the apiserver itself does not know.

    Each method returns the causes for the kinds it handles and nothing for any other kind.
    """

    def validate(self, kind: str, obj: dict[str, Any]) -> list[Cause]: ...

    def validate_update(self, kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Cause]: ...


_SPEC_CHECKS: dict[str, Callable[[dict[str, Any]], list[Cause]]] = {
    "Deployment": _deployment,
    "ReplicaSet": _replicaset,
    "Pod": _pod,
    "Service": _service,
    "HorizontalPodAutoscaler": _hpa,
}


def validate(kind: str, obj: dict[str, Any], webhooks: Sequence[Webhook] = ()) -> list[Cause]:
    """Every rule `obj` (already defaulted) breaks, as `StatusCause` dicts; empty when it is valid.

    Args:
        kind: the object's kind; kinds without rules here get the ObjectMeta checks only.
        obj: the object as stored (plain JSON dict).
        webhooks: validating webhooks for custom kinds, asked after the built-in rules.
    """
    causes = _metadata(kind, mapping(obj.get("metadata")))
    check = _SPEC_CHECKS.get(kind)
    if check is not None:
        causes += check(obj)
    causes += validate_rbac(kind, obj)
    for webhook in webhooks:
        causes += webhook.validate(kind, obj)
    if causes:
        logger.debug("%s %s is invalid: %s", kind, mapping(obj.get("metadata")).get("name"), causes)
    return causes


def _immutable_meta(old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    causes: list[Cause] = []
    for key in ("name", "namespace", "uid"):
        before, after = old.get(key), new.get(key)
        if before and after and before != after:
            causes.append(fe.invalid(f"metadata.{key}", after, IMMUTABLE))
    return causes


def _service_ip_change(old: dict[str, Any], new: dict[str, Any]) -> list[Cause]:
    if "ExternalName" in (old.get("type"), new.get("type")):
        return []
    before, after = old.get("clusterIP"), new.get("clusterIP")
    if before and after and before != after:
        ips = new.get("clusterIPs") or [after]
        return [fe.invalid("spec.clusterIPs[0]", GoSyntax(fe.go_value(list(ips))), "may not change once set")]
    return []


def validate_update(
    kind: str, old: dict[str, Any], new: dict[str, Any], webhooks: Sequence[Webhook] = ()
) -> list[Cause]:
    """Changes an update may not make: identity, workload selectors, a Service's IP, and the webhooks' rules."""
    causes = _immutable_meta(mapping(old.get("metadata")), mapping(new.get("metadata")))
    old_spec, new_spec = mapping(old.get("spec")), mapping(new.get("spec"))
    if kind in ("Deployment", "ReplicaSet"):
        selector = new_spec.get("selector")
        if selector is not None and old_spec.get("selector") is not None and selector != old_spec["selector"]:
            causes.append(fe.invalid("spec.selector", selector_go_syntax(mapping(selector)), IMMUTABLE))
    elif kind == "Service":
        causes += _service_ip_change(old_spec, new_spec)
    causes += validate_rbac_update(kind, old, new)
    for webhook in webhooks:
        causes += webhook.validate_update(kind, old, new)
    return causes
