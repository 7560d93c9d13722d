"""Experiments: the dataset of instances (and, later, the lifecycle runners that play them).

instance = load_instance("cpu_stress", health_check_task=settings.agents.health_check_task)
prepare_manifests(instance, run_dir / "manifests")        # a copy with the instance's edits
"""

from ._instance import (
    Chaos,
    EnvironmentChanges,
    GroundTruth,
    Instance,
    ManifestEdit,
    ReferenceSolution,
    ReportTemplate,
)
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
    "SCHEMA_PATH",
    "Chaos",
    "DatasetError",
    "EnvironmentChanges",
    "GroundTruth",
    "Instance",
    "ManifestEdit",
    "ReferenceSolution",
    "ReportTemplate",
    "list_instances",
    "load_all",
    "load_instance",
    "prepare_manifests",
    "read_instance",
]
