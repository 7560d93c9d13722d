"""The text entry modules show about the LLM in use, before anything runs.

With no `conf/secret.yaml` the harness still runs, on a 135M-parameter model on the CPU. That is
right for checking the plumbing and wrong for anything else, so the banner says so loudly and
says how to point the harness at a real model.
"""

from __future__ import annotations

from ._secrets import SECRET_TEMPLATE_PATH
from ._settings import LLMSettings


def banner(settings: LLMSettings) -> str:
    """One line naming the LLM in use; for the default SmolLM2 model, a warning and how to configure a real one."""
    origin = f"from {settings.source}" if settings.source else "no conf/secret.yaml"
    line = f"LLM: {settings.describe()} ({origin})"
    if not settings.smoke_test:
        return line
    return "\n".join(
        (
            line,
            "WARNING: SmolLM2-135M is a tiny offline smoke-test model running on the CPU. It shows that the",
            "harness runs end to end; its answers are NOT meaningful and no result of this run says anything",
            "about what LLM agents can do. Agents stop after a few messages unless --max-turns says otherwise.",
            f"To use a real model, copy conf/{SECRET_TEMPLATE_PATH.name} to conf/secret.yaml (or edit yours), set",
            "`backend:` to OpenAI (model, api_key), AzureOpenAI (model = deployment, api_key, base_url,",
            "api_version) or Other (an OpenAI-compatible server such as Ollama, vLLM or LM Studio: model,",
            "base_url, optional api_key), and fill in that section.",
        )
    )
