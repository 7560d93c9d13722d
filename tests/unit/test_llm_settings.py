"""conf/secret.yaml -> LLMSettings -> AG2 llm_config, and one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from autogen import ConversableAgent

import src.llm
from src.config import REPO_ROOT
from src.llm import (
    SECRET_TEMPLATE_PATH,
    LLMSettings,
    LLMUnavailable,
    LocalModel,
    SecretsError,
    _secrets,
    banner,
    load_llm_settings,
    openai_client,
)

FILLED = {
    "OpenAI": {"model": "gpt-4o", "api_key": "sk-test-secret"},
    "AzureOpenAI": {
        "model": "gpt4o-deployment",
        "api_key": "azure-test-secret",
        "base_url": "https://example.openai.azure.com/",
    },
    "Other": {"model": "llama3.1:8b", "base_url": "http://localhost:11434/v1"},
}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "secret.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def template() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SECRET_TEMPLATE_PATH.read_text())
    return data


def gguf(tmp_path: Path, name: str = "tiny-model.Q8_0.gguf") -> Path:
    path = tmp_path / name
    path.write_bytes(b"GGUF" + bytes(60))
    return path


def test_the_package_exports_exactly_its_public_names() -> None:
    assert sorted(src.llm.__all__) == sorted(
        [
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
    )


def test_the_template_parses_as_the_local_smoke_test() -> None:
    settings = load_llm_settings(SECRET_TEMPLATE_PATH, None)
    assert settings.backend == "Local"
    assert settings.smoke_test
    assert settings.local == LocalModel(path=None, context_size=8192, threads=None)


@pytest.mark.parametrize("backend", ["OpenAI", "AzureOpenAI", "Other"])
def test_every_template_section_loads_once_its_placeholders_are_filled(tmp_path: Path, backend: str) -> None:
    data = template()
    data["backend"] = backend
    data[backend].update(FILLED[backend])
    settings = load_llm_settings(write(tmp_path, data), 7)
    assert settings.backend == backend
    assert settings.model == FILLED[backend]["model"]
    assert not settings.smoke_test
    assert settings.cache_seed == 7


@pytest.mark.parametrize("backend", ["OpenAI", "AzureOpenAI"])
def test_a_template_section_left_with_placeholders_is_refused(tmp_path: Path, backend: str) -> None:
    data = template()
    data["backend"] = backend
    with pytest.raises(SecretsError, match="template placeholder"):
        load_llm_settings(write(tmp_path, data), None)


def test_no_secret_file_means_the_local_smoke_test(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_secrets, "DEFAULT_SECRET_PATH", tmp_path / "absent.yaml")
    settings = load_llm_settings(None, None)
    assert settings.backend == "Local"
    assert settings.model == "SmolLM2-135M-Instruct.Q4_1"
    assert settings.smoke_test
    assert settings.source is None
    assert settings.local == LocalModel()
    assert settings.timeout == 600


def test_the_default_secret_file_is_read_when_it_exists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"]})
    monkeypatch.setattr(_secrets, "DEFAULT_SECRET_PATH", path)
    settings = load_llm_settings(None, None)
    assert settings.backend == "OpenAI"
    assert settings.source == path


def test_cache_seed_minus_one_means_no_cache(tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"]})
    assert load_llm_settings(path, -1).cache_seed is None
    assert load_llm_settings(path, None).cache_seed is None
    assert load_llm_settings(path, 42).cache_seed == 42


def test_ag2_never_gets_the_seed_so_it_never_falls_back_to_its_in_memory_cache(tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"]})
    assert load_llm_settings(path, 42).llm_config()["cache_seed"] is None


def test_the_cache_folder_is_read_relative_to_the_repository_root(tmp_path: Path) -> None:
    data = {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"]}
    assert load_llm_settings(write(tmp_path, data), 42).cache_dir == REPO_ROOT / ".cache" / "llm"
    assert load_llm_settings(write(tmp_path, {**data, "cache_dir": "var/answers"}), 42).cache_dir == (
        REPO_ROOT / "var" / "answers"
    )
    assert load_llm_settings(write(tmp_path, {**data, "cache_dir": str(tmp_path)}), 42).cache_dir == tmp_path
    with pytest.raises(SecretsError, match="field 'cache_dir' is 3; expected a folder path"):
        load_llm_settings(write(tmp_path, {**data, "cache_dir": 3}), 42)


def test_openai_llm_config(tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "temperature": 0, "max_retries": 0})
    assert load_llm_settings(path, 41).llm_config() == {
        "config_list": [
            {
                "api_type": "openai",
                "model": "gpt-4o",
                "api_key": "sk-test-secret",
                "timeout": 120.0,
                "max_retries": 0,
                "temperature": 0.0,
            }
        ],
        "cache_seed": None,
    }


def test_azure_llm_config_defaults_the_api_version(tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "AzureOpenAI", "AzureOpenAI": {**FILLED["AzureOpenAI"], "api_type": "azure"}})
    assert load_llm_settings(path, None).llm_config() == {
        "config_list": [
            {
                "api_type": "azure",
                "model": "gpt4o-deployment",
                "api_key": "azure-test-secret",
                "base_url": "https://example.openai.azure.com/",
                "api_version": "2024-02-01",
                "timeout": 120.0,
                "max_retries": 6,
            }
        ],
        "cache_seed": None,
    }


def test_other_llm_config_sends_a_placeholder_key_when_the_server_needs_none(tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "Other", "Other": FILLED["Other"], "timeout": 30})
    assert load_llm_settings(path, None).llm_config() == {
        "config_list": [
            {
                "api_type": "openai",
                "model": "llama3.1:8b",
                "api_key": "not-needed",
                "base_url": "http://localhost:11434/v1",
                "timeout": 30.0,
                "max_retries": 6,
                "price": [0.0, 0.0],
            }
        ],
        "cache_seed": None,
    }


def test_local_llm_config_needs_the_started_server(tmp_path: Path) -> None:
    model = gguf(tmp_path)
    settings = load_llm_settings(write(tmp_path, {"backend": "Local", "Local": {"model_path": str(model)}}), None)
    assert settings.local == LocalModel(path=model, context_size=8192, threads=None)
    assert settings.model == "tiny-model.Q8_0"
    assert not settings.smoke_test
    with pytest.raises(LLMUnavailable, match="no endpoint yet"):
        settings.llm_config()
    entry = settings.with_endpoint("http://127.0.0.1:5000/v1").llm_config()["config_list"][0]
    assert entry["base_url"] == "http://127.0.0.1:5000/v1"
    assert entry["model"] == "tiny-model.Q8_0"
    assert entry["timeout"] == 600


def test_a_relative_model_path_is_relative_to_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_secrets, "REPO_ROOT", tmp_path)
    (tmp_path / "models").mkdir()
    gguf(tmp_path / "models")
    path = write(tmp_path, {"backend": "Local", "Local": {"model_path": "models/tiny-model.Q8_0.gguf", "threads": 2}})
    local = load_llm_settings(path, None).local
    assert local == LocalModel(path=tmp_path / "models" / "tiny-model.Q8_0.gguf", context_size=8192, threads=2)


CLIENT_SETTINGS = [
    LLMSettings(backend="OpenAI", model="gpt-4o", api_key="sk-x", temperature=0.3),
    LLMSettings(
        backend="AzureOpenAI",
        model="dep",
        api_key="k",
        base_url="https://r.openai.azure.com/",
        api_version="2024-02-01",
    ),
    LLMSettings(backend="Other", model="llama3.1:8b", base_url="http://localhost:11434/v1"),
]


@pytest.mark.parametrize("settings", CLIENT_SETTINGS, ids=["OpenAI", "AzureOpenAI", "Other"])
def test_ag2_builds_its_openai_client_with_our_timeout_and_retries(settings: LLMSettings) -> None:
    agent = ConversableAgent("planner", llm_config=settings.llm_config(), human_input_mode="NEVER")
    assert agent.client is not None
    client = agent.client._clients[0]._oai_client  # type: ignore[attr-defined]
    assert client.max_retries == 6
    assert client.timeout == 120
    if settings.backend == "AzureOpenAI":
        assert str(client.base_url) == "https://r.openai.azure.com/openai/deployments/dep/"
        assert client._api_version == "2024-02-01"
    elif settings.base_url:
        assert str(client.base_url).rstrip("/") == settings.base_url


@pytest.mark.parametrize("settings", CLIENT_SETTINGS, ids=["OpenAI", "AzureOpenAI", "Other"])
def test_our_own_openai_client_reaches_the_same_endpoint_as_ag2s_with_the_retries_asked_for(
    settings: LLMSettings,
) -> None:
    agent = ConversableAgent("planner", llm_config=settings.llm_config(), human_input_mode="NEVER")
    assert agent.client is not None
    theirs = agent.client._clients[0]._oai_client  # type: ignore[attr-defined]
    for retries in (0, 3):
        with openai_client(settings, timeout=7.0, max_retries=retries) as ours:
            assert (ours.max_retries, ours.timeout) == (retries, 7.0)
            assert (type(ours), ours.api_key) == (type(theirs), theirs.api_key)
            if settings.backend == "AzureOpenAI":
                assert str(ours.base_url) == "https://r.openai.azure.com/openai/"
                assert ours._api_version == theirs._api_version
            else:
                assert ours.base_url == theirs.base_url


BAD = [
    pytest.param("backend: [OpenAI\n", "not valid YAML (line 2, column 1", id="malformed-yaml"),
    pytest.param("", "the file is empty; expected a mapping with a 'backend' field", id="empty"),
    pytest.param("- OpenAI\n", "the top level is a list; expected a mapping", id="list"),
    pytest.param(
        {"OpenAI": FILLED["OpenAI"]}, "field 'backend' is missing; expected one of OpenAI, AzureOpenAI", id="no-backend"
    ),
    pytest.param(
        {"backend": "openai"},
        "field 'backend' is 'openai'; expected one of OpenAI, AzureOpenAI, Other, Local",
        id="backend-case",
    ),
    pytest.param({"backend": "Anthropic"}, "field 'backend' is 'Anthropic'; expected one of", id="backend-unknown"),
    pytest.param(
        {"backend": "OpenAI"}, "field 'OpenAI' is missing; expected a mapping with the OpenAI settings", id="no-section"
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": "gpt-4o"},
        "field 'OpenAI' is 'gpt-4o'; expected a mapping",
        id="section-not-mapping",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": {"model": "gpt-4o"}},
        "field 'OpenAI.api_key' is missing; expected your OpenAI API key",
        id="no-api-key",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": {"model": "gpt-4o", "api_key": 12345}},
        "field 'OpenAI.api_key' is not a string; expected a string: your OpenAI API key",
        id="api-key-number",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": {"model": "gpt-4o", "api_key": ""}},
        "field 'OpenAI.api_key' is empty",
        id="empty-api-key",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": {"model": 4, "api_key": "sk-test-secret"}},
        "field 'OpenAI.model' is 4; expected a string",
        id="model-number",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": {"model": "gpt-4o", "apikey": "sk-test-secret"}},
        "field 'OpenAI.apikey' is not a known field; expected only model, api_key",
        id="typo-in-section",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "temprature": 0},
        "field 'temprature' is not a known field",
        id="typo-top-level",
    ),
    pytest.param(
        {"backend": "AzureOpenAI", "AzureOpenAI": {**FILLED["AzureOpenAI"], "base_url": "example.openai.azure.com"}},
        "field 'AzureOpenAI.base_url' is 'example.openai.azure.com'; expected a URL starting with http://",
        id="azure-url",
    ),
    pytest.param(
        {"backend": "AzureOpenAI", "AzureOpenAI": {**FILLED["AzureOpenAI"], "api_type": "openai"}},
        "field 'AzureOpenAI.api_type' is 'openai'; expected azure",
        id="azure-api-type",
    ),
    pytest.param(
        {"backend": "AzureOpenAI", "AzureOpenAI": {"model": "d", "api_key": "azure-test-secret"}},
        "field 'AzureOpenAI.base_url' is missing; expected a URL",
        id="azure-no-url",
    ),
    pytest.param(
        {"backend": "Other", "Other": {"model": "llama3.1:8b"}},
        "field 'Other.base_url' is missing; expected a URL starting with http:// or https://",
        id="other-no-url",
    ),
    pytest.param(
        {"backend": "Other", "Other": {"base_url": "http://localhost:8000/v1"}},
        "field 'Other.model' is missing; expected the name of a model the server serves",
        id="other-no-model",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "temperature": 1.5},
        "field 'temperature' is 1.5; expected a number from 0 to 1",
        id="temperature-high",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "temperature": "hot"},
        "field 'temperature' is 'hot'; expected a number",
        id="temperature-text",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "timeout": 0},
        "field 'timeout' is 0; expected a number greater than 0",
        id="timeout-zero",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "max_retries": -1},
        "field 'max_retries' is -1; expected a whole number of at least 0",
        id="retries-negative",
    ),
    pytest.param(
        {"backend": "OpenAI", "OpenAI": FILLED["OpenAI"], "max_retries": True},
        "field 'max_retries' is True; expected a whole number",
        id="retries-bool",
    ),
    pytest.param(
        {"backend": "Local", "Local": {"model_path": "/nonexistent/model.gguf"}},
        "field 'Local.model_path' names /nonexistent/model.gguf, which cannot be read (No such file or directory); "
        "expected the path of a GGUF model file",
        id="model-missing",
    ),
    pytest.param(
        {"backend": "Local", "Local": {"context_size": 10}},
        "field 'Local.context_size' is 10; expected a whole number of at least 256",
        id="context-small",
    ),
    pytest.param(
        {"backend": "Local", "Local": {"threads": 0}},
        "field 'Local.threads' is 0; expected a whole number of at least 1",
        id="threads-zero",
    ),
    pytest.param(
        {"backend": "Local", "Local": {"gpu": True}},
        "field 'Local.gpu' is not a known field; expected only model_path, context_size, threads",
        id="local-unknown",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD)
def test_every_mistake_is_one_line_naming_the_file_and_field(tmp_path: Path, content: Any, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(SecretsError) as caught:
        load_llm_settings(path, None)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "test-secret" not in text


def test_a_file_named_explicitly_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SecretsError, match=r"absent\.yaml: no such file; expected a copy of secret_template\.yaml"):
        load_llm_settings(tmp_path / "absent.yaml", None)


def test_a_model_path_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "model.gguf"
    junk.write_text("not a model")
    with pytest.raises(SecretsError, match=r"field 'Local.model_path' names .*model\.gguf, which is not a GGUF file"):
        load_llm_settings(write(tmp_path, {"backend": "Local", "Local": {"model_path": str(junk)}}), None)


def test_the_api_key_stays_out_of_repr() -> None:
    settings = LLMSettings(backend="OpenAI", model="gpt-4o", api_key="sk-test-secret")
    assert "sk-test-secret" not in repr(settings)


def test_the_smoke_test_banner_says_results_mean_nothing_and_how_to_configure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_secrets, "DEFAULT_SECRET_PATH", tmp_path / "absent.yaml")
    text = banner(load_llm_settings(None, None))
    assert text.startswith("LLM: Local SmolLM2-135M-Instruct.Q4_1 (no conf/secret.yaml)")
    assert "SmolLM2-135M is a tiny offline smoke-test model" in text
    assert "NOT meaningful" in text
    assert "conf/secret_template.yaml to conf/secret.yaml" in text
    for backend in ("OpenAI", "AzureOpenAI", "Other"):
        assert backend in text


def test_a_real_backend_gets_a_one_line_banner(tmp_path: Path) -> None:
    path = write(tmp_path, {"backend": "Other", "Other": FILLED["Other"]})
    assert banner(load_llm_settings(path, None)) == f"LLM: Other llama3.1:8b at http://localhost:11434/v1 (from {path})"
