"""Named load levels (light, moderate, heavy, increase) as data: one YAML file per component.

The dataset names a level, never a user count, so the numbers live in
`data/capacity/locust/sock-shop/<component>.yaml` and can be tuned without touching code. A
component without its own file uses catalogue's levels, as the paper's harness did for every
low-level target. Files are checked when read: a bad one raises `WorkloadError` naming the file
and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...config import REPO_ROOT

CAPACITY_DIR = REPO_ROOT / "data" / "capacity" / "locust" / "sock-shop"
DEFAULT_COMPONENT = "catalogue"


class WorkloadError(ValueError):
    """A load level that does not exist or a capacity file the user must fix."""


@dataclass(frozen=True)
class Workload:
    """A load level: how many closed-loop Locust users, and how fast they arrive."""

    users: int
    """Concurrent users; each sends its requests, then waits 1 s."""
    spawn_rate: float
    """Users started (or stopped) per second while moving to `users`."""

    def __post_init__(self) -> None:
        if isinstance(self.users, bool) or not isinstance(self.users, int) or self.users < 0:
            raise WorkloadError(f"users must be a whole number >= 0, got {self.users!r}")
        if isinstance(self.spawn_rate, bool) or not isinstance(self.spawn_rate, int | float) or self.spawn_rate <= 0:
            raise WorkloadError(f"spawn_rate must be a number > 0, got {self.spawn_rate!r}")


def _level(path: Path, name: Any, entry: Any) -> Workload:
    if not isinstance(entry, dict) or set(entry) != {"users", "spawn_rate"}:
        raise WorkloadError(f"{path}: level {name!r} must be a mapping with exactly 'users' and 'spawn_rate'")
    try:
        return Workload(users=entry["users"], spawn_rate=entry["spawn_rate"])
    except WorkloadError as err:
        raise WorkloadError(f"{path}: level {name!r}: {err}") from err


def load_workloads(path: Path) -> dict[str, Workload]:
    """Read a capacity file (`<level>: {users, spawn_rate}`), keeping the file's order of levels.

    Raises:
        WorkloadError: the file is missing, not YAML, or a level is malformed.
    """
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as err:
        raise WorkloadError(f"{path}: cannot read the capacity file ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise WorkloadError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(document, dict) or not document:
        raise WorkloadError(f"{path}: expected a mapping of level names to {{users, spawn_rate}}")
    return {str(name): _level(path, name, entry) for name, entry in document.items()}


def capacity_file(component: str, directory: Path = CAPACITY_DIR) -> Path:
    """The capacity file that applies to `component`: its own, else catalogue's."""
    own = directory / f"{component}.yaml"
    return own if own.exists() else directory / f"{DEFAULT_COMPONENT}.yaml"


def workload_for(component: str, level: str, directory: Path = CAPACITY_DIR) -> Workload:
    """The workload named `level` for `component`.

    Raises:
        WorkloadError: `level` is not defined; the message lists the levels that are.
    """
    path = capacity_file(component, directory)
    levels = load_workloads(path)
    if level not in levels:
        raise WorkloadError(
            f"unknown workload {level!r} for {component} (from {path.name}); valid levels: {', '.join(levels)}"
        )
    return levels[level]
