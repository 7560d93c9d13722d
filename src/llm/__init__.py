"""LLM backends for the agents: OpenAI, Azure OpenAI, any OpenAI-compatible server, or a local GGUF.

The backend is read once from `conf/secret.yaml` (template: `conf/secret_template.yaml`)::

    settings = load_llm_settings(None, cache_seed=None)   # no file: Local SmolLM2-135M, a smoke test
    print(banner(settings))                              # entry modules show this
    with serve(settings) as ready:                       # Local: starts llama.cpp; others: as they are
        check_endpoint(ready)                            # one cheap /models call, clear error if not
        agent = ConversableAgent("planner", llm_config=ready.llm_config())
"""

import importlib
from typing import TYPE_CHECKING, Any

from ._banner import banner
from ._errors import LLMError, LLMUnavailable, SecretsError
from ._secrets import DEFAULT_SECRET_PATH, SECRET_TEMPLATE_PATH, load_judge_settings, load_llm_settings
from ._settings import BACKENDS, Backend, LLMSettings, LocalModel
from ._smollm2 import find_smollm2_gguf

if TYPE_CHECKING:
    from ._endpoint import check_endpoint, openai_client, serve
    from ._local_server import LocalServer

__all__ = [
    "BACKENDS",
    "DEFAULT_SECRET_PATH",
    "SECRET_TEMPLATE_PATH",
    "Backend",
    "LLMError",
    "LLMSettings",
    "LLMUnavailable",
    "LocalModel",
    "LocalServer",
    "SecretsError",
    "banner",
    "check_endpoint",
    "find_smollm2_gguf",
    "load_judge_settings",
    "load_llm_settings",
    "openai_client",
    "serve",
]

_LAZY = {
    "check_endpoint": "._endpoint",
    "openai_client": "._endpoint",
    "serve": "._endpoint",
    "LocalServer": "._local_server",
}
"""Imported on first use: `openai` and `xllamacpp` take about a second, which `--help` should not pay."""


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
