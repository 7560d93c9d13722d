"""The Sock Shop model's constants, loaded from `data/twin/sock-shop-model.yaml` into typed specs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ...config import REPO_ROOT

DEFAULT_MODEL_FILE = REPO_ROOT / "data" / "twin" / "sock-shop-model.yaml"


class ModelSpecError(ValueError):
    """The model file is malformed; the message names the file and field."""


@dataclass(frozen=True)
class Call:
    """A downstream call a route makes: (service, method, path)."""

    service: str
    method: str
    path: str


@dataclass(frozen=True)
class RouteSpec:
    """One route of a service: what it costs, whom it calls, what it answers."""

    method: str
    path: str
    route: str
    cpu_seconds: float
    cv: float
    calls: tuple[Call, ...]
    body: str
    status: int
    pattern: re.Pattern[str]

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and self.pattern.fullmatch(path) is not None


@dataclass(frozen=True)
class FamilySpec:
    """How a language family labels `request_duration_seconds`."""

    labels: tuple[str, ...]
    method_case: str
    route_style: str


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    family: str
    threads: int
    idle_cores: float
    memory_base_bytes: int
    memory_per_rps_bytes: int
    routes: tuple[RouteSpec, ...]

    def route_for(self, method: str, path: str) -> RouteSpec | None:
        """The route serving a request; literal paths win over templates (`/catalogue/size`)."""
        matching = [route for route in self.routes if route.matches(method, path)]
        matching.sort(key=lambda route: "{" in route.path)
        return matching[0] if matching else None


@dataclass(frozen=True)
class ModelSpec:
    cfs_period: float
    hop_latency: float
    unlimited_cores: float
    metrics_window: float
    families: dict[str, FamilySpec]
    services: dict[str, ServiceSpec] = field(default_factory=dict)


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[a-zA-Z]+\\\}", "[^/]+", re.escape(path)))


def _route_label(path: str, family: str) -> str:
    """The route label when the file does not give one (front-end labels the raw path)."""
    if family == "node":
        return path
    return path.strip("/").replace("/", "_").replace("{", "").replace("}", "") or "root"


def _route(raw: dict[str, Any], family: str, where: str) -> RouteSpec:
    try:
        method, path = str(raw["method"]), str(raw["path"])
        cost = float(raw["cpu_ms"]) / 1000
    except (KeyError, TypeError, ValueError) as err:
        raise ModelSpecError(f"{where}: needs method, path and a numeric cpu_ms ({err})") from err
    calls = tuple(Call(*map(str, call)) for call in raw.get("calls") or [])
    return RouteSpec(
        method=method,
        path=path,
        route=str(raw.get("route") or _route_label(path, family)),
        cpu_seconds=cost,
        cv=float(raw.get("cv", 0.8)),
        calls=calls,
        body=str(raw.get("body", "empty")),
        status=int(raw.get("status", 200)),
        pattern=_pattern(path),
    )


def load_model_spec(path: Path = DEFAULT_MODEL_FILE) -> ModelSpec:
    """Read and check the model file."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise ModelSpecError(f"{path}: cannot read the model ({err})") from err
    families = {
        name: FamilySpec(tuple(f.get("labels") or ()), f.get("method_case", "upper"), f.get("route_style", "munged"))
        for name, f in (data.get("families") or {}).items()
    }
    services = {}
    for name, raw in (data.get("services") or {}).items():
        family = raw.get("family", "none")
        if family not in families:
            raise ModelSpecError(f"{path}: services.{name}.family must be one of {sorted(families)}, got {family!r}")
        memory = raw.get("memory") or {}
        services[name] = ServiceSpec(
            name=name,
            family=family,
            threads=int(raw.get("threads", 1)),
            idle_cores=float(raw.get("idle_millicores", 1)) / 1000,
            memory_base_bytes=int(float(memory.get("base_mib", 10)) * 2**20),
            memory_per_rps_bytes=int(float(memory.get("per_rps_kib", 0)) * 2**10),
            routes=tuple(
                _route(route, family, f"{path}: services.{name}.routes[{i}]")
                for i, route in enumerate(raw.get("routes") or [])
            ),
        )
    return ModelSpec(
        cfs_period=float(data.get("cfs_period_ms", 100)) / 1000,
        hop_latency=float(data.get("hop_latency_ms", 0.4)) / 1000,
        unlimited_cores=float(data.get("unlimited_cores", 8)),
        metrics_window=float(data.get("metrics_window_s", 15)),
        families=families,
        services=services,
    )
