"""Making sure the configured LLM can answer before any agent starts.

`serve(settings)` gives Local settings a running endpoint (and leaves the others as they are), and
`check_endpoint(settings)` asks the endpoint for its model list: one cheap GET with a short
timeout and no retries. That turns "the experiment ran for ten minutes and every agent step
failed" into one line at start-up: endpoint down, key rejected, base_url missing its /v1, or a
model name the server does not serve.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import openai

from ._errors import LLMUnavailable
from ._local_server import LocalServer
from ._settings import KEYLESS_API_KEY, LLMSettings

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 10.0
"""Seconds for the model-list request: a healthy endpoint answers in well under a second."""


@contextmanager
def serve(settings: LLMSettings) -> Iterator[LLMSettings]:
    """Settings with a live endpoint for the duration of the block.

    For the Local backend (without an endpoint yet) this starts a `LocalServer` for its model and
    yields the settings pointing at it; the server stops when the block ends. Other settings are
    yielded unchanged.

    Raises:
        LLMUnavailable: the local model cannot be found or loaded.
    """
    if settings.backend != "Local" or settings.base_url is not None or settings.local is None:
        yield settings
        return
    local = settings.local
    with LocalServer(local.path, context_size=local.context_size, threads=local.threads) as server:
        yield settings.with_endpoint(server.base_url)


def check_endpoint(settings: LLMSettings, timeout: float = CHECK_TIMEOUT) -> list[str]:
    """Ask the endpoint which models it serves, and check that the configured one is among them.

    Azure lists base models rather than deployments, so for Azure only reachability and the key
    are checked. An Ollama model named without a tag matches its `:latest`.

    Returns:
        The model ids the endpoint lists.

    Raises:
        LLMUnavailable: the endpoint does not answer, rejects the key, has no /models, or does
            not serve `settings.model`.
    """
    where = _where(settings)
    try:
        with openai_client(settings, timeout=timeout, max_retries=0) as client:
            served = [model.id for model in client.models.list()]
    except openai.AuthenticationError as err:
        raise LLMUnavailable(
            f"{where} rejected the api_key ({err.status_code}); check {_field(settings, 'api_key')}"
        ) from err
    except openai.NotFoundError as err:
        raise LLMUnavailable(
            f"{where} has no /models endpoint; is {_field(settings, 'base_url')} the API root (usually ending in /v1)?"
        ) from err
    except openai.APIStatusError as err:
        raise LLMUnavailable(f"{where} answered /models with HTTP {err.status_code}; is the server healthy?") from err
    except openai.APIConnectionError as err:  # timeouts included
        raise LLMUnavailable(
            f"cannot reach {where} within {timeout:g} s; start the server or fix {_field(settings, 'base_url')}"
        ) from err
    if settings.backend != "AzureOpenAI" and not _serves(served, settings.model):
        listed = ", ".join(served[:10]) + (", ..." if len(served) > 10 else "") or "nothing"
        raise LLMUnavailable(
            f"{where} does not serve model {settings.model!r} (it lists: {listed}); set {_field(settings, 'model')}"
        )
    logger.info("LLM endpoint %s answers and serves %s", where, settings.model)
    return served


def openai_client(settings: LLMSettings, *, timeout: float, max_retries: int) -> openai.OpenAI:
    """An `openai` client for `settings`, built as AG2 builds its: Azure by endpoint and version, others by base_url.

    Args:
        settings: the backend, its endpoint and key.
        timeout: seconds per request.
        max_retries: retries of connection errors, timeouts, 429 and 5xx (the client's own back-off).
    """
    if settings.backend == "AzureOpenAI":
        return openai.AzureOpenAI(
            azure_endpoint=settings.base_url or "",
            api_key=settings.api_key,
            api_version=settings.api_version,
            timeout=timeout,
            max_retries=max_retries,
        )
    return openai.OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or KEYLESS_API_KEY,
        timeout=timeout,
        max_retries=max_retries,
    )


def _serves(served: list[str], model: str) -> bool:
    return model in served or f"{model}:latest" in served


def _where(settings: LLMSettings) -> str:
    return f"the {settings.backend} endpoint {settings.base_url or 'https://api.openai.com/v1'}"


def _field(settings: LLMSettings, name: str) -> str:
    """Where the user fixes `name`: "OpenAI.api_key in conf/secret.yaml"."""
    if settings.backend == "Local":
        return f"the Local section of {settings.source or 'conf/secret.yaml'}"
    return f"{settings.backend}.{name} in {settings.source or 'conf/secret.yaml'}"
