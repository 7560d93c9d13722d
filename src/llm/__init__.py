"""LLM backends for the agents: OpenAI, Azure OpenAI, any OpenAI-compatible server, or a local GGUF.

The backend is read once from `conf/secret.yaml` (template: `conf/secret_template.yaml`)::

    settings = load_llm_settings(None, cache_seed=None)   # no file: Local SmolLM2-135M, a smoke test
    print(banner(settings))                              # entry modules show this
    with serve(settings) as ready:                       # Local: starts llama.cpp; others: as they are
        check_endpoint(ready)                            # one cheap /models call, clear error if not
        agent = ConversableAgent("planner", llm_config=ready.llm_config())
"""

from ._banner import banner
from ._endpoint import check_endpoint, openai_client, serve
from ._errors import LLMError, LLMUnavailable, SecretsError
from ._local_server import LocalServer
from ._secrets import DEFAULT_SECRET_PATH, SECRET_TEMPLATE_PATH, load_judge_settings, load_llm_settings
from ._settings import BACKENDS, Backend, LLMSettings, LocalModel
from ._smollm2 import find_smollm2_gguf

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
