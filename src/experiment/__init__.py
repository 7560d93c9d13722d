"""Experiments: the dataset of instances and the lifecycle runners that play them.

instance = load_instance("cpu_stress", health_check_task=settings.agents.health_check_task)
prepare_manifests(instance, run_dir / "manifests")        # a copy with the instance's edits
record, run_dir = run_low_level_trial(TrialSpec(instance, QUICK), settings, llm, places)

The runner (`run_low_level_trial`, `TrialSpec`, `TrialPlaces`) is loaded on first use, so reading
the dataset does not pay for importing AG2.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._instance import (
    Chaos,
    EnvironmentChanges,
    GroundTruth,
    Instance,
    ManifestEdit,
    ReferenceSolution,
    ReportTemplate,
)
from ._profile import PAPER, PROFILES, QUICK, Profile
from ._record import RECORD_NAME, PhaseTiming, RunRecord, read_record, write_record

if TYPE_CHECKING:
    from ._low_level import TrialPlaces, TrialSpec, run_low_level_trial
from .dataset import (
    DATASET_DIR,
    MANIFESTS_DIR,
    SCHEMA_PATH,
    DatasetError,
    list_instances,
    load_all,
    load_instance,
    prepare_manifests,
    read_instance,
)

__all__ = [
    "DATASET_DIR",
    "MANIFESTS_DIR",
    "PAPER",
    "PROFILES",
    "QUICK",
    "RECORD_NAME",
    "SCHEMA_PATH",
    "Chaos",
    "DatasetError",
    "EnvironmentChanges",
    "GroundTruth",
    "Instance",
    "ManifestEdit",
    "PhaseTiming",
    "Profile",
    "ReferenceSolution",
    "ReportTemplate",
    "RunRecord",
    "TrialPlaces",
    "TrialSpec",
    "list_instances",
    "load_all",
    "load_instance",
    "prepare_manifests",
    "read_instance",
    "read_record",
    "run_low_level_trial",
    "write_record",
]

_LAZY = {"TrialPlaces", "TrialSpec", "run_low_level_trial"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("._low_level", __name__), name)
    globals()[name] = value
    return value
