"""`conf/service_maintainers.yaml` read into typed records: the components and the metrics catalogue.

A malformed file raises `ConfigError` naming the file, the field and what was expected, like the
global config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import REPO_ROOT, ConfigError

DEFAULT_CATALOG = REPO_ROOT / "conf" / "service_maintainers.yaml"
MANAGER = "manager"
"""The manager's name on the bus and in transcripts; no component may take it."""


@dataclass(frozen=True)
class Component:
    """One Sock Shop component a maintainer can look after."""

    name: str
    description: str
    namespace: str
    deployment: Path
    """Its Deployment manifest (absolute)."""
    service: Path
    """Its Service manifest (absolute)."""
    downstream: tuple[str, ...]
    """The services it calls or sends to."""
    upstream: tuple[str, ...]
    """The services that call it."""


@dataclass(frozen=True)
class Metric:
    """A metric family agents are told about."""

    name: str
    kind: str
    labels: tuple[str, ...]
    meaning: str


@dataclass(frozen=True)
class Catalog:
    """Everything `service_maintainers.yaml` says."""

    namespace: str
    components: dict[str, Component]
    metrics: tuple[Metric, ...]

    def component(self, name: str) -> Component:
        """The named component; `KeyError` with the known names otherwise."""
        try:
            return self.components[name]
        except KeyError:
            raise KeyError(f"unknown component {name!r}; known: {', '.join(self.components)}") from None


def _fail(path: Path, field: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"{path}: field '{field}' must be {expected}, got {value!r}")


def _text(data: dict[str, Any], key: str, path: Path, prefix: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"{prefix}{key}", "a non-empty string", value)
    return value.strip()


def _names(data: dict[str, Any], key: str, path: Path, prefix: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise _fail(path, f"{prefix}{key}", "a list of names", value)
    return tuple(value)


def _manifest(data: dict[str, Any], key: str, path: Path, prefix: str) -> Path:
    relative = _text(data, key, path, prefix)
    resolved = REPO_ROOT / relative
    if not resolved.is_file():
        raise _fail(path, f"{prefix}{key}", "the path of an existing manifest (relative to the repository)", relative)
    return resolved


def load_catalog(path: Path = DEFAULT_CATALOG) -> Catalog:
    """Parse and check `service_maintainers.yaml`; raises `ConfigError` on any problem."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the file ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'common' and 'components' at the top level")
    common = data.get("common") or {}
    if not isinstance(common, dict):
        raise _fail(path, "common", "a mapping", common)
    namespace = _text(common, "namespace", path, "common.")
    metrics = []
    for index, entry in enumerate(common.get("metrics") or []):
        prefix = f"common.metrics[{index}]."
        if not isinstance(entry, dict):
            raise _fail(path, f"common.metrics[{index}]", "a mapping", entry)
        metrics.append(
            Metric(
                name=_text(entry, "name", path, prefix),
                kind=_text(entry, "kind", path, prefix),
                labels=_names(entry, "labels", path, prefix),
                meaning=_text(entry, "meaning", path, prefix),
            )
        )
    entries = data.get("components")
    if not isinstance(entries, dict) or not entries:
        raise _fail(path, "components", "a mapping of component name to its description", entries)
    components: dict[str, Component] = {}
    for name, entry in entries.items():
        prefix = f"components.{name}."
        if name == MANAGER:
            raise _fail(path, f"components.{name}", "named otherwise: 'manager' is the cluster manager", name)
        if not isinstance(entry, dict):
            raise _fail(path, f"components.{name}", "a mapping", entry)
        components[name] = Component(
            name=name,
            description=_text(entry, "description", path, prefix),
            namespace=entry.get("namespace") or namespace,
            deployment=_manifest(entry, "deployment", path, prefix),
            service=_manifest(entry, "service", path, prefix),
            downstream=_names(entry, "downstream", path, prefix),
            upstream=_names(entry, "upstream", path, prefix),
        )
    for component in components.values():
        for neighbour in (*component.downstream, *component.upstream):
            if neighbour not in components:
                raise _fail(path, f"components.{component.name}", "linked only to listed components", neighbour)
    return Catalog(namespace=namespace, components=components, metrics=tuple(metrics))


def parse_components(text: str, catalog: Catalog) -> list[str]:
    """The comma-separated component names of a CLI flag, checked; `ValueError` names the unknown ones."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError("no component given; expected a comma-separated list such as catalogue,front-end")
    unknown = [name for name in names if name not in catalog.components]
    if unknown:
        raise ValueError(f"unknown component(s) {', '.join(unknown)}; known: {', '.join(catalog.components)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a component is named twice in {text!r}")
    return names
