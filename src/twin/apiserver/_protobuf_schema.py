"""Field numbers of the Kubernetes protobuf messages the twin can decode, kept as data.

kubectl's typed clients (`create deployment|namespace|configmap|secret|service|serviceaccount`,
`create role|clusterrole|rolebinding|clusterrolebinding|token`, `autoscale`, `auth can-i|whoami`)
send their bodies as protobuf, so the twin needs the wire layout of exactly those objects and
everything they embed; `_protobuf` walks these tables. A message not listed here is refused with
415, and a field number not listed is skipped, as protobuf readers do.

Where the numbers come from: the go-to-protobuf `generated.proto` files in kubernetes/kubernetes
(`staging/src/k8s.io/api/{core,apps,autoscaling,rbac,authentication,authorization}/...`,
`staging/src/k8s.io/apimachinery/pkg/apis/meta/v1`, read at the 1.36/1.37 development branch),
with `apimachinery/pkg/{runtime,util/intstr,api/resource}` cross-checked against the prost tags
of kube-rs/k8s-pb. Real kubectl v1.37 request bodies under `tests/unit/fixtures/protobuf/` pin the
result.

Two facts of Kubernetes' gogo-protobuf encoding shape the table:

- Go value fields (`string`, `int32`, `bool`, structs) are always written, even when zero, while
  pointer fields are written only when set. So a zero scalar means "unset" unless the field is a Go
  pointer (`replicas`, `minReplicas`, `runAsUser`, ...) or has no `omitempty` in its JSON tag
  (`containerPort`, `maxReplicas`); those carry `keep_zero`, so `replicas: 0` survives. Messages
  are kept even when empty, as the JSON form keeps them (`emptyDir: {}`).
- Go structs embedded with `json:",inline"` (`LocalObjectReference` in key selectors,
  `ProbeHandler` in `Probe`, `VolumeSource` in `Volume`) are a nested message on the wire but
  flat in JSON; such fields have no name and their fields merge into the parent.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Kind(Enum):
    """How a field's payload is read: a scalar, or a nested message named by `Field.message`."""

    STRING = "string"
    BYTES = "bytes"
    INT = "int"
    BOOL = "bool"
    MESSAGE = "message"


class Field(NamedTuple):
    """One field of a message, as its JSON form names and types it."""

    name: str | None
    """The JSON name; None for a Go-inlined struct whose fields merge into the parent."""
    kind: Kind
    message: str | None = None
    """For `Kind.MESSAGE`: the message type, a key of `MESSAGES`."""
    repeated: bool = False
    is_map: bool = False
    """A `map<string, V>`: repeated entries of `message` (key=1, value=2) that become a JSON object."""
    keep_zero: bool = False
    """A zero value ("", 0, false) is a real value here, not "unset"."""


def text(name: str, *, keep_zero: bool = False) -> Field:
    return Field(name, Kind.STRING, keep_zero=keep_zero)


def texts(name: str) -> Field:
    return Field(name, Kind.STRING, repeated=True)


def number(name: str, *, keep_zero: bool = False) -> Field:
    return Field(name, Kind.INT, keep_zero=keep_zero)


def numbers(name: str) -> Field:
    return Field(name, Kind.INT, repeated=True)


def flag(name: str, *, keep_zero: bool = False) -> Field:
    return Field(name, Kind.BOOL, keep_zero=keep_zero)


def obj(name: str, message: str) -> Field:
    return Field(name, Kind.MESSAGE, message)


def objs(name: str, message: str) -> Field:
    return Field(name, Kind.MESSAGE, message, repeated=True)


def inline(message: str) -> Field:
    return Field(None, Kind.MESSAGE, message)


def mapping(name: str, entry: str = "StringEntry") -> Field:
    return Field(name, Kind.MESSAGE, entry, repeated=True, is_map=True)


_META = {
    "TypeMeta": {1: text("apiVersion"), 2: text("kind")},
    "ObjectMeta": {
        1: text("name"),
        2: text("generateName"),
        3: text("namespace"),
        4: text("selfLink"),
        5: text("uid"),
        6: text("resourceVersion"),
        7: number("generation"),
        8: obj("creationTimestamp", "Time"),
        9: obj("deletionTimestamp", "Time"),
        10: number("deletionGracePeriodSeconds", keep_zero=True),
        11: mapping("labels"),
        12: mapping("annotations"),
        13: objs("ownerReferences", "OwnerReference"),
        14: texts("finalizers"),
    },
    "OwnerReference": {
        5: text("apiVersion"),
        1: text("kind"),
        3: text("name"),
        4: text("uid"),
        6: flag("controller", keep_zero=True),
        7: flag("blockOwnerDeletion", keep_zero=True),
    },
    "LabelSelector": {1: mapping("matchLabels"), 2: objs("matchExpressions", "LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: text("key"), 2: text("operator"), 3: texts("values")},
    "Time": {1: number("seconds"), 2: number("nanos")},
    "Quantity": {1: text("string", keep_zero=True)},
    "IntOrString": {1: number("type"), 2: number("intVal"), 3: text("strVal")},
    "StringEntry": {1: text("key", keep_zero=True), 2: text("value", keep_zero=True)},
    "BytesEntry": {1: text("key", keep_zero=True), 2: Field("value", Kind.BYTES, keep_zero=True)},
    "QuantityEntry": {1: text("key", keep_zero=True), 2: obj("value", "Quantity")},
}

_CORE_OBJECTS = {
    "Namespace": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: texts("finalizers")},
    "ConfigMap": {
        1: obj("metadata", "ObjectMeta"),
        2: mapping("data"),
        3: mapping("binaryData", "BytesEntry"),
        4: flag("immutable", keep_zero=True),
    },
    "Secret": {
        1: obj("metadata", "ObjectMeta"),
        2: mapping("data", "BytesEntry"),
        3: text("type"),
        4: mapping("stringData"),
        5: flag("immutable", keep_zero=True),
    },
    "ServiceAccount": {
        1: obj("metadata", "ObjectMeta"),
        2: objs("secrets", "ObjectReference"),
        3: objs("imagePullSecrets", "LocalObjectReference"),
        4: flag("automountServiceAccountToken", keep_zero=True),
    },
    "ObjectReference": {
        1: text("kind"),
        2: text("namespace"),
        3: text("name"),
        4: text("uid"),
        5: text("apiVersion"),
        6: text("resourceVersion"),
        7: text("fieldPath"),
    },
    "LocalObjectReference": {1: text("name")},
    "Service": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "ServiceSpec")},
    "ServiceSpec": {
        1: objs("ports", "ServicePort"),
        2: mapping("selector"),
        3: text("clusterIP"),
        18: texts("clusterIPs"),
        4: text("type"),
        5: texts("externalIPs"),
        7: text("sessionAffinity"),
        8: text("loadBalancerIP"),
        9: texts("loadBalancerSourceRanges"),
        10: text("externalName"),
        11: text("externalTrafficPolicy"),
        12: number("healthCheckNodePort"),
        13: flag("publishNotReadyAddresses"),
        14: obj("sessionAffinityConfig", "SessionAffinityConfig"),
        19: texts("ipFamilies"),
        17: text("ipFamilyPolicy", keep_zero=True),
        20: flag("allocateLoadBalancerNodePorts", keep_zero=True),
        21: text("loadBalancerClass", keep_zero=True),
        22: text("internalTrafficPolicy", keep_zero=True),
        23: text("trafficDistribution", keep_zero=True),
    },
    "ServicePort": {
        1: text("name"),
        2: text("protocol"),
        6: text("appProtocol", keep_zero=True),
        3: number("port", keep_zero=True),
        4: obj("targetPort", "IntOrString"),
        5: number("nodePort"),
    },
    "SessionAffinityConfig": {1: obj("clientIP", "ClientIPConfig")},
    "ClientIPConfig": {1: number("timeoutSeconds", keep_zero=True)},
}

_POD = {
    "Pod": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "PodSpec")},
    "PodTemplateSpec": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "PodSpec")},
    "PodSpec": {
        1: objs("volumes", "Volume"),
        20: objs("initContainers", "Container"),
        2: objs("containers", "Container"),
        3: text("restartPolicy"),
        4: number("terminationGracePeriodSeconds", keep_zero=True),
        5: number("activeDeadlineSeconds", keep_zero=True),
        6: text("dnsPolicy"),
        7: mapping("nodeSelector"),
        8: text("serviceAccountName"),
        9: text("serviceAccount"),
        21: flag("automountServiceAccountToken", keep_zero=True),
        10: text("nodeName"),
        11: flag("hostNetwork"),
        12: flag("hostPID"),
        13: flag("hostIPC"),
        27: flag("shareProcessNamespace", keep_zero=True),
        14: obj("securityContext", "PodSecurityContext"),
        15: objs("imagePullSecrets", "LocalObjectReference"),
        16: text("hostname"),
        17: text("subdomain"),
        19: text("schedulerName"),
        22: objs("tolerations", "Toleration"),
        23: objs("hostAliases", "HostAlias"),
        24: text("priorityClassName"),
        25: number("priority", keep_zero=True),
        29: text("runtimeClassName", keep_zero=True),
        30: flag("enableServiceLinks", keep_zero=True),
        31: text("preemptionPolicy", keep_zero=True),
        35: flag("setHostnameAsFQDN", keep_zero=True),
    },
    "PodSecurityContext": {
        2: number("runAsUser", keep_zero=True),
        6: number("runAsGroup", keep_zero=True),
        3: flag("runAsNonRoot", keep_zero=True),
        4: numbers("supplementalGroups"),
        5: number("fsGroup", keep_zero=True),
        7: objs("sysctls", "Sysctl"),
        9: text("fsGroupChangePolicy", keep_zero=True),
        10: obj("seccompProfile", "SeccompProfile"),
    },
    "Sysctl": {1: text("name"), 2: text("value", keep_zero=True)},
    "SeccompProfile": {1: text("type"), 2: text("localhostProfile", keep_zero=True)},
    "Toleration": {
        1: text("key"),
        2: text("operator"),
        3: text("value"),
        4: text("effect"),
        5: number("tolerationSeconds", keep_zero=True),
    },
    "HostAlias": {1: text("ip"), 2: texts("hostnames")},
    "Volume": {1: text("name"), 2: inline("VolumeSource")},
    "VolumeSource": {
        1: obj("hostPath", "HostPathVolumeSource"),
        2: obj("emptyDir", "EmptyDirVolumeSource"),
        6: obj("secret", "SecretVolumeSource"),
        10: obj("persistentVolumeClaim", "PersistentVolumeClaimVolumeSource"),
        16: obj("downwardAPI", "DownwardAPIVolumeSource"),
        19: obj("configMap", "ConfigMapVolumeSource"),
    },
    "HostPathVolumeSource": {1: text("path"), 2: text("type", keep_zero=True)},
    "EmptyDirVolumeSource": {1: text("medium"), 2: obj("sizeLimit", "Quantity")},
    "SecretVolumeSource": {
        1: text("secretName"),
        2: objs("items", "KeyToPath"),
        3: number("defaultMode", keep_zero=True),
        4: flag("optional", keep_zero=True),
    },
    "ConfigMapVolumeSource": {
        1: inline("LocalObjectReference"),
        2: objs("items", "KeyToPath"),
        3: number("defaultMode", keep_zero=True),
        4: flag("optional", keep_zero=True),
    },
    "KeyToPath": {1: text("key"), 2: text("path"), 3: number("mode", keep_zero=True)},
    "PersistentVolumeClaimVolumeSource": {1: text("claimName"), 2: flag("readOnly")},
    "DownwardAPIVolumeSource": {
        1: objs("items", "DownwardAPIVolumeFile"),
        2: number("defaultMode", keep_zero=True),
    },
    "DownwardAPIVolumeFile": {
        1: text("path"),
        2: obj("fieldRef", "ObjectFieldSelector"),
        3: obj("resourceFieldRef", "ResourceFieldSelector"),
        4: number("mode", keep_zero=True),
    },
}

_CONTAINER = {
    "Container": {
        1: text("name"),
        2: text("image"),
        3: texts("command"),
        4: texts("args"),
        5: text("workingDir"),
        6: objs("ports", "ContainerPort"),
        19: objs("envFrom", "EnvFromSource"),
        7: objs("env", "EnvVar"),
        8: obj("resources", "ResourceRequirements"),
        24: text("restartPolicy", keep_zero=True),
        9: objs("volumeMounts", "VolumeMount"),
        10: obj("livenessProbe", "Probe"),
        11: obj("readinessProbe", "Probe"),
        22: obj("startupProbe", "Probe"),
        12: obj("lifecycle", "Lifecycle"),
        13: text("terminationMessagePath"),
        20: text("terminationMessagePolicy"),
        14: text("imagePullPolicy"),
        15: obj("securityContext", "SecurityContext"),
        16: flag("stdin"),
        17: flag("stdinOnce"),
        18: flag("tty"),
    },
    "ContainerPort": {
        1: text("name"),
        2: number("hostPort"),
        3: number("containerPort", keep_zero=True),
        4: text("protocol"),
        5: text("hostIP"),
    },
    "EnvFromSource": {
        1: text("prefix"),
        2: obj("configMapRef", "ConfigMapEnvSource"),
        3: obj("secretRef", "SecretEnvSource"),
    },
    "ConfigMapEnvSource": {1: inline("LocalObjectReference"), 2: flag("optional", keep_zero=True)},
    "SecretEnvSource": {1: inline("LocalObjectReference"), 2: flag("optional", keep_zero=True)},
    "EnvVar": {1: text("name"), 2: text("value"), 3: obj("valueFrom", "EnvVarSource")},
    "EnvVarSource": {
        1: obj("fieldRef", "ObjectFieldSelector"),
        2: obj("resourceFieldRef", "ResourceFieldSelector"),
        3: obj("configMapKeyRef", "ConfigMapKeySelector"),
        4: obj("secretKeyRef", "SecretKeySelector"),
    },
    "ObjectFieldSelector": {1: text("apiVersion"), 2: text("fieldPath")},
    "ResourceFieldSelector": {1: text("containerName"), 2: text("resource"), 3: obj("divisor", "Quantity")},
    "ConfigMapKeySelector": {1: inline("LocalObjectReference"), 2: text("key"), 3: flag("optional", keep_zero=True)},
    "SecretKeySelector": {1: inline("LocalObjectReference"), 2: text("key"), 3: flag("optional", keep_zero=True)},
    "ResourceRequirements": {1: mapping("limits", "QuantityEntry"), 2: mapping("requests", "QuantityEntry")},
    "VolumeMount": {
        1: text("name"),
        2: flag("readOnly"),
        7: text("recursiveReadOnly", keep_zero=True),
        3: text("mountPath"),
        4: text("subPath"),
        5: text("mountPropagation", keep_zero=True),
        6: text("subPathExpr"),
    },
    "Probe": {
        1: inline("ProbeHandler"),
        2: number("initialDelaySeconds"),
        3: number("timeoutSeconds"),
        4: number("periodSeconds"),
        5: number("successThreshold"),
        6: number("failureThreshold"),
        7: number("terminationGracePeriodSeconds", keep_zero=True),
    },
    "ProbeHandler": {
        1: obj("exec", "ExecAction"),
        2: obj("httpGet", "HTTPGetAction"),
        3: obj("tcpSocket", "TCPSocketAction"),
        4: obj("grpc", "GRPCAction"),
    },
    "ExecAction": {1: texts("command")},
    "HTTPGetAction": {
        1: text("path"),
        2: obj("port", "IntOrString"),
        3: text("host"),
        4: text("scheme"),
        5: objs("httpHeaders", "HTTPHeader"),
    },
    "HTTPHeader": {1: text("name"), 2: text("value", keep_zero=True)},
    "TCPSocketAction": {1: obj("port", "IntOrString"), 2: text("host")},
    "GRPCAction": {1: number("port", keep_zero=True), 2: text("service", keep_zero=True)},
    "Lifecycle": {1: obj("postStart", "LifecycleHandler"), 2: obj("preStop", "LifecycleHandler")},
    "LifecycleHandler": {
        1: obj("exec", "ExecAction"),
        2: obj("httpGet", "HTTPGetAction"),
        3: obj("tcpSocket", "TCPSocketAction"),
        4: obj("sleep", "SleepAction"),
    },
    "SleepAction": {1: number("seconds", keep_zero=True)},
    "SecurityContext": {
        1: obj("capabilities", "Capabilities"),
        2: flag("privileged", keep_zero=True),
        4: number("runAsUser", keep_zero=True),
        8: number("runAsGroup", keep_zero=True),
        5: flag("runAsNonRoot", keep_zero=True),
        6: flag("readOnlyRootFilesystem", keep_zero=True),
        7: flag("allowPrivilegeEscalation", keep_zero=True),
        9: text("procMount", keep_zero=True),
        11: obj("seccompProfile", "SeccompProfile"),
    },
    "Capabilities": {1: texts("add"), 2: texts("drop")},
}

_APPS = {
    "Deployment": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "DeploymentSpec")},
    "DeploymentSpec": {
        1: number("replicas", keep_zero=True),
        2: obj("selector", "LabelSelector"),
        3: obj("template", "PodTemplateSpec"),
        4: obj("strategy", "DeploymentStrategy"),
        5: number("minReadySeconds"),
        6: number("revisionHistoryLimit", keep_zero=True),
        7: flag("paused"),
        9: number("progressDeadlineSeconds", keep_zero=True),
    },
    "DeploymentStrategy": {1: text("type"), 2: obj("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {
        1: Field("maxUnavailable", Kind.MESSAGE, "IntOrString", keep_zero=True),
        2: Field("maxSurge", Kind.MESSAGE, "IntOrString", keep_zero=True),
    },
}

_AUTOSCALING = {
    "HorizontalPodAutoscaler": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "HorizontalPodAutoscalerSpec")},
    "HorizontalPodAutoscalerSpec": {
        1: obj("scaleTargetRef", "CrossVersionObjectReference"),
        2: number("minReplicas", keep_zero=True),
        3: number("maxReplicas", keep_zero=True),
        4: objs("metrics", "MetricSpec"),
        5: obj("behavior", "HorizontalPodAutoscalerBehavior"),
    },
    "CrossVersionObjectReference": {1: text("kind"), 2: text("name"), 3: text("apiVersion")},
    "MetricSpec": {
        1: text("type"),
        2: obj("object", "ObjectMetricSource"),
        3: obj("pods", "PodsMetricSource"),
        4: obj("resource", "ResourceMetricSource"),
        5: obj("external", "ExternalMetricSource"),
        7: obj("containerResource", "ContainerResourceMetricSource"),
    },
    "ObjectMetricSource": {
        1: obj("describedObject", "CrossVersionObjectReference"),
        2: obj("target", "MetricTarget"),
        3: obj("metric", "MetricIdentifier"),
    },
    "PodsMetricSource": {1: obj("metric", "MetricIdentifier"), 2: obj("target", "MetricTarget")},
    "ResourceMetricSource": {1: text("name"), 2: obj("target", "MetricTarget")},
    "ContainerResourceMetricSource": {1: text("name"), 2: obj("target", "MetricTarget"), 3: text("container")},
    "ExternalMetricSource": {1: obj("metric", "MetricIdentifier"), 2: obj("target", "MetricTarget")},
    "MetricIdentifier": {1: text("name"), 2: obj("selector", "LabelSelector")},
    "MetricTarget": {
        1: text("type"),
        2: obj("value", "Quantity"),
        3: obj("averageValue", "Quantity"),
        4: number("averageUtilization", keep_zero=True),
    },
    "HorizontalPodAutoscalerBehavior": {1: obj("scaleUp", "HPAScalingRules"), 2: obj("scaleDown", "HPAScalingRules")},
    "HPAScalingRules": {
        3: number("stabilizationWindowSeconds", keep_zero=True),
        1: text("selectPolicy", keep_zero=True),
        2: objs("policies", "HPAScalingPolicy"),
        4: obj("tolerance", "Quantity"),
    },
    "HPAScalingPolicy": {
        1: text("type"),
        2: number("value", keep_zero=True),
        3: number("periodSeconds", keep_zero=True),
    },
    "autoscaling.v1.HorizontalPodAutoscaler": {
        1: obj("metadata", "ObjectMeta"),
        2: obj("spec", "autoscaling.v1.HorizontalPodAutoscalerSpec"),
    },
    "autoscaling.v1.HorizontalPodAutoscalerSpec": {
        1: obj("scaleTargetRef", "CrossVersionObjectReference"),
        2: number("minReplicas", keep_zero=True),
        3: number("maxReplicas", keep_zero=True),
        4: number("targetCPUUtilizationPercentage", keep_zero=True),
    },
}

_RBAC = {
    "Role": {1: obj("metadata", "ObjectMeta"), 2: objs("rules", "PolicyRule")},
    "ClusterRole": {
        1: obj("metadata", "ObjectMeta"),
        2: objs("rules", "PolicyRule"),
        3: obj("aggregationRule", "AggregationRule"),
    },
    "PolicyRule": {
        1: texts("verbs"),
        2: texts("apiGroups"),
        3: texts("resources"),
        4: texts("resourceNames"),
        5: texts("nonResourceURLs"),
    },
    "AggregationRule": {1: objs("clusterRoleSelectors", "LabelSelector")},
    "RoleBinding": {1: obj("metadata", "ObjectMeta"), 2: objs("subjects", "Subject"), 3: obj("roleRef", "RoleRef")},
    "Subject": {1: text("kind"), 2: text("apiGroup"), 3: text("name"), 4: text("namespace")},
    "RoleRef": {1: text("apiGroup"), 2: text("kind"), 3: text("name")},
}

_AUTH = {
    "TokenRequest": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "TokenRequestSpec")},
    "TokenRequestSpec": {
        1: texts("audiences"),
        4: number("expirationSeconds", keep_zero=True),
        3: obj("boundObjectRef", "BoundObjectReference"),
    },
    "BoundObjectReference": {1: text("kind"), 2: text("apiVersion"), 3: text("name"), 4: text("uid")},
    "SelfSubjectReview": {1: obj("metadata", "ObjectMeta")},
    "SelfSubjectAccessReview": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "SelfSubjectAccessReviewSpec")},
    "SelfSubjectAccessReviewSpec": {
        1: obj("resourceAttributes", "ResourceAttributes"),
        2: obj("nonResourceAttributes", "NonResourceAttributes"),
    },
    "ResourceAttributes": {
        1: text("namespace"),
        2: text("verb"),
        3: text("group"),
        4: text("version"),
        5: text("resource"),
        6: text("subresource"),
        7: text("name"),
    },
    "NonResourceAttributes": {1: text("path"), 2: text("verb")},
    "SelfSubjectRulesReview": {1: obj("metadata", "ObjectMeta"), 2: obj("spec", "SelfSubjectRulesReviewSpec")},
    "SelfSubjectRulesReviewSpec": {1: text("namespace")},
}

MESSAGES: dict[str, dict[int, Field]] = {
    **_META,
    **_CORE_OBJECTS,
    **_POD,
    **_CONTAINER,
    **_APPS,
    **_AUTOSCALING,
    **_RBAC,
    **_AUTH,
}
"""Message type name -> field number -> field. Status messages are left out: clients never set them on create."""

ROOTS: dict[tuple[str, str], str] = {
    ("v1", "Namespace"): "Namespace",
    ("v1", "Pod"): "Pod",
    ("v1", "Service"): "Service",
    ("v1", "ConfigMap"): "ConfigMap",
    ("v1", "Secret"): "Secret",
    ("v1", "ServiceAccount"): "ServiceAccount",
    ("apps/v1", "Deployment"): "Deployment",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "HorizontalPodAutoscaler",
    ("autoscaling/v1", "HorizontalPodAutoscaler"): "autoscaling.v1.HorizontalPodAutoscaler",
    ("rbac.authorization.k8s.io/v1", "Role"): "Role",
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): "ClusterRole",
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): "RoleBinding",
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): "RoleBinding",
    ("authentication.k8s.io/v1", "TokenRequest"): "TokenRequest",
    ("authentication.k8s.io/v1", "SelfSubjectReview"): "SelfSubjectReview",
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview"): "SelfSubjectAccessReview",
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview"): "SelfSubjectRulesReview",
}
"""The (apiVersion, kind) pairs a protobuf body may carry, and the message that decodes each."""
