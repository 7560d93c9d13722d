"""Sock Shop inside the twin: the performance model, its HTTP endpoints and its metrics."""

from ._http import LOOPBACK_ANNOTATION, ServiceProxy, twin_routes
from ._model import Reply, ShopModel
from ._runtime import Faults, PodRuntime
from ._spec import DEFAULT_MODEL_FILE, ModelSpecError, load_model_spec

__all__ = [
    "DEFAULT_MODEL_FILE",
    "LOOPBACK_ANNOTATION",
    "Faults",
    "ModelSpecError",
    "PodRuntime",
    "Reply",
    "ServiceProxy",
    "ShopModel",
    "load_model_spec",
    "twin_routes",
]
