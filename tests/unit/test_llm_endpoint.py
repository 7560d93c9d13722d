"""check_endpoint turns a dead or misconfigured endpoint into one line at start-up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from src.llm import LLMSettings, LLMUnavailable, check_endpoint, serve
from tests.ports import silent_port
from tests.scripted_llm import ScriptedLLM


def unavailable(settings: LLMSettings) -> str:
    with pytest.raises(LLMUnavailable) as caught:
        check_endpoint(settings, timeout=2)
    text = str(caught.value)
    assert "\n" not in text
    return text


def test_a_served_model_passes_and_the_list_is_returned() -> None:
    with ScriptedLLM([]) as llm:
        assert check_endpoint(llm.settings()) == ["scripted-model"]


def test_an_ollama_model_named_without_a_tag_matches_latest() -> None:
    with ScriptedLLM([], model="llama3.1:latest") as llm:
        assert check_endpoint(replace(llm.settings(), model="llama3.1")) == ["llama3.1:latest"]


def test_a_model_the_server_does_not_serve_is_named() -> None:
    with ScriptedLLM([]) as llm:
        text = unavailable(replace(llm.settings(), model="gpt-5"))
    assert "does not serve model 'gpt-5' (it lists: scripted-model); set Other.model in conf/secret.yaml" in text


def test_an_endpoint_that_is_down_is_named_with_the_field_to_fix() -> None:
    port = silent_port()
    settings = LLMSettings(backend="Other", model="m", base_url=f"http://127.0.0.1:{port}/v1")
    assert unavailable(settings) == (
        f"cannot reach the Other endpoint http://127.0.0.1:{port}/v1 within 2 s; "
        "start the server or fix Other.base_url in conf/secret.yaml"
    )


def test_a_rejected_key_is_reported_without_the_key() -> None:
    with ScriptedLLM([], api_key="right-key") as llm:
        text = unavailable(replace(llm.settings(), api_key="wrong-key"))
    assert "rejected the api_key (401); check Other.api_key in conf/secret.yaml" in text
    assert "wrong-key" not in text


def test_a_base_url_without_models_hints_at_the_api_root() -> None:
    with ScriptedLLM([]) as llm:
        text = unavailable(replace(llm.settings(), base_url=f"{llm.base_url}/nested"))
    assert (
        "has no /models endpoint; is Other.base_url in conf/secret.yaml the API root (usually ending in /v1)?" in text
    )


def test_serve_yields_remote_settings_unchanged() -> None:
    settings = LLMSettings(backend="OpenAI", model="gpt-4o", api_key="sk-x")
    with serve(settings) as ready:
        assert ready is settings
