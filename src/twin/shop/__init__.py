"""Sock Shop inside the twin: the performance model, its HTTP endpoints, its metrics and its container logs."""

from ._http import LOOPBACK_ANNOTATION, ServiceProxy, twin_routes
from ._logs import MAX_LINES, ContainerLogs
from ._model import Reply, ShopModel
from ._runtime import Faults, PodRuntime
from ._spec import DEFAULT_MODEL_FILE, ModelSpecError, load_model_spec

__all__ = [
    "DEFAULT_MODEL_FILE",
    "LOOPBACK_ANNOTATION",
    "MAX_LINES",
    "ContainerLogs",
    "Faults",
    "ModelSpecError",
    "PodRuntime",
    "Reply",
    "ServiceProxy",
    "ShopModel",
    "load_model_spec",
    "twin_routes",
]
