"""The L4 LLM judge: its `judge:` section, strict answer parsing, the vote, and its requests (mock transport)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from src.evaluate import load_rubric
from src.evaluate.judge import (
    CATEGORY_MEANINGS,
    NONE,
    Judge,
    load_judge,
    parse_answer,
    vote,
)
from src.llm import SECRET_TEMPLATE_PATH, LLMSettings, SecretsError, _secrets, load_llm_settings

CATEGORIES = ("cpu_saturation", "memory_pressure", "pod_failure", "traffic_surge", "network_latency")
AGENTS = {"backend": "OpenAI", "OpenAI": {"model": "gpt-4o", "api_key": "sk-agents-secret"}}
JUDGE = {"backend": "OpenAI", "model": "gpt-4o-mini", "api_key": "sk-judge-secret", "samples": 5}
REPORT = "P99 latency is 900 ms. The root cause is CPU throttling: the pod is at its CPU limit."


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "secret.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


# Answers


@pytest.mark.parametrize(
    ("answer", "parsed"),
    [
        ("cpu_saturation", "cpu_saturation"),
        ("  CPU_Saturation\n", "cpu_saturation"),
        ("`pod_failure`", "pod_failure"),
        ('"traffic_surge".', "traffic_surge"),
        ("**network_latency**", "network_latency"),
        ("<think>It mentions throttling, so CPU.</think>\ncpu_saturation", "cpu_saturation"),
        ("none", NONE),
        ("None.", NONE),
        ("", NONE),
        ("cpu saturation", NONE),
        ("cpu_saturation, because the report mentions throttling", NONE),
        ("The root cause is cpu_saturation", NONE),
        ("disk_full", NONE),
        ("cpu_saturation or memory_pressure", NONE),
    ],
)
def test_an_answer_counts_only_when_it_is_exactly_a_category_name(answer: str, parsed: str) -> None:
    assert parse_answer(answer, CATEGORIES) == parsed


@pytest.mark.parametrize(
    ("parsed", "winner"),
    [
        (["cpu_saturation", "pod_failure", "cpu_saturation"], "cpu_saturation"),
        (["cpu_saturation"], "cpu_saturation"),
        (["none", "none", "cpu_saturation"], None),
        (["cpu_saturation", "pod_failure", "none"], None),
        (["cpu_saturation", "cpu_saturation", "pod_failure", "pod_failure", "none"], None),
        (["pod_failure", "pod_failure", "cpu_saturation", "none", "traffic_surge"], "pod_failure"),
        ([], None),
    ],
)
def test_the_most_named_category_wins_and_a_tie_or_none_on_top_is_no_answer(
    parsed: list[str], winner: str | None
) -> None:
    assert vote(parsed) == winner


def test_every_rubric_category_has_a_meaning_for_the_prompt() -> None:
    assert set(load_rubric().categories) <= set(CATEGORY_MEANINGS)


@pytest.mark.parametrize("samples", [0, 2, -1])
def test_a_judge_needs_an_odd_number_of_samples(samples: int) -> None:
    with pytest.raises(ValueError, match="odd number of samples"):
        Judge(LLMSettings(backend="OpenAI", model="gpt-4o", api_key="k"), samples)


# The judge: section


def test_no_default_secret_file_means_no_judge(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_secrets, "DEFAULT_SECRET_PATH", tmp_path / "absent.yaml")
    assert load_judge(None) is None


def test_a_file_without_a_judge_section_means_no_judge(tmp_path: Path) -> None:
    assert load_judge(write(tmp_path, AGENTS)) is None


def test_the_template_configures_no_judge() -> None:
    assert load_judge(SECRET_TEMPLATE_PATH) is None


def test_the_templates_commented_judge_block_is_the_documented_shape(tmp_path: Path) -> None:
    text = SECRET_TEMPLATE_PATH.read_text().split("# judge:")[1]
    block = "judge:\n" + "\n".join(line[2:] for line in text.splitlines() if line.startswith("#   "))
    data = {**AGENTS, **yaml.safe_load(block)}
    with pytest.raises(SecretsError, match=r"field 'judge\.api_key' still holds the template placeholder"):
        load_judge(write(tmp_path, data))
    data["judge"]["api_key"] = "sk-judge-secret"
    judge = load_judge(write(tmp_path, data))
    assert judge is not None
    assert (judge.settings.backend, judge.settings.model, judge.samples) == ("OpenAI", "gpt-4o", 3)


def test_the_default_secret_file_is_read_when_it_exists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path, {**AGENTS, "judge": JUDGE})
    monkeypatch.setattr(_secrets, "DEFAULT_SECRET_PATH", path)
    judge = load_judge(None)
    assert judge is not None
    assert judge.settings.source == path


def test_an_openai_judge(tmp_path: Path) -> None:
    path = write(tmp_path, {**AGENTS, "judge": {**JUDGE, "temperature": 0.7, "max_retries": 1}})
    judge = load_judge(path)
    assert judge == Judge(
        LLMSettings(
            backend="OpenAI",
            model="gpt-4o-mini",
            api_key="sk-judge-secret",
            temperature=0.7,
            timeout=120.0,
            max_retries=1,
            source=path,
        ),
        samples=5,
    )
    assert judge.describe() == "OpenAI gpt-4o-mini, 5 samples"


def test_an_azure_judge_defaults_the_api_version_and_three_samples(tmp_path: Path) -> None:
    section = {
        "backend": "AzureOpenAI",
        "model": "judge-dep",
        "api_key": "k",
        "base_url": "https://r.openai.azure.com/",
    }
    judge = load_judge(write(tmp_path, {**AGENTS, "judge": section}))
    assert judge is not None
    assert judge.samples == 3
    assert (judge.settings.backend, judge.settings.api_version) == ("AzureOpenAI", "2024-02-01")
    assert judge.settings.base_url == "https://r.openai.azure.com/"


def test_an_other_judge_needs_no_key(tmp_path: Path) -> None:
    section = {"backend": "Other", "model": "qwen2.5:7b", "base_url": "http://localhost:11434/v1", "samples": 1}
    judge = load_judge(write(tmp_path, {**AGENTS, "judge": section}))
    assert judge is not None
    assert (judge.settings.api_key, judge.samples, judge.settings.cache_seed) == (None, 1, None)


def test_the_agents_backend_is_read_as_before_beside_a_judge_section(tmp_path: Path) -> None:
    settings = load_llm_settings(write(tmp_path, {**AGENTS, "judge": JUDGE}), None)
    assert (settings.backend, settings.model, settings.api_key) == ("OpenAI", "gpt-4o", "sk-agents-secret")


def test_a_judge_section_does_not_need_a_valid_agents_backend(tmp_path: Path) -> None:
    judge = load_judge(write(tmp_path, {"backend": "Local", "judge": JUDGE}))
    assert judge is not None


BAD = [
    pytest.param({"samples": 2}, "field 'judge.samples' is 2; expected an odd whole number", id="samples-even"),
    pytest.param({"samples": 0}, "field 'judge.samples' is 0; expected a whole number of at least 1", id="samples-0"),
    pytest.param({"samples": "three"}, "field 'judge.samples' is 'three'; expected a whole number", id="samples-text"),
    pytest.param({"samples": True}, "field 'judge.samples' is True; expected a whole number", id="samples-bool"),
    pytest.param(
        {"backend": "Local"},
        "field 'judge.backend' is 'Local'; expected one of OpenAI, AzureOpenAI, Other (spelt exactly so)",
        id="backend-local",
    ),
    pytest.param({"backend": None}, "field 'judge.backend' is missing; expected one of OpenAI", id="no-backend"),
    pytest.param({"model": None}, "field 'judge.model' is missing; expected a model name", id="no-model"),
    pytest.param({"api_key": 12345}, "field 'judge.api_key' is not a string", id="api-key-number"),
    pytest.param(
        {"modle": "gpt-4o"},
        "field 'judge.modle' is not a known field; expected only backend, samples, temperature, timeout, "
        "max_retries, model, api_key",
        id="typo",
    ),
    pytest.param(
        {"backend": "Other", "api_key": None},
        "field 'judge.base_url' is missing; expected a URL starting with http:// or https://",
        id="other-no-url",
    ),
    pytest.param(
        {"backend": "AzureOpenAI", "base_url": "r.openai.azure.com"},
        "field 'judge.base_url' is 'r.openai.azure.com'; expected a URL",
        id="azure-url",
    ),
    pytest.param(
        {"temperature": 3}, "field 'judge.temperature' is 3; expected a number from 0 to 2", id="temperature-high"
    ),
    pytest.param({"timeout": 0}, "field 'judge.timeout' is 0; expected a number greater than 0", id="timeout-zero"),
    pytest.param(
        {"max_retries": -1}, "field 'judge.max_retries' is -1; expected a whole number of at least 0", id="retries"
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_every_judge_mistake_is_one_line_naming_the_file_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    section = {key: value for key, value in {**JUDGE, **change}.items() if value is not None}
    path = write(tmp_path, {**AGENTS, "judge": section})
    with pytest.raises(SecretsError) as caught:
        load_judge(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "-secret" not in text


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (None, "field 'judge' is empty; expected a mapping with the judge's backend"),
        ("gpt-4o", "field 'judge' is 'gpt-4o'; expected a mapping"),
        ([JUDGE], "field 'judge' is a list; expected a mapping"),
    ],
    ids=["empty", "text", "list"],
)
def test_a_judge_section_that_is_not_a_mapping_is_refused(tmp_path: Path, section: Any, message: str) -> None:
    with pytest.raises(SecretsError, match=message):
        load_judge(write(tmp_path, {**AGENTS, "judge": section}))


def test_a_judge_file_named_explicitly_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SecretsError, match=r"absent\.yaml: no such file"):
        load_judge(tmp_path / "absent.yaml")


# Judging, against a mock transport

Handler = Callable[[httpx.Request], httpx.Response]
