"""Kubernetes protobuf request bodies decode into the JSON the REST API works on.

`fixtures/protobuf/*.bin` are real bodies kubectl v1.37 POSTed (captured by a recording proxy in
front of a twin); each `*.json` beside one is kubectl's own rendering of the same command
(`--dry-run=client -o json`), so the two encodings must agree. Shapes kubectl never sends
(probes, volumes, pointer zeros, packed numbers) are built with the small encoder below, written
from the same `generated.proto` field numbers.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aiohttp import streams
from aiohttp.test_utils import make_mocked_request

from src.twin.apiserver._protobuf import PROTOBUF_CONTENT_TYPE, ProtobufError, UnsupportedKind, decode_object
from src.twin.apiserver._protobuf_schema import MESSAGES, ROOTS, Kind
from src.twin.apiserver._rest import read_body
from src.twin.store import ApiError

FIXTURES = Path(__file__).parent / "fixtures" / "protobuf"


def _fixture(name: str) -> dict[str, Any]:
    return decode_object((FIXTURES / f"{name}.bin").read_bytes())


# --- a test-side encoder -------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _str(number: int, text: str) -> bytes:
    return _bytes(number, text.encode())


def _msg(number: int, *fields: bytes) -> bytes:
    return _bytes(number, b"".join(fields))


def _entry(number: int, key: str, value: str) -> bytes:
    return _msg(number, _str(1, key), _str(2, value))


def _quantity_entry(number: int, key: str, value: str) -> bytes:
    return _msg(number, _str(1, key), _msg(2, _str(1, value)))


def _object(api_version: str, kind: str, *fields: bytes) -> bytes:
    return b"k8s\x00" + _msg(1, _str(1, api_version), _str(2, kind)) + _msg(2, *fields)


# --- real kubectl bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_kubectl_protobuf_body_decodes_to_what_kubectl_renders_as_json(name: str) -> None:
    rendered = json.loads((FIXTURES / f"{name}.json").read_text())
    rendered.pop("status", None)
    assert _fixture(name) == rendered


def test_autoscale_body_targets_the_deployment_at_fifty_percent_cpu() -> None:
    hpa = _fixture("hpa-v2-cpu-utilization")
    assert (hpa["apiVersion"], hpa["kind"]) == ("autoscaling/v2", "HorizontalPodAutoscaler")
    assert hpa["metadata"] == {"name": "catalogue", "namespace": "sock-shop"}
    spec = hpa["spec"]
    assert spec["scaleTargetRef"] == {"kind": "Deployment", "name": "catalogue", "apiVersion": "apps/v1"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 5)
    assert spec["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
    ]


def test_autoscale_v1_fallback_body_decodes_as_autoscaling_v1() -> None:
    assert _fixture("hpa-v1-fallback") == {
        "apiVersion": "autoscaling/v1",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "catalogue", "namespace": "sock-shop"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "catalogue", "apiVersion": "apps/v1"},
            "minReplicas": 1,
            "maxReplicas": 5,
        },
    }


def test_create_deployment_body_leaves_value_fields_unset_so_defaults_apply() -> None:
    deployment = _fixture("deployment")
    assert deployment["spec"]["replicas"] == 2
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container == {"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}], "resources": {}}
    assert deployment["spec"]["template"]["metadata"] == {"labels": {"app": "web"}}


def test_binary_configmap_data_arrives_base64_encoded() -> None:
    configmap = _fixture("configmap-binary")
    assert base64.b64decode(configmap["binaryData"]["logo.bin"]) == b"\xff\xfe\x00\x01binary"


# --- shapes built with the encoder ---------------------------------------------------------------


def _pod_body() -> bytes:
    metadata = _msg(
        1,
        _str(1, "api"),
        _str(3, "sock-shop"),
        _str(5, ""),
        _int(7, 0),
        _msg(8, _int(1, 1767225600)),
        _entry(12, "note", ""),
        _msg(13, _str(5, "apps/v1"), _str(1, "ReplicaSet"), _str(3, "api-1"), _str(4, "u1"), _int(6, 1)),
        _str(14, "example.com/guard"),
    )
    container = _msg(
        2,
        _str(1, "api"),
        _str(2, "registry/api:1"),
        _str(3, "/bin/api"),
        _str(4, "--port"),
        _str(4, ""),
        _msg(6, _str(1, "http"), _int(3, 8080), _str(4, "TCP")),
        _msg(7, _str(1, "MODE"), _str(2, "prod")),
        _msg(7, _str(1, "DB"), _msg(3, _msg(3, _msg(1, _str(1, "db")), _str(2, "host")))),
        _msg(7, _str(1, "PASS"), _msg(3, _msg(4, _msg(1, _str(1, "db")), _str(2, "password"), _int(3, 1)))),
        _msg(7, _str(1, "POD"), _msg(3, _msg(1, _str(2, "metadata.name")))),
        _msg(19, _str(1, "CFG_"), _msg(2, _msg(1, _str(1, "extra")))),
        _msg(8, _quantity_entry(1, "cpu", "500m"), _quantity_entry(2, "memory", "128Mi")),
        _msg(9, _str(1, "conf"), _int(2, 1), _str(3, "/etc/api")),
        _msg(10, _msg(1, _msg(2, _str(1, "/health"), _msg(2, _int(1, 1), _str(3, "http")))), _int(2, 5), _int(3, 0)),
        _msg(11, _msg(1, _msg(3, _msg(1, _int(2, 8080)))), _int(4, 10)),
        _msg(22, _msg(1, _msg(1, _str(1, "cat"), _str(1, "/tmp/ready")))),
        _msg(15, _msg(1, _str(2, "ALL")), _int(4, 0), _int(5, 0), _int(6, 1)),
        _str(14, ""),
        _int(16, 0),
    )
    spec = _msg(
        2,
        _msg(1, _str(1, "cache"), _msg(2, _msg(2))),
        _msg(1, _str(1, "conf"), _msg(2, _msg(19, _msg(1, _str(1, "api-config")), _int(3, 420)))),
        _msg(1, _str(1, "certs"), _msg(2, _msg(6, _str(1, "tls"), _int(4, 0)))),
        _msg(1, _str(1, "logs"), _msg(2, _msg(1, _str(1, "/var/log")))),
        container,
        _msg(20, _str(1, "init"), _str(2, "busybox")),
        _str(3, "Always"),
        _int(4, 0),
        _entry(7, "disk", "ssd"),
        _str(8, "api"),
        _int(11, 0),
        _msg(14, _bytes(4, _varint(1000) + _varint(2000)), _int(4, 3000)),
        _msg(18, _msg(1, _str(1, "affinity is not in the schema"))),
        _msg(22, _str(1, "k"), _str(2, "Exists"), _str(4, "NoSchedule")),
        _int(25, -5),
        _int(99, 7),
        _varint(98 << 3 | 5) + b"\x01\x02\x03\x04",
        _varint(97 << 3 | 1) + b"\x00" * 8,
    )
    status = _msg(3, _str(1, "Running"))
    return _object("v1", "Pod", metadata, spec, status)


def test_a_pod_decodes_with_the_fields_a_manifest_would_hold() -> None:
    assert decode_object(_pod_body()) == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "api",
            "namespace": "sock-shop",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "annotations": {"note": ""},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-1", "uid": "u1", "controller": True}
            ],
            "finalizers": ["example.com/guard"],
        },
        "spec": {
            "volumes": [
                {"name": "cache", "emptyDir": {}},
                {"name": "conf", "configMap": {"name": "api-config", "defaultMode": 420}},
                {"name": "certs", "secret": {"secretName": "tls", "optional": False}},
                {"name": "logs", "hostPath": {"path": "/var/log"}},
            ],
            "containers": [
                {
                    "name": "api",
                    "image": "registry/api:1",
                    "command": ["/bin/api"],
                    "args": ["--port", ""],
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "env": [
                        {"name": "MODE", "value": "prod"},
                        {"name": "DB", "valueFrom": {"configMapKeyRef": {"name": "db", "key": "host"}}},
                        {
                            "name": "PASS",
                            "valueFrom": {"secretKeyRef": {"name": "db", "key": "password", "optional": True}},
                        },
                        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    ],
                    "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "extra"}}],
                    "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "128Mi"}},
                    "volumeMounts": [{"name": "conf", "readOnly": True, "mountPath": "/etc/api"}],
                    "livenessProbe": {"httpGet": {"path": "/health", "port": "http"}, "initialDelaySeconds": 5},
                    "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 10},
                    "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}},
                    "securityContext": {
                        "capabilities": {"drop": ["ALL"]},
                        "runAsUser": 0,
                        "runAsNonRoot": False,
                        "readOnlyRootFilesystem": True,
                    },
                }
            ],
            "initContainers": [{"name": "init", "image": "busybox"}],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 0,
            "nodeSelector": {"disk": "ssd"},
            "serviceAccountName": "api",
            "securityContext": {"supplementalGroups": [1000, 2000, 3000]},
            "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
            "priority": -5,
        },
    }


def test_pointer_zeros_survive_and_int_or_string_keeps_its_type() -> None:
    body = _object(
        "apps/v1",
        "Deployment",
        _msg(1, _str(1, "web")),
        _msg(
            2,
            _int(1, 0),
            _msg(2, _msg(2, _str(1, "tier"), _str(2, "In"), _str(3, "web"), _str(3, "api"))),
            _msg(
                4,
                _str(1, "RollingUpdate"),
                _msg(2, _msg(1, _int(1, 0), _int(2, 0)), _msg(2, _int(1, 1), _str(3, "25%"))),
            ),
            _int(5, 0),
            _int(6, 0),
            _int(7, 0),
        ),
    )
    assert decode_object(body)["spec"] == {
        "replicas": 0,
        "selector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
        "revisionHistoryLimit": 0,
    }


def test_an_hpa_with_behavior_and_every_metric_source_decodes() -> None:
    target = _msg(2, _str(1, "AverageValue"), _msg(3, _str(1, "100")))
    selector = _msg(2, _entry(1, "queue", "orders"))
    body = _object(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        _msg(1, _str(1, "orders")),
        _msg(
            2,
            _msg(1, _str(1, "Deployment"), _str(2, "orders")),
            _int(3, 3),
            _msg(4, _str(1, "Pods"), _msg(3, _msg(1, _str(1, "rps")), target)),
            _msg(4, _str(1, "External"), _msg(5, _msg(1, _str(1, "depth"), selector), target)),
            _msg(4, _str(1, "ContainerResource"), _msg(7, _str(1, "cpu"), target, _str(3, "app"))),
            _msg(5, _msg(2, _int(3, 0), _msg(2, _str(1, "Pods"), _int(2, 1), _int(3, 60)))),
        ),
    )
    average = {"type": "AverageValue", "averageValue": "100"}
    depth = {"name": "depth", "selector": {"matchLabels": {"queue": "orders"}}}
    policy = {"type": "Pods", "value": 1, "periodSeconds": 60}
    assert decode_object(body)["spec"] == {
        "scaleTargetRef": {"kind": "Deployment", "name": "orders"},
        "maxReplicas": 3,
        "metrics": [
            {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": average}},
            {"type": "External", "external": {"metric": depth, "target": average}},
            {"type": "ContainerResource", "containerResource": {"name": "cpu", "target": average, "container": "app"}},
        ],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 0, "policies": [policy]}},
    }


# --- errors -------------------------------------------------------------------------------------


def test_a_kind_outside_the_schema_is_unsupported_not_malformed() -> None:
    body = _object("policy/v1", "Eviction", _msg(1, _str(1, "api")))
    with pytest.raises(UnsupportedKind, match="policy/v1/Eviction"):
        decode_object(body)
    assert issubclass(UnsupportedKind, ProtobufError)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"kind": "Namespace"}', "magic"),
        (b"k8s\x00\x0a", "ends inside a varint"),
        (b"k8s\x00\x0a\x05ab", "past the end"),
        (b"k8s\x00\x0b", "wire type 3"),
        (_object("v1", "Namespace", _int(1, 5)), "wire type 0"),
        (_object("v1", "Namespace", _msg(1, _bytes(1, b"\xff\xfe"))), "UTF-8"),
        (_object("v1", "Namespace") + _str(3, "gzip"), "compressed"),
    ],
)
def test_malformed_bodies_raise_protobuf_errors(body: bytes, problem: str) -> None:
    with pytest.raises(ProtobufError, match=problem) as caught:
        decode_object(body)
    assert not isinstance(caught.value, UnsupportedKind)


# --- the schema itself ----------------------------------------------------------------------------


def test_every_message_the_schema_names_is_defined() -> None:
    referenced = {f.message for fields in MESSAGES.values() for f in fields.values() if f.kind is Kind.MESSAGE}
    assert referenced | set(ROOTS.values()) <= set(MESSAGES)


def test_no_message_uses_a_json_name_twice() -> None:
    for message, fields in MESSAGES.items():
        names = [f.name for f in fields.values() if f.name is not None]
        assert len(names) == len(set(names)), message


# --- wired into the REST layer ------------------------------------------------------------------


def _read(body: bytes, content_type: str) -> Any:
    async def read() -> Any:
        payload = streams.StreamReader(mock.Mock(_reading_paused=False), 2**16, loop=asyncio.get_running_loop())
        payload.feed_data(body)
        payload.feed_eof()
        headers = {"Content-Type": content_type}
        return await read_body(make_mocked_request("POST", "/api/v1/namespaces", headers=headers, payload=payload))

    return asyncio.run(read())


def test_read_body_decodes_protobuf_like_json() -> None:
    body = (FIXTURES / "namespace.bin").read_bytes()
    expected = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}, "spec": {}}
    assert _read(body, PROTOBUF_CONTENT_TYPE) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (_object("policy/v1", "Eviction"), PROTOBUF_CONTENT_TYPE, 415),
        (b"k8s\x00\x0a", PROTOBUF_CONTENT_TYPE, 400),
        (b"\xa1", "application/cbor", 415),
        (b"\x0a\x00", "application/x-protobuf", 415),
    ],
)
def test_read_body_refuses_what_it_cannot_read(body: bytes, content_type: str, code: int) -> None:
    with pytest.raises(ApiError) as caught:
        _read(body, content_type)
    assert caught.value.code == code
