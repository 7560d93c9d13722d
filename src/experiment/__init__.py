"""Experiments: the dataset of instances and the lifecycle runners that play them.

instance = load_instance("cpu_stress", health_check_task=settings.agents.health_check_task)
prepare_manifests(instance, run_dir / "manifests")        # a copy with the instance's edits
record, run_dir = run_low_level_trial(TrialSpec(instance, QUICK), settings, llm, places)

Runners: `run_low_level_trial` (L1/L2), `run_fault_trial` (low-level L3-L5) and
`run_high_level_trial` (the manager, any level); `run_entry` is the command line the four
`src.empirical_*` modules share. They are loaded on first use, so reading the dataset does not pay
for importing AG2.
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
from ._profile import PAPER, PROFILES, QUICK, TEST, Profile
from ._record import RECORD_NAME, PhaseTiming, RunRecord, read_record, write_record

if TYPE_CHECKING:
    from ._cli import RunnerKind
    from ._cli import main as run_entry
    from ._faults import run_fault_trial
    from ._high_level import manager_task, run_high_level_trial
    from ._low_level import run_low_level_trial
    from ._trial import Trial, TrialPlaces, TrialSpec
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
    "TEST",
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
    "RunnerKind",
    "Trial",
    "TrialPlaces",
    "TrialSpec",
    "list_instances",
    "load_all",
    "load_instance",
    "manager_task",
    "prepare_manifests",
    "read_instance",
    "read_record",
    "run_entry",
    "run_fault_trial",
    "run_high_level_trial",
    "run_low_level_trial",
    "write_record",
]

_LAZY = {
    "RunnerKind": ("._cli", "RunnerKind"),
    "run_entry": ("._cli", "main"),
    "run_fault_trial": ("._faults", "run_fault_trial"),
    "manager_task": ("._high_level", "manager_task"),
    "run_high_level_trial": ("._high_level", "run_high_level_trial"),
    "run_low_level_trial": ("._low_level", "run_low_level_trial"),
    "Trial": ("._trial", "Trial"),
    "TrialPlaces": ("._trial", "TrialPlaces"),
    "TrialSpec": ("._trial", "TrialSpec"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value
