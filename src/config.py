"""Project settings: `conf/global_config.yaml` read once at the edge and passed down as typed objects.

A malformed file or a field of the wrong type raises `ConfigError` naming the file, the field and
what was expected; entry points turn it into one line on stderr and exit code 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_ROOT = REPO_ROOT / "results"
"""Where the runners write their run folders (and `python -m src.report` reads them) by default."""
DEFAULT_CONFIG = REPO_ROOT / "conf" / "global_config.yaml"
WORLDS = ("twin", "kubernetes")


class ConfigError(ValueError):
    """A configuration file the user must fix; the message names file, field and expectation."""


@dataclass(frozen=True)
class TwinSettings:
    """How the emulated cluster runs."""

    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port."""
    startup_time_scale: float = 0.2
    """Factor on container start-up and probe delays; 1.0 is real time."""
    images: Path = REPO_ROOT / "data" / "twin" / "images.yaml"
    """The twin's registry: which image tags exist."""
    model: Path = REPO_ROOT / "data" / "twin" / "sock-shop-model.yaml"
    """The Sock Shop performance model's constants."""
    seed: int | None = None


PROMETHEUS_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
"""Prometheus' duration syntax (units largest first, each at most once), e.g. `5s`, `1m30s`, `500ms`."""


@dataclass(frozen=True)
class PrometheusSettings:
    """How the harness's own Prometheus scrapes the twin."""

    scrape_interval: str = "5s"
    """A Prometheus duration; also the rule evaluation and service-discovery refresh interval."""


@dataclass(frozen=True)
class AgentRoleSettings:
    """Limits of one kind of agent (maintainer or manager)."""

    max_turns: int
    """Messages of its inner chat (the planner's and the executor's together) before it is cut off."""
    executor_timeout: int
    """Seconds one code block may run before its whole process group is killed."""


DEFAULT_HEALTH_CHECK_TASK = (
    "Check the health of your component. It is healthy when all three hold: (1) its pods are Running and "
    "Ready; (2) CPU and memory use stay below 50% of the container limits; (3) the P99 latency is stable "
    "and averages below 200 ms. If it is healthy, report so. If not, find the root cause (or at least "
    "mitigate the symptom), fix it and check again that the fix worked; repeat a few times if needed. "
    "Report with report_result only after you have tried to restore health: say what you found, what you "
    "changed and whether the problem remains."
)


@dataclass(frozen=True)
class AgentSettings:
    """How the LLM agents run (`agents:` in the global config)."""

    health_check_task: str = DEFAULT_HEALTH_CHECK_TASK
    """The paper's standard task for a maintainer: check the SLOs, repair, verify, report."""
    maintainer: AgentRoleSettings = AgentRoleSettings(max_turns=100, executor_timeout=240)
    manager: AgentRoleSettings = AgentRoleSettings(max_turns=40, executor_timeout=120)
    output_limit_chars: int = 8000
    """Code output longer than this is cut in the middle before the LLM sees it."""
    response_timeout: float = 600
    """Seconds the message collector waits for a round's answers before reporting who is missing."""


@dataclass(frozen=True)
class Settings:
    """Everything `conf/global_config.yaml` says."""

    world: str = "twin"
    namespace: str = "sock-shop"
    manifests: Path = REPO_ROOT / "kubernetes" / "sock-shop"
    twin: TwinSettings = TwinSettings()
    prometheus: PrometheusSettings = PrometheusSettings()
    agents: AgentSettings = AgentSettings()
    raw: dict[str, Any] | None = None
    """The whole parsed file, for sections other packages read themselves."""


def _section(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: field '{key}' must be a mapping, got {type(value).__name__}")
    return value


def _typed(
    section: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any, path: Path, prefix: str
) -> Any:
    value = section.get(key, default)
    if value is None:
        return default
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{path}: field '{prefix}{key}' must be {expected}, got {value!r}")
    return value


def _resolve(text: str) -> Path:
    path = Path(text)
    return path if path.is_absolute() else REPO_ROOT / path


def _prometheus(data: dict[str, Any], path: Path) -> PrometheusSettings:
    section = _section(data, "prometheus", path)
    interval = _typed(section, "scrape_interval", str, PrometheusSettings.scrape_interval, path, "prometheus.")
    if not PROMETHEUS_DURATION.match(interval) or not any(char in "123456789" for char in interval):
        raise ConfigError(
            f"{path}: field 'prometheus.scrape_interval' must be a non-zero Prometheus duration "
            f"such as 5s, 1m or 500ms, got {interval!r}"
        )
    return PrometheusSettings(scrape_interval=interval)


def _positive(section: dict[str, Any], key: str, kind: type, default: Any, path: Path, prefix: str) -> Any:
    value = _typed(section, key, kind, default, path, prefix)
    if value <= 0:
        raise ConfigError(f"{path}: field '{prefix}{key}' must be greater than 0, got {value!r}")
    return value


def _role(agents: dict[str, Any], key: str, default: AgentRoleSettings, path: Path) -> AgentRoleSettings:
    section = agents.get(key) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: field 'agents.{key}' must be a mapping, got {type(section).__name__}")
    prefix = f"agents.{key}."
    return AgentRoleSettings(
        max_turns=_positive(section, "max_turns", int, default.max_turns, path, prefix),
        executor_timeout=_positive(section, "executor_timeout", int, default.executor_timeout, path, prefix),
    )


def _agents(data: dict[str, Any], path: Path) -> AgentSettings:
    section = _section(data, "agents", path)
    defaults = AgentSettings()
    task = _typed(section, "health_check_task", str, defaults.health_check_task, path, "agents.")
    if not task.strip():
        raise ConfigError(f"{path}: field 'agents.health_check_task' must be a non-empty text")
    return AgentSettings(
        health_check_task=task.strip(),
        maintainer=_role(section, "maintainer", defaults.maintainer, path),
        manager=_role(section, "manager", defaults.manager, path),
        output_limit_chars=_positive(section, "output_limit_chars", int, defaults.output_limit_chars, path, "agents."),
        response_timeout=float(
            _positive(section, "response_timeout", (int, float), defaults.response_timeout, path, "agents.")
        ),
    )


def load_settings(path: Path = DEFAULT_CONFIG) -> Settings:
    """Parse and check the global config; raises `ConfigError` on any problem."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the file ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    world = _typed(data, "world", str, "twin", path, "")
    if world not in WORLDS:
        raise ConfigError(f"{path}: field 'world' must be one of {', '.join(WORLDS)}, got {world!r}")
    project = _section(data, "project", path)
    twin = _section(data, "twin", path)
    defaults = TwinSettings()
    seed = twin.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ConfigError(f"{path}: field 'twin.seed' must be an integer or null, got {seed!r}")
    scale = float(_typed(twin, "startup_time_scale", (int, float), defaults.startup_time_scale, path, "twin."))
    if scale <= 0:
        raise ConfigError(f"{path}: field 'twin.startup_time_scale' must be greater than 0, got {scale}")
    return Settings(
        world=world,
        namespace=_typed(project, "namespace", str, "sock-shop", path, "project."),
        manifests=_resolve(_typed(project, "manifests", str, "kubernetes/sock-shop", path, "project.")),
        twin=TwinSettings(
            host=_typed(twin, "host", str, defaults.host, path, "twin."),
            port=_typed(twin, "port", int, defaults.port, path, "twin."),
            startup_time_scale=scale,
            images=_resolve(_typed(twin, "images", str, "data/twin/images.yaml", path, "twin.")),
            model=_resolve(_typed(twin, "model", str, "data/twin/sock-shop-model.yaml", path, "twin.")),
            seed=seed,
        ),
        prometheus=_prometheus(data, path),
        agents=_agents(data, path),
        raw=data,
    )
